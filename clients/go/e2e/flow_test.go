package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/artenic/artenic/clients/go/artenic"
	eventsv1 "github.com/artenic/artenic/clients/go/gen/artenic/events/v1"
	inferencev1 "github.com/artenic/artenic/clients/go/gen/artenic/inference/v1"
	registryv1 "github.com/artenic/artenic/clients/go/gen/artenic/registry/v1"
	typev1 "github.com/artenic/artenic/clients/go/gen/artenic/type/v1"
)

// api is the part of the platform the flow uses, implemented once with grpc-go stubs and once with
// connect-go stubs, so that the same steps run over each stack and protocol.
type api interface {
	CreateModel(context.Context, *registryv1.CreateModelRequest) (*registryv1.CreateModelResponse, error)
	GetModel(context.Context, *registryv1.GetModelRequest) (*registryv1.GetModelResponse, error)
	ListModels(context.Context, *registryv1.ListModelsRequest) (*registryv1.ListModelsResponse, error)
	Upload(context.Context, iter.Seq2[*registryv1.UploadModelVersionRequest, error]) (*registryv1.UploadModelVersionResponse, error)
	TransitionModelVersionStage(context.Context, *registryv1.TransitionModelVersionStageRequest) (*registryv1.TransitionModelVersionStageResponse, error)
	CreateService(context.Context, *inferencev1.CreateServiceRequest) (*inferencev1.CreateServiceResponse, error)
	Predict(context.Context, *inferencev1.PredictRequest) (*inferencev1.PredictResponse, error)
	Subscribe(context.Context, *eventsv1.SubscribeRequest) (iter.Seq2[*eventsv1.SubscribeResponse, error], error)
}

type grpcAPI struct{ c *artenic.GRPCClient }

func (a grpcAPI) CreateModel(ctx context.Context, r *registryv1.CreateModelRequest) (*registryv1.CreateModelResponse, error) {
	return a.c.Registry.CreateModel(ctx, r)
}
func (a grpcAPI) GetModel(ctx context.Context, r *registryv1.GetModelRequest) (*registryv1.GetModelResponse, error) {
	return a.c.Registry.GetModel(ctx, r)
}
func (a grpcAPI) ListModels(ctx context.Context, r *registryv1.ListModelsRequest) (*registryv1.ListModelsResponse, error) {
	return a.c.Registry.ListModels(ctx, r)
}
func (a grpcAPI) Upload(ctx context.Context, reqs iter.Seq2[*registryv1.UploadModelVersionRequest, error]) (*registryv1.UploadModelVersionResponse, error) {
	stream, err := a.c.Registry.UploadModelVersion(ctx)
	if err != nil {
		return nil, err
	}
	for req, err := range reqs {
		if err != nil {
			return nil, err
		}
		if err := stream.Send(req); err != nil {
			break // the status comes from CloseAndRecv
		}
	}
	return stream.CloseAndRecv()
}
func (a grpcAPI) TransitionModelVersionStage(ctx context.Context, r *registryv1.TransitionModelVersionStageRequest) (*registryv1.TransitionModelVersionStageResponse, error) {
	return a.c.Registry.TransitionModelVersionStage(ctx, r)
}
func (a grpcAPI) CreateService(ctx context.Context, r *inferencev1.CreateServiceRequest) (*inferencev1.CreateServiceResponse, error) {
	return a.c.Inference.CreateService(ctx, r)
}
func (a grpcAPI) Predict(ctx context.Context, r *inferencev1.PredictRequest) (*inferencev1.PredictResponse, error) {
	return a.c.Inference.Predict(ctx, r)
}
func (a grpcAPI) Subscribe(ctx context.Context, r *eventsv1.SubscribeRequest) (iter.Seq2[*eventsv1.SubscribeResponse, error], error) {
	stream, err := a.c.Events.Subscribe(ctx, r)
	if err != nil {
		return nil, err
	}
	return artenic.Receive(stream.Recv), nil
}

type connectAPI struct{ c *artenic.ConnectClient }

func unary[Req, Resp any](ctx context.Context, f func(context.Context, *connect.Request[Req]) (*connect.Response[Resp], error), r *Req) (*Resp, error) {
	return artenic.ConnectCall(f)(ctx, r)
}

