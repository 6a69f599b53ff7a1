package artenic

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	abtestv1 "github.com/artenic/artenic/clients/go/gen/artenic/abtest/v1"
	adminv1 "github.com/artenic/artenic/clients/go/gen/artenic/admin/v1"
	budgetv1 "github.com/artenic/artenic/clients/go/gen/artenic/budget/v1"
	ensemblev1 "github.com/artenic/artenic/clients/go/gen/artenic/ensemble/v1"
	eventsv1 "github.com/artenic/artenic/clients/go/gen/artenic/events/v1"
	healthv1 "github.com/artenic/artenic/clients/go/gen/artenic/health/v1"
	inferencev1 "github.com/artenic/artenic/clients/go/gen/artenic/inference/v1"
	registryv1 "github.com/artenic/artenic/clients/go/gen/artenic/registry/v1"
	trainingv1 "github.com/artenic/artenic/clients/go/gen/artenic/training/v1"
)

// APIKey is grpc-go per-RPC credentials sending "authorization: Bearer <Key>" on every call.
//
// Unlike grpc-go's oauth credentials it does not demand a TLS connection unless RequireTLS is
// set, so it works over the plaintext loopback connections of development and tests; use TLS (an
// https:// URL) anywhere else.
type APIKey struct {
	Key        string
	RequireTLS bool
}

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (k APIKey) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + k.Key}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials.
func (k APIKey) RequireTransportSecurity() bool { return k.RequireTLS }

// UnaryErrorInterceptor converts the errors of unary and client-streaming calls to *Error.
func UnaryErrorInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return wrap(invoker(ctx, method, req, reply, cc, opts...))
	}
}

// StreamErrorInterceptor converts the errors of streaming calls to *Error (io.EOF stays io.EOF).
func StreamErrorInterceptor() grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		s, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil {
			return nil, wrap(err)
		}
		return &errorStream{s}, nil
	}
}

type errorStream struct{ grpc.ClientStream }

func (s *errorStream) SendMsg(m any) error { return wrapStreamErr(s.ClientStream.SendMsg(m)) }
func (s *errorStream) RecvMsg(m any) error { return wrapStreamErr(s.ClientStream.RecvMsg(m)) }
func (s *errorStream) CloseSend() error    { return wrapStreamErr(s.ClientStream.CloseSend()) }

func wrapStreamErr(err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	return wrap(err)
}

// GRPCClient is every Artenic service over one grpc-go connection.
type GRPCClient struct {
	Conn      *grpc.ClientConn
	Registry  registryv1.RegistryServiceClient
	Inference inferencev1.InferenceServiceClient
	ABTest    abtestv1.ABTestServiceClient
	Ensemble  ensemblev1.EnsembleServiceClient
	Health    healthv1.HealthServiceClient
	Training  trainingv1.TrainingServiceClient
	Budget    budgetv1.BudgetServiceClient
	Events    eventsv1.EventsServiceClient
	Admin     adminv1.AdminServiceClient
}

// NewGRPCClient returns the stubs of every service over conn.
func NewGRPCClient(conn *grpc.ClientConn) *GRPCClient {
	return &GRPCClient{
		Conn:      conn,
		Registry:  registryv1.NewRegistryServiceClient(conn),
		Inference: inferencev1.NewInferenceServiceClient(conn),
		ABTest:    abtestv1.NewABTestServiceClient(conn),
		Ensemble:  ensemblev1.NewEnsembleServiceClient(conn),
		Health:    healthv1.NewHealthServiceClient(conn),
		Training:  trainingv1.NewTrainingServiceClient(conn),
		Budget:    budgetv1.NewBudgetServiceClient(conn),
		Events:    eventsv1.NewEventsServiceClient(conn),
		Admin:     adminv1.NewAdminServiceClient(conn),
	}
}

// Close closes the connection.
func (c *GRPCClient) Close() error { return c.Conn.Close() }

// DialGRPC creates a grpc-go client for an Artenic server: "http://host:port" is plaintext HTTP/2,
// "https://host[:port]" is TLS with the system roots (pass grpc.WithTransportCredentials in opts to
// use others). A non-empty apiKey is sent on every call; errors come back as *Error. Like
// grpc.NewClient it does not connect until the first call.
func DialGRPC(rawURL, apiKey string, opts ...grpc.DialOption) (*GRPCClient, error) {
	target, useTLS, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	base := []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(UnaryErrorInterceptor()),
		grpc.WithChainStreamInterceptor(StreamErrorInterceptor()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(16<<20), grpc.MaxCallSendMsgSize(16<<20)),
	}
	if useTLS {
		base = append(base, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})))
	} else {
		base = append(base, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	if apiKey != "" {
		base = append(base, grpc.WithPerRPCCredentials(APIKey{Key: apiKey, RequireTLS: useTLS}))
	}
	conn, err := grpc.NewClient(target, append(base, opts...)...)
	if err != nil {
		return nil, err
	}
	return NewGRPCClient(conn), nil
}

// parseURL maps an http(s) URL to a grpc-go target "host:port" and whether it uses TLS.
func parseURL(rawURL string) (target string, useTLS bool, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", false, err
	}
	switch u.Scheme {
	case "http":
	case "https":
		useTLS = true
	default:
		return "", false, fmt.Errorf("artenic: unsupported URL scheme %q: use http:// or https://", u.Scheme)
	}
	if strings.Trim(u.Path, "/") != "" {
		return "", false, fmt.Errorf("artenic: the URL must not have a path (gRPC serves at the root): %q", rawURL)
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if useTLS {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port), useTLS, nil
}
