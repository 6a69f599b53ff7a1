/**
 * Predictions through services whose target is an ensemble, on the real fixture models, against
 * hand-computed expectations. Needs the ensemble runtime wired into the server (the model router's
 * resolver, `recordPrediction` in the predict paths, the runtime started with the server).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { InferenceService, PredictRowSchema } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { EnsembleService } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import { EnsembleSchema, EnsembleStrategy, EnsembleTask, FallbackMode } from "@artenic/gen/artenic/ensemble/v1/ensemble_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { fixtureBytes, fixtureExpected, floatRow, floatRows } from "../support/fixtures.js";
import { brokenIrisClassifier, matMulModel } from "../../src/ensemble/testing.js";

async function* upload(parent: string, bytes: Uint8Array) {
  yield { content: { case: "metadata" as const, value: { parent, format: ArtifactFormat.ONNX } } };
  for (let i = 0; i < bytes.length; i += 64 * 1024) yield { content: { case: "chunk" as const, value: bytes.subarray(i, i + 64 * 1024) } };
}

const LR = "models/iris-logreg/versions/1";
const LR2 = "models/iris-logreg/versions/2";
const RF = "models/iris-random-forest/versions/1";
const GBR = "models/diabetes-gbr/versions/1";
const GBR2 = "models/diabetes-gbr/versions/2";
const META = "models/meta/versions/1";
const BROKEN = "models/broken/versions/1";
const lr = fixtureExpected("iris_logreg");
const rf = fixtureExpected("iris_random_forest");
const gbr = fixtureExpected("diabetes_gbr");
const argmax = (p: readonly number[]) => p.indexOf(Math.max(...p));

describe("predicting through a service that targets an ensemble", () => {
  let server: TestServer;
  let ensembles: ReturnType<typeof createClient<typeof EnsembleService>>;
  let inference: ReturnType<typeof createClient<typeof InferenceService>>;

  /** Creates an ensemble and a service of the same id that targets it. */
  async function served(id: string, ensemble: MessageInitShape<typeof EnsembleSchema>) {
    await ensembles.createEnsemble({ ensembleId: id, ensemble: create(EnsembleSchema, ensemble) });
    await inference.createService({ serviceId: id, service: { target: { target: { case: "ensemble", value: `ensembles/${id}` } } } });
  }

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] });
    ensembles = createClient(EnsembleService, transport);
    inference = createClient(InferenceService, transport);
    const registry = createClient(RegistryService, transport);
    const models: [string, Uint8Array, number][] = [
      ["iris-logreg", fixtureBytes("iris_logreg"), 2],
      ["iris-random-forest", fixtureBytes("iris_random_forest"), 1],
      ["diabetes-gbr", fixtureBytes("diabetes_gbr"), 2],
      // META_LEARNER: y = x · W over [LR's 3 probabilities, RF's 3], i.e. 0.8·LR + 0.2·RF.
      ["meta", matMulModel([[0.8, 0, 0], [0, 0.8, 0], [0, 0, 0.8], [0.2, 0, 0], [0, 0.2, 0], [0, 0, 0.2]]), 1],
      ["broken", brokenIrisClassifier(), 1],
    ];
    for (const [id, bytes, versions] of models) {
      await registry.createModel({ modelId: id, model: {} });
      for (let v = 0; v < versions; v++) await registry.uploadModelVersion(upload(`models/${id}`, bytes));
    }
  });
  afterAll(async () => server?.dispose());

  it("WEIGHTED_AVERAGE: the members' real probabilities, 3:1, with who answered", async () => {
    await served("wa", { task: EnsembleTask.CLASSIFICATION, strategy: EnsembleStrategy.WEIGHTED_AVERAGE, members: [{ modelVersion: LR, weight: 3 }, { modelVersion: RF, weight: 1 }] });
    const res = await inference.predict({ service: "services/wa", inputs: [floatRows(lr.inputs)] });
    expect(res.ensembleSnapshot).toBe("ensembles/wa/snapshots/1");
    expect(res.ensembleMembers.map((m) => [m.modelVersion, m.status?.code ?? 0, m.weight])).toEqual([
      [LR, 0, 0.75],
      [RF, 0, 0.25],
    ]);
    res.classifications.forEach((c, row) => {
      const expected = [0, 1, 2].map((k) => 0.75 * lr.outputs.probabilities![row]![k]! + 0.25 * rf.outputs.probabilities![row]![k]!);
      expected.forEach((p, k) => expect(c.probabilities[String(k)]!, `row ${row} class ${k}`).toBeCloseTo(p, 5));
      expect(c.label).toBe(String(argmax(expected)));
    });
  });

  it("MAJORITY_VOTE: each member's top label, the vote shares as probabilities", async () => {
    await served("vote", { task: EnsembleTask.CLASSIFICATION, strategy: EnsembleStrategy.MAJORITY_VOTE, members: [{ modelVersion: LR }, { modelVersion: RF }, { modelVersion: LR2 }] });
    const res = await inference.predict({ service: "services/vote", inputs: [floatRows(lr.inputs)] });
    res.classifications.forEach((c, row) => {
      const votes = [lr.outputs.labels![row]!, rf.outputs.labels![row]!, lr.outputs.labels![row]!];
      const winner = votes.filter((v) => v === lr.outputs.labels![row]).length >= 2 ? lr.outputs.labels![row]! : rf.outputs.labels![row]!;
      expect(c.label, `row ${row}`).toBe(String(winner));
      expect(c.probabilities[String(winner)]).toBeCloseTo(votes.filter((v) => v === winner).length / 3, 9);
    });
  });

  it("META_LEARNER: the ONNX meta model combines the members' probabilities", async () => {
    await served("meta", {
      task: EnsembleTask.CLASSIFICATION,
      strategy: EnsembleStrategy.META_LEARNER,
      strategyConfig: { metaLearner: { metaModelVersion: META } },
      members: [{ modelVersion: LR }, { modelVersion: RF }],
    });
    const res = await inference.predict({ service: "services/meta", inputs: [floatRows(lr.inputs)] });
    res.classifications.forEach((c, row) => {
      [0, 1, 2].forEach((k) => expect(c.probabilities[String(k)]!).toBeCloseTo(0.8 * lr.outputs.probabilities![row]![k]! + 0.2 * rf.outputs.probabilities![row]![k]!, 5));
    });
  });

  it("STACKING before its first fit combines like WEIGHTED_AVERAGE; regression values are averaged", async () => {
    await served("stack", { task: EnsembleTask.REGRESSION, strategy: EnsembleStrategy.STACKING, members: [{ modelVersion: GBR }, { modelVersion: GBR2 }] });
    const res = await inference.predict({ service: "services/stack", inputs: [floatRows(gbr.inputs)] });
    const values = (res.outputs[0]!.contents.value as { values: number[] }).values;
    expect(res.outputs[0]!.shape).toEqual([20n, 1n]);
    values.forEach((v, row) => expect(v).toBeCloseTo(gbr.outputs.values![row]!, 3));
  });

  it("answers UNAVAILABLE naming the failed member when the quorum is not met, and a fallback answer once one is set", async () => {
    await served("fragile", { task: EnsembleTask.CLASSIFICATION, strategy: EnsembleStrategy.WEIGHTED_AVERAGE, quorum: 2, members: [{ modelVersion: LR }, { modelVersion: BROKEN }] });
    const e = ConnectError.from(await inference.predict({ service: "services/fragile", inputs: [floatRows(lr.inputs.slice(0, 2))] }).catch((x: unknown) => x));
    expect(Code[e.code]).toBe("Unavailable");
    expect(e.findDetails(ErrorInfoSchema)[0]?.reason).toBe("ENSEMBLE_QUORUM_NOT_MET");
    expect(e.rawMessage).toContain(BROKEN);
    await ensembles.updateEnsemble({ ensemble: { name: "ensembles/fragile", fallback: { mode: FallbackMode.AVAILABLE_MEMBERS } }, updateMask: { paths: ["fallback"] } });
    // Serving switches to the new version within the routing cache's lifetime.
    let res = await inference.predict({ service: "services/fragile", inputs: [floatRows(lr.inputs.slice(0, 2))] }).catch(() => undefined);
    for (let i = 0; i < 30 && !res; i++) {
      await new Promise((r) => setTimeout(r, 200));
      res = await inference.predict({ service: "services/fragile", inputs: [floatRows(lr.inputs.slice(0, 2))] }).catch(() => undefined);
    }
    expect(res?.ensembleSnapshot).toBe("ensembles/fragile/snapshots/2");
    expect(res?.classifications[0]?.probabilities["0"]).toBeCloseTo(lr.outputs.probabilities![0]![0]!, 5);
    expect(res?.ensembleMembers.find((m) => m.modelVersion === BROKEN)?.status?.code).not.toBe(0);
  });

  it("predicts rows one by one (PredictBatch) through an ensemble", async () => {
    const res = await inference.predictBatch({ service: "services/wa", rows: lr.inputs.slice(0, 3).map((x) => create(PredictRowSchema, { inputs: [floatRow(x)] })) });
    expect(res.failedRowCount).toBe(0n);
    expect(res.results.map((r) => r.classification?.label)).toEqual(["0", "0", "0"]);
  });

  it("DYNAMIC_WEIGHTING learns from reported outcomes: the accurate member gains weight", async () => {
    await served("dynamic", { task: EnsembleTask.CLASSIFICATION, strategy: EnsembleStrategy.DYNAMIC_WEIGHTING, members: [{ modelVersion: LR }, { modelVersion: RF }] });
    // Truth = the forest's labels; the logistic regression is wrong on rows 9 and 15.
    for (let i = 0; i < 3; i++) {
      const res = await inference.predict({ service: "services/dynamic", inputs: [floatRows(lr.inputs)] });
      for (const row of [9, 15, 0, 12]) await inference.reportFeedback({ predictionId: res.predictionId, row, outcome: { case: "label", value: String(rf.outputs.labels![row]) } });
    }
    let learned = 0n;
    let members: { modelVersion: string; effectiveWeight: number }[] = [];
    for (let i = 0; i < 60 && learned < 12n; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const { ensemble } = await ensembles.getEnsemble({ name: "ensembles/dynamic" });
      learned = ensemble?.learnedState?.observationCount ?? 0n;
      members = ensemble?.members ?? [];
    }
    expect(learned).toBe(12n);
    expect(members[1]!.effectiveWeight).toBeGreaterThan(members[0]!.effectiveWeight);
  });
});
