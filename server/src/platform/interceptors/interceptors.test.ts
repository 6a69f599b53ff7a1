import { describe, expect, it } from "vitest";
import { Code, ConnectError, createHandlerContext, type HandlerContext, type Interceptor, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { pino } from "pino";
import { Writable } from "node:stream";
import { AppError } from "../errors/app-error.js";
import { RateLimiter } from "../auth/rate-limiter.js";
import type { ApiKeyVerifier, Principal } from "../auth/principal.js";
import { createAuthGate, createErrorMappingInterceptor, createLoggingInterceptor, createUnitOfWorkInterceptor, createValidateInterceptor } from "./interceptors.js";
import { kEntityManager, kPrincipal, kRequestId } from "./context-keys.js";
import { ProbeService, SumRequestSchema, SumResponseSchema } from "../../../test/support/probe-service.js";
import type { Orm } from "../db/orm.js";
import { GetModelRequestSchema, RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";

const sum = ProbeService.methods.find((m) => m.name === "Sum")!;
// The probe's Sum is not a read by name, so it needs WRITE.
const writer: Principal = { keyName: "apiKeys/writer", keyId: "writer", scopes: new Set(["write"]), rateLimit: undefined };
const reader: Principal = { keyName: "apiKeys/reader", keyId: "reader", scopes: new Set(["read"]), rateLimit: undefined };

function context(authorization?: string): HandlerContext {
  return createHandlerContext({
    service: ProbeService,
    method: sum as never,
    protocolName: "grpc",
    requestMethod: "POST",
    url: "http://localhost/artenic.testing.v1.ProbeService/Sum",
    requestHeader: authorization === undefined ? {} : { authorization },
  });
}

function gate(verify: ApiKeyVerifier["verify"], limit = 1e6) {
  const rejected: string[] = [];
  const run = createAuthGate({ verify }, new RateLimiter(), () => ({ requestsPerSecond: limit, burst: limit }), (method, code) => rejected.push(`${method} ${code}`));
  return { run, rejected };
}

async function failure(fn: () => unknown): Promise<ConnectError> {
  try {
    await fn();
  } catch (e) {
    return e as ConnectError;
  }
  throw new Error("expected a failure");
}

describe("the auth gate", () => {
  it("admits a cached key synchronously, without a promise, and records the principal", () => {
    const { run, rejected } = gate((token) => (token === "cached-key-0123456789" ? writer : undefined));
    const ctx = context("Bearer cached-key-0123456789");
    expect(run(ctx)).toBeUndefined();
    expect(ctx.values.get(kPrincipal)).toBe(writer);
    expect(rejected).toEqual([]);
  });

  it("waits for a verifier that must look the key up, and admits it", async () => {
    const { run } = gate(async () => writer);
    const ctx = context("bearer looked-up-key-0123");
    const pending = run(ctx);
    expect(pending).toBeInstanceOf(Promise);
    expect(ctx.values.get(kPrincipal)).toBeUndefined();
    await pending;
    expect(ctx.values.get(kPrincipal)).toBe(writer);
  });

  it("refuses a missing, an unknown and a looked-up unknown key with UNAUTHENTICATED, counting each refusal once", async () => {
    const sync = gate(() => undefined);
    const missing = await failure(() => sync.run(context()));
    expect(missing.code).toBe(Code.Unauthenticated);
    expect(missing.rawMessage).toContain("An API key is required");
    const unknown = await failure(() => sync.run(context("Bearer not-a-key-0123456789")));
    expect(unknown.code).toBe(Code.Unauthenticated);
    expect(unknown.rawMessage).toContain("not valid");
    const async = gate(async () => undefined);
    const looked = await failure(() => async.run(context("Bearer not-a-key-0123456789")));
    expect(looked.code).toBe(Code.Unauthenticated);
    expect(sync.rejected).toEqual(["artenic.testing.v1.ProbeService/Sum unauthenticated", "artenic.testing.v1.ProbeService/Sum unauthenticated"]);
    expect(async.rejected).toEqual(["artenic.testing.v1.ProbeService/Sum unauthenticated"]);
  });

  it("hides a verifier's own failure as INTERNAL, synchronous or not", async () => {
    for (const verify of [
      () => {
        throw new Error("database is gone: /var/lib/secret");
      },
      () => Promise.reject(new Error("database is gone: /var/lib/secret")),
    ]) {
      const { run, rejected } = gate(verify);
      const e = await failure(() => run(context("Bearer some-key-0123456789")));
      expect(e.code).toBe(Code.Internal);
      expect(e.rawMessage).toBe("internal error");
      expect(rejected).toEqual(["artenic.testing.v1.ProbeService/Sum internal"]);
    }
  });

  it("refuses a key without the method's scope with PERMISSION_DENIED naming the scope", async () => {
    const { run, rejected } = gate(() => reader);
    const e = await failure(() => run(context("Bearer cached-key-0123456789")));
    expect(e.code).toBe(Code.PermissionDenied);
    expect(e.rawMessage).toContain("WRITE");
    expect(rejected).toEqual(["artenic.testing.v1.ProbeService/Sum permissiondenied"]);
  });

  it("charges the key's bucket and answers RESOURCE_EXHAUSTED once it is empty", async () => {
    const { run, rejected } = gate(() => writer, 1);
    run(context("Bearer cached-key-0123456789"));
    const e = await failure(() => run(context("Bearer cached-key-0123456789")));
    expect(e.code).toBe(Code.ResourceExhausted);
    expect(rejected).toEqual(["artenic.testing.v1.ProbeService/Sum resourceexhausted"]);
  });
});

describe("the platform interceptors", () => {
  const request = (message = create(SumRequestSchema, { values: [1, 2] } as never)): UnaryRequest =>
    ({
      stream: false,
      message,
      method: sum,
      service: ProbeService,
      requestMethod: "POST",
      url: "http://localhost/x",
      signal: new AbortController().signal,
      header: new Headers(),
      contextValues: context().values,
    }) as never;
  const response = (): UnaryResponse => ({ stream: false, message: create(SumResponseSchema), method: sum, service: ProbeService, header: new Headers(), trailer: new Headers() }) as never;
  const chain = (interceptors: Interceptor[], last: (req: UnaryRequest) => Promise<UnaryResponse>) =>
    interceptors.reduceRight((next, i) => i(next as never) as never, last);

  function capture() {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, new Writable({ write: (c: Buffer, _e, done) => (lines.push(JSON.parse(c.toString()) as never), done()) }));
    const observed: string[] = [];
    return { lines, logger, observed, metrics: { observe: (method: string, code: string) => observed.push(`${method} ${code}`) } };
  }

  it("logs and counts a call once, with its request id echoed, and fails a handler's synchronous throw as a rejection", async () => {
    const { lines, logger, observed, metrics } = capture();
    const run = chain([createLoggingInterceptor(logger, metrics), createErrorMappingInterceptor()], async () => response());
    const req = request();
    req.header.set("x-request-id", "req-1");
    const res = await run(req);
    expect(res.header.get("x-request-id")).toBe("req-1");
    expect(req.contextValues.get(kRequestId)).toBe("req-1");
    const failing = chain([createLoggingInterceptor(logger, metrics), createErrorMappingInterceptor()], () => {
      throw new AppError("not_found", "NOT_FOUND", "no such model", {});
    });
    const call = failing(request());
    expect(call).toBeInstanceOf(Promise);
    const e = await failure(() => call);
    expect(e).toBeInstanceOf(ConnectError);
    expect(e.code).toBe(Code.NotFound);
    expect(observed).toEqual(["artenic.testing.v1.ProbeService/Sum ok", "artenic.testing.v1.ProbeService/Sum notfound"]);
    expect(lines.map((l) => [l["method"], l["code"], l["msg"]])).toEqual([
      ["artenic.testing.v1.ProbeService/Sum", "ok", "rpc"],
      ["artenic.testing.v1.ProbeService/Sum", "notfound", "rpc"],
    ]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  });

  it("logs and counts a stream once when it ends: completed, failed (mapped), or abandoned by the caller", async () => {
    const { lines, logger, observed, metrics } = capture();
    const streaming = (messages: () => AsyncGenerator<number>) =>
      chain([createLoggingInterceptor(logger, metrics), createErrorMappingInterceptor()], async () => ({ ...response(), stream: true, message: messages() }) as never);
    const read = async (res: unknown, take = Infinity) => {
      const got: number[] = [];
      for await (const m of (res as { message: AsyncIterable<number> }).message) {
        got.push(m);
        if (got.length >= take) break;
      }
      return got;
    };
    const req = () => ({ ...request(), stream: true }) as never;
    // Completed: every message, then one "ok".
    expect(await read(await streaming(async function* () {
      yield* [1, 2, 3];
    })(req()))).toEqual([1, 2, 3]);
    expect(observed).toEqual(["artenic.testing.v1.ProbeService/Sum ok"]);
    // Failed midway: the domain error reaches the caller mapped, and is counted with its code.
    const failing = await streaming(async function* () {
      yield 1;
      throw new AppError("failed_precondition", "NOT_READY", "the model is not loaded", {});
    })(req());
    const e = await failure(() => read(failing));
    expect(e).toBeInstanceOf(ConnectError);
    expect(e.code).toBe(Code.FailedPrecondition);
    // Abandoned after one message (the client went away): counted as canceled, and the source is closed.
    let closed = false;
    const abandoned = await streaming(async function* () {
      try {
        yield* [1, 2, 3];
      } finally {
        closed = true;
      }
    })(req());
    expect(await read(abandoned, 1)).toEqual([1]);
    expect(closed).toBe(true);
    expect(observed).toEqual([
      "artenic.testing.v1.ProbeService/Sum ok",
      "artenic.testing.v1.ProbeService/Sum failedprecondition",
      "artenic.testing.v1.ProbeService/Sum canceled",
    ]);
    expect(lines).toHaveLength(3);
  });

  it("hides an unexpected error's message from the client and logs its cause", async () => {
    const { lines, logger, metrics } = capture();
    const run = chain([createLoggingInterceptor(logger, metrics), createErrorMappingInterceptor()], () => Promise.reject(new Error("SELECT * FROM secrets")));
    const e = await failure(() => run(request()));
    expect(e.code).toBe(Code.Internal);
    expect(e.rawMessage).toBe("internal error");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: "rpc failed", code: "internal", err: { message: "SELECT * FROM secrets" } });
  });

  it("rejects an invalid message before the handler runs, as a rejected promise naming the field", async () => {
    let ran = false;
    const run = chain([createValidateInterceptor()], async () => ((ran = true), response()));
    const getModel = RegistryService.method.getModel;
    const invalid = { ...request(), method: getModel, message: create(GetModelRequestSchema, { name: "Models/Bad Name" }) } as UnaryRequest;
    const call = run(invalid);
    expect(call).toBeInstanceOf(Promise);
    const e = await failure(() => call);
    expect(e).toBeInstanceOf(AppError);
    expect(e.message).toMatch(/^name: /);
    expect(ran).toBe(false);
    await run({ ...invalid, message: create(GetModelRequestSchema, { name: "models/good-name" }) } as UnaryRequest);
    expect(ran).toBe(true);
  });

  it("checks each message of a request stream as the handler reads it, and closes the stream at the first invalid one", async () => {
    const getModel = RegistryService.method.getModel;
    let closed = false;
    const source = async function* () {
      try {
        yield create(GetModelRequestSchema, { name: "models/first" });
        yield create(GetModelRequestSchema, { name: "Models/Not Valid" });
        yield create(GetModelRequestSchema, { name: "models/never-read" });
      } finally {
        closed = true;
      }
    };
    const read: string[] = [];
    const run = chain([createValidateInterceptor()], async (req) => {
      for await (const m of (req as unknown as { message: AsyncIterable<{ name: string }> }).message) read.push(m.name);
      return response();
    });
    const e = await failure(() => run({ ...request(), stream: true, method: getModel, message: source() } as never));
    expect(e).toBeInstanceOf(AppError);
    expect(e.message).toMatch(/^name: /);
    expect(read).toEqual(["models/first"]);
    expect(closed).toBe(true);
  });

  it("forks the unit of work only when the handler asks for it", async () => {
    let forks = 0;
    const orm = { em: { fork: () => ((forks += 1), { forked: forks }) } } as unknown as Orm;
    const interceptor = createUnitOfWorkInterceptor(orm);
    await chain([interceptor], async () => response())(request());
    expect(forks).toBe(0);
    await chain([interceptor], async (req) => {
      const em = req.contextValues.get(kEntityManager)!;
      expect(em()).toBe(em());
      return response();
    })(request());
    expect(forks).toBe(1);
  });
});
