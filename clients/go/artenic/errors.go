package artenic

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Error is a failed call: its status code and message with the rich details the server sends
// (always a google.rpc.ErrorInfo; a BadRequest naming each offending field for bad input;
// RetryInfo when a retry may succeed later; PreconditionFailure or QuotaFailure where they apply).
type Error struct {
	// Code is the status code (grpc-go and connect-go number codes the same way).
	Code codes.Code
	// Message is the status message.
	Message string
	// Reason is ErrorInfo.reason, a stable machine-readable cause such as MODEL_NOT_FOUND.
	Reason string
	// Domain is ErrorInfo.domain: "artenic.ai" for errors of the server itself.
	Domain string
	// Metadata is ErrorInfo.metadata, e.g. {"name": "models/iris"}.
	Metadata map[string]string
	// FieldViolations are the fields BadRequest names, in order.
	FieldViolations []FieldViolation
	// RetryDelay is RetryInfo.retry_delay, or zero.
	RetryDelay time.Duration
	// Details are every detail message; those of a type unknown to this binary stay *anypb.Any.
	Details []proto.Message

	cause error
}

// FieldViolation is one offending request field from google.rpc.BadRequest.
type FieldViolation struct {
	Field       string
	Description string
	Reason      string
}

// Sentinels for errors.Is: errors.Is(err, artenic.ErrNotFound) holds for every *Error with that
// code. They carry no message and must not be returned as errors themselves.
var (
	ErrCanceled           = &Error{Code: codes.Canceled}
	ErrUnknown            = &Error{Code: codes.Unknown}
	ErrInvalidArgument    = &Error{Code: codes.InvalidArgument}
	ErrDeadlineExceeded   = &Error{Code: codes.DeadlineExceeded}
	ErrNotFound           = &Error{Code: codes.NotFound}
	ErrAlreadyExists      = &Error{Code: codes.AlreadyExists}
	ErrPermissionDenied   = &Error{Code: codes.PermissionDenied}
	ErrResourceExhausted  = &Error{Code: codes.ResourceExhausted}
	ErrFailedPrecondition = &Error{Code: codes.FailedPrecondition}
	ErrAborted            = &Error{Code: codes.Aborted}
	ErrOutOfRange         = &Error{Code: codes.OutOfRange}
	ErrUnimplemented      = &Error{Code: codes.Unimplemented}
	ErrInternal           = &Error{Code: codes.Internal}
	ErrUnavailable        = &Error{Code: codes.Unavailable}
	ErrDataLoss           = &Error{Code: codes.DataLoss}
	ErrUnauthenticated    = &Error{Code: codes.Unauthenticated}
)

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(strings.ToLower(strings.ReplaceAll(codeName(e.Code), "_", " ")))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Reason != "" {
		fmt.Fprintf(&b, " [%s]", e.Reason)
	}
	return b.String()
}

// Unwrap returns the error of the RPC stack (a grpc status error or a *connect.Error).
func (e *Error) Unwrap() error { return e.cause }

// Is matches a sentinel (or any *Error) with the same code, and the same reason when the target
// sets one: errors.Is(err, &artenic.Error{Code: codes.Unauthenticated, Reason: "API_KEY_MISSING"}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Reason == "" || t.Reason == e.Reason)
}

// GRPCStatus lets status.FromError and status.Code read the error as a grpc status.
func (e *Error) GRPCStatus() *status.Status {
	if s, ok := status.FromError(e.cause); ok && e.cause != nil {
		return s
	}
	p := &spb.Status{Code: int32(e.Code), Message: e.Message}
	for _, d := range e.Details {
		if a, ok := d.(*anypb.Any); ok {
			p.Details = append(p.Details, a)
		} else if a, err := anypb.New(d); err == nil {
			p.Details = append(p.Details, a)
		}
	}
	return status.FromProto(p)
}

// Fields are the names of the offending fields, e.g. ["model_id"].
func (e *Error) Fields() []string {
	out := make([]string, len(e.FieldViolations))
	for i, v := range e.FieldViolations {
		out[i] = v.Field
	}
	return out
}

// FromError returns the *Error of a failed call made with grpc-go or connect-go (with or without
// this package's interceptors), or false for an error that carries no status (e.g. io.EOF).
func FromError(err error) (*Error, bool) {
	if err == nil {
		return nil, false
	}
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		details := make([]proto.Message, 0, len(ce.Details()))
		for _, d := range ce.Details() {
			if v, err := d.Value(); err == nil {
				details = append(details, v)
			} else {
				details = append(details, &anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type(), Value: d.Bytes()})
			}
		}
		return newError(codes.Code(ce.Code()), ce.Message(), details, err), true
	}
	if s, ok := status.FromError(err); ok {
		p := s.Proto()
		details := make([]proto.Message, 0, len(p.GetDetails()))
		for _, a := range p.GetDetails() {
			if v, err := a.UnmarshalNew(); err == nil {
				details = append(details, v)
			} else {
				details = append(details, a)
			}
		}
		return newError(s.Code(), s.Message(), details, err), true
	}
	return nil, false
}

// wrap converts err to *Error when it carries a status, and leaves it alone otherwise.
func wrap(err error) error {
	if e, ok := FromError(err); ok {
		return e
	}
	return err
}

func newError(code codes.Code, message string, details []proto.Message, cause error) *Error {
	e := &Error{Code: code, Message: message, Details: details, Metadata: map[string]string{}, cause: cause}
	for _, d := range details {
		switch v := d.(type) {
		case *errdetails.ErrorInfo:
			if e.Reason == "" {
				e.Reason, e.Domain = v.GetReason(), v.GetDomain()
				for k, val := range v.GetMetadata() {
					e.Metadata[k] = val
				}
			}
		case *errdetails.BadRequest:
			for _, f := range v.GetFieldViolations() {
				e.FieldViolations = append(e.FieldViolations, FieldViolation{Field: f.GetField(), Description: f.GetDescription(), Reason: f.GetReason()})
			}
		case *errdetails.RetryInfo:
			if e.RetryDelay == 0 {
				e.RetryDelay = v.GetRetryDelay().AsDuration()
			}
		}
	}
	return e
}

func codeName(c codes.Code) string {
	// connect.Code's names are the canonical snake_case ones ("invalid_argument").
	if c >= 1 && c <= 16 {
		return connect.Code(c).String()
	}
	return c.String()
}