func (a connectAPI) CreateModel(ctx context.Context, r *registryv1.CreateModelRequest) (*registryv1.CreateModelResponse, error) {
	return unary(ctx, a.c.Registry.CreateModel, r)
}
func (a connectAPI) GetModel(ctx context.Context, r *registryv1.GetModelRequest) (*registryv1.GetModelResponse, error) {
	return unary(ctx, a.c.Registry.GetModel, r)
}
func (a connectAPI) ListModels(ctx context.Context, r *registryv1.ListModelsRequest) (*registryv1.ListModelsResponse, error) {
	return unary(ctx, a.c.Registry.ListModels, r)
}
func (a connectAPI) Upload(ctx context.Context, reqs iter.Seq2[*registryv1.UploadModelVersionRequest, error]) (*registryv1.UploadModelVersionResponse, error) {
	stream := a.c.Registry.UploadModelVersion(ctx)
	for req, err := range reqs {
		if err != nil {
			return nil, err
		}
		if err := stream.Send(req); err != nil {
			break // the status comes from CloseAndReceive
		}
	}
	res, err := stream.CloseAndReceive()
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}
func (a connectAPI) TransitionModelVersionStage(ctx context.Context, r *registryv1.TransitionModelVersionStageRequest) (*registryv1.TransitionModelVersionStageResponse, error) {
	return unary(ctx, a.c.Registry.TransitionModelVersionStage, r)
}
func (a connectAPI) CreateService(ctx context.Context, r *inferencev1.CreateServiceRequest) (*inferencev1.CreateServiceResponse, error) {
	return unary(ctx, a.c.Inference.CreateService, r)
}
func (a connectAPI) Predict(ctx context.Context, r *inferencev1.PredictRequest) (*inferencev1.PredictResponse, error) {
	return unary(ctx, a.c.Inference.Predict, r)
}
func (a connectAPI) Subscribe(ctx context.Context, r *eventsv1.SubscribeRequest) (iter.Seq2[*eventsv1.SubscribeResponse, error], error) {
	stream, err := a.c.Events.Subscribe(ctx, connect.NewRequest(r))
	if err != nil {
		return nil, err
	}
	return func(yield func(*eventsv1.SubscribeResponse, error) bool) {
		defer stream.Close()
		for m, err := range artenic.ReceiveConnect(stream) {
			if !yield(m, err) {
				return
			}
		}
	}, nil
}

// protocolRecorder records the HTTP version of every response, to show which protocol ran.
type protocolRecorder struct {
	next  http.RoundTripper
	mu    sync.Mutex
	proto map[string]bool
}

func (p *protocolRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := p.next.RoundTrip(r)
	if err == nil {
		p.mu.Lock()
		p.proto[res.Proto] = true
		p.mu.Unlock()
	}
	return res, err
}

