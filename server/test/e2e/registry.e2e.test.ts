import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createHash, randomUUID } from "node:crypto";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema, BadRequestSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { RegistryService, MetricGoal } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ModelVersionStage, ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { ModelTransitionKind } from "@artenic/gen/artenic/registry/v1/model_transition_pb";
import { DataType, TensorKind } from "@artenic/gen/artenic/type/v1/tensor_pb";
import { apiKeyInterceptor, paginate } from "@artenic/sdk";
import { databaseKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const fixture = (name: string) => new URL(`../../../fixtures/models/${name}`, import.meta.url);
const logreg = readFileSync(fixture("iris_logreg.onnx"));

function reasonOf(e: unknown): string | undefined {
  return ConnectError.from(e).findDetails(ErrorInfoSchema)[0]?.reason;
}

async function expectCode(p: Promise<unknown>, code: Code, reason?: string): Promise<ConnectError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  expect(error, "the call should have failed").toBeDefined();
  expect(Code[error!.code]).toBe(Code[code]);
  if (reason) expect(reasonOf(error)).toBe(reason);
  return error!;
}

async function* chunks(metadata: object, bytes: Uint8Array, size = 4096) {
  yield { content: { case: "metadata" as const, value: metadata } };
  for (let i = 0; i < bytes.length; i += size) yield { content: { case: "chunk" as const, value: bytes.subarray(i, i + size) } };
}

