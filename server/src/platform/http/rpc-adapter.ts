import type { Registry } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, connectNodeAdapter } from "@connectrpc/connect-node";
import type { ListenOptions, RequestHandler } from "./listener.js";
import { createGrpcFastPath } from "./grpc-fast-path.js";

export interface RpcAdapterOptions {
  /** Registers the services, each with its interceptors and request gate. */
  readonly routes: (router: ConnectRouter) => void;
  /** Largest single request message accepted, measured after decompression. */
  readonly readMaxBytes: number;
  /** Largest single response message sent. */
  readonly writeMaxBytes: number;
  /**
   * The message types that `google.protobuf.Any` fields may hold. JSON cannot encode an `Any`
   * whose type it cannot look up, and would fail the call with INTERNAL instead.
   */
  readonly jsonRegistry: Registry;
  /** Serve uncompressed gRPC over HTTP/2 (unary and streams) on the fast path (ARTENIC_GRPC_FAST_PATH). */
  readonly grpcFastPath: boolean;
}

export interface RpcAdapter {
  /** The Connect adapter: every RPC path, every protocol. */
  readonly handler: RequestHandler;
  /** The gRPC fast path; give it to the listener, which offers it every HTTP/2 stream first. */
  readonly claimStream: NonNullable<ListenOptions["claimStream"]>;
}

/**
 * The Connect adapter with the platform's protocol settings: gRPC, gRPC-Web and Connect (binary and
 * JSON, Connect GET for side-effect-free methods) on the same routes, with bounded messages, and in
 * front of it the gRPC fast path (grpc-fast-path.ts) with the same settings and routes.
 * The platform's app and the conformance reference server both serve through it, so the conformance
 * suite checks exactly what production speaks.
 */
export function createRpcAdapter(options: RpcAdapterOptions): RpcAdapter {
  const settings = {
    readMaxBytes: options.readMaxBytes,
    writeMaxBytes: options.writeMaxBytes,
    jsonOptions: { registry: options.jsonRegistry },
    // Responses are not compressed: tensors and model bytes barely shrink, and gzip cost more CPU
    // than the prediction itself on the benchmark models. Compressed requests are still accepted.
    compressMinBytes: Number.MAX_SAFE_INTEGER,
    // Connect-Node's default, spelled out because the fast path must negotiate the same way.
    acceptCompression: [compressionGzip, compressionBrotli],
    grpc: true,
    grpcWeb: true,
    connect: true,
  };
  const fastPath = createGrpcFastPath(settings);
  const handler = connectNodeAdapter({ ...settings, routes: fastPath.record(options.routes) }) as RequestHandler;
  return { handler, claimStream: options.grpcFastPath ? (stream, headers) => fastPath.claim(stream, headers) : () => false };
}
