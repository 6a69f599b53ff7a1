import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadedModel } from "../runtime/inference-runtime.js";
import { createOnnxInferenceRuntime } from "../runtime/onnx/index.js";
import type { OutputValue, TensorData } from "../tensor.js";
import { createTensorBatcher } from "./micro-batcher.js";

const FIXTURES = fileURLToPath(new URL("../../../../fixtures/models/", import.meta.url));
const CALLERS = 64;
const MAX_BATCH = 16;

/** Plain numbers from a model output, for comparing runs: labels, values or per-class probabilities. */
function flatten(value: OutputValue | undefined): number[] {
  if (value === undefined) return [];
  if (value.kind === "sequence_of_maps") return value.maps.flatMap((m) => [...m.values()]);
  return Array.from(value.tensor.data as ArrayLike<number | bigint>, Number);
}

// ORT may pick a differently vectorised kernel for a batch of 16 than for 1 row (iris_logreg's
// softmax differs in the last bits), so floats are compared to 1e-5 relative, labels exactly.
function expectSameOutputs(actual: Record<string, OutputValue>, expected: Record<string, OutputValue>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const name of Object.keys(expected)) {
    const a = flatten(actual[name]);
    const e = flatten(expected[name]);
    expect(a).toHaveLength(e.length);
    a.forEach((v, i) => {
      const want = e[i] ?? Number.NaN;
      expect(Math.abs(v - want) <= 1e-5 * Math.abs(want) + 1e-9, `${name}[${i}]: ${v} vs ${want}`).toBe(true);
    });
  }
}

describe.each(["digits_mlp", "iris_logreg"])("createTensorBatcher on %s", (fixture) => {
  let model: LoadedModel;
  let rows: number[][];

  beforeAll(async () => {
    const bytes = new Uint8Array(readFileSync(`${FIXTURES}${fixture}.onnx`));
    rows = (JSON.parse(readFileSync(`${FIXTURES}${fixture}.expected.json`, "utf8")) as { inputs: number[][] }).inputs;
    model = await createOnnxInferenceRuntime().load(bytes, null, { intraOpThreads: 1, interOpThreads: 1 });
  });

  afterAll(async () => {
    await model.dispose();
  });

  const row = (i: number): TensorData => {
    const values = rows[i % rows.length] ?? [];
    return { name: "input", dataType: "float32", shape: [1, values.length], data: Float32Array.from(values) };
  };

  it("merges 64 concurrent single-row calls into batches of at most maxBatchSize and answers each with its own row", async () => {
    const batchRows: number[] = [];
    const batcher = createTensorBatcher({ maxBatchSize: MAX_BATCH, maxWaitMs: 0, run: (inputs) => model.run(inputs), onBatch: (n) => batchRows.push(n) });

    const batched = await Promise.all(Array.from({ length: CALLERS }, (_, i) => batcher.submit([row(i)], 1)));
    const alone: Record<string, OutputValue>[] = [];
    for (let i = 0; i < CALLERS; i++) alone.push(await model.run([row(i)]));

    expect(batchRows.every((n) => n <= MAX_BATCH)).toBe(true);
    expect(batchRows.reduce((a, b) => a + b, 0)).toBe(CALLERS);
    expect(batchRows.length).toBeLessThan(CALLERS);
    batched.forEach((outputs, i) => expectSameOutputs(outputs, alone[i] ?? {}));
    expect(batcher.waiting).toBe(0);
  });
});
