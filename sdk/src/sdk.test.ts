import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createRouterTransport, type HandlerContext } from "@connectrpc/connect";
import { ErrorInfoSchema, BadRequestSchema, RetryInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ModelSchema } from "@artenic/gen/artenic/registry/v1/model_pb";
import { ArtifactFormat, ModelVersionSchema } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { TrainingJobSchema, TrainingJobState } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { EventsService } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { EventSchema } from "@artenic/gen/artenic/events/v1/event_pb";
import { InferenceService } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import {
  AlreadyExistsError,
  apiKeyInterceptor,
  ArtenicError,
  backoffMs,
  BudgetExceededError,
  CanceledError,
  createArtenicClient,
  DeadlineExceededError,
  InvalidArgumentError,
  ModelNotFoundError,
  modelVersionName,
  NotFoundError,
  paginate,
  RateLimitedError,
  ResourceExhaustedError,
  UnavailableError,
  UnimplementedError,
  withArtenicErrors,
  type RetryInfo,
} from "./index.js";
import { createMockArtenicClient } from "./testing.js";

const info = (reason: string, metadata: Record<string, string> = {}) => ({ desc: ErrorInfoSchema, value: { reason, domain: "artenic.ai", metadata } });
const hang = (ctx: HandlerContext) =>
  new Promise<never>((_, reject) => ctx.signal.addEventListener("abort", () => reject(new ConnectError("aborted", Code.Canceled)), { once: true }));

