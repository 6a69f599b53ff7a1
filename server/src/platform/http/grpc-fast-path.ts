// A direct path for gRPC over HTTP/2 with an uncompressed request, the commonest calls on this port:
// unary calls, and server, client and bidi streams.
//
// Connect-Node runs a unary gRPC call through its generic streaming pipeline (a dozen chained async
// generators, built for ES2017), behind Node's http2 compatibility layer, and aborts three signals
// per call without a reason (each builds a DOMException with a stack trace). Together that costs
// about four times the server CPU of @grpc/grpc-js per small call (docs/upstream/ has the details).
// This path serves the same call on the http2 core API with Connect's own primitives: the same
// handler context (deadline from grpc-timeout, the request's cancellation, the shutdown signal),
// the same request gate, interceptors, serialization limits and trailer status as Connect's gRPC
// handler, so a client cannot tell the difference. Anything else — gRPC-Web, Connect, compressed
// requests, browser (CORS) calls — goes on to Connect unchanged.
//
// It uses exports Connect marks as internal (`@private`): @connectrpc/connect is pinned exactly in
// package.json, and the tests in grpc-fast-path.test.ts (and the conformance suite) guard it.
import { constants as h2, sensitiveHeaders, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { DescMethodUnary, DescService, Message } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createContextValues,
  createMethodImplSpec,
  createServiceImplSpec,
  type ConnectRouter,
  type HandlerContext,
  type MethodImplSpec,
} from "@connectrpc/connect";
import {
  compressionNegotiate,
  createAsyncIterable,
  pipe,
  transformDecompressEnvelope,
  transformInvokeImplementation,
  transformParseEnvelope,
  transformSplitEnvelope,
  createMethodSerializationLookup,
  envelopeCompress,
  invokeUnaryImplementation,
  validateUniversalHandlerOptions,
  type Serialization,
  type UniversalHandlerOptions,
} from "@connectrpc/connect/protocol";
import { contentTypeProto, grpcStatusOk, headerGrpcStatus, parseTimeout, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";

type HandlerOptions = ReturnType<typeof validateUniversalHandlerOptions>;

interface Route {
  readonly spec: MethodImplSpec;
  readonly opt: HandlerOptions;
  readonly input: Serialization<Message>;
  readonly output: Serialization<Message>;
}

export interface GrpcFastPath {
  /** Wraps the routes given to connectNodeAdapter, so that every method they register is served here too. */
  record(routes: (router: ConnectRouter) => void): (router: ConnectRouter) => void;
  /**
   * Serves `stream` if it is an uncompressed gRPC call to a registered method and returns
   * true; returns false, leaving the stream untouched, for everything else.
   */
  claim(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): boolean;
}

// Connect aborts a finished call's signal without a reason, which makes Node build a fresh
// DOMException with a stack trace every time. One shared reason of the same kind serves every call.
const CALL_ENDED = new DOMException("This operation was aborted", "AbortError");
const ENVELOPE_HEADER_BYTES = 5;
// Response headers whose value is new on every call. HPACK would add each one to the connection's
// 4 KiB dynamic table, where it is never used again and evicts the entries that are (content-type,
// grpc-status...), so they go out as literals never indexed. Measured: 5–7 % more calls per second
// at 50 connections × 1 stream (bench:rpc).
const UNIQUE_PER_CALL = ["x-request-id"];

/**
 * The fast path for the adapter options `options` (the same object given to connectNodeAdapter,
 * whose settings it must share: limits, compression, timeouts).
 */
export function createGrpcFastPath(options: Partial<UniversalHandlerOptions> & { readonly requestPathPrefix?: string }): GrpcFastPath {
  const base = validateUniversalHandlerOptions(options);
  const prefix = options.requestPathPrefix ?? "";
  const routes = new Map<string, Route>();

  const add = (spec: MethodImplSpec, serviceOptions: Partial<UniversalHandlerOptions> & { grpc?: boolean } | undefined) => {
    if (serviceOptions?.grpc === false) return;
    // Merged the way Connect's router merges per-service options over the adapter's.
    const opt = validateUniversalHandlerOptions({ ...base, ...serviceOptions });
    const serialization = createMethodSerializationLookup(spec.method, opt.binaryOptions, opt.jsonOptions, opt);
    routes.set(`${prefix}/${spec.method.parent.typeName}/${spec.method.name}`, {
      spec: spec as Route["spec"],
      opt,
      input: serialization.getI(true),
      output: serialization.getO(true),
    });
  };

  return {
    record: (register) => (router) => {
      const recording: ConnectRouter = {
        get handlers() {
          return router.handlers;
        },
        service(service: DescService, impl: never, opts?: Partial<UniversalHandlerOptions>) {
          router.service(service, impl, opts);
          for (const spec of Object.values(createServiceImplSpec(service, impl).methods)) add(spec, opts);
          return recording;
        },
        rpc(method: DescMethodUnary, impl: never, opts?: Partial<UniversalHandlerOptions>) {
          router.rpc(method as never, impl, opts);
          add(createMethodImplSpec(method as never, impl), opts);
          return recording;
        },
      } as ConnectRouter;
      register(recording);
    },
    claim(stream, headers) {
      if (headers[":method"] !== "POST") return false;
      const type = headers["content-type"];
      if (type !== "application/grpc" && type !== contentTypeProto) return false;
      const encoding = headers["grpc-encoding"];
      if (encoding !== undefined && encoding !== "identity") return false;
      // Browsers never speak gRPC over h2c, but a caller with an Origin gets the CORS answer from the plain path.
      if (headers["origin"] !== undefined) return false;
      const route = routes.get(headers[":path"] ?? "");
      if (!route) return false;
      void (route.spec.kind === "unary" ? serve(route, stream, headers) : serveStream(route, stream, headers));
      return true;
    },
  };
}

/**
 * What every call starts with: the handler context (deadline from grpc-timeout, cancellation,
 * shutdown) and the response compression the caller accepts.
 */
function beginCall(route: Route, stream: ServerHttp2Stream, headers: IncomingHttpHeaders) {
  // Errors surface as the stream's close (with its reset code); without a listener they would be thrown.
  stream.on("error", () => undefined);
  const { opt } = route;
  const timeout = parseTimeout(single(headers["grpc-timeout"]), opt.maxTimeoutMs);
  const context = createCallContext(route, stream, headers, timeout.timeoutMs, opt.shutdownSignal);
  const compression = compressionNegotiate(opt.acceptCompression, null, single(headers["grpc-accept-encoding"]), "grpc-accept-encoding");
  if (compression.response) context.responseHeader.set("grpc-encoding", compression.response.name);
  return { context, compression: compression.response, timeoutError: timeout.error };
}

/**
 * The request gate, then a timeout header that did not parse. The gate runs before the body is read,
 * so a request it rejects is never read or parsed; it is awaited only when it returns a promise (the
 * platform's gate answers synchronously from its cache).
 */
function admit(route: Route, context: CallContext, timeoutError: ConnectError | undefined): void | Promise<void> {
  const refuseBadTimeout = () => {
    if (timeoutError) throw timeoutError;
  };
  const gate = route.opt.requestGate?.(context);
  if (gate) return gate.then(refuseBadTimeout);
  refuseBadTimeout();
}

async function serve(route: Route, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
  const { spec, opt } = route;
  const { context, compression, timeoutError } = beginCall(route, stream, headers);
  let body: Uint8Array | undefined;
  try {
    const admitted = admit(route, context, timeoutError);
    if (admitted) await admitted;
    const input = route.input.parse(await readSingleEnvelope(stream, opt.readMaxBytes, context.signal));
    const output = await invokeUnaryImplementation(spec as MethodImplSpec & { kind: "unary" }, context, input, opt.interceptors);
    let envelope: { flags: number; data: Uint8Array } = { flags: 0, data: route.output.serialize(output as Message) };
    if (compression) envelope = await envelopeCompress(envelope, compression, opt.compressMinBytes);
    body = frame(envelope);
  } catch (e) {
    body = undefined;
    setTrailerStatus(context.responseTrailer, e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e));
  }
  context.end();
  if (stream.destroyed || stream.closed) return;
  respond(stream, context.responseHeader, context.responseTrailer, body);
}

