import type { Registry } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { RequestHandler } from "./listener.js";

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
}

/**
 * The Connect adapter with the platform's protocol settings: gRPC, gRPC-Web and Connect (binary and
 * JSON, Connect GET for side-effect-free methods) on the same routes, with bounded messages. The
 * platform's app and the conformance reference server both serve through it, so the conformance
 * suite checks exactly what production speaks.
 */
export function createRpcAdapter(options: RpcAdapterOptions): RequestHandler {
  return connectNodeAdapter({
    routes: options.routes,
    readMaxBytes: options.readMaxBytes,
    writeMaxBytes: options.writeMaxBytes,
    jsonOptions: { registry: options.jsonRegistry },
    // Responses are not compressed: tensors and model bytes barely shrink, and gzip cost more CPU
    // than the prediction itself on the benchmark models. Compressed requests are still accepted.
    compressMinBytes: Number.MAX_SAFE_INTEGER,
    grpc: true,
    grpcWeb: true,
    connect: true,
  }) as RequestHandler;
}