describe("the SDK against mocked routes", () => {
  const seenKeys: string[] = [];
  const transport = createRouterTransport(
    ({ service }) => {
      service(RegistryService, {
        listModels(req, ctx) {
          seenKeys.push(ctx.requestHeader.get("authorization") ?? "");
          const start = Number(req.pageToken || "0");
          const models = Array.from({ length: Math.min(2, 5 - start) }, (_, i) => create(ModelSchema, { name: `models/m${start + i}` }));
          return { models, nextPageToken: start + 2 < 5 ? String(start + 2) : "", totalSize: 5n };
        },
        getModel(req) {
          throw new ConnectError(`Model ${req.name} does not exist.`, Code.NotFound, undefined, [
            info("MODEL_NOT_FOUND", { name: req.name }),
            { desc: BadRequestSchema, value: { fieldViolations: [{ field: "name", description: "unknown" }] } },
          ]);
        },
      });
    },
    { transport: { interceptors: [apiKeyInterceptor("k-123")] } },
  );
  const artenic = createArtenicClient({ transport });

  it("sends the API key and follows page tokens to the last item", async () => {
    const names: string[] = [];
    for await (const m of paginate((r) => artenic.registry.listModels(r), { pageSize: 2 }, (r) => r.models)) names.push(m.name);
    expect(names).toEqual(["models/m0", "models/m1", "models/m2", "models/m3", "models/m4"]);
    expect(seenKeys).toEqual(["Bearer k-123", "Bearer k-123", "Bearer k-123"]);
  });

  it("paginates without an item picker, through the response's repeated field, lazily", async () => {
    seenKeys.length = 0;
    const first: string[] = [];
    for await (const m of paginate((r) => artenic.registry.listModels(r), { pageSize: 2 })) {
      first.push(m.name);
      if (first.length === 3) break;
    }
    expect(first).toEqual(["models/m0", "models/m1", "models/m2"]);
    expect(seenKeys).toHaveLength(2);
  });

  it("turns failures into ArtenicError subclasses with reason, metadata and field violations", async () => {
    const error = await artenic.registry.getModel({ name: "models/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtenicError);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toBeInstanceOf(ModelNotFoundError);
    expect(error).not.toBeInstanceOf(AlreadyExistsError);
    const e = error as ModelNotFoundError;
    expect(e.name).toBe("ModelNotFoundError");
    expect(e.code).toBe(Code.NotFound);
    expect(e.codeName).toBe("NOT_FOUND");
    expect(e.reason).toBe("MODEL_NOT_FOUND");
    expect(e.metadata).toEqual({ name: "models/x" });
    expect(e.fieldViolations).toEqual([{ field: "name", description: "unknown" }]);
    expect({ brandless: true }).not.toBeInstanceOf(ArtenicError);
    // The raw clients keep Connect's errors.
    expect(await artenic.raw.registry.getModel({ name: "models/x" }).catch((x: unknown) => x)).toBeInstanceOf(ConnectError);
    // withArtenicErrors converts for plain clients.
    expect(await withArtenicErrors(() => artenic.raw.registry.getModel({ name: "models/x" })).catch((x: unknown) => x)).toBeInstanceOf(ModelNotFoundError);
  });

  it("reports a service the server does not offer as UnimplementedError", async () => {
    const error = await artenic.abTests.listABTests({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnimplementedError);
    expect((error as ArtenicError).codeName).toBe("UNIMPLEMENTED");
  });
});

describe("typed errors", () => {
  const from = (code: Code, details: ConstructorParameters<typeof ConnectError>[3] = []) => ArtenicError.from(new ConnectError("m", code, undefined, details));

  it("picks a class by reason within its code, and by code otherwise", () => {
    expect(from(Code.ResourceExhausted, [info("RATE_LIMITED")])).toBeInstanceOf(RateLimitedError);
    const budget = from(Code.ResourceExhausted, [info("BUDGET_EXCEEDED", { budget: "budgets/team", estimate: "12.50 EUR" })]);
    expect(budget).toBeInstanceOf(BudgetExceededError);
    expect(budget).toBeInstanceOf(ResourceExhaustedError);
    expect(budget).not.toBeInstanceOf(RateLimitedError);
    expect((budget as BudgetExceededError).budget).toBe("budgets/team");
    expect((budget as BudgetExceededError).estimate).toBe("12.50 EUR");
    // A reason under a foreign code does not pick its class.
    expect(from(Code.InvalidArgument, [info("RATE_LIMITED")])).toBeInstanceOf(InvalidArgumentError);
    expect(from(Code.InvalidArgument, [info("RATE_LIMITED")])).not.toBeInstanceOf(RateLimitedError);
    expect(from(Code.Unavailable)).toBeInstanceOf(UnavailableError);
    expect(from(Code.Internal).constructor).toBe(ArtenicError);
    expect(ArtenicError.from(new Error("boom")).code).toBe(Code.Unknown);
  });

  it("reads RetryInfo into retryDelayMs", () => {
    const e = from(Code.ResourceExhausted, [info("RATE_LIMITED"), { desc: RetryInfoSchema, value: { retryDelay: durationFromMs(1500) } }]);
    expect(e.retryDelayMs).toBe(1500);
  });

  it("keeps instanceof working across two copies of the package", async () => {
    const copy = (await import(/* @vite-ignore */ `./errors.js?copy=${Date.now()}`)) as typeof import("./errors.js");
    expect(copy.ArtenicError).not.toBe(ArtenicError);
    const foreign = copy.ArtenicError.from(new ConnectError("m", Code.NotFound, undefined, [info("MODEL_NOT_FOUND")]));
    expect(foreign).toBeInstanceOf(ArtenicError);
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect(foreign).toBeInstanceOf(ModelNotFoundError);
    expect(foreign).not.toBeInstanceOf(InvalidArgumentError);
    expect(ArtenicError.from(foreign)).toBe(foreign);
    expect(from(Code.AlreadyExists)).toBeInstanceOf(copy.AlreadyExistsError);
  });
});

describe("retries of idempotent reads", () => {
  function flaky(failures: readonly ConnectError[]) {
    const calls = { list: 0, create: 0 };
    const transport = createRouterTransport(({ service }) => {
      service(RegistryService, {
        listModels() {
          const failure = failures[calls.list++];
          if (failure) throw failure;
          return { models: [create(ModelSchema, { name: "models/ok" })] };
        },
        createModel() {
          calls.create++;
          throw new ConnectError("down", Code.Unavailable);
        },
      });
    });
    return { transport, calls };
  }

  it("retries UNAVAILABLE with exponential backoff and full jitter, then succeeds", async () => {
    const { transport, calls } = flaky([new ConnectError("down", Code.Unavailable), new ConnectError("down", Code.Unavailable)]);
    const retries: RetryInfo[] = [];
    const artenic = createArtenicClient({ transport, retry: { initialBackoffMs: 20, random: () => 0.5, onRetry: (r) => retries.push(r) } });
    const { models } = await artenic.registry.listModels({});
    expect(models[0]!.name).toBe("models/ok");
    expect(calls.list).toBe(3);
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 10],
      [2, 20],
    ]);
    expect(retries[0]!.method).toBe("artenic.registry.v1.RegistryService/ListModels");
    expect(retries[0]!.error).toBeInstanceOf(UnavailableError);
  });

  it("keeps every backoff below its exponential cap, growing up to maxBackoffMs", () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const cap = Math.min(1000, 100 * 2 ** (attempt - 1));
      for (const r of [0, 0.3, 0.999]) {
        const d = backoffMs(attempt, undefined, { initialBackoffMs: 100, maxBackoffMs: 1000, random: () => r });
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(cap);
      }
    }
  });

  it("waits at least the RetryInfo delay on RESOURCE_EXHAUSTED", async () => {
    const limited = new ConnectError("slow down", Code.ResourceExhausted, undefined, [
      info("RATE_LIMITED"),
      { desc: RetryInfoSchema, value: { retryDelay: durationFromMs(60) } },
    ]);
    const { transport, calls } = flaky([limited]);
    const retries: RetryInfo[] = [];
    const artenic = createArtenicClient({ transport, retry: { random: () => 0, onRetry: (r) => retries.push(r) } });
    const started = performance.now();
    await artenic.registry.listModels({});
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(calls.list).toBe(2);
    expect(retries[0]!.delayMs).toBe(60);
  });

  it("never retries methods with side effects, other codes, or past maxAttempts", async () => {
    const { transport, calls } = flaky(Array.from({ length: 9 }, () => new ConnectError("down", Code.Unavailable)));
    const artenic = createArtenicClient({ transport, retry: { maxAttempts: 3, initialBackoffMs: 1 } });
    await expect(artenic.registry.createModel({ modelId: "x", model: {} })).rejects.toBeInstanceOf(UnavailableError);
    expect(calls.create).toBe(1);
    await expect(artenic.registry.listModels({})).rejects.toBeInstanceOf(UnavailableError);
    expect(calls.list).toBe(3);
    const other = flaky([new ConnectError("bad", Code.InvalidArgument)]);
    await expect(createArtenicClient({ transport: other.transport }).registry.listModels({})).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(other.calls.list).toBe(1);
    const off = flaky([new ConnectError("down", Code.Unavailable)]);
    await expect(createArtenicClient({ transport: off.transport, retry: false }).registry.listModels({})).rejects.toBeInstanceOf(UnavailableError);
    expect(off.calls.list).toBe(1);
  });

  it("does not start a wait that would pass the deadline", async () => {
    const limited = new ConnectError("slow down", Code.ResourceExhausted, undefined, [{ desc: RetryInfoSchema, value: { retryDelay: durationFromMs(5_000) } }]);
    const { transport, calls } = flaky([limited]);
    const started = performance.now();
    await expect(createArtenicClient({ transport, timeoutMs: 500 }).registry.listModels({})).rejects.toBeInstanceOf(ResourceExhaustedError);
    expect(performance.now() - started).toBeLessThan(400);
    expect(calls.list).toBe(1);
  });
});