/**
 * A streaming call (server, client or bidi): the request messages (see requestMessages), then each
 * response message enveloped and written as the implementation yields it, with the stream's flow
 * control (a full window waits for 'drain'). As in Connect's gRPC handler, the headers go out with
 * the first message (so the implementation may still set some before it), and an error, early or
 * midway, ends the stream with its status in the trailers.
 */
async function serveStream(route: Route, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
  const { spec, opt } = route;
  const { context, compression, timeoutError } = beginCall(route, stream, headers);
  let messages: AsyncIterator<unknown> | undefined;
  let headersSent = false;
  try {
    const admitted = admit(route, context, timeoutError);
    if (admitted) await admitted;
    messages = transformInvokeImplementation(spec, context, opt.interceptors)(await requestMessages(route, stream, context.signal))[Symbol.asyncIterator]();
    for (let next = await messages.next(); next.done !== true; next = await messages.next()) {
      if (stream.destroyed || stream.closed) break;
      let envelope: { flags: number; data: Uint8Array } = { flags: 0, data: route.output.serialize(next.value as Message) };
      if (compression) envelope = await envelopeCompress(envelope, compression, opt.compressMinBytes);
      if (!headersSent) {
        headersSent = true;
        sendHeaders(stream, context.responseHeader, context.responseTrailer);
      }
      if (!stream.write(frame(envelope))) await drained(stream);
    }
  } catch (e) {
    setTrailerStatus(context.responseTrailer, e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e));
  }
  // A caller that went away (or a write that failed) leaves the implementation suspended: close it.
  if (stream.destroyed || stream.closed) await messages?.return?.().catch(() => undefined);
  context.end();
  if (stream.destroyed || stream.closed) return;
  if (!headersSent) sendHeaders(stream, context.responseHeader, context.responseTrailer);
  stream.end();
}

