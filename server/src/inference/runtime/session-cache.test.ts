import { describe, expect, it, vi } from "vitest";
import type { InferenceRuntime, LoadedModel, SessionOptions } from "./inference-runtime.js";
import { createSessionCache, type EvictionCause, type ModelArtifact } from "./session-cache.js";

const THREADS: SessionOptions = { intraOpThreads: 0, interOpThreads: 0 };

interface FakeModel extends LoadedModel {
  readonly id: number;
  disposed: boolean;
}

/** A runtime whose models are `sizeBytes` long (the artifact's length) and record their disposal. */
function fakeRuntime() {
  let next = 0;
  const models: FakeModel[] = [];
  const runtime: InferenceRuntime & { load: ReturnType<typeof vi.fn> } = {
    load: vi.fn(async (bytes: Uint8Array): Promise<LoadedModel> => {
      const model: FakeModel = {
        id: next++,
        sizeBytes: bytes.byteLength,
        inputNames: ["x"],
        outputNames: ["y"],
        disposed: false,
        run: async () => ({}),
        async dispose() {
          model.disposed = true;
        },
      };
      models.push(model);
      return model;
    }),
  };
  return { runtime, models };
}

function artifact(size: number): () => Promise<ModelArtifact> {
  return async () => ({ bytes: new Uint8Array(size), signature: null });
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// Disposal is fire-and-forget; let its promise settle before looking.
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup(maxModels = 10, maxBytes = 1_000) {
  const { runtime, models } = fakeRuntime();
  const evicted: [string, EvictionCause][] = [];
  const cache = createSessionCache({ runtime, maxModels, maxBytes, onEvict: (key, cause) => evicted.push([key, cause]) });
  const take = async (key: string, size = 10) => {
    const lease = await cache.acquire(key, artifact(size), THREADS);
    lease.release();
    return lease.model as FakeModel;
  };
  return { cache, runtime, models, evicted, take };
}

describe("SessionCache.acquire", () => {
  it("loads once and shares the model when concurrent acquires miss the same key", async () => {
    const { cache, runtime } = setup();
    const load = vi.fn(artifact(10));

    const leases = await Promise.all(Array.from({ length: 5 }, () => cache.acquire("models/x/versions/1|intra=0|inter=0", load, THREADS)));

    expect(load).toHaveBeenCalledTimes(1);
    expect(runtime.load).toHaveBeenCalledTimes(1);
    expect(new Set(leases.map((l) => l.model)).size).toBe(1);
    expect(cache.stats()).toMatchObject({ models: 1, misses: 5, hits: 0, loads: 1 });
  });

  it("answers from the cache without loading when the key was loaded before", async () => {
    const { cache, runtime, take } = setup();
    const first = await take("a");

    const second = await take("a");

    expect(second).toBe(first);
    expect(runtime.load).toHaveBeenCalledTimes(1);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it("passes the artifact, its signature and the session options to the runtime when it loads", async () => {
    const { cache, runtime } = setup();
    const bytes = new Uint8Array(3);
    const options = { intraOpThreads: 2, interOpThreads: 1 };

    await cache.acquire("a", async () => ({ bytes, signature: null }), options);

    expect(runtime.load).toHaveBeenCalledWith(bytes, null, options);
  });

  it("evicts the least recently used model when a load exceeds maxModels", async () => {
    const { cache, models, evicted, take } = setup(2);
    await take("a");
    await take("b");
    await take("a");

    await take("c");
    await settle();

    expect(evicted).toEqual([["b", "capacity"]]);
    expect(models.map((m) => m.disposed)).toEqual([false, true, false]);
    expect(cache.stats()).toMatchObject({ models: 2, evictions: 1, bytes: 20 });
  });

  it("evicts least recently used models until the total fits when a load exceeds maxBytes", async () => {
    const { cache, evicted, take } = setup(10, 100);
    await take("a", 40);
    await take("b", 30);
    await take("c", 20);

    await take("d", 60);

    expect(evicted).toEqual([
      ["a", "capacity"],
      ["b", "capacity"],
    ]);
    expect(cache.stats()).toMatchObject({ models: 2, bytes: 80, evictions: 2 });
  });

  it("keeps a model alone when it is larger than maxBytes", async () => {
    const { cache, take } = setup(10, 100);
    await take("small", 10);

    await take("huge", 500);

    expect(cache.stats()).toMatchObject({ models: 1, bytes: 500 });
    await take("huge", 500);
    expect(cache.stats().hits).toBe(1);
  });

  it("disposes an evicted model only when its last lease is released", async () => {
    const { cache, models, take } = setup(1);
    const first = await cache.acquire("a", artifact(10), THREADS);
    const second = await cache.acquire("a", artifact(10), THREADS);

    await take("b");
    await settle();
    expect(models[0]?.disposed).toBe(false);
    first.release();
    first.release();
    await settle();
    expect(models[0]?.disposed).toBe(false);
    second.release();
    await settle();

    expect(models[0]?.disposed).toBe(true);
  });

  it("never disposes a model under waiters when another load evicts it before they resume", async () => {
    const { cache, models } = setup(1);
    const gateA = deferred<ModelArtifact>();
    const gateB = deferred<ModelArtifact>();
    const a = cache.acquire("a", () => gateA.promise, THREADS);
    const b = cache.acquire("b", () => gateB.promise, THREADS);

    gateA.resolve({ bytes: new Uint8Array(1), signature: null });
    gateB.resolve({ bytes: new Uint8Array(1), signature: null });
    const [leaseA] = await Promise.all([a, b]);
    await settle();

    expect(leaseA.model).toBe(models[0]);
    expect(models[0]?.disposed).toBe(false);
    leaseA.release();
    await settle();
    expect(models[0]?.disposed).toBe(true);
  });

  it("rejects every concurrent waiter with the same error when the load fails", async () => {
    const { cache } = setup();
    const failure = new Error("artifact missing");
    const load = vi.fn(async (): Promise<ModelArtifact> => {
      throw failure;
    });

    const results = await Promise.allSettled([cache.acquire("a", load, THREADS), cache.acquire("a", load, THREADS)]);

    expect(load).toHaveBeenCalledTimes(1);
    expect(results).toEqual([
      { status: "rejected", reason: failure },
      { status: "rejected", reason: failure },
    ]);
  });

  it("loads again when the previous load failed", async () => {
    const { cache, runtime } = setup();
    runtime.load.mockRejectedValueOnce(new Error("MODEL_LOAD_FAILED"));
    await expect(cache.acquire("a", artifact(10), THREADS)).rejects.toThrow("MODEL_LOAD_FAILED");

    const lease = await cache.acquire("a", artifact(10), THREADS);

    expect(lease.model.sizeBytes).toBe(10);
    expect(cache.stats()).toMatchObject({ loads: 2, loadFailures: 1, models: 1 });
  });

  it("loads again when the previous load threw synchronously", async () => {
    const { cache } = setup();
    const load = vi.fn((): Promise<ModelArtifact> => {
      throw new Error("boom");
    });
    await expect(cache.acquire("a", load, THREADS)).rejects.toThrow("boom");

    await expect(cache.acquire("a", artifact(10), THREADS)).resolves.toBeDefined();
  });
});

describe("SessionCache.invalidate", () => {
  it("reloads on the next acquire and disposes after the last lease when the key is invalidated", async () => {
    const { cache, runtime, models, evicted } = setup();
    const lease = await cache.acquire("a", artifact(10), THREADS);

    cache.invalidate("a");
    await settle();
    expect(models[0]?.disposed).toBe(false);
    lease.release();
    await settle();

    expect(models[0]?.disposed).toBe(true);
    expect(evicted).toEqual([["a", "invalidated"]]);
    await cache.acquire("a", artifact(10), THREADS);
    expect(runtime.load).toHaveBeenCalledTimes(2);
  });

  it("serves the waiters of a load in progress but does not cache it when the key is invalidated meanwhile", async () => {
    const { cache, models } = setup();
    const gate = deferred<ModelArtifact>();
    const pending = cache.acquire("a", () => gate.promise, THREADS);

    cache.invalidate("a");
    gate.resolve({ bytes: new Uint8Array(4), signature: null });
    const lease = await pending;

    expect(lease.model).toBe(models[0]);
    expect(cache.stats().models).toBe(0);
    lease.release();
    await settle();
    expect(models[0]?.disposed).toBe(true);
  });
});

describe("SessionCache.clear", () => {
  it("drops and disposes every unleased model when it is cleared", async () => {
    const { cache, models, take } = setup();
    await take("a");
    await take("b");

    cache.clear();
    await settle();

    expect(models.every((m) => m.disposed)).toBe(true);
    expect(cache.stats()).toMatchObject({ models: 0, bytes: 0 });
  });
});