describe("deadlines", () => {
  const slow = (delayMs: number) =>
    createRouterTransport(({ service }) => {
      service(RegistryService, {
        async getModel(req, ctx) {
          if (delayMs < 0) return hang(ctx);
          await new Promise((r) => setTimeout(r, delayMs));
          return { model: { name: req.name } };
        },
      });
    });

  it("applies the client's default deadline to unary calls", async () => {
    const artenic = createArtenicClient({ transport: slow(-1), timeoutMs: 50 });
    const started = performance.now();
    await expect(artenic.registry.getModel({ name: "models/a" })).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("lets a call override the default, or disable it with 0", async () => {
    const artenic = createArtenicClient({ transport: slow(80), timeoutMs: 30 });
    await expect(artenic.registry.getModel({ name: "models/a" })).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(artenic.registry.getModel({ name: "models/a" }, { timeoutMs: 2_000 })).resolves.toMatchObject({ model: { name: "models/a" } });
    await expect(artenic.registry.getModel({ name: "models/a" }, { timeoutMs: 0 })).resolves.toMatchObject({ model: { name: "models/a" } });
  });

  it("cancels with the caller's signal", async () => {
    const artenic = createArtenicClient({ transport: slow(-1) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(artenic.registry.getModel({ name: "models/a" }, { signal: controller.signal })).rejects.toBeInstanceOf(CanceledError);
  });

  it("sends the apiKey option as a bearer token unless the call sets its own", async () => {
    const seen: string[] = [];
    const artenic = createMockArtenicClient(
      ({ service }) =>
        service(RegistryService, {
          getModel(req, ctx) {
            seen.push(ctx.requestHeader.get("authorization") ?? "");
            return { model: { name: req.name } };
          },
        }),
      { apiKey: "secret-1" },
    );
    await artenic.registry.getModel({ name: "models/a" });
    await artenic.raw.registry.getModel({ name: "models/a" });
    await artenic.registry.getModel({ name: "models/a" }, { headers: { authorization: "Bearer other" } });
    expect(seen).toEqual(["Bearer secret-1", "Bearer secret-1", "Bearer other"]);
  });

  it("refuses to start without a transport in the platform-neutral core", () => {
    expect(() => createArtenicClient({ baseUrl: "http://x" })).toThrow(/@artenic\/sdk\/node/);
  });
});

describe("artifact helpers", () => {
  function registry() {
    const received: { metadata?: Record<string, unknown>; chunks: number[] } = { chunks: [] };
    let stored = new Uint8Array();
    const artenic = createMockArtenicClient(({ service }) =>
      service(RegistryService, {
        async uploadModelVersion(requests) {
          const parts: Uint8Array[] = [];
          for await (const r of requests) {
            if (r.content.case === "metadata") received.metadata = { ...r.content.value };
            else if (r.content.case === "chunk") {
              received.chunks.push(r.content.value.byteLength);
              parts.push(r.content.value);
            }
          }
          stored = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
          let o = 0;
          for (const p of parts) stored.set(p, (o += p.byteLength) - p.byteLength);
          return { modelVersion: create(ModelVersionSchema, { name: "models/m/versions/1", versionNumber: 1n }) };
        },
        async *downloadModelVersionArtifact(req) {
          const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", stored));
          const sha256 = req.name.endsWith("/2") ? "0".repeat(64) : Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
          yield { content: { case: "metadata", value: { sizeBytes: BigInt(stored.byteLength), sha256, format: ArtifactFormat.ONNX } } };
          const size = req.chunkSize || 1000;
          for (let i = 0; i < stored.byteLength; i += size) yield { content: { case: "chunk", value: stored.subarray(i, i + size) } };
        },
      }),
    );
    return { artenic, received };
  }

  it("uploads bytes in chunks with their size and SHA-256, reporting progress", async () => {
    const { artenic, received } = registry();
    const bytes = new Uint8Array(2500).map((_, i) => i % 251);
    const progress: [number, number | undefined][] = [];
    const version = await artenic.uploadArtifact("m", bytes, { chunkSize: 1000, onProgress: (p) => progress.push([p.sentBytes, p.totalBytes]) });
    expect(version.name).toBe("models/m/versions/1");
    expect(received.chunks).toEqual([1000, 1000, 500]);
    expect(progress).toEqual([
      [1000, 2500],
      [2000, 2500],
      [2500, 2500],
    ]);
    expect(received.metadata).toMatchObject({ parent: "models/m", format: ArtifactFormat.ONNX, expectedSizeBytes: 2500n });
    expect(received.metadata!["expectedSha256"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("regroups a stream of odd-sized chunks into full chunks", async () => {
    const { artenic, received } = registry();
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const n of [300, 900, 50, 1750]) c.enqueue(new Uint8Array(n).fill(7));
        c.close();
      },
    });
    const seen: number[] = [];
    await artenic.uploadArtifact("models/m", stream, { chunkSize: 1000, onProgress: (p) => seen.push(p.sentBytes) });
    expect(received.chunks).toEqual([1000, 1000, 1000]);
    expect(seen).toEqual([1000, 2000, 3000]);
    expect(received.metadata!["expectedSizeBytes"]).toBe(0n);
  });

  it("downloads with progress and checks the digest", async () => {
    const { artenic } = registry();
    const bytes = new Uint8Array(2500).map((_, i) => i % 13);
    await artenic.uploadArtifact("m", bytes);
    const progress: number[] = [];
    const { metadata, bytes: got } = await artenic.downloadArtifact(modelVersionName("m", 1), { onProgress: (p) => progress.push(p.receivedBytes) });
    expect(metadata.sizeBytes).toBe(2500n);
    expect(got).toEqual(bytes);
    expect(progress).toEqual([1000, 2000, 2500]);
    const corrupt = await artenic.downloadArtifact("models/m/versions/2").catch((e: unknown) => e);
    expect(corrupt).toBeInstanceOf(ArtenicError);
    expect((corrupt as ArtenicError).reason).toBe("CHECKSUM_MISMATCH");
  });
});

describe("waitForTrainingJob", () => {
  function jobs(script: Record<string, TrainingJobState[]>, extra: Record<string, Partial<{ retriedBy: string }>> = {}) {
    const polls: string[] = [];
    const artenic = createMockArtenicClient(({ service }) =>
      service(TrainingService, {
        getTrainingJob(req) {
          polls.push(req.name);
          const states = script[req.name]!;
          const state = states.length > 1 ? states.shift()! : states[0]!;
          return { trainingJob: create(TrainingJobSchema, { name: req.name, state, ...extra[req.name] }) };
        },
      }),
    );
    return { artenic, polls };
  }

  it("polls until a terminal state and reports each change", async () => {
    const { artenic, polls } = jobs({ "trainingJobs/j": [TrainingJobState.QUEUED, TrainingJobState.RUNNING, TrainingJobState.RUNNING, TrainingJobState.SUCCEEDED] });
    const updates: TrainingJobState[] = [];
    const job = await artenic.waitForTrainingJob("j", { pollInterval: 1, onUpdate: (j) => updates.push(j.state) });
    expect(job.state).toBe(TrainingJobState.SUCCEEDED);
    expect(polls).toHaveLength(4);
    expect(updates).toEqual([TrainingJobState.QUEUED, TrainingJobState.RUNNING, TrainingJobState.SUCCEEDED]);
  });

  it("follows a preempted job to its retry", async () => {
    const { artenic, polls } = jobs(
      { "trainingJobs/a": [TrainingJobState.PREEMPTED], "trainingJobs/b": [TrainingJobState.RUNNING, TrainingJobState.FAILED] },
      { "trainingJobs/a": { retriedBy: "trainingJobs/b" } },
    );
    const job = await artenic.waitForTrainingJob("trainingJobs/a", { pollInterval: 1 });
    expect(job.name).toBe("trainingJobs/b");
    expect(job.state).toBe(TrainingJobState.FAILED);
    expect(polls).toEqual(["trainingJobs/a", "trainingJobs/b", "trainingJobs/b"]);
  });

  it("stops when the signal aborts", async () => {
    const { artenic } = jobs({ "trainingJobs/j": [TrainingJobState.RUNNING] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(artenic.waitForTrainingJob("j", { pollInterval: 5, signal: controller.signal })).rejects.toBeInstanceOf(CanceledError);
  });
});

describe("stream helpers", () => {
  it("subscribes to events, reports heartbeats, and resumes from the cursor after a cut-off", async () => {
    const requests: { afterCursor: string; fromBeginning: boolean }[] = [];
    const artenic = createMockArtenicClient(({ service }) =>
      service(EventsService, {
        async *subscribe(req) {
          requests.push({ afterCursor: req.afterCursor, fromBeginning: req.fromBeginning });
          const start = req.afterCursor ? Number(req.afterCursor) : 0;
          for (let i = start + 1; i <= Math.min(start + 3, 5); i++) {
            yield { message: { case: "event", value: create(EventSchema, { cursor: String(i), type: "registry.model.created", resource: `models/m${i}` }) } };
          }
          yield { message: { case: "heartbeat", value: { cursor: String(Math.min(start + 3, 5)), caughtUp: start > 0 } } };
          if (start === 0) {
            throw new ConnectError("too slow", Code.ResourceExhausted, undefined, [info("SUBSCRIBER_TOO_SLOW", { resume_cursor: "3" })]);
          }
        },
      }),
    );
    const seen: string[] = [];
    const heartbeats: boolean[] = [];
    const resumes: string[] = [];
    for await (const e of artenic.subscribeEvents(
      { fromBeginning: true },
      { onHeartbeat: (h) => heartbeats.push(h.caughtUp), onResume: (r) => resumes.push(r.cursor) },
    )) {
      seen.push(e.resource);
    }
    expect(seen).toEqual(["models/m1", "models/m2", "models/m3", "models/m4", "models/m5"]);
    expect(heartbeats).toEqual([false, true]);
    expect(resumes).toEqual(["3"]);
    expect(requests).toEqual([
      { afterCursor: "", fromBeginning: true },
      { afterCursor: "3", fromBeginning: false },
    ]);
  });

  it("does not resume on other errors, and stops quietly on abort", async () => {
    const artenic = createMockArtenicClient(({ service }) =>
      service(EventsService, {
        async *subscribe(req, ctx) {
          if (req.afterCursor === "bad") throw new ConnectError("malformed cursor", Code.InvalidArgument);
          await hang(ctx);
        },
      }),
    );
    await expect(artenic.subscribeEvents({ afterCursor: "bad" }).next()).rejects.toBeInstanceOf(InvalidArgumentError);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(artenic.subscribeEvents({}, { signal: controller.signal }).next()).resolves.toEqual({ done: true, value: undefined });
  });

  it("streams rows to StreamPredict in messages and yields results in order", async () => {
    const messages: { service: string; rows: number }[] = [];
    const artenic = createMockArtenicClient(({ service }) =>
      service(InferenceService, {
        async *streamPredict(requests) {
          let index = 0n;
          for await (const r of requests) {
            messages.push({ service: r.service, rows: r.rows.length });
            yield { results: r.rows.map((row) => ({ index: index++, sequence: row.sequence })) };
          }
        },
      }),
    );
    const rows = Array.from({ length: 5 }, (_, i) => ({ sequence: BigInt(i * 10), inputs: [] }));
    const results: bigint[] = [];
    for await (const r of artenic.streamPredict("svc", rows, { rowsPerMessage: 2 })) results.push(r.sequence);
    expect(results).toEqual([0n, 10n, 20n, 30n, 40n]);
    expect(messages).toEqual([
      { service: "services/svc", rows: 2 },
      { service: "", rows: 2 },
      { service: "", rows: 1 },
    ]);
  });

  it("rethrows stream failures as typed errors", async () => {
    const artenic = createMockArtenicClient(({ service }) =>
      service(InferenceService, {
        async *streamPredict() {
          throw new ConnectError("no such service", Code.NotFound);
        },
      }),
    );
    await expect(artenic.streamPredict("svc", [{ inputs: [] }]).next()).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("unimplemented services in a mock", () => {
  it("answer UNIMPLEMENTED when a service has no routes", async () => {
    const artenic = createMockArtenicClient(() => undefined);
    await expect(artenic.abTests.getABTest({ name: "abTests/x" })).rejects.toBeInstanceOf(UnimplementedError);
  });
});