/**
 * The request's messages for a streaming method: the one message of a server stream, read whole
 * first as for a unary call; for client and bidi streams, each envelope parsed as it arrives (at
 * most `readMaxBytes` each; a compressed envelope is refused, as the request declared no encoding).
 */
async function requestMessages(route: Route, stream: ServerHttp2Stream, signal: AbortSignal): Promise<AsyncIterable<Message>> {
  const { opt } = route;
  if (route.spec.kind === "server_streaming") return createAsyncIterable([route.input.parse(await readSingleEnvelope(stream, opt.readMaxBytes, signal))]);
  // Not the stream's own iterator, which destroys the stream when reading stops early (an oversized
  // or malformed message): that would reset it with CANCEL instead of ending the call with its status.
  const body = stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
  return pipe(body, transformSplitEnvelope(opt.readMaxBytes), transformDecompressEnvelope(null, opt.readMaxBytes), transformParseEnvelope(route.input));
}

/** Resolves once `stream` can take more data, or once it has closed (the caller then stops writing). */
function drained(stream: ServerHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("close", done);
  });
}

interface CallContext extends HandlerContext {
  /** Ends the call: its signal aborts (as Connect does when a call ends), timers and listeners go. */
  end(): void;
}

/**
 * The call's HandlerContext, as Connect's createHandlerContext makes it, on one AbortController
 * instead of four: the signal aborts at the deadline (DEADLINE_EXCEEDED), when the client resets
 * the stream (CANCELED for RST_STREAM CANCEL), at shutdown (the shutdown signal's reason), or when
 * the call ends.
 */
