import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Orm } from "../platform/db/orm.js";
import { AppError } from "../platform/errors/app-error.js";
import type { Route } from "../inference/index.js";
import { classificationsOf } from "../inference/tensor.mapper.js";
import { fixtureExpected } from "../../test/support/fixtures.js";
import { createEnsemble, getEnsemble, stateOf, type EnsembleDeps } from "./ensemble.use-cases.js";
import { DEFAULT_MEMBER_TIMEOUT_MS, DEFAULT_STRATEGY_SETTINGS, effectiveWeights, type EnsembleConfig } from "./ensemble-state.js";
import { createEnsembleRuntime, type EnsembleRuntime } from "./ensemble-runtime.js";
import { fakeRoute, fixtureOutputs, indexInputs, registerFixture, reportOutcome, routesOf, tableFeedbackSource, testContext, testOrm } from "./testing.js";
import type { OutputValue } from "./member-outputs.js";

const deps: EnsembleDeps = { referenceCheckers: [], listeners: [] };
const LR = "models/iris-lr/versions/1";
const RF = "models/iris-rf/versions/1";
const LR2 = "models/iris-lr/versions/2";
const GBR = "models/gbr/versions/1";
const GBR2 = "models/gbr/versions/2";
const META = "models/meta/versions/1";
const ALL_ROWS = Array.from({ length: 20 }, (_, i) => i);
const iris = { lr: fixtureExpected("iris_logreg"), rf: fixtureExpected("iris_random_forest") };
const gbr = fixtureExpected("diabetes_gbr");

function config(members: readonly (string | [string, number])[], more: Partial<EnsembleConfig> = {}): EnsembleConfig {
  return {
    displayName: "",
    description: "",
    labels: {},
    task: "classification",
    members: members.map((m) => (typeof m === "string" ? { modelVersion: m, weight: 0 } : { modelVersion: m[0], weight: m[1] })),
    strategy: "WEIGHTED_AVERAGE",
    strategySettings: DEFAULT_STRATEGY_SETTINGS,
    metaModelVersion: "",
    memberTimeoutMs: DEFAULT_MEMBER_TIMEOUT_MS,
    quorum: 0,
    fallback: { mode: "none", modelVersion: "" },
    autoPrune: { enabled: false, weightThreshold: null, minMembers: 0, minObservations: 0 },
    autoEvolve: { enabled: false, rules: [] },
    ...more,
  };
}

function probabilities(outputs: Record<string, OutputValue>): Record<string, number>[] {
  const maps = outputs["probabilities"];
  if (maps?.kind !== "sequence_of_maps") throw new Error("no probabilities");
  return maps.maps.map((m) => Object.fromEntries([...m].map(([k, v]) => [String(k), v])));
}

function labels(outputs: Record<string, OutputValue>): string[] {
  const t = outputs["label"];
  if (t?.kind !== "tensor" || t.tensor.dataType !== "string") throw new Error("no string labels");
  return [...t.tensor.data];
}

function values(outputs: Record<string, OutputValue>, name = "variable"): number[] {
  const t = outputs[name];
  if (t?.kind !== "tensor" || t.tensor.dataType !== "float32") throw new Error(`no float32 ${name}`);
  expect(t.tensor.shape).toEqual([t.tensor.data.length, 1]);
  return Array.from(t.tensor.data);
}

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e;
}

