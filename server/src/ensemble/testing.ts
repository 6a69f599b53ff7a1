/**
 * Test support for the ensemble domain (not used by production code): an in-memory database with
 * the fixture models registered, fake member routes that answer like the fixtures, and a feedback
 * source over the feedback table.
 */
import type { EntityManager } from "@mikro-orm/core";
import { initOrm, migrate, type Orm } from "../platform/db/orm.js";
import type { UseCaseContext } from "../platform/context.js";
import { createModel, createModelVersion } from "../registry/model.use-cases.js";
import { readOnnxSignature } from "../registry/onnx-signature.js";
import type { ModelSignatureInfo } from "../registry/index.js";
import { FeedbackEntity } from "../inference/service.entity.js";
import type { Route } from "../inference/index.js";
import { fixtureBytes, fixtureExpected, type FixtureName } from "../../test/support/fixtures.js";
import type { EnsembleFeedbackSource } from "./ensemble-runtime.js";
import type { OutputValue, TensorData } from "./member-outputs.js";

export async function testOrm(): Promise<Orm> {
  const orm = await initOrm({ kind: "sqlite", path: ":memory:" });
  await migrate(orm);
  return orm;
}

export function testContext(orm: Orm, now: Date = new Date("2026-11-26T12:00:00Z")): UseCaseContext {
  return { em: orm.em.fork(), actor: { name: "apiKeys/tester", requestId: "req-1" }, now: () => now };
}

export const signatureOf = (name: FixtureName): ModelSignatureInfo => readOnnxSignature(fixtureBytes(name));

/** Registers `models/{modelId}/versions/1..count` with the fixture's real ONNX signature. */
export async function registerFixture(orm: Orm, modelId: string, fixture: FixtureName, count = 1): Promise<void> {
  const ctx = testContext(orm);
  await createModel(ctx, modelId, { displayName: "", description: "", framework: "sklearn", labels: {} });
  for (let i = 0; i < count; i++) {
    await createModelVersion(testContext(orm), modelId, { description: "", labels: {}, metrics: {}, params: {}, sourceTrainingJob: "" }, {
      uri: `local://${modelId}/${i + 1}`,
      format: "onnx",
      sizeBytes: 1,
      sha256: "",
      contentType: "application/octet-stream",
      external: false,
      signature: signatureOf(fixture),
    });
  }
}

/** What Python's onnxruntime answered for the fixture's rows, in the form our runtime returns. */
export function fixtureOutputs(name: FixtureName, rows: readonly number[]): Record<string, OutputValue> {
  const exp = fixtureExpected(name);
  if (exp.task === "regression") {
    return { variable: { kind: "tensor", tensor: { name: "variable", dataType: "float32", shape: [rows.length, 1], data: Float32Array.from(rows.map((r) => exp.outputs.values![r]!)) } } };
  }
  const classes = exp.classes!;
  return {
    label: { kind: "tensor", tensor: { name: "label", dataType: "int64", shape: [rows.length], data: BigInt64Array.from(rows.map((r) => BigInt(exp.outputs.labels![r]!))) } },
    probabilities: {
      kind: "sequence_of_maps",
      name: "probabilities",
      maps: rows.map((r) => new Map(classes.map((c, k) => [BigInt(c), exp.outputs.probabilities![r]![k]!] as const))),
    },
  };
}

/** The rows of a batch, read back from the first input: each row's first value is its fixture row index. */
export function indexInputs(rows: readonly number[], width = 4): TensorData[] {
  const data = new Float32Array(rows.length * width);
  rows.forEach((r, i) => (data[i * width] = r));
  return [{ name: "input", dataType: "float32", shape: [rows.length, width], data }];
}

const rowsFrom = (inputs: readonly TensorData[]) => {
  const t = inputs[0]!;
  const width = t.shape[1] ?? 1;
  return Array.from({ length: t.shape[0]! }, (_, i) => Number(t.data[i * width]));
};

export interface FakeRouteOptions {
  /** Milliseconds before answering. */
  readonly delayMs?: number;
  /** Fail every run with this error. */
  readonly error?: Error;
  /** Answer with these outputs instead of the fixture's. */
  readonly outputs?: (rows: readonly number[]) => Record<string, OutputValue>;
}

/** A fake member route that answers like `fixture` (rows identified by {@link indexInputs}). */
export function fakeRoute(modelVersion: string, fixture: FixtureName, options: FakeRouteOptions = {}): Route & { calls: number; maxConcurrent: number } {
  const [, modelId, , n] = modelVersion.split("/");
  let inFlight = 0;
  const route = {
    serviceId: "svc",
    modelId: modelId!,
    versionNumber: Number(n),
    modelVersion,
    signature: signatureOf(fixture),
    maxBatchSize: 1024,
    calls: 0,
    maxConcurrent: 0,
    async run(inputs: readonly TensorData[]) {
      route.calls += 1;
      inFlight += 1;
      route.maxConcurrent = Math.max(route.maxConcurrent, inFlight);
      try {
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
        if (options.error) throw options.error;
        const rows = rowsFrom(inputs);
        return options.outputs ? options.outputs(rows) : fixtureOutputs(fixture, rows);
      } finally {
        inFlight -= 1;
      }
    },
    runDirect(inputs: readonly TensorData[]) {
      return route.run(inputs);
    },
    async load() {},
  };
  return route;
}