function createCallContext(
  route: Route,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  timeoutMs: number | undefined,
  shutdownSignal: AbortSignal | undefined,
): CallContext {
  const controller = new AbortController();
  const abort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  let timer: NodeJS.Timeout | undefined;
  let deadline: number | undefined;
  if (timeoutMs !== undefined) {
    deadline = Date.now() + timeoutMs;
    const expire = () => abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    if (timeoutMs <= 0) expire();
    else timer = setTimeout(expire, timeoutMs);
  }
  const onShutdown = () => abort(shutdownSignal?.reason);
  if (shutdownSignal?.aborted) onShutdown();
  else shutdownSignal?.addEventListener("abort", onShutdown);
  let ended = false;
  stream.once("close", () => {
    if (!ended) abort(errorFromResetCode(stream.rstCode) ?? CALL_ENDED);
  });

  const requestHeader = new NodeRequestHeaders(headers);
  const authority = headers[":authority"] ?? headers["host"] ?? "";
  const { spec } = route;
  return {
    ...spec,
    service: spec.method.parent,
    requestMethod: "POST",
    protocolName: "grpc",
    url: `${"encrypted" in stream.session!.socket ? "https" : "http"}://${authority}${headers[":path"]}`,
    signal: controller.signal,
    timeoutMs: () => (deadline === undefined ? undefined : deadline - Date.now()),
    requestHeader,
    responseHeader: new Headers({ "content-type": contentTypeProto }),
    responseTrailer: new Headers({ [headerGrpcStatus]: grpcStatusOk }),
    values: createContextValues(),
    end() {
      ended = true;
      clearTimeout(timer);
      shutdownSignal?.removeEventListener("abort", onShutdown);
      abort(CALL_ENDED);
    },
  };
}

/**
 * The request's headers as web `Headers`, copied from Node's header object only when something
 * reads more than single names. Interceptors mostly `get` one or two headers (authorization,
 * x-request-id), and building a full `Headers` (validating and sorting every entry) was a visible
 * share of each call. Node has already lower-cased the names and joined repeated values with ", ",
 * which is what `Headers.get` returns.
 */
class NodeRequestHeaders extends Headers {
  #node: IncomingHttpHeaders | undefined;

  constructor(node: IncomingHttpHeaders) {
    super();
    this.#node = node;
  }

  /** Copies every non-pseudo header into the real Headers, once; from then on it is a plain Headers. */
  materialize(): void {
    const node = this.#node;
    if (!node) return;
    this.#node = undefined;
    for (const name in node) {
      if (name.charCodeAt(0) === 58 /* ":" */) continue;
      const value = node[name];
      if (Array.isArray(value)) for (const v of value) super.append(name, v);
      else if (value !== undefined) super.append(name, value);
    }
  }

  #lookup(name: string): string | null | undefined {
    const node = this.#node;
    if (!node || name.charCodeAt(0) === 58) return undefined; // materialized, or invalid for Headers
    const value = node[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  override get(name: string): string | null {
    const value = this.#lookup(name);
    if (value !== undefined) return value;
    this.materialize();
    return super.get(name);
  }
  override has(name: string): boolean {
    const value = this.#lookup(name);
    if (value !== undefined) return value !== null;
    this.materialize();
    return super.has(name);
  }
  override set(name: string, value: string): void {
    this.materialize();
    super.set(name, value);
  }
  override append(name: string, value: string): void {
    this.materialize();
    super.append(name, value);
  }
  override delete(name: string): void {
    this.materialize();
    super.delete(name);
  }
  override getSetCookie(): string[] {
    this.materialize();
    return super.getSetCookie();
  }
  override forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.materialize();
    super.forEach(callback, thisArg);
  }
}
// The iterators (typed by DOM.Iterable, which this project's lib settings leave out) materialize too.
for (const method of ["entries", "keys", "values", Symbol.iterator] as const) {
  const inherited = (Headers.prototype as unknown as Record<PropertyKey, (this: Headers) => unknown>)[method]!;
  Object.defineProperty(NodeRequestHeaders.prototype, method, {
    configurable: true,
    writable: true,
    value(this: NodeRequestHeaders) {
      this.materialize();
      return inherited.call(this);
    },
  });
}

/** Headers, the message, then trailers — the frames Connect-Node sends, errors included. */
function respond(stream: ServerHttp2Stream, header: Headers, trailer: Headers, body: Uint8Array | undefined): void {
  sendHeaders(stream, header, trailer);
  if (body) stream.end(body);
  else stream.end();
}

/**
 * Sends the response headers; `trailer` is read and sent once the stream's data has ended (so the
 * implementation's and the error's trailers count).
 */
