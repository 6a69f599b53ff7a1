// The gRPC fast path against real clients over real HTTP/2: the connect-node gRPC transport and
// @grpc/grpc-js. Each test checks what the caller sees (codes, details, headers, trailers, limits)
// and whether the fast path or Connect served the call, so a fallback cannot pass for the fast path.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import * as http2 from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary, type DescMessage, type Message } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import { compressionGzip, connectNodeAdapter, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { pino } from "pino";
import { ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { createGrpcFastPath } from "./grpc-fast-path.js";
import { listen, type Listener, type RequestHandler } from "./listener.js";
import { createAuthGate, createErrorMappingInterceptor, createLoggingInterceptor, createValidateInterceptor } from "../interceptors/interceptors.js";
import { RateLimiter } from "../auth/rate-limiter.js";
import type { ApiKeyVerifier } from "../auth/principal.js";
import { CountEventSchema, CountRequestSchema, ProbeService, probeSum, SumRequestSchema, SumResponseSchema, type SumRequest } from "../../../test/support/probe-service.js";

const KEY = "probe-key-0123456789abcdef";
const READ_MAX_BYTES = 64 * 1024;

interface ProbeClient {
  sum(req: Partial<SumRequest>, options?: { headers?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal; onHeader?: (h: Headers) => void; onTrailer?: (h: Headers) => void }): Promise<{ sum: number; max: number; payload: Uint8Array }>;
  total(req: AsyncIterable<Partial<SumRequest>>): Promise<{ sum: number; max: number }>;
  running(req: AsyncIterable<Partial<SumRequest>>, options?: { signal?: AbortSignal }): AsyncIterable<{ sum: number }>;
  count(req: { count: number }, options?: { signal?: AbortSignal; onHeader?: (h: Headers) => void; onTrailer?: (h: Headers) => void }): AsyncIterable<{ seq: bigint }>;
}

/** The error a call fails with; fails the test when the call succeeds. */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (e) {
    return ConnectError.from(e);
  }
  throw new Error("the call succeeded");
}

/** Calls the handler saw, with how each ended (its signal's reason when aborted). */
const ended: { signalReason: unknown }[] = [];
let handlerStarted: () => void = () => undefined;
/** Server streams the handler ran, with how each ended. */
const streams: { closed: boolean; signalReason: unknown }[] = [];

function routes(router: ConnectRouter, options: object): void {
  const impl = {
    async sum(req: SumRequest, ctx: { signal: AbortSignal; requestHeader: Headers; responseHeader: Headers; responseTrailer: Headers }) {
      handlerStarted();
      if (req.headerValue === "echo-request-headers") {
        // Single lookups first (served from Node's header object), then a full iteration.
        ctx.responseHeader.set("x-get", `${ctx.requestHeader.get("X-Alpha")}|${ctx.requestHeader.has("x-missing")}`);
        ctx.responseHeader.set("x-seen", [...(ctx.requestHeader as unknown as Iterable<[string, string]>)].filter(([k]) => k.startsWith("x-")).map(([k, v]) => `${k}=${v}`).join(";"));
      } else if (req.headerValue) {
        ctx.responseHeader.set("x-probe", req.headerValue);
        ctx.responseTrailer.set("x-probe-trailer", req.headerValue);
      }
      try {
        return create(SumResponseSchema, (await probeSum(req, ctx.signal)) as never);
      } finally {
        ctx.signal.addEventListener("abort", () => undefined);
        ended.push({ signalReason: ctx.signal.aborted ? ctx.signal.reason : undefined });
      }
    },
    // The sum of every value of every message.
    async total(reqs: AsyncIterable<SumRequest>) {
      let sum = 0;
      let max = -Infinity;
      for await (const r of reqs) for (const v of r.values) (sum += v), (max = Math.max(max, v));
      return create(SumResponseSchema, { sum, max } as never);
    },
    // The running sum after each message, answered as each arrives.
    async *running(reqs: AsyncIterable<SumRequest>) {
      let sum = 0;
      for await (const r of reqs) {
        for (const v of r.values) sum += v;
        yield create(SumResponseSchema, { sum } as never);
      }
    },
    // |count| messages; a negative count fails after them with FAILED_PRECONDITION.
    async *count(req: { count: number }, ctx: { signal: AbortSignal; responseHeader: Headers; responseTrailer: Headers }) {
      const entry = { closed: false, signalReason: undefined as unknown };
      streams.push(entry);
      ctx.responseHeader.set("x-count", String(req.count));
      try {
        for (let i = 0; i < Math.abs(req.count); i++) yield create(CountEventSchema, { id: "x", seq: BigInt(i) } as never);
        ctx.responseTrailer.set("x-count-trailer", "done");
        if (req.count < 0) {
          throw new ConnectError("the count was asked to fail", Code.FailedPrecondition, undefined, [{ desc: ErrorInfoSchema, value: { reason: "COUNT_FAILURE", domain: "probe" } }]);
        }
      } finally {
        entry.closed = true;
        await new Promise((r) => setImmediate(r));
        entry.signalReason = ctx.signal.aborted ? ctx.signal.reason : undefined;
      }
    },
  };
  router.service(ProbeService as never, impl as never, options);
}

