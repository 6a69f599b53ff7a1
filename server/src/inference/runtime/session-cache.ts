import type { ModelSignatureInfo } from "../../registry/onnx-signature.js";
import type { InferenceRuntime, LoadedModel, SessionOptions } from "./inference-runtime.js";

/** What the cache needs to load a model it does not hold. */
export interface ModelArtifact {
  readonly bytes: Uint8Array;
  readonly signature: ModelSignatureInfo | null;
}

/**
 * The right to run one cached model until `release()`. The model stays loaded while any lease on it
 * is open, even if the cache evicts or invalidates it meanwhile, so in-flight requests finish on
 * the version they started with.
 */
export interface ModelLease {
  readonly model: LoadedModel;
  /** Ends the lease; calling it again does nothing. */
  release(): void;
}

/** Counters for metrics; `models` and `bytes` describe what is cached now, the rest only grow. */
export interface SessionCacheStats {
  /** Models held by the cache (loads in progress and evicted models still leased are not counted). */
  readonly models: number;
  /** Sum of the artifact sizes of those models. */
  readonly bytes: number;
  /** Acquires answered from the cache. */
  readonly hits: number;
  /** Acquires that started a load or joined one in progress. */
  readonly misses: number;
  /** Models removed to respect `maxModels` or `maxBytes`. */
  readonly evictions: number;
  /** Loads started, failed ones included. */
  readonly loads: number;
  /** Loads that failed. */
  readonly loadFailures: number;
}

/** Why a model left the cache. */
export type EvictionCause = "capacity" | "invalidated" | "cleared";

/** Options of `createSessionCache`. */
export interface SessionCacheOptions {
  /** Loads the models the cache does not hold. */
  readonly runtime: InferenceRuntime;
  /** Most models held at once; at least 1. */
  readonly maxModels: number;
  /**
   * Most artifact bytes held at once. A single model larger than this is still served and kept
   * (alone), since reloading it on every request would be far worse than exceeding the bound.
   */
  readonly maxBytes: number;
  /** Called when a model leaves the cache (its disposal may come later, after its last lease). */
  readonly onEvict?: (key: string, cause: EvictionCause) => void;
}

/** Loaded models shared by every request, bounded by count and bytes, evicted least recently used first. */
export interface SessionCache {
  /**
   * Leases the model cached under `key`, loading it with `load` and `runtime.load(…, options)` when
   * absent. Concurrent acquires of a missing key share one load, and all of them get its error if it
   * fails; a failed load is not cached, so the next acquire tries again. Throws whatever `load` or
   * the runtime throws (the runtime's MODEL_LOAD_FAILED among them).
   *
   * @example
   * ```ts
   * const lease = await cache.acquire("models/x/versions/3|intra=0|inter=0", readArtifact, threads);
   * try {
   *   return await lease.model.run(inputs);
   * } finally {
   *   lease.release();
   * }
   * ```
   */
  acquire(key: string, load: () => Promise<ModelArtifact>, options: SessionOptions): Promise<ModelLease>;
  /**
   * Drops the model cached under `key`, if any, so the next acquire loads it afresh; a load in
   * progress still serves its waiters but is not cached. Leased models are disposed on last release.
   */
  invalidate(key: string): void;
  /** Drops every model, as `invalidate` does for one (at shutdown, for instance). */
  clear(): void;
  /** A snapshot of the counters, for metrics. */
  stats(): SessionCacheStats;
}

interface Entry {
  readonly key: string;
  readonly model: LoadedModel;
  readonly sizeBytes: number;
  leases: number;
  /** Out of the cache: dispose when `leases` reaches 0. */
  evicted: boolean;
}

interface PendingLoad {
  readonly promise: Promise<Entry>;
  /** Acquires waiting for this load; each already holds a lease on the entry it will produce. */
  waiters: number;
  invalidated: boolean;
}

/**
 * Creates the cache of loaded models. LRU order is the insertion order of a `Map` (a hit moves its
 * key to the end), so every operation is O(1) apart from evictions.
 */
export function createSessionCache(options: SessionCacheOptions): SessionCache {
  if (!Number.isInteger(options.maxModels) || options.maxModels < 1) {
    throw new RangeError(`maxModels must be a positive integer, got ${options.maxModels}`);
  }
  if (!(options.maxBytes > 0)) {
    throw new RangeError(`maxBytes must be positive, got ${options.maxBytes}`);
  }
  const cached = new Map<string, Entry>();
  const loading = new Map<string, PendingLoad>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  let evictions = 0;
  let loads = 0;
  let loadFailures = 0;

  function lease(entry: Entry): ModelLease {
    let released = false;
    return {
      model: entry.model,
      release() {
        if (released) return;
        released = true;
        entry.leases -= 1;
        if (entry.leases === 0 && entry.evicted) dispose(entry);
      },
    };
  }

  function dispose(entry: Entry): void {
    // Nothing can be done about a native session that fails to close, and no request depends on it.
    entry.model.dispose().catch(() => undefined);
  }

  function remove(entry: Entry, cause: EvictionCause): void {
    cached.delete(entry.key);
    bytes -= entry.sizeBytes;
    entry.evicted = true;
    options.onEvict?.(entry.key, cause);
    if (entry.leases === 0) dispose(entry);
  }

  function admit(entry: Entry): void {
    cached.set(entry.key, entry);
    bytes += entry.sizeBytes;
    for (const lru of cached.values()) {
      if (cached.size <= options.maxModels && bytes <= options.maxBytes) break;
      if (lru === entry) continue;
      evictions += 1;
      remove(lru, "capacity");
    }
  }

  function startLoad(key: string, load: () => Promise<ModelArtifact>, sessionOptions: SessionOptions): PendingLoad {
    loads += 1;
    const pending: PendingLoad = {
      waiters: 0,
      invalidated: false,
      // Deferred by a microtask so the load is registered before `load` runs: even a synchronous
      // failure then finds, and removes, its own registration.
      promise: Promise.resolve().then(async () => {
        try {
          const artifact = await load();
          const model = await options.runtime.load(artifact.bytes, artifact.signature, sessionOptions);
          // Waiters are counted as leases before anyone can observe the entry, so an eviction
          // triggered between this point and their continuations can never dispose it under them.
          const entry: Entry = { key, model, sizeBytes: model.sizeBytes, leases: pending.waiters, evicted: pending.invalidated };
          if (!pending.invalidated) admit(entry);
          return entry;
        } catch (error) {
          loadFailures += 1;
          throw error;
        } finally {
          if (loading.get(key) === pending) loading.delete(key);
        }
      }),
    };
    loading.set(key, pending);
    return pending;
  }

  return {
    async acquire(key, load, sessionOptions) {
      const hit = cached.get(key);
      if (hit !== undefined) {
        hits += 1;
        cached.delete(key);
        cached.set(key, hit);
        hit.leases += 1;
        return lease(hit);
      }
      misses += 1;
      const pending = loading.get(key) ?? startLoad(key, load, sessionOptions);
      pending.waiters += 1;
      return lease(await pending.promise);
    },

    invalidate(key) {
      const pending = loading.get(key);
      if (pending !== undefined) {
        // Its waiters still get the model; later acquires start a fresh load.
        pending.invalidated = true;
        loading.delete(key);
      }
      const entry = cached.get(key);
      if (entry !== undefined) remove(entry, "invalidated");
    },

    clear() {
      for (const pending of loading.values()) pending.invalidated = true;
      loading.clear();
      for (const entry of [...cached.values()]) remove(entry, "cleared");
    },

    stats() {
      return { models: cached.size, bytes, hits, misses, evictions, loads, loadFailures };
    },
  };
}
