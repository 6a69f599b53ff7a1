import type { OutputValue, TensorData } from "../tensor.js";
import { concatRows, splitRows } from "./tensor-rows.js";

/** Options of `createMicroBatcher`. */
export interface MicroBatcherOptions<Req, Res> {
  /**
   * Largest batch, in the units of `size`. A batch is run as soon as it reaches this size; a request
   * at least this large runs alone at once. 1 turns batching off (every request runs alone, unwaited).
   */
  readonly maxBatchSize: number;
  /**
   * Longest time the first request of a batch waits for company, in milliseconds. 0 runs the batch
   * on the next turn of the event loop (`setImmediate`), which still merges every request submitted
   * in the current one. Positive values below 1 act as 1 (Node's timer resolution).
   */
  readonly maxWaitMs: number;
  /**
   * Runs a batch; must resolve to one result per request, in order. When it rejects for a batch of
   * several requests, each request is run again alone so only the ones that fail by themselves fail.
   */
  readonly run: (requests: readonly Req[]) => Promise<readonly Res[]>;
  /**
   * Requests with different keys never share a batch.
   * @default every request shares one key
   */
  readonly key?: (request: Req) => string;
  /**
   * The size a request adds to its batch (rows, for tensors).
   * @default 1
   */
  readonly size?: (request: Req) => number;
  /** Called each time `run` is called, with the batch's total size and its number of requests. */
  readonly onBatch?: (size: number, requests: number) => void;
}

/** Merges requests submitted close together into batches; see `createMicroBatcher`. */
export interface MicroBatcher<Req, Res> {
  /** Queues a request and resolves to its own result once its batch has run. */
  submit(request: Req): Promise<Res>;
  /** Runs every waiting batch now instead of when it fills up or its wait ends. */
  flush(): void;
  /** Requests waiting for their batch to start; 0 means no timer is pending either. */
  readonly waiting: number;
}

interface Waiter<Req, Res> {
  readonly request: Req;
  readonly size: number;
  readonly resolve: (result: Res) => void;
  readonly reject: (error: unknown) => void;
}

interface OpenBatch<Req, Res> {
  readonly key: string;
  readonly waiters: Waiter<Req, Res>[];
  size: number;
  timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
}

const DEFAULT_KEY = "";

/**
 * A dynamic micro-batcher: requests that arrive within `maxWaitMs` of the first one of their key
 * are run together, up to `maxBatchSize`, then each caller gets its own result back. Timers exist
 * only while requests wait, so an idle batcher keeps nothing alive.
 *
 * @example
 * ```ts
 * const batcher = createMicroBatcher<number, number>({
 *   maxBatchSize: 32,
 *   maxWaitMs: 2,
 *   run: async (xs) => xs.map((x) => x * 2),
 * });
 * await Promise.all([batcher.submit(1), batcher.submit(2)]); // one run: [2, 4]
 * ```
 */
export function createMicroBatcher<Req, Res>(options: MicroBatcherOptions<Req, Res>): MicroBatcher<Req, Res> {
  const { maxBatchSize, maxWaitMs, run, onBatch } = options;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
  }
  if (!(maxWaitMs >= 0) || !Number.isFinite(maxWaitMs)) {
    throw new RangeError(`maxWaitMs must be a finite number >= 0, got ${maxWaitMs}`);
  }
  const keyOf = options.key ?? (() => DEFAULT_KEY);
  const sizeOf = options.size ?? (() => 1);
  const open = new Map<string, OpenBatch<Req, Res>>();
  let waiting = 0;

  function dispatch(waiters: readonly Waiter<Req, Res>[], size: number): void {
    onBatch?.(size, waiters.length);
    let promise: Promise<readonly Res[]>;
    try {
      promise = run(waiters.map((w) => w.request));
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (results) => {
        if (results.length !== waiters.length) {
          fail(waiters, new Error(`the batch run returned ${results.length} results for ${waiters.length} requests`));
          return;
        }
        for (let i = 0; i < waiters.length; i++) (waiters[i] as Waiter<Req, Res>).resolve(results[i] as Res);
      },
      (error: unknown) => fail(waiters, error),
    );
  }

  function fail(waiters: readonly Waiter<Req, Res>[], error: unknown): void {
    const only = waiters.length === 1 ? waiters[0] : undefined;
    if (only !== undefined) {
      only.reject(error);
      return;
    }
    // One bad request (a value the model rejects, say) must not fail its neighbours: rerun each alone.
    for (const w of waiters) dispatch([w], w.size);
  }

  function close(batch: OpenBatch<Req, Res>): void {
    if (open.get(batch.key) === batch) open.delete(batch.key);
    if (batch.timer !== undefined) {
      if (maxWaitMs === 0) clearImmediate(batch.timer as NodeJS.Immediate);
      else clearTimeout(batch.timer as NodeJS.Timeout);
      batch.timer = undefined;
    }
    waiting -= batch.waiters.length;
    dispatch(batch.waiters, batch.size);
  }

  function openBatch(key: string): OpenBatch<Req, Res> {
    const batch: OpenBatch<Req, Res> = { key, waiters: [], size: 0, timer: undefined };
    const onTimer = () => {
      batch.timer = undefined;
      close(batch);
    };
    batch.timer = maxWaitMs === 0 ? setImmediate(onTimer) : setTimeout(onTimer, maxWaitMs);
    open.set(key, batch);
    return batch;
  }

  return {
    submit(request: Req): Promise<Res> {
      return new Promise<Res>((resolve, reject) => {
        const size = sizeOf(request);
        const waiter: Waiter<Req, Res> = { request, size, resolve, reject };
        if (size >= maxBatchSize) {
          dispatch([waiter], size);
          return;
        }
        const key = keyOf(request);
        let batch = open.get(key);
        if (batch !== undefined && batch.size + size > maxBatchSize) {
          close(batch);
          batch = undefined;
        }
        batch ??= openBatch(key);
        batch.waiters.push(waiter);
        batch.size += size;
        waiting += 1;
        if (batch.size >= maxBatchSize) close(batch);
      });
    },

    flush(): void {
      for (const batch of [...open.values()]) close(batch);
    },

    get waiting() {
      return waiting;
    },
  };
}