/** Member routes by `models/{m}/versions/{n}`, as the router's `memberRoute` callback gives them. */
export function routesOf(routes: readonly Route[]): (modelId: string, number: number) => Promise<Route> {
  const byName = new Map(routes.map((r) => [r.modelVersion, r]));
  return async (modelId, number) => {
    const r = byName.get(`models/${modelId}/versions/${number}`);
    if (!r) throw new Error(`no route for models/${modelId}/versions/${number}`);
    return r;
  };
}

/** The feedback source the inference domain provides, over its table (tests only). */
export const tableFeedbackSource: EnsembleFeedbackSource = {
  async latestId(em: EntityManager) {
    const last = await em.fork().findOne(FeedbackEntity, { id: { $gt: 0 } }, { orderBy: { id: "desc" } });
    return last?.id ?? 0;
  },
  async since(em: EntityManager, afterId: number, limit: number) {
    const rows = await em.fork().find(FeedbackEntity, { id: { $gt: afterId }, modelVersion: { $like: "ensembles/%" } }, { orderBy: { id: "asc" }, limit });
    return rows.map((f) => ({ id: f.id, predictionId: f.predictionId, row: f.row, answeredBy: f.modelVersion, label: f.label ?? null, value: f.value ?? null }));
  },
};

/** Stores an outcome report the way the inference domain does. */
export async function reportOutcome(orm: Orm, predictionId: string, answeredBy: string, row: number, outcome: { label?: string; value?: number }): Promise<void> {
  const em = orm.em.fork();
  const now = new Date();
  em.create(FeedbackEntity, {
    predictionId,
    row,
    service: "svc",
    modelVersion: answeredBy,
    label: outcome.label ?? null,
    value: outcome.value ?? null,
    predictedLabel: null,
    abTest: "",
    canaryRollout: "",
    variant: "",
    metrics: {},
    predictTime: now,
    createTime: now,
    updateTime: now,
  });
  await em.flush();
}

// ---------------------------------------------------------------- tiny ONNX models

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

const bytes = (parts: readonly (readonly number[] | Uint8Array)[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const field = (n: number, wire: number) => varint((n << 3) | wire);
const vint = (n: number, v: number | bigint) => [...field(n, 0), ...varint(v)];
const len = (n: number, body: Uint8Array | readonly number[]) => [...field(n, 2), ...varint(body.length), ...Array.from(body)];
const str = (n: number, s: string) => len(n, new TextEncoder().encode(s));

const ONNX_FLOAT = 1;
const ONNX_INT64 = 7;

function tensorType(elem: number, dims: readonly (number | string)[]): number[] {
  const shape = bytes(dims.map((d) => len(1, typeof d === "number" ? vint(1, d) : str(2, d))));
  return len(1, bytes([vint(1, elem), len(2, shape)]));
}

const valueInfo = (name: string, type: readonly number[]) => bytes([str(1, name), len(2, type)]);

function onnxModel(nodes: readonly Uint8Array[], initializers: readonly Uint8Array[], inputs: readonly Uint8Array[], outputs: readonly Uint8Array[]): Uint8Array {
  const graph = bytes([...nodes.map((n) => len(1, n)), str(2, "g"), ...initializers.map((t) => len(5, t)), ...inputs.map((i) => len(11, i)), ...outputs.map((o) => len(12, o))]);
  return bytes([vint(1, 8), str(2, "artenic-test"), len(8, bytes([str(1, ""), vint(2, 13)])), len(7, graph)]);
}

/**
 * A meta model `y = x · W` for META_LEARNER: x float32 [N, rows of W], W given row-major
 * (`rows × cols`), y float32 [N, cols].
 */
export function matMulModel(w: readonly (readonly number[])[]): Uint8Array {
  const rows = w.length;
  const cols = w[0]!.length;
  const raw = new Uint8Array(Float32Array.from(w.flat()).buffer);
  const weights = bytes([vint(1, rows), vint(1, cols), vint(2, ONNX_FLOAT), str(8, "W"), len(9, raw)]);
  const node = bytes([str(1, "x"), str(1, "W"), str(2, "y"), str(3, "matmul"), str(4, "MatMul")]);
  return onnxModel([node], [weights], [valueInfo("x", tensorType(ONNX_FLOAT, ["N", rows]))], [valueInfo("y", tensorType(ONNX_FLOAT, ["N", cols]))]);
}

/**
 * A classifier with the iris signature (input float32 [N, 4]; label int64 [N]; probabilities as
 * a sequence of int64-keyed maps) whose graph uses an operator no runtime has: it registers, and
 * fails to load, so it is a member that always fails.
 */
export function brokenIrisClassifier(): Uint8Array {
  const node = bytes([str(1, "input"), str(2, "label"), str(2, "probabilities"), str(3, "broken"), str(4, "ArtenicNoSuchOperator")]);
  const mapType = len(5, bytes([vint(1, ONNX_INT64), len(2, tensorType(ONNX_FLOAT, []))]));
  const sequence = len(4, bytes([len(1, mapType)]));
  return onnxModel([node], [], [valueInfo("input", tensorType(ONNX_FLOAT, ["N", 4]))], [valueInfo("label", tensorType(ONNX_INT64, ["N"])), valueInfo("probabilities", sequence)]);
}
