import { afterEach, describe, expect, it, vi } from "vitest";
import type { OutputValue, TensorData } from "../tensor.js";
import { createMicroBatcher, createTensorBatcher } from "./micro-batcher.js";

afterEach(() => {
  vi.useRealTimers();
});

function recorder() {
  const batches: number[][] = [];
  return {
    batches,
    run: vi.fn(async (xs: readonly number[]) => {
      batches.push([...xs]);
      return xs.map((x) => x * 10);
    }),
  };
}

describe("createMicroBatcher", () => {
  it("runs everything submitted in the same tick as one batch when maxWaitMs is 0", async () => {
    const { batches, run } = recorder();
    const batcher = createMicroBatcher({ maxBatchSize: 100, maxWaitMs: 0, run });

    const results = await Promise.all([1, 2, 3].map((x) => batcher.submit(x)));

    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("runs a batch at once without waiting when it reaches maxBatchSize", async () => {
    const { batches, run } = recorder();
    // An hour-long wait would time the test out if a full batch waited for its timer.
    const batcher = createMicroBatcher({ maxBatchSize: 3, maxWaitMs: 3_600_000, run });

    await Promise.all([1, 2, 3].map((x) => batcher.submit(x)));

    expect(batches).toEqual([[1, 2, 3]]);
    expect(batcher.waiting).toBe(0);
  });

  it("runs a waiting batch when maxWaitMs has passed since its first request", async () => {
    vi.useFakeTimers();
    const { batches, run } = recorder();
    const batcher = createMicroBatcher({ maxBatchSize: 100, maxWaitMs: 5, run });

    const first = batcher.submit(1);
    await vi.advanceTimersByTimeAsync(3);
    const second = batcher.submit(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);

    expect(await Promise.all([first, second])).toEqual([10, 20]);
    expect(batches).toEqual([[1, 2]]);
  });

  it("leaves no timer behind when every request has been answered", async () => {
    vi.useFakeTimers();
    const { run } = recorder();
    const batcher = createMicroBatcher({ maxBatchSize: 2, maxWaitMs: 50, run });

    const results = Promise.all([1, 2, 3].map((x) => batcher.submit(x)));
    await vi.advanceTimersByTimeAsync(50);
    await results;

    expect(vi.getTimerCount()).toBe(0);
    expect(batcher.waiting).toBe(0);
  });

  it("splits requests into batches no larger than maxBatchSize when more arrive at once", async () => {
    const sizes: number[] = [];
    const batcher = createMicroBatcher({ maxBatchSize: 16, maxWaitMs: 0, run: recorder().run, onBatch: (size) => sizes.push(size) });

    await Promise.all(Array.from({ length: 64 }, (_, i) => batcher.submit(i)));

    expect(sizes).toEqual([16, 16, 16, 16]);
  });

  it("starts a new batch when the next request would overflow the current one", async () => {
    const { batches, run } = recorder();
    const batcher = createMicroBatcher<number, number>({ maxBatchSize: 5, maxWaitMs: 0, run, size: (x) => x });

    await Promise.all([2, 2, 2].map((x) => batcher.submit(x)));

    expect(batches).toEqual([[2, 2], [2]]);
  });

  it("runs a request alone at once when it is at least maxBatchSize", async () => {
    const { batches, run } = recorder();
    const batcher = createMicroBatcher<number, number>({ maxBatchSize: 4, maxWaitMs: 3_600_000, run, size: (x) => x });

    await batcher.submit(9);

    expect(batches).toEqual([[9]]);
  });

  it("runs every request alone without waiting when maxBatchSize is 1", async () => {
    const { batches, run } = recorder();
    const batcher = createMicroBatcher({ maxBatchSize: 1, maxWaitMs: 3_600_000, run });

    await Promise.all([1, 2].map((x) => batcher.submit(x)));

    expect(batches).toEqual([[1], [2]]);
  });

  it("never puts requests of different keys in one batch", async () => {
    const { batches, run } = recorder();
    const batcher = createMicroBatcher<number, number>({ maxBatchSize: 100, maxWaitMs: 0, run, key: (x) => String(x % 2) });

    await Promise.all([1, 2, 3, 4].map((x) => batcher.submit(x)));

    expect(batches).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it("fails only the requests that fail alone when a merged run fails", async () => {
    const sizes: number[] = [];
    const batcher = createMicroBatcher<number, number>({
      maxBatchSize: 100,
      maxWaitMs: 0,
      onBatch: (size) => sizes.push(size),
      run: async (xs) => {
        if (xs.includes(-1)) throw new Error(`bad batch of ${xs.length}`);
        return xs.map((x) => x * 10);
      },
    });

    const results = await Promise.allSettled([1, -1, 3].map((x) => batcher.submit(x)));

    expect(results).toEqual([
      { status: "fulfilled", value: 10 },
      { status: "rejected", reason: new Error("bad batch of 1") },
      { status: "fulfilled", value: 30 },
    ]);
    expect(sizes).toEqual([3, 1, 1, 1]);
  });

  it("reruns each request alone when a merged run returns the wrong number of results", async () => {
    const run = vi.fn(async (xs: readonly number[]) => (xs.length > 1 ? [0] : [xs[0] ?? 0]));
    const batcher = createMicroBatcher({ maxBatchSize: 100, maxWaitMs: 0, run });

    expect(await Promise.all([4, 5].map((x) => batcher.submit(x)))).toEqual([4, 5]);
  });

  it("rejects the request when run throws synchronously", async () => {
    const batcher = createMicroBatcher<number, number>({
      maxBatchSize: 1,
      maxWaitMs: 0,
      run: () => {
        throw new Error("sync");
      },
    });

    await expect(batcher.submit(1)).rejects.toThrow("sync");
  });

  it("runs every waiting batch at once when flushed", async () => {
    const { batches, run } = recorder();
    const batcher = createMicroBatcher({ maxBatchSize: 100, maxWaitMs: 3_600_000, run });
    const pending = Promise.all([1, 2].map((x) => batcher.submit(x)));

    batcher.flush();

    expect(await pending).toEqual([10, 20]);
    expect(batches).toEqual([[1, 2]]);
  });
});

function float32(name: string, rows: number[][]): TensorData {
  return { name, dataType: "float32", shape: [rows.length, rows[0]?.length ?? 0], data: Float32Array.from(rows.flat()) };
}

/** A model stand-in that returns its inputs unchanged (as `out_<name>`), recording each run's inputs. */
function echoModel() {
  const runs: (readonly TensorData[])[] = [];
  const run = vi.fn(async (inputs: readonly TensorData[]) => {
    runs.push(inputs);
    const outputs: Record<string, OutputValue> = {};
    for (const t of inputs) outputs[`out_${t.name}`] = { kind: "tensor", tensor: t };
    return outputs;
  });
  return { runs, run };
}

function tensorOf(value: OutputValue | undefined): TensorData {
  if (value?.kind !== "tensor") throw new Error(`expected a tensor, got ${value?.kind}`);
  return value.tensor;
}

describe("createTensorBatcher", () => {
  it("stacks along dimension 0 and gives each caller its own rows when inputs of every type are merged", async () => {
    const { runs, run } = echoModel();
    const batcher = createTensorBatcher({ maxBatchSize: 100, maxWaitMs: 0, run });
    const request = (rows: number, seed: number): TensorData[] => [
      { name: "s", dataType: "string", shape: [rows, 2], data: Array.from({ length: rows * 2 }, (_, i) => `${seed}-${i}`) },
      { name: "b", dataType: "bool", shape: [rows], data: Uint8Array.from({ length: rows }, (_, i) => (seed + i) % 2) },
      { name: "i", dataType: "int64", shape: [rows, 1, 2], data: BigInt64Array.from({ length: rows * 2 }, (_, i) => BigInt(seed * 100 + i)) },
      { name: "d", dataType: "float64", shape: [rows, 1], data: Float64Array.from({ length: rows }, (_, i) => seed + i / 10) },
      { name: "n", dataType: "int32", shape: [rows, 1], data: Int32Array.from({ length: rows }, (_, i) => -seed - i) },
    ];
    const requests = [request(1, 1), request(2, 2), request(3, 3)];

    const results = await Promise.all(requests.map((inputs, i) => batcher.submit(inputs, i + 1)));

    expect(runs).toHaveLength(1);
    expect(runs[0]?.[0]?.shape).toEqual([6, 2]);
    expect(runs[0]?.[2]?.shape).toEqual([6, 1, 2]);
    results.forEach((outputs, i) => {
      for (const input of requests[i] ?? []) {
        const output = tensorOf(outputs[`out_${input.name}`]);
        expect(output.shape).toEqual(input.shape);
        expect(output.data).toEqual(input.data);
      }
    });
  });

  it("splits sequence-of-maps outputs by row when a batch is merged", async () => {
    const batcher = createTensorBatcher({
      maxBatchSize: 100,
      maxWaitMs: 0,
      run: async ([x]) => ({
        probabilities: { kind: "sequence_of_maps", name: "probabilities", maps: Array.from(x?.data as Float32Array, (v) => new Map([[1n, v]])) },
      }),
    });

    const [a, b] = await Promise.all([batcher.submit([float32("x", [[0.1]])], 1), batcher.submit([float32("x", [[0.2], [0.3]])], 2)]);

    const mapsOf = (v: OutputValue | undefined) => (v?.kind === "sequence_of_maps" ? v.maps.map((m) => m.get(1n)) : []);
    expect(mapsOf(a?.["probabilities"])).toEqual([Math.fround(0.1)]);
    expect(mapsOf(b?.["probabilities"])).toEqual([Math.fround(0.2), Math.fround(0.3)]);
  });

  it("keeps requests in separate runs when their inputs differ in names, types or non-batch dimensions", async () => {
    const { runs, run } = echoModel();
    const batcher = createTensorBatcher({ maxBatchSize: 100, maxWaitMs: 0, run });

    await Promise.all([
      batcher.submit([float32("x", [[1, 2]])], 1),
      batcher.submit([float32("x", [[3, 4]])], 1),
      batcher.submit([float32("x", [[1, 2, 3]])], 1),
      batcher.submit([float32("y", [[1, 2]])], 1),
      batcher.submit([{ name: "x", dataType: "float64", shape: [1, 2], data: new Float64Array(2) }], 1),
    ]);

    expect(runs.map((inputs) => inputs.map((t) => `${t.name}:${t.dataType}:${t.shape.join("x")}`))).toEqual([
      ["x:float32:2x2"],
      ["x:float32:1x3"],
      ["y:float32:1x2"],
      ["x:float64:1x2"],
    ]);
  });

  it("runs a request alone when its rows disagree with its input shapes", async () => {
    const { runs, run } = echoModel();
    const batcher = createTensorBatcher({ maxBatchSize: 100, maxWaitMs: 0, run });

    await Promise.all([batcher.submit([float32("x", [[1]])], 1), batcher.submit([float32("x", [[1], [2]])], 3)]);

    expect(runs.map((inputs) => inputs[0]?.shape[0])).toEqual([2, 1]);
  });

  it("reruns each request alone when an output cannot be split by row", async () => {
    const run = vi.fn(async (inputs: readonly TensorData[]): Promise<Record<string, OutputValue>> => {
      const x = inputs[0]?.data as Float32Array;
      return { sum: { kind: "tensor", tensor: { name: "sum", dataType: "float32", shape: [], data: Float32Array.of(x.reduce((a, b) => a + b, 0)) } } };
    });
    const batcher = createTensorBatcher({ maxBatchSize: 100, maxWaitMs: 0, run });

    const results = await Promise.all([batcher.submit([float32("x", [[1]])], 1), batcher.submit([float32("x", [[2]])], 1)]);

    expect(results.map((r) => tensorOf(r["sum"]).data[0])).toEqual([1, 2]);
    expect(run).toHaveBeenCalledTimes(3);
  });

  it("fails only the request whose rows the model rejects when a merged run fails", async () => {
    const bad = new Error("negative input");
    const batcher = createTensorBatcher({
      maxBatchSize: 100,
      maxWaitMs: 0,
      run: async (inputs) => {
        if ((inputs[0]?.data as Float32Array).some((v) => v < 0)) throw bad;
        return { y: { kind: "tensor", tensor: inputs[0] as TensorData } };
      },
    });

    const results = await Promise.allSettled([[[1]], [[-1]], [[2]]].map((rows) => batcher.submit([float32("x", rows)], 1)));

    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(results[1]).toEqual({ status: "rejected", reason: bad });
  });

  it("hands a lone request's tensors to the model untouched", async () => {
    const { runs, run } = echoModel();
    const batcher = createTensorBatcher({ maxBatchSize: 100, maxWaitMs: 0, run });
    const input = float32("x", [[1, 2]]);

    await batcher.submit([input], 1);

    expect(runs[0]?.[0]).toBe(input);
  });
});