describe.each(databaseKinds)("RegistryService end to end on %s", (kind) => {
  let server: TestServer;
  let transport: Transport;
  let registry: ReturnType<typeof createClient<typeof RegistryService>>;

  beforeAll(async () => {
    server = await startTestServer(kind);
    transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] });
    registry = createClient(RegistryService, transport);
  });
  afterAll(async () => server?.dispose());

  it("creates, reads, lists and updates a model", async () => {
    const { model } = await registry.createModel({ modelId: "iris", model: { displayName: "Iris", framework: "sklearn", labels: { team: "vision" } } });
    expect(model?.name).toBe("models/iris");
    expect(model?.versionCount).toBe(0n);
    const got = await registry.getModel({ name: "models/iris" });
    expect(got.model?.labels).toEqual({ team: "vision" });
    const updated = await registry.updateModel({ model: { name: "models/iris", description: "flowers", etag: got.model!.etag }, updateMask: { paths: ["description"] } });
    expect(updated.model?.description).toBe("flowers");
    expect(updated.model?.displayName).toBe("Iris");
    await expectCode(registry.updateModel({ model: { name: "models/iris", description: "stale", etag: got.model!.etag }, updateMask: { paths: ["description"] } }), Code.Aborted, "ETAG_MISMATCH");
    const listed = await registry.listModels({ filter: 'labels.team = "vision"' });
    expect(listed.models.map((m) => m.name)).toContain("models/iris");
  });

  it("returns ALREADY_EXISTS when the model id is taken", async () => {
    await registry.createModel({ modelId: "dup", model: {} });
    await expectCode(registry.createModel({ modelId: "dup", model: {} }), Code.AlreadyExists, "MODEL_ALREADY_EXISTS");
  });

  it("replays the first response when a create is retried with the same request_id", async () => {
    const requestId = randomUUID();
    const first = await registry.createModel({ modelId: "idem", model: { displayName: "one" }, requestId });
    const again = await registry.createModel({ modelId: "idem", model: { displayName: "one" }, requestId });
    expect(again.model?.createTime).toEqual(first.model?.createTime);
    await expectCode(registry.createModel({ modelId: "idem", model: { displayName: "two" }, requestId }), Code.InvalidArgument, "REQUEST_ID_REUSED");
  });

  it("uploads a real ONNX model by streaming, reads its signature and downloads identical bytes", async () => {
    await registry.createModel({ modelId: "upload", model: {} });
    const sha256 = createHash("sha256").update(logreg).digest("hex");
    const { modelVersion } = await registry.uploadModelVersion(
      chunks({ parent: "models/upload", format: ArtifactFormat.ONNX, expectedSha256: sha256, expectedSizeBytes: BigInt(logreg.length), modelVersion: { metrics: { accuracy: 0.93 } } }, logreg, 100),
    );
    expect(modelVersion?.name).toBe("models/upload/versions/1");
    expect(modelVersion?.artifact?.sha256).toBe(sha256);
    expect(modelVersion?.artifact?.sizeBytes).toBe(BigInt(logreg.length));
    const sig = modelVersion!.signature!;
    expect(sig.inputs[0]).toMatchObject({ name: "input", dataType: DataType.FLOAT32, shape: [-1n, 4n] });
    expect(sig.outputs.map((o) => [o.name, o.kind])).toEqual([
      ["output_label", TensorKind.TENSOR],
      ["output_probability", TensorKind.SEQUENCE_OF_MAPS],
    ]);
    const parts: Uint8Array[] = [];
    let metaSeen = false;
    for await (const res of registry.downloadModelVersionArtifact({ name: modelVersion!.name, chunkSize: 128 })) {
      if (res.content.case === "metadata") {
        metaSeen = true;
        expect(res.content.value.sha256).toBe(sha256);
      } else if (res.content.case === "chunk") {
        expect(res.content.value.length).toBeLessThanOrEqual(128);
        parts.push(res.content.value);
      }
    }
    expect(metaSeen).toBe(true);
    expect(Buffer.concat(parts).equals(logreg)).toBe(true);
  });

  it("writes nothing when the checksum does not match", async () => {
    await registry.createModel({ modelId: "badsum", model: {} });
    await expectCode(
      registry.uploadModelVersion(chunks({ parent: "models/badsum", format: ArtifactFormat.ONNX, expectedSha256: "0".repeat(64) }, logreg)),
      Code.InvalidArgument,
      "CHECKSUM_MISMATCH",
    );
    const { modelVersions } = await registry.listModelVersions({ parent: "models/badsum" });
    expect(modelVersions).toHaveLength(0);
  });

  it("rejects bytes that are not an ONNX model with INVALID_ARGUMENT naming the artifact", async () => {
    await registry.createModel({ modelId: "notonnx", model: {} });
    const e = await expectCode(
      registry.uploadModelVersion(chunks({ parent: "models/notonnx", format: ArtifactFormat.ONNX }, new TextEncoder().encode("definitely not a model"))),
      Code.InvalidArgument,
      "INVALID_ONNX_MODEL",
    );
    expect(e.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe("artifact");
    expect((await registry.listModelVersions({ parent: "models/notonnx" })).modelVersions).toHaveLength(0);
  });

  it("refuses an artifact over the size limit with RESOURCE_EXHAUSTED", async () => {
    await registry.createModel({ modelId: "big", model: {} });
    await expectCode(
      registry.uploadModelVersion(chunks({ parent: "models/big", format: ArtifactFormat.OTHER, expectedSizeBytes: 10n * 1024n ** 4n }, new Uint8Array(10))),
      Code.ResourceExhausted,
      "ARTIFACT_TOO_LARGE",
    );
  });

  it("numbers versions without gaps under concurrency and never reuses a deleted number", async () => {
    await registry.createModel({ modelId: "numbers", model: {} });
    const created = await Promise.all(Array.from({ length: 8 }, () => registry.createModelVersion({ parent: "models/numbers", modelVersion: {} })));
    const numbers = created.map((c) => Number(c.modelVersion!.versionNumber)).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await registry.deleteModelVersion({ name: "models/numbers/versions/8" });
    const next = await registry.createModelVersion({ parent: "models/numbers", modelVersion: {} });
    expect(next.modelVersion?.versionNumber).toBe(9n);
  });

  it("promotes through the stages, archives the previous PRODUCTION version and records the history", async () => {
    await registry.createModel({ modelId: "stages", model: {} });
    for (let i = 0; i < 2; i++) await registry.createModelVersion({ parent: "models/stages", modelVersion: {} });
    await registry.transitionModelVersionStage({ name: "models/stages/versions/1", stage: ModelVersionStage.STAGING, reason: "tests pass" });
    await registry.transitionModelVersionStage({ name: "models/stages/versions/1", stage: ModelVersionStage.PRODUCTION, reason: "ship" });
    const second = await registry.transitionModelVersionStage({ name: "models/stages/versions/2", stage: ModelVersionStage.PRODUCTION, reason: "better" });
    expect(second.archivedModelVersions.map((v) => v.name)).toEqual(["models/stages/versions/1"]);
    expect((await registry.getModelVersion({ name: "models/stages/versions/1" })).modelVersion?.stage).toBe(ModelVersionStage.ARCHIVED);
    expect((await registry.getModel({ name: "models/stages" })).model?.productionVersion).toBe("models/stages/versions/2");
    await expectCode(
      registry.transitionModelVersionStage({ name: "models/stages/versions/1", stage: ModelVersionStage.PRODUCTION }),
      Code.FailedPrecondition,
      "ILLEGAL_STAGE_TRANSITION",
    );
    const history = await registry.listModelTransitions({ parent: "models/stages" });
    expect(history.transitions.map((t) => [t.modelVersion, t.fromStage, t.toStage])).toEqual([
      ["models/stages/versions/2", ModelVersionStage.NONE, ModelVersionStage.PRODUCTION],
      ["models/stages/versions/1", ModelVersionStage.PRODUCTION, ModelVersionStage.ARCHIVED],
      ["models/stages/versions/1", ModelVersionStage.STAGING, ModelVersionStage.PRODUCTION],
      ["models/stages/versions/1", ModelVersionStage.NONE, ModelVersionStage.STAGING],
    ]);
    expect(history.transitions[0]?.actor).toMatch(/^apiKeys\//);
    await expectCode(registry.deleteModelVersion({ name: "models/stages/versions/2" }), Code.FailedPrecondition, "MODEL_VERSION_IN_PRODUCTION");
  });

  it("keeps a single PRODUCTION version when promotions race", async () => {
    await registry.createModel({ modelId: "race", model: {} });
    for (let i = 0; i < 6; i++) await registry.createModelVersion({ parent: "models/race", modelVersion: {} });
    await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => registry.transitionModelVersionStage({ name: `models/race/versions/${n}`, stage: ModelVersionStage.PRODUCTION })),
    );
    const { modelVersions } = await registry.listModelVersions({ parent: "models/race", filter: "stage = PRODUCTION" });
    expect(modelVersions).toHaveLength(1);
  });

  it("moves aliases atomically, resolves them, and refuses to delete an aliased version", async () => {
    await registry.createModel({ modelId: "alias", model: {} });
    for (let i = 0; i < 2; i++) await registry.createModelVersion({ parent: "models/alias", modelVersion: {} });
    await registry.setModelAlias({ name: "models/alias", alias: "champion", modelVersion: "models/alias/versions/1" });
    const moved = await registry.setModelAlias({ name: "models/alias", alias: "champion", modelVersion: "models/alias/versions/2", reason: "better" });
    expect(moved.model?.aliases).toEqual({ champion: "models/alias/versions/2" });
    expect(moved.transition?.previousModelVersion).toBe("models/alias/versions/1");
    expect(moved.transition?.kind).toBe(ModelTransitionKind.ALIAS_SET);
    const resolved = await registry.resolveModelVersion({ name: "models/alias", selector: { case: "alias", value: "champion" } });
    expect(resolved.modelVersion?.name).toBe("models/alias/versions/2");
    expect(resolved.modelVersion?.aliases).toEqual(["champion"]);
    await expectCode(registry.deleteModelVersion({ name: "models/alias/versions/2" }), Code.FailedPrecondition, "MODEL_VERSION_HAS_ALIASES");
    const latest = await registry.resolveModelVersion({ name: "models/alias", selector: { case: "latest", value: true } });
    expect(latest.modelVersion?.versionNumber).toBe(2n);
  });

  it("finds the best version by a metric in either direction", async () => {
    await registry.createModel({ modelId: "best", model: {} });
    for (const [acc, loss] of [[0.8, 0.5], [0.95, 0.3], [0.9, 0.1]] as const) {
      await registry.createModelVersion({ parent: "models/best", modelVersion: { metrics: { accuracy: acc, loss } } });
    }
    await registry.createModelVersion({ parent: "models/best", modelVersion: {} });
    expect((await registry.getBestModelVersion({ parent: "models/best", metric: "accuracy", goal: MetricGoal.MAXIMIZE })).modelVersion?.versionNumber).toBe(2n);
    expect((await registry.getBestModelVersion({ parent: "models/best", metric: "loss", goal: MetricGoal.MINIMIZE })).modelVersion?.versionNumber).toBe(3n);
    await expectCode(registry.getBestModelVersion({ parent: "models/best", metric: "f1", goal: MetricGoal.MAXIMIZE }), Code.NotFound, "NO_VERSION_WITH_METRIC");
    const filtered = await registry.listModelVersions({ parent: "models/best", filter: "metrics.accuracy > 0.85", orderBy: "metrics.accuracy desc" });
    expect(filtered.modelVersions.map((v) => v.versionNumber)).toEqual([2n, 3n]);
  });

  it("pages through versions with stable tokens and refuses a token reused with another filter", async () => {
    await registry.createModel({ modelId: "pages", model: {} });
    for (let i = 0; i < 23; i++) await registry.createModelVersion({ parent: "models/pages", modelVersion: { labels: { parity: i % 2 ? "odd" : "even" } } });
    const seen: bigint[] = [];
    for await (const v of paginate((r) => registry.listModelVersions(r), { parent: "models/pages", pageSize: 5, orderBy: "version_number" }, (r) => r.modelVersions)) {
      seen.push(v.versionNumber);
    }
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => BigInt(i + 1)));
    const page = await registry.listModelVersions({ parent: "models/pages", pageSize: 5 });
    expect(page.totalSize).toBe(23n);
    await expectCode(registry.listModelVersions({ parent: "models/pages", pageSize: 5, pageToken: page.nextPageToken, filter: 'labels.parity = "odd"' }), Code.InvalidArgument, "INVALID_PAGE_TOKEN");
    await expectCode(registry.listModelVersions({ parent: "models/pages", filter: "nonsense ~ 3" }), Code.InvalidArgument, "INVALID_FILTER");
  });

  it("deletes a model with versions only when forced", async () => {
    await registry.createModel({ modelId: "gone", model: {} });
    await registry.uploadModelVersion(chunks({ parent: "models/gone", format: ArtifactFormat.ONNX }, logreg));
    await expectCode(registry.deleteModel({ name: "models/gone" }), Code.FailedPrecondition, "MODEL_HAS_VERSIONS");
    await registry.deleteModel({ name: "models/gone", force: true });
    await expectCode(registry.getModel({ name: "models/gone" }), Code.NotFound, "MODEL_NOT_FOUND");
  });
});