function sendHeaders(stream: ServerHttp2Stream, header: Headers, trailer: Headers): void {
  const head: Record<string | symbol, string | number | string[]> = { ":status": 200, [sensitiveHeaders]: UNIQUE_PER_CALL };
  header.forEach((value, name) => (head[name] = value));
  stream.once("wantTrailers", () => {
    const tail: Record<string, string> = {};
    trailer.forEach((value, name) => (tail[name] = value));
    stream.sendTrailers(tail);
    // A client may still be sending (a request rejected before its body was read): reset with
    // NO_ERROR once the trailers are out, so it stops without failing the call.
    if (stream.state.remoteClose === 0) setImmediate(() => stream.close(h2.NGHTTP2_NO_ERROR));
  });
  stream.respond(head, { waitForTrailers: true });
}

/** One message in the gRPC envelope: a flags byte, the length (big-endian), the bytes. */
function frame(envelope: { flags: number; data: Uint8Array }): Uint8Array {
  const body = new Uint8Array(ENVELOPE_HEADER_BYTES + envelope.data.byteLength);
  const view = new DataView(body.buffer);
  view.setUint8(0, envelope.flags);
  view.setUint32(1, envelope.data.byteLength);
  body.set(envelope.data, ENVELOPE_HEADER_BYTES);
  return body;
}

/**
 * Reads the request body: exactly one uncompressed envelope of at most `readMaxBytes`, with the
 * errors Connect's gRPC handler gives for a missing, extra, truncated or oversized message.
 */
function readSingleEnvelope(stream: ServerHttp2Stream, readMaxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    // Until the first header arrives, the length is unknown; then the envelope's end.
    let expected = -1;
    const fail = (error: unknown) => {
      cleanup();
      reject(error);
    };
    const onAbort = () => fail(signal.reason);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (expected < 0 && received >= ENVELOPE_HEADER_BYTES) {
        const head = chunks.length === 1 ? chunk : Buffer.concat(chunks);
        const length = head.readUInt32BE(1);
        if (length > readMaxBytes) return fail(new ConnectError(`message size ${length} is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted));
        if ((head[0]! & 0b1) === 1) return fail(new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal));
        expected = ENVELOPE_HEADER_BYTES + length;
      }
      // A second envelope: enough to tell a caller it sent too many messages, without buffering it whole.
      if (expected >= 0 && received >= expected + ENVELOPE_HEADER_BYTES) {
        return fail(new ConnectError("protocol error: received extra input message for unary method", Code.Unimplemented));
      }
    };
    const onEnd = () => {
      cleanup();
      if (received === 0) return reject(new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented));
      if (expected < 0 || received !== expected) return reject(new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument));
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
      resolve(all.subarray(ENVELOPE_HEADER_BYTES));
    };
    const cleanup = () => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      signal.removeEventListener("abort", onAbort);
    };
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", onAbort);
    stream.on("data", onData);
    stream.once("end", onEnd);
  });
}

function single(value: string | string[] | undefined): string | null {
  return value === undefined ? null : Array.isArray(value) ? value.join(",") : value;
}

/** What a stream reset by the client means for the call, as Connect-Node maps it. */
function errorFromResetCode(code: number | undefined): ConnectError | undefined {
  const reset = (c: Code) => new ConnectError(`http/2 stream closed with error code 0x${(code ?? 0).toString(16)}`, c);
  switch (code) {
    case undefined:
    case h2.NGHTTP2_NO_ERROR:
      return undefined;
    case h2.NGHTTP2_CANCEL:
      return reset(Code.Canceled);
    case h2.NGHTTP2_REFUSED_STREAM:
      return reset(Code.Unavailable);
    case h2.NGHTTP2_ENHANCE_YOUR_CALM:
      return reset(Code.ResourceExhausted);
    case h2.NGHTTP2_INADEQUATE_SECURITY:
    case h2.NGHTTP2_HTTP_1_1_REQUIRED:
      return reset(Code.PermissionDenied);
    default:
      return reset(Code.Internal);
  }
}
