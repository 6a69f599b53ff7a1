package artenic

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	"github.com/artenic/artenic/clients/go/gen/artenic/abtest/v1/abtestv1connect"
	"github.com/artenic/artenic/clients/go/gen/artenic/admin/v1/adminv1connect"
	"github.com/artenic/artenic/clients/go/gen/artenic/budget/v1/budgetv1connect"
	"github.com/artenic/artenic/clients/go/gen/artenic/ensemble/v1/ensemblev1connect"
	"github.com/artenic/artenic/clients/go/gen/artenic/events/v1/eventsv1connect"
	"github.com/artenic/artenic/clients/go/gen/artenic/health/v1/healthv1connect"
	"github.com/artenic/artenic/clients/go/gen/artenic/inference/v1/inferencev1connect"
	"github.com/artenic/artenic/clients/go/gen/artenic/registry/v1/registryv1connect"
	"github.com/artenic/artenic/clients/go/gen/artenic/training/v1/trainingv1connect"
)

// Protocol is the wire protocol of a ConnectClient.
type Protocol int

const (
	// ProtocolGRPC is gRPC over HTTP/2: cleartext (h2c) for http:// URLs, TLS for https://.
	ProtocolGRPC Protocol = iota
	// ProtocolConnect is the Connect protocol (binary Protobuf) over HTTP/1.1 for http:// URLs
	// (HTTP/2 when TLS negotiates it).
	ProtocolConnect
	// ProtocolGRPCWeb is gRPC-Web over HTTP/1.1 for http:// URLs.
	ProtocolGRPCWeb
)

// ConnectClient is every Artenic service through connect-go.
type ConnectClient struct {
	HTTPClient *http.Client
	Registry   registryv1connect.RegistryServiceClient
	Inference  inferencev1connect.InferenceServiceClient
	ABTest     abtestv1connect.ABTestServiceClient
	Ensemble   ensemblev1connect.EnsembleServiceClient
	Health     healthv1connect.HealthServiceClient
	Training   trainingv1connect.TrainingServiceClient
	Budget     budgetv1connect.BudgetServiceClient
	Events     eventsv1connect.EventsServiceClient
	Admin      adminv1connect.AdminServiceClient
}

// ConnectOption configures NewConnectClient.
type ConnectOption func(*connectConfig)

type connectConfig struct {
	protocol   Protocol
	httpClient *http.Client
	options    []connect.ClientOption
}

// WithProtocol picks the wire protocol (default ProtocolGRPC).
func WithProtocol(p Protocol) ConnectOption { return func(c *connectConfig) { c.protocol = p } }

// WithHTTPClient replaces the HTTP client (the default is chosen by protocol and URL scheme).
func WithHTTPClient(h *http.Client) ConnectOption { return func(c *connectConfig) { c.httpClient = h } }

// WithClientOptions adds connect-go client options (interceptors, codecs, compression ...).
func WithClientOptions(opts ...connect.ClientOption) ConnectOption {
	return func(c *connectConfig) { c.options = append(c.options, opts...) }
}

// NewConnectClient creates connect-go clients for every service of the server at baseURL
// ("http://127.0.0.1:8080" or "https://..."). A non-empty apiKey is sent on every call; errors
// come back as *Error (which unwraps to *connect.Error).
func NewConnectClient(baseURL, apiKey string, opts ...ConnectOption) *ConnectClient {
	cfg := connectConfig{protocol: ProtocolGRPC}
	for _, o := range opts {
		o(&cfg)
	}
	baseURL = strings.TrimRight(baseURL, "/")
	if cfg.httpClient == nil {
		cfg.httpClient = NewHTTPClient(cfg.protocol == ProtocolGRPC && strings.HasPrefix(baseURL, "http://"))
	}
	options := []connect.ClientOption{connect.WithInterceptors(errorInterceptor{})}
	if apiKey != "" {
		options = append(options, connect.WithInterceptors(AuthInterceptor(apiKey)))
	}
	switch cfg.protocol {
	case ProtocolGRPC:
		options = append(options, connect.WithGRPC())
	case ProtocolGRPCWeb:
		options = append(options, connect.WithGRPCWeb())
	}
	options = append(options, connect.WithReadMaxBytes(16<<20), connect.WithSendMaxBytes(16<<20))
	options = append(options, cfg.options...)
	h := cfg.httpClient
	return &ConnectClient{
		HTTPClient: h,
		Registry:   registryv1connect.NewRegistryServiceClient(h, baseURL, options...),
		Inference:  inferencev1connect.NewInferenceServiceClient(h, baseURL, options...),
		ABTest:     abtestv1connect.NewABTestServiceClient(h, baseURL, options...),
		Ensemble:   ensemblev1connect.NewEnsembleServiceClient(h, baseURL, options...),
		Health:     healthv1connect.NewHealthServiceClient(h, baseURL, options...),
		Training:   trainingv1connect.NewTrainingServiceClient(h, baseURL, options...),
		Budget:     budgetv1connect.NewBudgetServiceClient(h, baseURL, options...),
		Events:     eventsv1connect.NewEventsServiceClient(h, baseURL, options...),
		Admin:      adminv1connect.NewAdminServiceClient(h, baseURL, options...),
	}
}

// NewHTTPClient returns an HTTP client for connect-go: with h2c true it speaks only HTTP/2 over
// cleartext (what the gRPC protocol needs on http:// URLs); otherwise HTTP/1.1 on cleartext and
// HTTP/2 or HTTP/1.1 over TLS, as negotiated.
func NewHTTPClient(h2c bool) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if h2c {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		t.Protocols = &p
	} else {
		t.ForceAttemptHTTP2 = true
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: t}
}

// AuthInterceptor sets "Authorization: Bearer <apiKey>" on every unary and streaming call.
func AuthInterceptor(apiKey string) connect.Interceptor { return authInterceptor("Bearer " + apiKey) }

type authInterceptor string

func (a authInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient && req.Header().Get("Authorization") == "" {
			req.Header().Set("Authorization", string(a))
		}
		return next(ctx, req)
	}
}

func (a authInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if conn.RequestHeader().Get("Authorization") == "" {
			conn.RequestHeader().Set("Authorization", string(a))
		}
		return conn
	}
}

func (a authInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// errorInterceptor converts connect errors to *Error; io.EOF passes unchanged (connect-go reads
// io.EOF from Send as "the real error is in Receive").
type errorInterceptor struct{}

func (errorInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		res, err := next(ctx, req)
		return res, wrapStreamErr(err)
	}
}

func (errorInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		return &errorConn{next(ctx, spec)}
	}
}

func (errorInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

type errorConn struct{ connect.StreamingClientConn }

func (c *errorConn) Send(m any) error    { return wrapStreamErr(c.StreamingClientConn.Send(m)) }
func (c *errorConn) Receive(m any) error { return wrapStreamErr(c.StreamingClientConn.Receive(m)) }
func (c *errorConn) CloseRequest() error { return wrapStreamErr(c.StreamingClientConn.CloseRequest()) }
func (c *errorConn) CloseResponse() error {
	return wrapStreamErr(c.StreamingClientConn.CloseResponse())
}
