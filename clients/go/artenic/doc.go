// Package artenic is the thin hand-written layer of the Go client of Artenic, over the code
// generated from the contracts in ../gen (messages from protoc-gen-go, grpc-go stubs and connect-go
// stubs, one package per contract package: gen/artenic/registry/v1 is registryv1, its connect-go
// stubs are registryv1connect).
//
// Both RPC stacks work against the one port the server listens on:
//
//   - grpc-go: [DialGRPC] returns a [GRPCClient] with every service stub; the API key travels as
//     per-RPC credentials ([APIKey]) that also work over plaintext loopback connections.
//   - connect-go: [NewConnectClient] returns a [ConnectClient] speaking the gRPC protocol over
//     HTTP/2 (h2c for http:// URLs) or the Connect protocol over HTTP/1.1 ([ProtocolConnect]), or
//     gRPC-Web; the key is added by [AuthInterceptor].
//
// With both, failed calls return an [*Error] built from the status and its details
// (google.rpc.ErrorInfo, BadRequest, RetryInfo ...): match it with errors.Is against the
// sentinels ([ErrInvalidArgument], [ErrUnauthenticated] ...) or errors.As. It still unwraps to the
// stack's own error, so status.Code and connect.CodeOf keep working. [FromError] converts errors of
// stubs built without this package.
//
// [Paginate] walks List calls page by page as an iterator; [Receive] and [ReceiveConnect] turn
// server streams into iterators; [UploadChunks] produces the request stream of
// RegistryService.UploadModelVersion.
package artenic