func (p *protocolRecorder) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for k := range p.proto {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type variant struct {
	name      string
	newAPI    func(t *testing.T, key string) api
	wantProto string // the HTTP version every call must have used ("" for grpc-go, which has its own transport)
	recorder  *protocolRecorder
}

func variants() []*variant {
	vs := []*variant{{name: "grpc-go"}}
	vs[0].newAPI = func(t *testing.T, key string) api {
		c, err := artenic.DialGRPC(serverURL, key)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return grpcAPI{c}
	}
	for _, p := range []struct {
		name      string
		protocol  artenic.Protocol
		h2c       bool
		wantProto string
	}{
		{"connect-go/connect-http1.1", artenic.ProtocolConnect, false, "HTTP/1.1"},
		{"connect-go/grpc-h2c", artenic.ProtocolGRPC, true, "HTTP/2.0"},
	} {
		v := &variant{name: p.name, wantProto: p.wantProto}
		v.recorder = &protocolRecorder{next: artenic.NewHTTPClient(p.h2c).Transport, proto: map[string]bool{}}
		v.newAPI = func(t *testing.T, key string) api {
			return connectAPI{artenic.NewConnectClient(serverURL, key, artenic.WithProtocol(p.protocol), artenic.WithHTTPClient(&http.Client{Transport: v.recorder}))}
		}
		vs = append(vs, v)
	}
	return vs
}

// eventCollector reads a live subscription from before the flow starts.
type eventCollector struct {
	mu     sync.Mutex
	events []*eventsv1.Event
	err    error
	done   chan struct{}
}

func collectEvents(t *testing.T, a api, resources []string) *eventCollector {
	ctx, cancel := context.WithCancel(context.Background())
	seq, err := a.Subscribe(ctx, &eventsv1.SubscribeRequest{
		Topics:            []eventsv1.EventTopic{eventsv1.EventTopic_EVENT_TOPIC_REGISTRY, eventsv1.EventTopic_EVENT_TOPIC_INFERENCE},
		Filter:            &eventsv1.EventFilter{Resources: resources},
		HeartbeatInterval: durationpb.New(time.Second),
	})
	if err != nil {
		cancel()
		t.Fatalf("Subscribe: %v", err)
	}
	c := &eventCollector{done: make(chan struct{})}
	live := make(chan struct{})
	go func() {
		defer close(c.done)
		signalled := false
		for m, err := range seq {
			if err != nil {
				if ctx.Err() == nil {
					c.mu.Lock()
					c.err = err
					c.mu.Unlock()
				}
				break
			}
			if hb := m.GetHeartbeat(); hb != nil && hb.GetCaughtUp() && !signalled {
				signalled = true
				close(live)
			}
			if ev := m.GetEvent(); ev != nil {
				c.mu.Lock()
				c.events = append(c.events, ev)
				c.mu.Unlock()
			}
		}
		if !signalled {
			close(live)
		}
	}()
	t.Cleanup(func() { cancel(); <-c.done })
	select {
	case <-live: // the subscription is live before anything happens
	case <-time.After(15 * time.Second):
		t.Fatal("no caught-up heartbeat within 15 s")
	}
	return c
}

// waitFor waits until an event of each type arrived for its resource and returns them by type.
func (c *eventCollector) waitFor(t *testing.T, want map[string]string) map[string]*eventsv1.Event {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c.mu.Lock()
		seen := map[string]*eventsv1.Event{}
		for _, e := range c.events {
			if want[e.GetType()] == e.GetResource() {
				seen[e.GetType()] = e
			}
		}
		err := c.err
		c.mu.Unlock()
		if len(seen) == len(want) {
			return seen
		}
		if err != nil {
			t.Fatalf("the event stream failed: %v", err)
		}
		if time.Now().After(deadline) {
			var missing []string
			for k := range want {
				if seen[k] == nil {
					missing = append(missing, k)
				}
			}
			slices.Sort(missing)
			t.Fatalf("events not received within 15 s: %v", missing)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestFlow(t *testing.T) {
	artifact, err := os.ReadFile(filepath.Join(root, "fixtures", "models", "iris_logreg.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(artifact)
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			a := v.newAPI(t, adminKey)
			modelID, serviceID := unique("go-iris"), unique("go-svc")
			model, version, service := "models/"+modelID, "models/"+modelID+"/versions/1", "services/"+serviceID
			events := collectEvents(t, a, []string{model, model + "/*", service})

			step := func(name string, f func(t *testing.T)) {
				if !t.Run(name, f) {
					t.FailNow() // later steps need this one
				}
			}
			step("create model", func(t *testing.T) {
				res, err := a.CreateModel(ctx, &registryv1.CreateModelRequest{ModelId: modelID, Model: &registryv1.Model{DisplayName: "Iris (Go client)", Framework: "sklearn"}})
				if err != nil {
					t.Fatal(err)
				}
				if res.GetModel().GetName() != model {
					t.Fatalf("name = %q", res.GetModel().GetName())
				}
			})
			step("upload artifact by client streaming", func(t *testing.T) {
				meta := &registryv1.UploadModelVersionMetadata{
					Parent:         model,
					Format:         registryv1.ArtifactFormat_ARTIFACT_FORMAT_ONNX,
					ExpectedSha256: hex.EncodeToString(sum[:]),
					ModelVersion:   &registryv1.ModelVersion{Description: "uploaded by the Go suite over " + v.name},
				}
				res, err := a.Upload(ctx, artenic.UploadChunks(meta, bytes.NewReader(artifact), 128))
				if err != nil {
					t.Fatal(err)
				}
				mv := res.GetModelVersion()
				if mv.GetName() != version || mv.GetArtifact().GetSizeBytes() != int64(len(artifact)) || mv.GetArtifact().GetSha256() != hex.EncodeToString(sum[:]) {
					t.Fatalf("version = %v", mv)
				}
				if len(mv.GetSignature().GetInputs()) != 1 || mv.GetSignature().GetInputs()[0].GetName() != "input" {
					t.Fatalf("signature = %v", mv.GetSignature())
				}
			})
			step("promote to production", func(t *testing.T) {
				res, err := a.TransitionModelVersionStage(ctx, &registryv1.TransitionModelVersionStageRequest{Name: version, Stage: registryv1.ModelVersionStage_MODEL_VERSION_STAGE_PRODUCTION, Reason: "go suite"})
				if err != nil {
					t.Fatal(err)
				}
				if res.GetModelVersion().GetStage() != registryv1.ModelVersionStage_MODEL_VERSION_STAGE_PRODUCTION {
					t.Fatalf("stage = %v", res.GetModelVersion().GetStage())
				}
				got, err := a.GetModel(ctx, &registryv1.GetModelRequest{Name: model})
				if err != nil {
					t.Fatal(err)
				}
				if got.GetModel().GetProductionVersion() != version {
					t.Fatalf("production version = %q", got.GetModel().GetProductionVersion())
				}
			})
			step("create service and predict", func(t *testing.T) {
				created, err := a.CreateService(ctx, &inferencev1.CreateServiceRequest{ServiceId: serviceID, Service: &inferencev1.Service{
					Target: &inferencev1.ServiceTarget{Target: &inferencev1.ServiceTarget_ModelVersion{ModelVersion: version}},
				}})
				if err != nil {
					t.Fatal(err)
				}
				if created.GetService().GetName() != service {
					t.Fatalf("service = %q", created.GetService().GetName())
				}
				res, err := a.Predict(ctx, &inferencev1.PredictRequest{Service: service, Inputs: []*inferencev1.InferTensor{{
					Name: "input", DataType: typev1.DataType_DATA_TYPE_FLOAT32, Shape: []int64{1, 4},
					Contents: &inferencev1.InferTensor_FloatValues{FloatValues: &inferencev1.FloatValues{Values: []float32{4.7, 3.2, 1.3, 0.2}}},
				}}})
				if err != nil {
					t.Fatal(err)
				}
				if res.GetModelVersion() != version || res.GetPredictionId() == "" || len(res.GetClassifications()) != 1 {
					t.Fatalf("response = %v", res)
				}
				// Python's onnxruntime on the same row (fixtures/models/iris_logreg.expected.json).
				c := res.GetClassifications()[0]
				if c.GetLabel() != "0" || math.Abs(c.GetProbabilities()["0"]-0.98533695936203) > 1e-5 {
					t.Fatalf("classification = %v", c)
				}
			})
			step("own actions arrive on the event stream", func(t *testing.T) {
				seen := events.waitFor(t, map[string]string{
					"registry.model.created":               model,
					"registry.model_version.created":       version,
					"registry.model_version.stage_changed": version,
					"inference.service.created":            service,
				})
				var cursors []int64
				for _, typ := range []string{"registry.model.created", "registry.model_version.created", "registry.model_version.stage_changed"} {
					n, err := strconv.ParseInt(seen[typ].GetCursor(), 10, 64)
					if err != nil {
						t.Fatalf("cursor %q: %v", seen[typ].GetCursor(), err)
					}
					cursors = append(cursors, n)
				}
				if !slices.IsSorted(cursors) {
					t.Fatalf("events out of commit order: %v", cursors)
				}
				if seen["registry.model.created"].GetTopic() != eventsv1.EventTopic_EVENT_TOPIC_REGISTRY || seen["registry.model.created"].GetActor() == "" {
					t.Fatalf("event = %v", seen["registry.model.created"])
				}
			})
			step("paginate", func(t *testing.T) {
				suite := unique("go-page")
				for i := range 5 {
					if _, err := a.CreateModel(ctx, &registryv1.CreateModelRequest{ModelId: fmt.Sprintf("%s-%d", suite, i), Model: &registryv1.Model{Labels: map[string]string{"suite": suite}}}); err != nil {
						t.Fatal(err)
					}
				}
				calls := 0
				list := func(ctx context.Context, r *registryv1.ListModelsRequest) (*registryv1.ListModelsResponse, error) {
					calls++
					return a.ListModels(ctx, r)
				}
				var names []string
				for m, err := range artenic.Paginate(ctx, &registryv1.ListModelsRequest{PageSize: 2, Filter: fmt.Sprintf("labels.suite = %q", suite)}, list, (*registryv1.ListModelsResponse).GetModels) {
					if err != nil {
						t.Fatal(err)
					}
					names = append(names, m.GetName())
				}
				if len(names) != 5 || calls != 3 {
					t.Fatalf("%d models in %d calls: %v", len(names), calls, names)
				}
			})
			step("bad request is INVALID_ARGUMENT naming the field", func(t *testing.T) {
				_, err := a.CreateModel(ctx, &registryv1.CreateModelRequest{ModelId: "Not_A_Valid_Id", Model: &registryv1.Model{}})
				e := expectError(t, err, artenic.ErrInvalidArgument)
				if !slices.Contains(e.Fields(), "model_id") || e.Reason != "INVALID_ARGUMENT" || e.Domain != "artenic.ai" {
					t.Fatalf("error = %#v", e)
				}
			})
			step("missing resource is NOT_FOUND with its reason", func(t *testing.T) {
				_, err := a.GetModel(ctx, &registryv1.GetModelRequest{Name: "models/does-not-exist"})
				e := expectError(t, err, artenic.ErrNotFound)
				if e.Reason != "MODEL_NOT_FOUND" {
					t.Fatalf("reason = %q", e.Reason)
				}
			})
			step("stream errors are typed too", func(t *testing.T) {
				seq, err := a.Subscribe(ctx, &eventsv1.SubscribeRequest{AfterCursor: "not-a-cursor"})
				if err == nil {
					for _, err = range seq {
						if err != nil {
							break
						}
					}
				}
				e := expectError(t, err, artenic.ErrInvalidArgument)
				if !slices.Contains(e.Fields(), "after_cursor") {
					t.Fatalf("fields = %v", e.Fields())
				}
			})
			step("missing key is UNAUTHENTICATED", func(t *testing.T) {
				_, err := v.newAPI(t, "").ListModels(ctx, &registryv1.ListModelsRequest{})
				e := expectError(t, err, artenic.ErrUnauthenticated)
				if e.Reason != "API_KEY_MISSING" || !errors.Is(err, &artenic.Error{Code: codes.Unauthenticated, Reason: "API_KEY_MISSING"}) {
					t.Fatalf("reason = %q", e.Reason)
				}
			})
			step("wrong key is UNAUTHENTICATED", func(t *testing.T) {
				_, err := v.newAPI(t, "artenic_not_a_real_key").ListModels(ctx, &registryv1.ListModelsRequest{})
				if e := expectError(t, err, artenic.ErrUnauthenticated); e.Reason != "API_KEY_INVALID" {
					t.Fatalf("reason = %q", e.Reason)
				}
			})
			if v.recorder != nil {
				if got := v.recorder.seen(); !slices.Equal(got, []string{v.wantProto}) {
					t.Fatalf("HTTP versions used: %v, want only %s", got, v.wantProto)
				}
			}
		})
	}
}

// expectError checks err is an *artenic.Error matching want, readable by the stack's own helpers.
func expectError(t *testing.T, err error, want *artenic.Error) *artenic.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want.Code)
	}
	var e *artenic.Error
	if !errors.As(err, &e) || !errors.Is(err, want) {
		t.Fatalf("error %T %v, want an *artenic.Error with code %v", err, err, want.Code)
	}
	if status.Code(err) != want.Code {
		t.Fatalf("status.Code = %v", status.Code(err))
	}
	var ce *connect.Error
	if errors.As(err, &ce) && ce.Code() != connect.Code(want.Code) {
		t.Fatalf("connect code = %v", ce.Code())
	}
	return e
}
