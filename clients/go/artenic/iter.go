package artenic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	registryv1 "github.com/artenic/artenic/clients/go/gen/artenic/registry/v1"
)

// PageResponse is a List response: every one has next_page_token.
type PageResponse interface {
	proto.Message
	GetNextPageToken() string
}

// Paginate yields every item of a List call across pages, following next_page_token. req is not
// modified (each page is requested with a copy); items picks the resources from a response, which
// is the generated getter:
//
//	for m, err := range artenic.Paginate(ctx, &registryv1.ListModelsRequest{PageSize: 100},
//		artenic.GRPCCall(client.Registry.ListModels), (*registryv1.ListModelsResponse).GetModels) {
//		if err != nil { return err }
//		fmt.Println(m.GetName())
//	}
//
// Iteration stops at the first error, which is yielded with the zero item.
func Paginate[Req proto.Message, Resp PageResponse, Item any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error), items func(Resp) []Item) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		var zero Item
		field := req.ProtoReflect().Descriptor().Fields().ByName("page_token")
		if field == nil || field.Kind() != protoreflect.StringKind {
			yield(zero, fmt.Errorf("artenic: %s has no page_token field", req.ProtoReflect().Descriptor().FullName()))
			return
		}
		page := proto.Clone(req).(Req)
		for {
			resp, err := call(ctx, page)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items(resp) {
				if !yield(it, nil) {
					return
				}
			}
			token := resp.GetNextPageToken()
			if token == "" {
				return
			}
			page.ProtoReflect().Set(field, protoreflect.ValueOfString(token))
		}
	}
}

// GRPCCall adapts a grpc-go stub method (which takes call options) to Paginate.
func GRPCCall[Req, Resp any](method func(context.Context, Req, ...grpc.CallOption) (Resp, error), opts ...grpc.CallOption) func(context.Context, Req) (Resp, error) {
	return func(ctx context.Context, req Req) (Resp, error) { return method(ctx, req, opts...) }
}

// ConnectCall adapts a connect-go client method (which wraps messages in Request/Response) to
// Paginate.
func ConnectCall[Req, Resp any](method func(context.Context, *connect.Request[Req]) (*connect.Response[Resp], error)) func(context.Context, *Req) (*Resp, error) {
	return func(ctx context.Context, req *Req) (*Resp, error) {
		res, err := method(ctx, connect.NewRequest(req))
		if err != nil {
			return nil, err
		}
		return res.Msg, nil
	}
}

// Receive turns a grpc-go server stream into an iterator: artenic.Receive(stream.Recv). It ends at
// the end of the stream; a failure is yielded once, with the zero message, and ends it too.
func Receive[T any](recv func() (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			m, err := recv()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}

// ReceiveConnect turns a connect-go server stream into an iterator, like Receive. The caller still
// closes the stream (defer stream.Close()).
func ReceiveConnect[T any](stream *connect.ServerStreamForClient[T]) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for stream.Receive() {
			if !yield(stream.Msg(), nil) {
				return
			}
		}
		if err := stream.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// UploadChunks yields the request stream of RegistryService.UploadModelVersion: metadata first, then
// the artifact read from r in chunks of at most chunkSize bytes (0 means 256 KiB; the server takes
// up to 4 MiB per chunk). A read error is yielded once and ends the sequence.
func UploadChunks(metadata *registryv1.UploadModelVersionMetadata, r io.Reader, chunkSize int) iter.Seq2[*registryv1.UploadModelVersionRequest, error] {
	if chunkSize <= 0 {
		chunkSize = 256 << 10
	}
	return func(yield func(*registryv1.UploadModelVersionRequest, error) bool) {
		if chunkSize > 4<<20 {
			yield(nil, fmt.Errorf("artenic: chunk size %d is over 4 MiB", chunkSize))
			return
		}
		if !yield(&registryv1.UploadModelVersionRequest{Content: &registryv1.UploadModelVersionRequest_Metadata{Metadata: metadata}}, nil) {
			return
		}
		for {
			buf := make([]byte, chunkSize)
			n, err := io.ReadFull(r, buf)
			if n > 0 {
				if !yield(&registryv1.UploadModelVersionRequest{Content: &registryv1.UploadModelVersionRequest_Chunk{Chunk: buf[:n]}}, nil) {
					return
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
		}
	}
}