/** Options of `createTensorBatcher`. */
export interface TensorBatcherOptions {
  /** Most rows per model run; 1 turns batching off. */
  readonly maxBatchSize: number;
  /** Longest wait for company in milliseconds, as in `MicroBatcherOptions.maxWaitMs`. */
  readonly maxWaitMs: number;
  /** Runs the model once on (possibly stacked) inputs. */
  readonly run: (inputs: readonly TensorData[]) => Promise<Record<string, OutputValue>>;
  /** Called once per model run with its row count and the number of requests in it (for a batch-size metric). */
  readonly onBatch?: (rows: number, requests: number) => void;
}

/** Merges concurrent requests to one model into fewer, larger runs; see `createTensorBatcher`. */
export interface TensorBatcher {
  /**
   * Runs `inputs` (each with `rows` rows along dimension 0), possibly stacked with other requests,
   * and resolves to this request's own rows of every output. Rejects with the error the model run
   * gives for this request alone.
   */
  submit(inputs: readonly TensorData[], rows: number): Promise<Record<string, OutputValue>>;
  /** Requests waiting for their batch to start. */
  readonly waiting: number;
}

interface TensorRequest {
  readonly inputs: readonly TensorData[];
  readonly rows: number;
  readonly key: string;
}

/**
 * Dynamic micro-batching of unary predictions for one model. Requests are stacked only when their
 * inputs have the same names in the same order, the same data types and the same non-batch
 * dimensions; the stacked inputs run once and every output is cut back per caller along dimension 0
 * (maps of a `sequence_of_maps` output, one per row, likewise).
 *
 * Batching pays because one onnxruntime-node run costs about the same for 1 row as for 64 at these
 * model sizes: the per-call overhead (N-API, tensor wrapping, the runtime's `setImmediate` hop)
 * dominates. A model whose outputs are not one per row cannot be split; its batches fail to split
 * and each request is rerun alone, so it stays correct, only slower.
 *
 * @example
 * ```ts
 * const batcher = createTensorBatcher({ maxBatchSize: 64, maxWaitMs: 1, run: (inputs) => model.run(inputs) });
 * const outputs = await batcher.submit([{ name: "input", dataType: "float32", shape: [1, 4], data }], 1);
 * ```
 */
export function createTensorBatcher(options: TensorBatcherOptions): TensorBatcher {
  const { run, onBatch } = options;
  const batcher = createMicroBatcher<TensorRequest, Record<string, OutputValue>>({
    maxBatchSize: options.maxBatchSize,
    maxWaitMs: options.maxWaitMs,
    key: (request) => request.key,
    size: (request) => request.rows,
    ...(onBatch === undefined ? {} : { onBatch }),
    async run(requests) {
      const first = requests[0];
      if (requests.length === 1 && first !== undefined) {
        // Alone: hand the caller's tensors over untouched, with nothing to stack or split.
        return [await run(first.inputs)];
      }
      const inputs = (first?.inputs ?? []).map((_, i) => concatRows(requests.map((r) => r.inputs[i] as TensorData)));
      return splitRows(await run(inputs), requests.map((r) => r.rows));
    },
  });
  return {
    submit(inputs, rows) {
      const key = batchKey(inputs, rows);
      if (key === undefined) {
        // Not stackable along dimension 0 (a scalar input, or rows that disagree with the shapes).
        onBatch?.(rows, 1);
        return run(inputs);
      }
      return batcher.submit({ inputs, rows, key });
    },
    get waiting() {
      return batcher.waiting;
    },
  };
}

/** What two requests must share to be stacked, or undefined when this one cannot be stacked. */
function batchKey(inputs: readonly TensorData[], rows: number): string | undefined {
  if (!(rows > 0) || inputs.length === 0) return undefined;
  let key = "";
  for (const t of inputs) {
    if (t.shape[0] !== rows) return undefined;
    // The length prefix keeps names unambiguous whatever characters they hold.
    key += `${t.name.length}:${t.name}|${t.dataType}|${t.shape.slice(1).join(",")};`;
  }
  return key;
}