describe("gRPC fast path", () => {
  let listener: Listener;
  let baseUrl: string;
  let claimed = 0;
  const logLines: { code?: string; method?: string; msg?: string }[] = [];

  beforeAll(async () => {
    const logger = pino(
      { level: "info" },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logLines.push(JSON.parse(chunk.toString()) as never);
          done();
        },
      }),
    );
    const verifier: ApiKeyVerifier = {
      verify: async (token) => (token === KEY ? { keyName: "apiKeys/probe", keyId: "probe", scopes: new Set(["read", "write"] as const), rateLimit: undefined } : undefined),
    };
    const interceptors: Interceptor[] = [
      createLoggingInterceptor(logger, { observe: () => undefined }),
      createErrorMappingInterceptor(),
      createValidateInterceptor(),
    ];
    const requestGate = createAuthGate(verifier, new RateLimiter(), () => ({ requestsPerSecond: 1e6, burst: 1e6 }), () => undefined);
    // The production adapter settings, except that responses of 1 KiB and more are gzip-compressed
    // when the client accepts it, so response compression is exercised too.
    const adapterOptions = {
      readMaxBytes: READ_MAX_BYTES,
      writeMaxBytes: READ_MAX_BYTES,
      compressMinBytes: 1024,
      acceptCompression: [compressionGzip],
    };
    const fast = createGrpcFastPath(adapterOptions);
    const handler = connectNodeAdapter({ ...adapterOptions, routes: fast.record((r) => routes(r, { interceptors, requestGate })) }) as RequestHandler;
    listener = await listen(handler, {
      host: "127.0.0.1",
      port: 0,
      claimStream: (stream, headers) => {
        const taken = fast.claim(stream, headers);
        if (taken) claimed++;
        return taken;
      },
    });
    baseUrl = `http://127.0.0.1:${listener.address.port}`;
  });
  afterAll(() => listener.close(0));
  beforeEach(() => {
    claimed = 0;
    ended.length = 0;
    streams.length = 0;
    logLines.length = 0;
  });

  const connectClient = (key = KEY, extra: object = {}) =>
    createClient(
      ProbeService,
      createGrpcTransport({ baseUrl, interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${key}`), next(req))], ...extra }),
    ) as unknown as ProbeClient;

  describe("with the connect-node gRPC transport", () => {
    it("answers, with response headers and trailers, through the fast path and the interceptors", async () => {
      let header: Headers | undefined;
      let trailer: Headers | undefined;
      const res = await connectClient().sum({ values: [1, 2, 4.5], headerValue: "h1" }, { onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) });
      expect(res.sum).toBe(7.5);
      expect(res.max).toBe(4.5);
      expect(header?.get("x-probe")).toBe("h1");
      expect(header?.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(trailer?.get("x-probe-trailer")).toBe("h1");
      expect(claimed).toBe(1);
      // The logging interceptor ran: one line for the call, with its final code.
      expect(logLines).toContainEqual(expect.objectContaining({ method: "artenic.testing.v1.ProbeService/Sum", code: "ok", msg: "rpc" }));
      // The call's signal is aborted once it ends, as Connect does, with a shared reason.
      expect(ended).toHaveLength(1);
    });

    it("sends the per-call x-request-id as a never-indexed literal, so HPACK's table keeps the headers that repeat", async () => {
      const session = http2.connect(baseUrl);
      try {
        const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
          const body = toBinary(SumRequestSchema, create(SumRequestSchema, { values: [1] } as never));
          const framed = Buffer.alloc(5 + body.length);
          framed.writeUInt32BE(body.length, 1);
          framed.set(body, 5);
          const req = session.request({ ":method": "POST", ":path": "/artenic.testing.v1.ProbeService/Sum", "content-type": "application/grpc", te: "trailers", authorization: `Bearer ${KEY}` });
          req.once("response", resolve).once("error", reject);
          req.end(framed);
          req.resume();
        });
        expect(headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
        expect((headers as Record<symbol, unknown>)[http2.sensitiveHeaders]).toEqual(["x-request-id"]);
        expect(claimed).toBe(1);
      } finally {
        session.close();
      }
    });

    it("gives the handler the request headers, by name and whole", async () => {
      let header: Headers | undefined;
      await connectClient().sum({ headerValue: "echo-request-headers" }, { headers: { "x-alpha": "a", "x-beta": "b" }, onHeader: (h) => (header = h) });
      expect(header?.get("x-get")).toBe("a|false");
      expect(header?.get("x-seen")).toBe("x-alpha=a;x-beta=b");
      expect(claimed).toBe(1);
    });

    it("rejects a caller without a key before reading its request, with the ErrorInfo detail", async () => {
      const error = await failure(connectClient("wrong-key-0123456789").sum({ values: [1] }));
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("API_KEY_INVALID");
      expect(ended).toHaveLength(0); // the implementation never ran
      expect(claimed).toBe(1);
    });

    it("carries an error's code, message, details and trailers", async () => {
      let trailer: Headers | undefined;
      const error = await failure(connectClient().sum({ failCode: Code.FailedPrecondition, headerValue: "t" }, { onTrailer: (t) => (trailer = t) }));
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(error.rawMessage).toBe("the probe was asked to fail");
      expect(error.findDetails(ErrorInfoSchema)[0]).toMatchObject({ reason: "PROBE_FAILURE", metadata: { code: "9" } });
      expect(error.metadata.get("x-probe-trailer") ?? trailer?.get("x-probe-trailer")).toBe("t");
      expect(claimed).toBe(1);
    });

    it("ends a call past its grpc-timeout with DEADLINE_EXCEEDED and aborts the handler", async () => {
      const error = await failure(connectClient().sum({ sleepMs: 5000 }, { timeoutMs: 150 }));
      expect(error.code).toBe(Code.DeadlineExceeded);
      await expect.poll(() => ended.length).toBe(1);
      // The server's own deadline, or the client's reset when its deadline came first: the server
      // learns the deadline a little after the client started counting, so the two race. Connect-Node's
      // client resets a stream whose deadline passed with INTERNAL_ERROR (CANCEL only for a cancel).
      expect([Code.DeadlineExceeded, Code.Internal]).toContain(ConnectError.from(ended[0]!.signalReason).code);
      expect(claimed).toBe(1);
    });

    it("aborts the handler with CANCELED when the client cancels", async () => {
      const abort = new AbortController();
      const started = new Promise<void>((resolve) => (handlerStarted = resolve));
      const call = failure(connectClient().sum({ sleepMs: 5000 }, { signal: abort.signal }));
      await started;
      abort.abort();
      expect((await call).code).toBe(Code.Canceled);
      await expect.poll(() => ended.length).toBe(1);
      expect(ConnectError.from(ended[0]!.signalReason).code).toBe(Code.Canceled);
    });

    it("accepts a message at readMaxBytes and refuses one byte more with RESOURCE_EXHAUSTED", async () => {
      // Field 2 (payload): 1 tag byte + 3 length bytes for lengths from 16 KiB to 2 MiB.
      const atLimit = new Uint8Array(READ_MAX_BYTES - 4).fill(7);
      const res = await connectClient().sum({ payload: atLimit });
      expect(Buffer.from(res.payload)).toEqual(Buffer.from(atLimit));
      const over = new Uint8Array(READ_MAX_BYTES - 3);
      const error = await failure(connectClient().sum({ payload: over }));
      expect(error.code).toBe(Code.ResourceExhausted);
      expect(error.rawMessage).toContain(`larger than configured readMaxBytes ${READ_MAX_BYTES}`);
      expect(claimed).toBe(2);
    });

    it("gives a compressed request to Connect, and compresses a large response when the client accepts gzip", async () => {
      const payload = new Uint8Array(4096).fill(1);
      const compressed = connectClient(KEY, { sendCompression: compressionGzip, acceptCompression: [compressionGzip], compressMinBytes: 1 });
      expect(Buffer.from((await compressed.sum({ payload })).payload)).toEqual(Buffer.from(payload));
      expect(claimed).toBe(0);
      const plain = connectClient(KEY, { acceptCompression: [compressionGzip] });
      let header: Headers | undefined;
      expect(Buffer.from((await plain.sum({ payload }, { onHeader: (h) => (header = h) })).payload)).toEqual(Buffer.from(payload));
      expect(header?.get("grpc-encoding")).toBe("gzip");
      expect(claimed).toBe(1);
    });

    it("streams every message in order with the handler's headers and trailers, through the fast path", async () => {
      let header: Headers | undefined;
      let trailer: Headers | undefined;
      let next = 0n;
      // Far more than one flow-control window: the writer waits for 'drain' on the way.
      for await (const event of connectClient().count({ count: 50_000 }, { onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) })) {
        expect(event.seq).toBe(next);
        next += 1n;
      }
      expect(next).toBe(50_000n);
      expect(header?.get("x-count")).toBe("50000");
      expect(header?.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(trailer?.get("x-count-trailer")).toBe("done");
      expect(claimed).toBe(1);
      expect(logLines).toContainEqual(expect.objectContaining({ method: "artenic.testing.v1.ProbeService/Count", code: "ok" }));
    });

    it("ends a stream that fails midway with the error's status, details and trailers after the messages sent", async () => {
      let n = 0;
      let trailer: Headers | undefined;
      const e = await (async () => {
        try {
          for await (const _ of connectClient().count({ count: -3 }, { onTrailer: (t) => (trailer = t) })) n++;
        } catch (err) {
          return ConnectError.from(err);
        }
        throw new Error("the stream should have failed");
      })();
      expect(n).toBe(3);
      expect(e.code).toBe(Code.FailedPrecondition);
      expect(e.findDetails(ErrorInfoSchema)[0]?.reason).toBe("COUNT_FAILURE");
      expect(e.metadata.get("x-count-trailer") ?? trailer?.get("x-count-trailer")).toBe("done");
      expect(claimed).toBe(1);
    });

    it("closes the handler's stream and aborts its signal with CANCELED when the client cancels midway", async () => {
      const abort = new AbortController();
      let n = 0;
      await expect(
        (async () => {
          for await (const _ of connectClient().count({ count: 10_000_000 }, { signal: abort.signal })) if (++n === 5) abort.abort();
        })(),
      ).rejects.toThrow();
      await expect.poll(() => streams[0]?.signalReason !== undefined).toBe(true);
      expect(streams[0]!.closed).toBe(true);
      expect(ConnectError.from(streams[0]!.signalReason).code).toBe(Code.Canceled);
      expect(claimed).toBe(1);
      await expect.poll(() => logLines.some((l) => l.method === "artenic.testing.v1.ProbeService/Count" && l.code === "canceled")).toBe(true);
    });

    it("serves client streams and bidi streams, answering each bidi message as it arrives", async () => {
      async function* values(...batches: number[][]) {
        for (const values of batches) yield { values };
      }
      expect(await connectClient().total(values([1, 2], [3], [4.5]))).toMatchObject({ sum: 10.5, max: 4.5 });
      // Full duplex: the next message is sent only once the answer to the previous one arrived.
      let answered: (sum: number) => void = () => undefined;
      const sums: number[] = [];
      async function* paced() {
        for (const v of [1, 2, 3]) {
          const next = new Promise<number>((resolve) => (answered = resolve));
          yield { values: [v] };
          sums.push(await next);
        }
      }
      for await (const res of connectClient().running(paced())) answered(res.sum);
      expect(sums).toEqual([1, 3, 6]);
      expect(claimed).toBe(2);
    });

    it("ends a client stream whose message exceeds readMaxBytes with RESOURCE_EXHAUSTED, not a reset", async () => {
      async function* messages() {
        yield { values: [1] };
        yield { payload: new Uint8Array(READ_MAX_BYTES + 1) };
      }
      const e = await failure(connectClient().total(messages()));
      expect(e.code).toBe(Code.ResourceExhausted);
      expect(e.rawMessage).toMatch(/larger than configured readMaxBytes/);
      expect(claimed).toBe(1);
    });

    it("serves server streams too, and leaves gRPC-Web to Connect", async () => {
      let n = 0;
      for await (const _ of connectClient().count({ count: 3 })) n++;
      expect(n).toBe(3);
      const web = createClient(
        ProbeService,
        createGrpcWebTransport({ baseUrl, httpVersion: "2", interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${KEY}`), next(req))] }),
      ) as unknown as ProbeClient;
      expect((await web.sum({ values: [2] })).sum).toBe(2);
      expect(claimed).toBe(1); // the stream; gRPC-Web went to Connect
    });
  });

  describe("with the @grpc/grpc-js client", () => {
    type Callback = (e: grpc.ServiceError | null, res?: { sum: number; payload: Uint8Array }) => void;
    let client: grpc.Client & { sum(req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback): grpc.ClientUnaryCall };
    let gzipClient: typeof client;

    beforeAll(() => {
      const codec = (schema: DescMessage) => ({
        serialize: (x: object) => Buffer.from(toBinary(schema, create(schema, x as never))),
        deserialize: (b: Buffer) => fromBinary(schema, b) as Message,
      });
      const definition = {
        sum: {
          path: "/artenic.testing.v1.ProbeService/Sum",
          originalName: "Sum",
          requestStream: false,
          responseStream: false,
          requestSerialize: codec(SumRequestSchema).serialize,
          requestDeserialize: codec(SumRequestSchema).deserialize,
          responseSerialize: codec(SumResponseSchema).serialize,
          responseDeserialize: codec(SumResponseSchema).deserialize,
        },
        count: {
          path: "/artenic.testing.v1.ProbeService/Count",
          originalName: "Count",
          requestStream: false,
          responseStream: true,
          requestSerialize: codec(CountRequestSchema).serialize,
          requestDeserialize: codec(CountRequestSchema).deserialize,
          responseSerialize: codec(CountEventSchema).serialize,
          responseDeserialize: codec(CountEventSchema).deserialize,
        },
      } as grpc.ServiceDefinition;
      const Ctor = grpc.makeGenericClientConstructor(definition, "ProbeService");
      const address = baseUrl.replace("http://", "");
      client = new Ctor(address, grpc.credentials.createInsecure()) as never;
      gzipClient = new Ctor(address, grpc.credentials.createInsecure(), { "grpc.default_compression_algorithm": 2, "grpc.use_local_subchannel_pool": 1 }) as never;
    });
    afterAll(() => {
      client.close();
      gzipClient.close();
    });

    const metadata = (key = KEY) => {
      const md = new grpc.Metadata();
      md.set("authorization", `Bearer ${key}`);
      return md;
    };
    const call = (c: typeof client, req: object, opts: grpc.CallOptions = {}, key = KEY) =>
      new Promise<{ error: grpc.ServiceError | null; res?: { sum: number; payload: Uint8Array }; header?: grpc.Metadata }>((resolve) => {
        let header: grpc.Metadata | undefined;
        const unary = c.sum(req, metadata(key), opts, (error, res) => resolve({ error, ...(res ? { res } : {}), ...(header ? { header } : {}) }));
        unary.on("metadata", (md) => (header = md));
      });

    it("reads a server stream through the fast path, and its mid-stream error", async () => {
      const read = (count: number) =>
        new Promise<{ seqs: number[]; status: grpc.StatusObject }>((resolve) => {
          const seqs: number[] = [];
          const stream = (client as unknown as { count(req: object, md: grpc.Metadata): grpc.ClientReadableStream<{ seq: bigint }> }).count({ count }, metadata());
          stream.on("data", (m: { seq: bigint }) => seqs.push(Number(m.seq)));
          stream.on("error", () => undefined);
          stream.on("status", (status: grpc.StatusObject) => resolve({ seqs, status }));
        });
      const ok = await read(1000);
      expect(ok.status.code).toBe(grpc.status.OK);
      expect(ok.seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      const failed = await read(-2);
      expect(failed.seqs).toEqual([0, 1]);
      expect(failed.status.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(failed.status.details).toBe("the count was asked to fail");
      expect(claimed).toBe(2);
    });

    it("answers through the fast path", async () => {
      const { error, res, header } = await call(client, { values: [1, 2], headerValue: "g" });
      expect(error).toBeNull();
      expect(res?.sum).toBe(3);
      expect(header?.get("x-probe")).toEqual(["g"]);
      expect(claimed).toBe(1);
    });

    it("sees UNAUTHENTICATED with the status details a grpc-js caller can decode", async () => {
      const { error } = await call(client, { values: [1] }, {}, "nope-nope-nope-nope-nope");
      expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
      const details = error?.metadata.get("grpc-status-details-bin")[0];
      expect(details).toBeInstanceOf(Buffer);
      expect(claimed).toBe(1);
    });

    it("sees the handler's error code and message", async () => {
      const { error } = await call(client, { failCode: Code.NotFound });
      expect(error?.code).toBe(grpc.status.NOT_FOUND);
      expect(error?.details).toBe("the probe was asked to fail");
    });

    it("sees DEADLINE_EXCEEDED, and the handler is aborted", async () => {
      const { error } = await call(client, { sleepMs: 5000 }, { deadline: Date.now() + 150 });
      expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      await expect.poll(() => ended.length).toBe(1);
      expect(ended[0]!.signalReason).toBeInstanceOf(ConnectError);
    });

    it("cancels the handler when the call is cancelled", async () => {
      const started = new Promise<void>((resolve) => (handlerStarted = resolve));
      const pending = new Promise<grpc.ServiceError | null>((resolve) => {
        const unary = client.sum({ sleepMs: 5000 }, metadata(), {}, (e) => resolve(e));
        void started.then(() => unary.cancel());
      });
      expect((await pending)?.code).toBe(grpc.status.CANCELLED);
      await expect.poll(() => ended.length).toBe(1);
      expect(ConnectError.from(ended[0]!.signalReason).code).toBe(Code.Canceled);
    });

    it("sends a gzip-compressed request to Connect, which answers it", async () => {
      const payload = new Uint8Array(8192).fill(3);
      const { error, res } = await call(gzipClient, { payload });
      expect(error).toBeNull();
      expect(Buffer.from(res!.payload)).toEqual(Buffer.from(payload));
      expect(claimed).toBe(0);
    });

    it("refuses a message above readMaxBytes with RESOURCE_EXHAUSTED", async () => {
      const { error } = await call(client, { payload: new Uint8Array(READ_MAX_BYTES) });
      expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    });
  });
});