describe("ensemble runtime", () => {
  let orm: Orm;
  let runtime: EnsembleRuntime;
  let n = 0;

  /** Creates an ensemble and resolves a runner over the given fake member routes. */
  async function runner(c: EnsembleConfig, routes: readonly Route[]) {
    const id = `e${++n}`;
    await createEnsemble(testContext(orm), deps, id, c);
    return { id, runner: await runtime.resolve(orm.em.fork(), id, routesOf(routes)) };
  }

  beforeAll(async () => {
    orm = await testOrm();
    await registerFixture(orm, "iris-lr", "iris_logreg", 2);
    await registerFixture(orm, "iris-rf", "iris_random_forest");
    await registerFixture(orm, "gbr", "diabetes_gbr", 2);
    await registerFixture(orm, "meta", "iris_logreg");
    runtime = createEnsembleRuntime({ em: () => orm.em.fork(), feedback: tableFeedbackSource, deps, cacheTtlMs: 0 });
  });
  afterAll(async () => orm?.close());

  it("combines the fixtures' probabilities by weighted average, as hand-computed, in the single-model output form", async () => {
    const { runner: r } = await runner(config([[LR, 3], [RF, 1]]), [fakeRoute(LR, "iris_logreg"), fakeRoute(RF, "iris_random_forest")]);
    expect(r.name).toMatch(/^ensembles\/e\d+\/snapshots\/1$/);
    expect(r.signature.inputs.map((i) => i.name)).toEqual(["input"]);
    const result = await r.run(indexInputs(ALL_ROWS));
    const probs = probabilities(result.outputs);
    ALL_ROWS.forEach((row) => {
      const expected = [0, 1, 2].map((k) => 0.75 * iris.lr.outputs.probabilities![row]![k]! + 0.25 * iris.rf.outputs.probabilities![row]![k]!);
      expected.forEach((p, k) => expect(probs[row]![String(k)]).toBeCloseTo(p, 6));
      expect(labels(result.outputs)[row]).toBe(String(expected.indexOf(Math.max(...expected))));
    });
    // The existing predict paths read it like a classifier's answer.
    const classifications = classificationsOf(result.outputs, 20);
    expect(classifications[9]?.label).toBe(labels(result.outputs)[9]);
    expect(result.members.map((m) => [m.modelVersion, m.ok, m.weight])).toEqual([
      [LR, true, 0.75],
      [RF, true, 0.25],
    ]);
    expect(result.degraded).toBe(false);
  });

  it("runs the members concurrently", async () => {
    const routes = [fakeRoute(LR, "iris_logreg", { delayMs: 80 }), fakeRoute(RF, "iris_random_forest", { delayMs: 80 }), fakeRoute(LR2, "iris_logreg", { delayMs: 80 })];
    const { runner: r } = await runner(config([LR, RF, LR2]), routes);
    const started = performance.now();
    await r.run(indexInputs([0, 1]));
    expect(performance.now() - started).toBeLessThan(200);
    expect(routes.map((x) => x.calls)).toEqual([1, 1, 1]);
  });

  it("counts a member past its timeout as failed and answers with the others", async () => {
    const { runner: r } = await runner(config([LR, RF, LR2], { memberTimeoutMs: 30 }), [
      fakeRoute(LR, "iris_logreg"),
      fakeRoute(RF, "iris_random_forest", { delayMs: 500 }),
      fakeRoute(LR2, "iris_logreg"),
    ]);
    const started = performance.now();
    const result = await r.run(indexInputs([9]));
    expect(performance.now() - started).toBeLessThan(300);
    const rf = result.members.find((m) => m.modelVersion === RF)!;
    expect([rf.ok, rf.weight, rf.latencyMs]).toEqual([false, 0, 30]);
    expect(rf.error).toMatch(/timed out after 30 ms/);
    expect(result.degraded).toBe(false);
    expect(labels(result.outputs)).toEqual(["2"]);
  });

  it("fails with UNAVAILABLE naming who failed when the quorum is not met", async () => {
    const { runner: r } = await runner(config([LR, RF, LR2], { quorum: 2 }), [
      fakeRoute(LR, "iris_logreg"),
      fakeRoute(RF, "iris_random_forest", { error: new Error("session crashed") }),
      fakeRoute(LR2, "iris_logreg", { error: new Error("out of memory") }),
    ]);
    const e = await errorOf(r.run(indexInputs([0])));
    expect([e.kind, e.reason]).toEqual(["unavailable", "ENSEMBLE_QUORUM_NOT_MET"]);
    expect(e.message).toMatch(/1 member\(s\) answered, 2 needed/);
    expect(e.metadata["failed"]).toBe(`${RF},${LR2}`);
    expect(e.message).toMatch(/session crashed/);
  });

  it("gives a degraded answer from the available members, the best member, or a fallback version", async () => {
    const failing = () => [fakeRoute(LR, "iris_logreg"), fakeRoute(RF, "iris_random_forest", { error: new Error("down") }), fakeRoute(LR2, "iris_logreg", { error: new Error("down") })];
    const available = await (await runner(config([LR, RF, LR2], { quorum: 3, fallback: { mode: "available_members", modelVersion: "" } }), failing())).runner.run(indexInputs([9]));
    expect(available.degraded).toBe(true);
    expect(probabilities(available.outputs)[0]!["2"]).toBeCloseTo(iris.lr.outputs.probabilities![9]![2]!, 6);

    const best = await (
      await runner(config([[LR, 1], [RF, 1], [LR2, 5]], { quorum: 3, fallback: { mode: "best_member", modelVersion: "" } }), [
        fakeRoute(LR, "iris_logreg"),
        fakeRoute(RF, "iris_random_forest"),
        fakeRoute(LR2, "iris_logreg", { error: new Error("down") }),
      ])
    ).runner.run(indexInputs([9]));
    expect(best.degraded).toBe(true);
    expect(best.members.map((m) => m.weight)).toEqual([1, 0, 0]);
    const heavier = await (
      await runner(config([[LR, 1], [RF, 4], [LR2, 5]], { quorum: 3, fallback: { mode: "best_member", modelVersion: "" } }), [
        fakeRoute(LR, "iris_logreg"),
        fakeRoute(RF, "iris_random_forest"),
        fakeRoute(LR2, "iris_logreg", { error: new Error("down") }),
      ])
    ).runner.run(indexInputs([9]));
    // Row 9: the forest says 1 where the logistic regression says 2; the heavier forest answers alone.
    expect(heavier.members.map((m) => m.weight)).toEqual([0, 1, 0]);
    expect(labels(heavier.outputs)).toEqual(["1"]);

    const fallback = await (
      await runner(config([LR, LR2], { quorum: 2, fallback: { mode: "model_version", modelVersion: RF } }), [
        fakeRoute(LR, "iris_logreg"),
        fakeRoute(LR2, "iris_logreg", { error: new Error("down") }),
        fakeRoute(RF, "iris_random_forest"),
      ])
    ).runner.run(indexInputs([9]));
    expect(fallback.degraded).toBe(true);
    expect(labels(fallback.outputs)).toEqual(["1"]);
    expect(fallback.members.every((m) => m.weight === 0)).toBe(true);
  });

  it("rethrows the caller's INVALID_ARGUMENT when every member refused the inputs", async () => {
    const bad = new AppError("invalid_argument", "INVALID_INPUT", "bad input");
    const { runner: r } = await runner(config([LR, RF]), [fakeRoute(LR, "iris_logreg", { error: bad }), fakeRoute(RF, "iris_random_forest", { error: bad })]);
    expect((await errorOf(r.run(indexInputs([0])))).reason).toBe("INVALID_INPUT");
  });

  it("votes by majority with vote shares, ties going to the higher mean probability", async () => {
    // Row 9: logistic regression says 2 (twice, as two members), the forest says 1.
    const { runner: r } = await runner(config([LR, RF, LR2], { strategy: "MAJORITY_VOTE" }), [fakeRoute(LR, "iris_logreg"), fakeRoute(RF, "iris_random_forest"), fakeRoute(LR2, "iris_logreg")]);
    const result = await r.run(indexInputs(ALL_ROWS));
    ALL_ROWS.forEach((row) => {
      const votes = [iris.lr.outputs.labels![row]!, iris.rf.outputs.labels![row]!, iris.lr.outputs.labels![row]!];
      const count = (c: number) => votes.filter((v) => v === c).length;
      const winner = [0, 1, 2].reduce((a, b) => (count(b) > count(a) ? b : a));
      expect(labels(result.outputs)[row]).toBe(String(winner));
      expect(probabilities(result.outputs)[row]![String(winner)]).toBeCloseTo(count(winner) / 3, 9);
    });
  });

  it("averages regression values with weights into a float32 [rows, 1] output", async () => {
    const shifted = (rows: readonly number[]) => ({ variable: { kind: "tensor" as const, tensor: { name: "variable", dataType: "float32" as const, shape: [rows.length, 1], data: Float32Array.from(rows.map((i) => gbr.outputs.values![i]! + 10)) } } });
    const { runner: r } = await runner(config([[GBR, 1], [GBR2, 3]], { task: "regression" }), [fakeRoute(GBR, "diabetes_gbr"), fakeRoute(GBR2, "diabetes_gbr", { outputs: shifted })]);
    expect(r.signature.outputs.map((o) => o.name)).toEqual(["variable"]);
    const v = values((await r.run(indexInputs(ALL_ROWS, 10))).outputs);
    ALL_ROWS.forEach((row) => expect(v[row]).toBeCloseTo(gbr.outputs.values![row]! + 7.5, 3));
  });

  it("feeds the meta model the members' probabilities and answers with its output", async () => {
    // A meta model that weighs the first member 0.8 and the second 0.2: y = x · W, W = [0.8·I; 0.2·I].
    const meta = fakeRoute(META, "iris_logreg", {
      outputs: () => {
        throw new Error("unused");
      },
    });
    let seen: number[] = [];
    const metaRoute: Route = {
      ...meta,
      signature: { ...meta.signature, inputs: [{ name: "x", dataType: "float32", shape: [-1, 6], dimNames: ["", ""], kind: "tensor" }] },
      async runDirect(inputs) {
        const x = inputs[0]!;
        expect(x.name).toBe("x");
        expect(x.shape).toEqual([2, 6]);
        seen = Array.from(x.data as Float32Array);
        const rows = x.shape[0]!;
        const out = new Float32Array(rows * 3);
        for (let r = 0; r < rows; r++) for (let k = 0; k < 3; k++) out[r * 3 + k] = 0.8 * (x.data as Float32Array)[r * 6 + k]! + 0.2 * (x.data as Float32Array)[r * 6 + 3 + k]!;
        return { y: { kind: "tensor", tensor: { name: "y", dataType: "float32", shape: [rows, 3], data: out } } };
      },
    };
    await registerFixture(orm, "meta6", "iris_logreg");
    const { runner: r } = await runner(config([LR, RF], { strategy: "META_LEARNER", metaModelVersion: "models/meta6/versions/1" }), [
      fakeRoute(LR, "iris_logreg"),
      fakeRoute(RF, "iris_random_forest"),
      { ...metaRoute, modelVersion: "models/meta6/versions/1" },
    ]);
    const result = await r.run(indexInputs([9, 10]));
    expect(seen.slice(0, 6).map((v) => Number(v.toFixed(5)))).toEqual([...iris.lr.outputs.probabilities![9]!, ...iris.rf.outputs.probabilities![9]!].map((v) => Number(Math.fround(v).toFixed(5))));
    [9, 10].forEach((row, i) =>
      [0, 1, 2].forEach((k) => expect(probabilities(result.outputs)[i]![String(k)]).toBeCloseTo(0.8 * iris.lr.outputs.probabilities![row]![k]! + 0.2 * iris.rf.outputs.probabilities![row]![k]!, 5)),
    );
  });

  it("learns dynamic weights from reported outcomes joined to remembered answers", async () => {
    const { id, runner: r } = await runner(config([LR, RF], { strategy: "DYNAMIC_WEIGHTING" }), [fakeRoute(LR, "iris_logreg"), fakeRoute(RF, "iris_random_forest")]);
    // Truth = the forest's labels: the logistic regression is wrong on rows 9 and 15.
    await runtime.learnNow();
    for (let call = 0; call < 3; call++) {
      const result = await r.run(indexInputs(ALL_ROWS));
      const predictionId = `svc~e.${id}.1~call${call}`;
      expect(runtime.recordPrediction(predictionId, r.name, result.outputs)).toBe(true);
      for (const row of [9, 15, 0, 7]) await reportOutcome(orm, predictionId, r.name, row, { label: String(iris.rf.outputs.labels![row]) });
    }
    expect(await runtime.learnNow()).toBe(12);
    const state = stateOf(await getEnsemble(orm.em.fork(), id));
    const [lr, rf] = effectiveWeights(state.config, state.learned);
    expect(rf!).toBeGreaterThan(lr!);
    expect(state.learned.observationCount).toBe(12);
    expect(state.learned.dynamic.members[1]!.runningAccuracy).toBe(1);
    // The next runner combines with the learned weights.
    const next = await runtime.resolve(orm.em.fork(), id, routesOf([fakeRoute(LR, "iris_logreg"), fakeRoute(RF, "iris_random_forest")]));
    const again = await next.run(indexInputs([9]));
    expect(again.members[1]!.weight).toBeCloseTo(rf!, 9);
    expect(labels(again.outputs)).toEqual(["1"]);
  });

  it("joins per-row prediction ids and fits stacking once enough outcomes arrived", async () => {
    const settings = { ...DEFAULT_STRATEGY_SETTINGS, stacking: { ...DEFAULT_STRATEGY_SETTINGS.stacking, minObservations: 8 } };
    const noisy = (rows: readonly number[]) => ({ variable: { kind: "tensor" as const, tensor: { name: "variable", dataType: "float32" as const, shape: [rows.length, 1], data: Float32Array.from(rows.map((i) => gbr.outputs.values![i]! * 0.5 + (i % 3) * 7)) } } });
    const routes = [fakeRoute(GBR, "diabetes_gbr"), fakeRoute(GBR2, "diabetes_gbr", { outputs: noisy })];
    const { id, runner: r } = await runner(config([GBR, GBR2], { task: "regression", strategy: "STACKING", strategySettings: settings }), routes);
    await runtime.learnNow();
    // Rows predicted one call at a time with per-row ids `<call>~<row>`, like PredictBatch.
    const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const result = await r.run(indexInputs(rows, 10));
    const call = `svc~e.${id}.1~batch`;
    expect(runtime.recordPrediction(call, r.name, result, rows.map((x) => x + 100))).toBe(true);
    for (const row of rows) await reportOutcome(orm, `${call}~${row + 100}`, r.name, row + 100, { value: gbr.outputs.values![row]! });
    expect(await runtime.learnNow()).toBe(10);
    const e = await getEnsemble(orm.em.fork(), id);
    expect(e.learned.stacking?.model).not.toBeNull();
    const [a] = effectiveWeights(stateOf(e).config, stateOf(e).learned);
    expect(a!).toBeCloseTo(1, 3);
    const fitted = await runtime.resolve(orm.em.fork(), id, routesOf(routes));
    const v = values((await fitted.run(indexInputs([11, 12], 10))).outputs);
    expect(v[0]).toBeCloseTo(gbr.outputs.values![11]!, 1);
  });

  it("records member failures for the ensemble's member figures", async () => {
    const { id, runner: r } = await runner(config([LR, RF]), [fakeRoute(LR, "iris_logreg"), fakeRoute(RF, "iris_random_forest", { error: new Error("boom") })]);
    await r.run(indexInputs([0]));
    await r.run(indexInputs([1]));
    await runtime.learnNow();
    const e = await getEnsemble(orm.em.fork(), id);
    expect(e.memberStats[RF]).toMatchObject({ failureCount: 2, lastError: "boom" });
  });

  it("remembers only its own results, and with the snapshot that answered", async () => {
    const { runner: r } = await runner(config([LR, RF]), [fakeRoute(LR, "iris_logreg"), fakeRoute(RF, "iris_random_forest")]);
    const result = await r.run(indexInputs([0]));
    expect(runtime.recordPrediction("x", "ensembles/other/snapshots/1", result)).toBe(false);
    expect(runtime.recordPrediction("x", r.name, fixtureOutputs("iris_logreg", [0]))).toBe(false);
  });
});
