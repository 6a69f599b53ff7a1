package artenic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	registryv1 "github.com/artenic/artenic/clients/go/gen/artenic/registry/v1"
)

func badRequestDetails() (*errdetails.ErrorInfo, *errdetails.BadRequest, *errdetails.RetryInfo) {
	return &errdetails.ErrorInfo{Reason: "INVALID_ARGUMENT", Domain: "artenic.ai", Metadata: map[string]string{"field": "model_id"}},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "model_id", Description: "bad"}, {Field: "model.labels[x]", Description: "too long"},
		}},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(250 * time.Millisecond)}
}

func checkBadRequest(t *testing.T, err error) *Error {
	t.Helper()
	e, ok := FromError(err)
	if !ok {
		t.Fatalf("FromError(%v) = false", err)
	}
	if e.Code != codes.InvalidArgument || e.Message != "model_id: bad" {
		t.Fatalf("code/message = %v/%q", e.Code, e.Message)
	}
	if e.Reason != "INVALID_ARGUMENT" || e.Domain != "artenic.ai" || e.Metadata["field"] != "model_id" {
		t.Fatalf("ErrorInfo = %q %q %v", e.Reason, e.Domain, e.Metadata)
	}
	if got := e.Fields(); !slices.Equal(got, []string{"model_id", "model.labels[x]"}) {
		t.Fatalf("fields = %v", got)
	}
	if e.RetryDelay != 250*time.Millisecond {
		t.Fatalf("retry delay = %v", e.RetryDelay)
	}
	if !errors.Is(e, ErrInvalidArgument) || errors.Is(e, ErrNotFound) {
		t.Fatal("errors.Is does not match by code")
	}
	if !errors.Is(e, &Error{Code: codes.InvalidArgument, Reason: "INVALID_ARGUMENT"}) || errors.Is(e, &Error{Code: codes.InvalidArgument, Reason: "OTHER"}) {
		t.Fatal("errors.Is does not match by reason")
	}
	if status.Code(e) != codes.InvalidArgument {
		t.Fatalf("status.Code = %v", status.Code(e))
	}
	if e.Error() != "invalid argument: model_id: bad [INVALID_ARGUMENT]" {
		t.Fatalf("Error() = %q", e.Error())
	}
	return e
}

func TestFromGRPCStatus(t *testing.T) {
	info, bad, retry := badRequestDetails()
	st, err := status.New(codes.InvalidArgument, "model_id: bad").WithDetails(info, bad, retry)
	if err != nil {
		t.Fatal(err)
	}
	e := checkBadRequest(t, st.Err())
	if got, _ := status.FromError(e); len(got.Details()) != 3 {
		t.Fatalf("GRPCStatus lost the details: %v", got.Details())
	}
	if again, _ := FromError(fmt.Errorf("wrapped: %w", e)); again != e {
		t.Fatal("FromError of a wrapped *Error is not that error")
	}
}

func TestFromConnectError(t *testing.T) {
	ce := connect.NewError(connect.CodeInvalidArgument, errors.New("model_id: bad"))
	info, bad, retry := badRequestDetails()
	for _, d := range []proto.Message{info, bad, retry} {
		detail, err := connect.NewErrorDetail(d)
		if err != nil {
			t.Fatal(err)
		}
		ce.AddDetail(detail)
	}
	e := checkBadRequest(t, ce)
	if connect.CodeOf(e) != connect.CodeInvalidArgument {
		t.Fatalf("connect.CodeOf = %v", connect.CodeOf(e))
	}
}

func TestFromErrorWithoutStatus(t *testing.T) {
	if _, ok := FromError(nil); ok {
		t.Fatal("nil has a status")
	}
	if err := wrap(context.Canceled); !errors.Is(err, context.Canceled) {
		t.Fatalf("a plain error was changed: %v", err)
	}
}

func TestPaginate(t *testing.T) {
	pages := map[string]*registryv1.ListModelsResponse{
		"":   {Models: []*registryv1.Model{{Name: "a"}, {Name: "b"}}, NextPageToken: "t1"},
		"t1": {Models: []*registryv1.Model{{Name: "c"}}, NextPageToken: "t2"},
		"t2": {},
	}
	var tokens []string
	call := func(_ context.Context, r *registryv1.ListModelsRequest) (*registryv1.ListModelsResponse, error) {
		tokens = append(tokens, r.GetPageToken())
		return pages[r.GetPageToken()], nil
	}
	req := &registryv1.ListModelsRequest{PageSize: 2}
	var names []string
	for m, err := range Paginate(context.Background(), req, call, (*registryv1.ListModelsResponse).GetModels) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m.GetName())
	}
	if !slices.Equal(names, []string{"a", "b", "c"}) || !slices.Equal(tokens, []string{"", "t1", "t2"}) || req.GetPageToken() != "" {
		t.Fatalf("names %v tokens %v request token %q", names, tokens, req.GetPageToken())
	}
	// Stopping early makes no further call; an error is yielded once.
	tokens = nil
	for range Paginate(context.Background(), req, call, (*registryv1.ListModelsResponse).GetModels) {
		break
	}
	if len(tokens) != 1 {
		t.Fatalf("calls after break: %v", tokens)
	}
	boom := errors.New("boom")
	failing := func(context.Context, *registryv1.ListModelsRequest) (*registryv1.ListModelsResponse, error) {
		return nil, boom
	}
	n := 0
	for _, err := range Paginate(context.Background(), req, failing, (*registryv1.ListModelsResponse).GetModels) {
		n++
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
	}
	if n != 1 {
		t.Fatalf("yielded %d times", n)
	}
}

func TestUploadChunks(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 100)
	meta := &registryv1.UploadModelVersionMetadata{Parent: "models/m", Format: registryv1.ArtifactFormat_ARTIFACT_FORMAT_ONNX}
	var got []byte
	n := 0
	for req, err := range UploadChunks(meta, bytes.NewReader(data), 128) {
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			if req.GetMetadata().GetParent() != "models/m" {
				t.Fatalf("first message is not the metadata: %v", req)
			}
		} else {
			if len(req.GetChunk()) == 0 || len(req.GetChunk()) > 128 {
				t.Fatalf("chunk of %d bytes", len(req.GetChunk()))
			}
			got = append(got, req.GetChunk()...)
		}
		n++
	}
	if !bytes.Equal(got, data) || n != 1+8 {
		t.Fatalf("%d messages, %d bytes", n, len(got))
	}
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url    string
		target string
		tls    bool
	}{
		{"http://127.0.0.1:8080", "127.0.0.1:8080", false},
		{"https://artenic.example.com", "artenic.example.com:443", true},
		{"http://[::1]:9000/", "[::1]:9000", false},
	} {
		target, tls, err := parseURL(c.url)
		if err != nil || target != c.target || tls != c.tls {
			t.Errorf("parseURL(%q) = %q %v %v", c.url, target, tls, err)
		}
	}
	for _, bad := range []string{"ftp://h", "http://h:1/api", "127.0.0.1:8080"} {
		if _, _, err := parseURL(bad); err == nil {
			t.Errorf("parseURL(%q) accepted", bad)
		}
	}
}
