import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { BadRequestSchema, ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { EnsembleService } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { EventsService } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { EventTopic } from "@artenic/gen/artenic/events/v1/event_pb";
import { EnsembleChangeKind, EnsembleSchema, EnsembleStrategy, EnsembleTask, FallbackMode } from "@artenic/gen/artenic/ensemble/v1/ensemble_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { databaseKinds } from "../support/databases.js";
import { fixtureBytes, fixturePath, type FixtureName } from "../support/fixtures.js";
import { EventStreamReader } from "../support/event-stream-reader.js";

async function* upload(parent: string, bytes: Uint8Array) {
  yield { content: { case: "metadata" as const, value: { parent, format: ArtifactFormat.ONNX } } };
  for (let i = 0; i < bytes.length; i += 64 * 1024) yield { content: { case: "chunk" as const, value: bytes.subarray(i, i + 64 * 1024) } };
}

function failure(e: unknown) {
  const err = ConnectError.from(e);
  return { code: Code[err.code], reason: err.findDetails(ErrorInfoSchema)[0]?.reason, field: err.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field, message: err.rawMessage };
}

const LR = "models/iris-logreg/versions/1";
const RF = "models/iris-random-forest/versions/1";
const DIGITS = "models/digits-mlp/versions/1";

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const iris = (more: MessageInitShape<typeof EnsembleSchema> = {}) =>
  create(EnsembleSchema, { task: EnsembleTask.CLASSIFICATION, strategy: EnsembleStrategy.WEIGHTED_AVERAGE, members: [{ modelVersion: LR, weight: 3 }, { modelVersion: RF, weight: 1 }], ...more });

describe.each(databaseKinds)("EnsembleService end to end on %s", (kind) => {
  let server: TestServer;
  let ensembles: ReturnType<typeof createClient<typeof EnsembleService>>;
  let connect: ReturnType<typeof createClient<typeof EnsembleService>>;
  let registry: ReturnType<typeof createClient<typeof RegistryService>>;
  let training: ReturnType<typeof createClient<typeof TrainingService>>;
  let events: ReturnType<typeof createClient<typeof EventsService>>;
  const abort = new AbortController();

  beforeAll(async () => {
    server = await startTestServer(kind, { ARTENIC_TRAINING_PROVIDERS: "local", ARTENIC_TRAINING_RECONCILE_MS: "100" });
    const interceptors = [apiKeyInterceptor(server.adminKey)];
    const grpc = createGrpcTransport({ baseUrl: server.url, interceptors });
    ensembles = createClient(EnsembleService, grpc);
    connect = createClient(EnsembleService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors }));
    registry = createClient(RegistryService, grpc);
    training = createClient(TrainingService, grpc);
    events = createClient(EventsService, grpc);
    for (const name of ["iris_logreg", "iris_random_forest", "digits_mlp"] as FixtureName[]) {
      const id = name.replace(/_/g, "-");
      await registry.createModel({ modelId: id, model: {} });
      await registry.uploadModelVersion(upload(`models/${id}`, fixtureBytes(name)));
    }
    await registry.uploadModelVersion(upload("models/iris-logreg", fixtureBytes("iris_logreg")));
  });
  afterAll(async () => {
    abort.abort();
    await server?.dispose();
  });

  it("creates, reads, lists and deletes an ensemble, over gRPC and Connect", async () => {
    const requestId = randomUUID();
    const { ensemble } = await ensembles.createEnsemble({ ensembleId: "crud", ensemble: iris({ displayName: "Iris pair", labels: { team: "vision" } }), requestId });
    expect(ensemble?.name).toBe("ensembles/crud");
    expect(ensemble?.version).toBe(1n);
    expect(ensemble?.members.map((m) => m.effectiveWeight)).toEqual([0.75, 0.25]);
    // A retry with the same request id replays the first answer.
    const replay = await ensembles.createEnsemble({ ensembleId: "crud", ensemble: iris({ displayName: "Iris pair", labels: { team: "vision" } }), requestId });
    expect(replay.ensemble?.etag).toBe(ensemble?.etag);
    const got = await connect.getEnsemble({ name: "ensembles/crud" });
    expect(got.ensemble?.displayName).toBe("Iris pair");
    const listed = await ensembles.listEnsembles({ filter: 'labels.team = "vision" AND task = ENSEMBLE_TASK_CLASSIFICATION' });
    expect(listed.ensembles.map((e) => e.name)).toContain("ensembles/crud");
    await ensembles.deleteEnsemble({ name: "ensembles/crud", etag: ensemble!.etag });
    expect(failure(await ensembles.getEnsemble({ name: "ensembles/crud" }).catch((x: unknown) => x))).toMatchObject({ code: "NotFound", reason: "ENSEMBLE_NOT_FOUND" });
  });

  it("versions every change with a snapshot and restores one as a new version", async () => {
    await ensembles.createEnsemble({ ensembleId: "history", ensemble: iris() });
    await ensembles.updateEnsemble({ ensemble: iris({ name: "ensembles/history", strategy: EnsembleStrategy.DYNAMIC_WEIGHTING }), updateMask: { paths: ["strategy"] }, reason: "learn weights" });
    await ensembles.addEnsembleMember({ name: "ensembles/history", member: { modelVersion: "models/iris-logreg/versions/2" }, reason: "one more" });
    const removed = await ensembles.removeEnsembleMember({ name: "ensembles/history", modelVersion: RF, etag: '"3"' });
    expect(removed.ensemble?.version).toBe(4n);
    const { snapshots, totalSize } = await ensembles.listEnsembleSnapshots({ parent: "ensembles/history" });
    expect(totalSize).toBe(4n);
    expect(snapshots.map((s) => s.changeKind)).toEqual([EnsembleChangeKind.REMOVE_MEMBER, EnsembleChangeKind.ADD_MEMBER, EnsembleChangeKind.UPDATE, EnsembleChangeKind.CREATE]);
    expect(snapshots[2]?.reason).toBe("learn weights");
    expect(snapshots.every((s) => s.actor.startsWith("apiKeys/"))).toBe(true);
    const first = await ensembles.getEnsembleSnapshot({ name: "ensembles/history/snapshots/1" });
    expect(first.snapshot?.ensemble?.members.map((m) => m.modelVersion)).toEqual([LR, RF]);
    const restored = await ensembles.restoreEnsembleSnapshot({ name: "ensembles/history/snapshots/1", reason: "back to the pair" });
    expect(restored.ensemble?.version).toBe(5n);
    expect(restored.ensemble?.strategy).toBe(EnsembleStrategy.WEIGHTED_AVERAGE);
    expect(restored.ensemble?.members.map((m) => m.modelVersion)).toEqual([LR, RF]);
    const latest = await ensembles.getEnsembleSnapshot({ name: "ensembles/history/snapshots/5" });
    expect([latest.snapshot?.changeKind, latest.snapshot?.reason]).toEqual([EnsembleChangeKind.RESTORE, "back to the pair"]);
    const restores = await ensembles.listEnsembleSnapshots({ parent: "ensembles/history", filter: "change_kind = ENSEMBLE_CHANGE_KIND_RESTORE" });
    expect(restores.snapshots.map((s) => s.version)).toEqual([5n]);
  });

  it("prunes nothing in a dry run of an ensemble without outcomes", async () => {
    await ensembles.createEnsemble({ ensembleId: "prune", ensemble: iris() });
    const dry = await ensembles.pruneEnsembleMembers({ name: "ensembles/prune", dryRun: true, weightThreshold: 0.5 });
    expect(dry.prunedMembers).toHaveLength(0);
    expect(dry.ensemble?.version).toBe(1n);
  });

  it.each([
    ["no members", { ensembleId: "bad", ensemble: iris({ members: [] }) }, "InvalidArgument", undefined],
    ["a member listed twice", { ensembleId: "bad", ensemble: iris({ members: [{ modelVersion: LR }, { modelVersion: LR }] }) }, "InvalidArgument", undefined],
    ["a quorum above the members", { ensembleId: "bad", ensemble: iris({ quorum: 3 }) }, "InvalidArgument", undefined],
    ["a member that does not exist", { ensembleId: "bad", ensemble: iris({ members: [{ modelVersion: LR }, { modelVersion: "models/iris-logreg/versions/9" }] }) }, "NotFound", "MODEL_VERSION_NOT_FOUND"],
    ["members with other inputs", { ensembleId: "bad", ensemble: iris({ members: [{ modelVersion: LR }, { modelVersion: DIGITS }] }) }, "FailedPrecondition", "ENSEMBLE_MEMBERS_INCOMPATIBLE"],
    ["META_LEARNER without a meta model", { ensembleId: "bad", ensemble: iris({ strategy: EnsembleStrategy.META_LEARNER }) }, "InvalidArgument", "INVALID_ARGUMENT"],
    ["a MODEL_VERSION fallback without a version", { ensembleId: "bad", ensemble: iris({ fallback: { mode: FallbackMode.MODEL_VERSION } }) }, "InvalidArgument", "INVALID_ARGUMENT"],
  ] as const)("refuses %s", async (_, request, code, reason) => {
    const e = failure(await ensembles.createEnsemble(request).catch((x: unknown) => x));
    expect(e.code).toBe(code);
    if (reason) expect(e.reason).toBe(reason);
  });

  it("names the field when a meta model or fallback version is missing", async () => {
    const meta = failure(await ensembles.createEnsemble({ ensembleId: "bad", ensemble: iris({ strategy: EnsembleStrategy.META_LEARNER }) }).catch((x: unknown) => x));
    expect(meta.field).toBe("ensemble.strategy_config.meta_learner.meta_model_version");
    const fallback = failure(await ensembles.createEnsemble({ ensembleId: "bad", ensemble: iris({ fallback: { mode: FallbackMode.MODEL_VERSION } }) }).catch((x: unknown) => x));
    expect(fallback.field).toBe("ensemble.fallback.model_version");
  });

  it("refuses an update to a quorum above the members with FAILED_PRECONDITION, and a stale etag with ABORTED", async () => {
    await ensembles.createEnsemble({ ensembleId: "quorum", ensemble: iris() });
    const quorum = failure(await ensembles.updateEnsemble({ ensemble: iris({ name: "ensembles/quorum", quorum: 5 }), updateMask: { paths: ["quorum"] } }).catch((x: unknown) => x));
    expect(quorum).toMatchObject({ code: "FailedPrecondition", reason: "ENSEMBLE_QUORUM_ABOVE_MEMBERS" });
    const stale = failure(await ensembles.deleteEnsemble({ name: "ensembles/quorum", etag: '"7"' }).catch((x: unknown) => x));
    expect(stale).toMatchObject({ code: "Aborted", reason: "ETAG_MISMATCH" });
  });

  it("retrains members as one group of local jobs and replaces them with the versions the jobs registered", async () => {
    await ensembles.createEnsemble({ ensembleId: "train", ensemble: iris() });
    // Each job "trains" by copying a model to its output directory and prints the variables it got.
    const template = {
      command: ["sh", "-c", 'cp "$SOURCE_MODEL" "$ARTENIC_OUTPUT_DIR/model.onnx" && echo "$ARTENIC_ENSEMBLE $ARTENIC_MEMBER_MODEL_VERSION $ARTENIC_TRAINING_GROUP"'],
      env: { SOURCE_MODEL: fixturePath("iris_logreg") },
      labels: { team: "e2e" },
    };
    const request = { name: "ensembles/train", template, replaceMembers: true, requestId: randomUUID() };
    const dispatched = await ensembles.trainEnsembleMembers(request);
    expect(dispatched.trainingGroup).toMatch(/^tg-[a-z0-9]+$/);
    expect(dispatched.jobs.map((j) => j.modelVersion)).toEqual([LR, RF]);
    // A retry with the same request id answers the same group instead of dispatching another.
    expect(await ensembles.trainEnsembleMembers(request)).toEqual(dispatched);

    const trained = await until("members replaced", async () => (await ensembles.getEnsemble({ name: "ensembles/train" })).ensemble!, (e) => e.version === 2n, 90_000);
    expect(trained.members.map((m) => [m.modelVersion, m.weight])).toEqual([
      ["models/iris-logreg/versions/3", 3],
      ["models/iris-random-forest/versions/2", 1],
    ]);
    const [latest] = (await ensembles.listEnsembleSnapshots({ parent: "ensembles/train", pageSize: 1 })).snapshots;
    expect(latest).toMatchObject({ changeKind: EnsembleChangeKind.TRAINING, reason: `training group ${dispatched.trainingGroup}` });
    for (const [i, j] of dispatched.jobs.entries()) {
      const job = (await training.getTrainingJob({ name: j.trainingJob })).trainingJob!;
      expect(job.labels).toEqual({ team: "e2e", training_group: dispatched.trainingGroup, ensemble: "train" });
      expect(job.outputModelVersion).toBe(trained.members[i]!.modelVersion);
      const { lines: logLines } = await training.listTrainingJobLogs({ parent: j.trainingJob });
      expect(logLines.map((l) => l.text)).toContain(`ensembles/train ${j.modelVersion} ${dispatched.trainingGroup}`);
    }
  }, 120_000);

  it("leaves the members alone when a job of the group fails, and checks the request before creating anything", async () => {
    await ensembles.createEnsemble({ ensembleId: "train-fail", ensemble: iris() });
    const reader = new EventStreamReader(events.subscribe({ topics: [EventTopic.ENSEMBLE], filter: { resources: ["ensembles/train-fail"] } }, { signal: abort.signal }));
    await reader.untilCaughtUp();
    const dispatched = await ensembles.trainEnsembleMembers({ name: "ensembles/train-fail", template: { command: ["sh", "-c", "exit 3"] }, modelVersions: [RF], replaceMembers: true });
    expect(dispatched.jobs.map((j) => j.modelVersion)).toEqual([RF]);
    for (;;) {
      const m = await reader.next(90_000);
      if (m.message.case === "event" && m.message.value.type.startsWith("ensemble.training_group.")) {
        expect(m.message.value.type).toBe("ensemble.training_group.failed");
        break;
      }
    }
    const job = (await training.getTrainingJob({ name: dispatched.jobs[0]!.trainingJob })).trainingJob!;
    expect(job.exitCode).toBe(3);
    expect((await ensembles.getEnsemble({ name: "ensembles/train-fail" })).ensemble!.version).toBe(1n);

    const before = (await training.listTrainingJobs({})).totalSize;
    const notMember = failure(await ensembles.trainEnsembleMembers({ name: "ensembles/train-fail", template: { image: "x" }, modelVersions: [DIGITS] }).catch((x: unknown) => x));
    expect(notMember).toMatchObject({ code: "InvalidArgument", field: "model_versions[0]" });
    const badCurrency = failure(
      await ensembles.trainEnsembleMembers({ name: "ensembles/train-fail", template: { command: ["true"], maxCostPerJob: { currencyCode: "JPY", units: 5n } } }).catch((x: unknown) => x),
    );
    expect(badCurrency).toMatchObject({ code: "InvalidArgument", field: "template.max_cost_per_job.currency_code" });
    expect((await training.listTrainingJobs({})).totalSize).toBe(before);
  }, 120_000);

  it("refuses deleting a model version an ensemble uses", async () => {
    await ensembles.createEnsemble({ ensembleId: "pins", ensemble: iris({ members: [{ modelVersion: "models/iris-logreg/versions/2" }, { modelVersion: RF }] }) });
    const e = failure(await registry.deleteModelVersion({ name: "models/iris-logreg/versions/2" }).catch((x: unknown) => x));
    expect(e).toMatchObject({ code: "FailedPrecondition", reason: "MODEL_VERSION_REFERENCED" });
  });
});
