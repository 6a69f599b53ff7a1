import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Orm } from "../platform/db/orm.js";
import { AppError } from "../platform/errors/app-error.js";
import { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";
import { createService } from "../inference/service.use-cases.js";
import { EnsembleSnapshotEntity, EnsembleTrainingGroupEntity } from "./ensemble.entity.js";
import {
  addEnsembleMember,
  createEnsemble,
  createEnsembleVersionReferenceChecker,
  createServiceEnsembleReferenceChecker,
  deleteEnsemble,
  getEnsemble,
  getEnsembleSnapshot,
  listEnsembles,
  listEnsembleSnapshots,
  pruneEnsembleMembers,
  recordEnsembleOutcomes,
  removeEnsembleMember,
  restoreEnsembleSnapshot,
  snapshotStateOf,
  stateOf,
  checkTrainingRequest,
  dispatchTrainingGroup,
  settleTrainingGroups,
  updateEnsemble,
  type EnsembleDeps,
  type EnsembleTrainingPort,
} from "./ensemble.use-cases.js";
import { DEFAULT_MEMBER_TIMEOUT_MS, DEFAULT_STRATEGY_SETTINGS, effectiveWeights, type EnsembleConfig } from "./ensemble-state.js";
import type { JoinedOutcome } from "./ensemble-learning.js";
import { cls, reg } from "./strategies/testing.js";
import { baseSpec } from "../training/testing.js";
import { registerFixture, testContext, testOrm } from "./testing.js";

const deps: EnsembleDeps = { referenceCheckers: [createServiceEnsembleReferenceChecker()], listeners: [] };

function config(members: string[], more: Partial<EnsembleConfig> = {}): EnsembleConfig {
  return {
    displayName: "",
    description: "",
    labels: {},
    task: "classification",
    members: members.map((modelVersion) => ({ modelVersion, weight: 0 })),
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

const LR = "models/iris-lr/versions/1";
const RF = "models/iris-rf/versions/1";
const LR2 = "models/iris-lr/versions/2";
const LR3 = "models/iris-lr/versions/3";
const DIGITS = "models/digits/versions/1";
const GBR = "models/gbr/versions/1";
const GBR2 = "models/gbr/versions/2";

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e;
}

/** Outcomes where `good` predicted the label right and the others wrong, `n` times. */
function outcomes(good: string, bad: readonly string[], n: number): JoinedOutcome[] {
  return Array.from({ length: n }, () => ({
    answers: [cls(good, ["0", "1"], [[0.9, 0.1]]), ...bad.map((b) => cls(b, ["0", "1"], [[0.2, 0.8]]))],
    row: 0,
    label: "0",
    value: null,
  }));
}

describe("ensemble use cases on an in-memory database", () => {
  let orm: Orm;
  const ctx = () => testContext(orm);

  beforeAll(async () => {
    orm = await testOrm();
    await registerFixture(orm, "iris-lr", "iris_logreg", 4);
    await registerFixture(orm, "iris-rf", "iris_random_forest");
    await registerFixture(orm, "digits", "digits_mlp");
    await registerFixture(orm, "gbr", "diabetes_gbr", 2);
  });
  afterAll(async () => orm?.close());

  it("creates version 1 with its snapshot and event in one transaction", async () => {
    const e = await createEnsemble(ctx(), deps, "create-one", config([LR, RF]));
    expect(e.configVersion).toBe(1);
    const snapshot = await getEnsembleSnapshot(orm.em.fork(), "create-one", 1);
    expect(snapshot.changeKind).toBe("create");
    expect(snapshotStateOf(snapshot).config.members.map((m) => m.modelVersion)).toEqual([LR, RF]);
    const events = await orm.em.fork().find(OutboxEventEntity, { resource: "ensembles/create-one" });
    expect(events.map((x) => x.type)).toEqual(["ensemble.ensemble.created"]);
    expect(events[0]?.actor).toBe("apiKeys/tester");
  });

  it("refuses a member with other inputs with FAILED_PRECONDITION", async () => {
    const e = await rejection(createEnsemble(ctx(), deps, "mixed", config([LR, DIGITS])));
    expect([e.kind, e.reason]).toEqual(["failed_precondition", "ENSEMBLE_MEMBERS_INCOMPATIBLE"]);
    expect(e.message).toMatch(/digits.*input: float32 \[N, 64\].*input: float32 \[N, 4\]/);
  });

  it("refuses a member version that does not exist with NOT_FOUND", async () => {
    const e = await rejection(createEnsemble(ctx(), deps, "ghost", config([LR, "models/iris-lr/versions/99"])));
    expect([e.kind, e.reason]).toEqual(["not_found", "MODEL_VERSION_NOT_FOUND"]);
  });

  it("refuses a regressor in a classification ensemble and majority vote for regression", async () => {
    expect((await rejection(createEnsemble(ctx(), deps, "task", config([LR, GBR])))).reason).toBe("ENSEMBLE_MEMBER_TASK_MISMATCH");
    const vote = await rejection(createEnsemble(ctx(), deps, "vote", config([GBR, GBR2], { task: "regression", strategy: "MAJORITY_VOTE" })));
    expect([vote.kind, vote.reason]).toEqual(["failed_precondition", "ENSEMBLE_STRATEGY_NOT_FOR_TASK"]);
  });

  it("names the missing field for META_LEARNER without a meta model and MODEL_VERSION fallback without a version", async () => {
    const meta = await rejection(createEnsemble(ctx(), deps, "meta", config([LR, RF], { strategy: "META_LEARNER" })));
    expect(meta.fieldViolations[0]?.field).toBe("ensemble.strategy_config.meta_learner.meta_model_version");
    const fallback = await rejection(createEnsemble(ctx(), deps, "fb", config([LR, RF], { fallback: { mode: "model_version", modelVersion: "" } })));
    expect(fallback.fieldViolations[0]?.field).toBe("ensemble.fallback.model_version");
  });

  it("refuses a meta model whose input does not fit the members", async () => {
    // An iris model takes [N, 4] as meta model: three members cannot lay their classes on 4 columns.
    const e = await rejection(createEnsemble(ctx(), deps, "meta-shape", config([LR, RF, LR3], { strategy: "META_LEARNER", metaModelVersion: LR2 })));
    expect(e.reason).toBe("ENSEMBLE_META_MODEL_INCOMPATIBLE");
  });

  it("updates as a new version, refuses a quorum above the members, and checks the etag", async () => {
    await createEnsemble(ctx(), deps, "upd", config([LR, RF]));
    const e = await updateEnsemble(ctx(), deps, "upd", { displayName: "Iris", strategy: "DYNAMIC_WEIGHTING", members: [{ modelVersion: LR, weight: 3 }, { modelVersion: RF, weight: 1 }] }, "try dynamic", '"1"');
    expect([e.configVersion, e.displayName, e.strategy]).toEqual([2, "Iris", "DYNAMIC_WEIGHTING"]);
    expect(effectiveWeights(stateOf(e).config, stateOf(e).learned)).toEqual([0.75, 0.25]);
    const quorum = await rejection(updateEnsemble(ctx(), deps, "upd", { quorum: 3 }, "", ""));
    expect([quorum.kind, quorum.reason]).toEqual(["failed_precondition", "ENSEMBLE_QUORUM_ABOVE_MEMBERS"]);
    const stale = await rejection(updateEnsemble(ctx(), deps, "upd", { description: "x" }, "", '"1"'));
    expect([stale.kind, stale.reason]).toEqual(["aborted", "ETAG_MISMATCH"]);
    const snapshot = await getEnsembleSnapshot(orm.em.fork(), "upd", 2);
    expect([snapshot.changeKind, snapshot.reason]).toEqual(["update", "try dynamic"]);
  });

  it("adds and removes members as versions, refusing duplicates and the last member", async () => {
    await createEnsemble(ctx(), deps, "members", config([LR]));
    expect((await addEnsembleMember(ctx(), deps, "members", { modelVersion: RF, weight: 2 }, "more", "")).configVersion).toBe(2);
    expect((await rejection(addEnsembleMember(ctx(), deps, "members", { modelVersion: RF, weight: 0 }, "", ""))).reason).toBe("ENSEMBLE_MEMBER_ALREADY_EXISTS");
    expect((await rejection(addEnsembleMember(ctx(), deps, "members", { modelVersion: DIGITS, weight: 0 }, "", ""))).reason).toBe("ENSEMBLE_MEMBERS_INCOMPATIBLE");
    const removed = await removeEnsembleMember(ctx(), deps, "members", LR, "", "");
    expect(removed.members.map((m) => m.modelVersion)).toEqual([RF]);
    expect((await rejection(removeEnsembleMember(ctx(), deps, "members", RF, "", ""))).reason).toBe("ENSEMBLE_LAST_MEMBER");
    expect((await rejection(removeEnsembleMember(ctx(), deps, "members", LR, "", ""))).kind).toBe("not_found");
    const kinds = (await listEnsembleSnapshots(ctx(), "members", { pageSize: 0, pageToken: "", filter: "", orderBy: "version" })).items.map((s) => s.changeKind);
    expect(kinds).toEqual(["create", "add_member", "remove_member"]);
  });

  it("restores a snapshot's configuration and learned weights as a new version", async () => {
    await createEnsemble(ctx(), deps, "restore", config([LR, RF], { strategy: "DYNAMIC_WEIGHTING" }));
    await recordEnsembleOutcomes(orm.em.fork(), deps, "restore", outcomes(LR, [RF], 10), new Map(), () => new Date());
    const learnedBefore = stateOf(await getEnsemble(orm.em.fork(), "restore"));
    await updateEnsemble(ctx(), deps, "restore", { members: [{ modelVersion: LR, weight: 0 }], strategy: "WEIGHTED_AVERAGE" }, "", "");
    const snapshot = await getEnsembleSnapshot(orm.em.fork(), "restore", 2);
    expect(snapshotStateOf(snapshot).config.members).toHaveLength(1);
    const restored = await restoreEnsembleSnapshot(ctx(), deps, "restore", 1, "back", '"2"');
    expect(restored.configVersion).toBe(3);
    const state = stateOf(restored);
    expect(state.config.members.map((m) => m.modelVersion)).toEqual([LR, RF]);
    expect(state.config.strategy).toBe("DYNAMIC_WEIGHTING");
    // Version 1 was taken before any outcome: its learned weights are the configured ones.
    expect(effectiveWeights(state.config, state.learned)).toEqual([0.5, 0.5]);
    expect(effectiveWeights(learnedBefore.config, learnedBefore.learned)[0]).toBeGreaterThan(0.9);
    expect((await getEnsembleSnapshot(orm.em.fork(), "restore", 3)).changeKind).toBe("restore");
    expect((await rejection(restoreEnsembleSnapshot(ctx(), deps, "restore", 9, "", ""))).reason).toBe("ENSEMBLE_SNAPSHOT_NOT_FOUND");
  });

  it("prunes the low-weight member on demand, with a dry run that changes nothing", async () => {
    await createEnsemble(ctx(), deps, "prune", config([LR, RF, LR2], { strategy: "DYNAMIC_WEIGHTING", autoPrune: { enabled: false, weightThreshold: 0.2, minMembers: 1, minObservations: 5 } }));
    const learned = outcomes(LR, [RF], 10).map((o) => ({ ...o, answers: [...o.answers, cls(LR2, ["0", "1"], [[0.8, 0.2]])] }));
    await recordEnsembleOutcomes(orm.em.fork(), deps, "prune", learned, new Map(), () => new Date());
    const dry = await pruneEnsembleMembers(ctx(), deps, "prune", { dryRun: true, weightThreshold: undefined, minMembers: 0, reason: "", etag: "" });
    expect(dry.pruned.map((p) => p.id)).toEqual([RF]);
    expect(dry.ensemble.configVersion).toBe(1);
    const real = await pruneEnsembleMembers(ctx(), deps, "prune", { dryRun: false, weightThreshold: undefined, minMembers: 0, reason: "", etag: '"1"' });
    expect(real.ensemble.members.map((m) => m.modelVersion)).toEqual([LR, LR2]);
    const snapshot = await getEnsembleSnapshot(orm.em.fork(), "prune", 2);
    expect(snapshot.changeKind).toBe("prune");
    expect(snapshot.reason).toMatch(/iris-rf.*weight 0\.0\d+ below threshold 0\.2/);
  });

  it("auto-prunes and auto-evolves after learning, each as a system version", async () => {
    await createEnsemble(
      ctx(),
      deps,
      "auto",
      config([LR, RF, LR2, LR3], {
        autoPrune: { enabled: true, weightThreshold: 0.1, minMembers: 2, minObservations: 10 },
        autoEvolve: { enabled: true, rules: [] },
      }),
    );
    const learned = outcomes(LR, [RF], 12).map((o) => ({ ...o, answers: [...o.answers, cls(LR2, ["0", "1"], [[0.7, 0.3]]), cls(LR3, ["0", "1"], [[0.6, 0.4]])] }));
    const result = await recordEnsembleOutcomes(orm.em.fork(), deps, "auto", learned, new Map([[RF, { count: 2, lastError: "timed out after 5 ms", lastErrorTime: new Date() }]]), () => new Date());
    expect(result?.used).toBe(12);
    expect(result?.changed).toBe(true);
    const snapshots = (await listEnsembleSnapshots(ctx(), "auto", { pageSize: 0, pageToken: "", filter: "actor = system", orderBy: "version" })).items;
    // WEIGHTED_AVERAGE weights are configured (equal), so nothing is pruned; 4 members and 12
    // outcomes reach the first default rule: WEIGHTED_AVERAGE → DYNAMIC_WEIGHTING.
    expect(snapshots.map((s) => s.changeKind)).toEqual(["auto_evolve"]);
    const e = await getEnsemble(orm.em.fork(), "auto");
    expect(e.strategy).toBe("DYNAMIC_WEIGHTING");
    expect(e.learned.observationsSinceStrategyChange).toBe(0);
    // The next outcomes learn under DYNAMIC_WEIGHTING: RF's weight falls under 0.1 and it is pruned.
    await recordEnsembleOutcomes(orm.em.fork(), deps, "auto", learned.slice(0, 1), new Map(), () => new Date());
    const after = await getEnsemble(orm.em.fork(), "auto");
    expect(after.members.map((m) => m.modelVersion)).not.toContain(RF);
    const last = await getEnsembleSnapshot(orm.em.fork(), "auto", after.configVersion);
    expect([last.changeKind, last.actor]).toEqual(["auto_prune", "system"]);
    expect(e.memberStats[RF]?.failureCount).toBe(2);
  });

  it("learns regression errors and keeps stacking outcomes for a later fit", async () => {
    await createEnsemble(ctx(), deps, "reg", config([GBR, GBR2], { task: "regression", strategy: "STACKING", strategySettings: { ...DEFAULT_STRATEGY_SETTINGS, stacking: { ...DEFAULT_STRATEGY_SETTINGS.stacking, minObservations: 4 } } }));
    const data: JoinedOutcome[] = [1, 2, 3, 4, 5, 6].map((y) => ({ answers: [reg(GBR, [y + (y % 2 ? 0.1 : -0.1)]), reg(GBR2, [(y * y) / 4])], row: 0, label: null, value: y }));
    await recordEnsembleOutcomes(orm.em.fork(), deps, "reg", data, new Map(), () => new Date());
    const e = await getEnsemble(orm.em.fork(), "reg");
    expect(e.learned.stacking?.model).not.toBeNull();
    expect(e.learned.fitTime).not.toBeNull();
    expect(e.stackingBuffer).toHaveLength(6);
    const [a, b] = effectiveWeights(stateOf(e).config, stateOf(e).learned);
    // The nearly exact member carries the fit.
    expect(a!).toBeGreaterThan(0.8);
    expect(Math.abs(b!)).toBeLessThan(0.1);
    expect(e.learned.dynamic.members[0]!.runningAbsoluteError).toBeCloseTo(0.1, 5);
  });

  it("lists with member, strategy and label filters", async () => {
    await createEnsemble(ctx(), deps, "list-a", config([LR2, RF], { labels: { team: "vision" }, strategy: "MAJORITY_VOTE" }));
    const byMember = await listEnsembles(ctx(), { pageSize: 0, pageToken: "", filter: `member = "${LR2}" AND labels.team = "vision"`, orderBy: "" });
    expect(byMember.items.map((e) => e.id)).toEqual(["list-a"]);
    const byStrategy = await listEnsembles(ctx(), { pageSize: 0, pageToken: "", filter: "strategy = ENSEMBLE_STRATEGY_MAJORITY_VOTE", orderBy: "" });
    expect(byStrategy.items.map((e) => e.id)).toContain("list-a");
  });

  it("tells the registry which ensemble uses a version, and refuses deleting an ensemble a service targets", async () => {
    await createEnsemble(ctx(), deps, "served", config([LR3, RF]));
    const checker = createEnsembleVersionReferenceChecker();
    expect(await checker.findReference(orm.em.fork(), "iris-lr", 3)).toBeDefined();
    expect(await checker.findReference(orm.em.fork(), "digits", undefined)).toBeUndefined();
    await createService(ctx(), "uses-ensemble", { kind: "ensemble", ensembleId: "served" }, { displayName: "", description: "", labels: {}, batching: { enabled: false, maxBatchSize: 1, maxWaitMicros: 0 }, intraOpThreads: 0, interOpThreads: 0 }, "ensembles/served/snapshots/1");
    const e = await rejection(deleteEnsemble(ctx(), deps, "served", ""));
    expect([e.kind, e.reason, e.metadata["referencedBy"]]).toEqual(["failed_precondition", "ENSEMBLE_REFERENCED", "services/uses-ensemble"]);
  });

  it("deletes an ensemble with its snapshots", async () => {
    await createEnsemble(ctx(), deps, "gone", config([LR, RF]));
    await updateEnsemble(ctx(), deps, "gone", { description: "v2" }, "", "");
    await deleteEnsemble(ctx(), deps, "gone", '"2"');
    expect(await orm.em.fork().count(EnsembleSnapshotEntity, { ensemble: "gone" })).toBe(0);
    expect((await rejection(getEnsemble(orm.em.fork(), "gone"))).reason).toBe("ENSEMBLE_NOT_FOUND");
  });

  describe("training groups", () => {
    type Outcome = { state: "active" | "succeeded" | "failed"; outputModelVersion: string; message: string; lastAttempt: string };
    // What planning handed over; createJobs must get the very same object back.
    const planned = { spec: { ...baseSpec, command: ["train"] }, candidates: [] };
    const outcomes = new Map<string, Outcome>();
    const created: { job: string; env: Record<string, string>; labels: Record<string, string> }[] = [];
    const training: EnsembleTrainingPort = {
      plan: async () => planned,
      async createJobs(_ctx, given, members) {
        expect(given).toBe(planned);
        return members.map((m) => {
          const job = `trainingJobs/j${created.length + 1}`;
          created.push({ job, env: { ...m.env }, labels: { ...m.labels } });
          outcomes.set(job, { state: "active", outputModelVersion: "", message: "", lastAttempt: job });
          return job;
        });
      },
      outcomes: async (_em, jobs) => new Map(jobs.map((j) => [j, outcomes.get(j)!])),
    };
    const template = { image: "", command: ["train"], args: [], env: {}, hyperparameters: {}, provider: "", region: "", instanceType: "", cpus: 0, memoryBytes: 0, gpuType: "", gpuCount: 0, spot: false, maxRuntimeMs: null, maxCostPerJob: undefined, labels: { team: "t" } };
    const dispatch = (id: string, modelVersions: string[], replaceMembers = true) =>
      orm.em.fork().transactional((em) => dispatchTrainingGroup({ ...ctx(), em }, training, planned, id, { template, modelVersions, replaceMembers }));
    const settle = () => settleTrainingGroups(orm.em.fork(), deps, training, () => new Date());
    const group = async (id: string) => (await orm.em.fork().findOneOrFail(EnsembleTrainingGroupEntity, { id }));
    const succeed = (job: string, outputModelVersion: string) => outcomes.set(job, { state: "succeeded", outputModelVersion, message: "exit code 0", lastAttempt: job });

    it("dispatches one job per member with the group's variables and labels, and replaces members once all succeeded", async () => {
      await createEnsemble(ctx(), deps, "train", config([LR, RF]));
      const { group: g, jobs } = await dispatch("train", []);
      expect(jobs.map((j) => j.modelVersion)).toEqual([LR, RF]);
      expect(created.at(-1)).toMatchObject({ env: { ARTENIC_ENSEMBLE: "ensembles/train", ARTENIC_MEMBER_MODEL_VERSION: RF, ARTENIC_TRAINING_GROUP: g.id }, labels: { team: "t", training_group: g.id, ensemble: "train" } });
      succeed(jobs[0]!.job, LR2);
      expect(await settle()).toEqual([]);
      expect(await group(g.id)).toMatchObject({ state: "running", stateMessage: "1 of 2 job(s) ended" });
      succeed(jobs[1]!.job, LR3);
      expect(await settle()).toEqual(["train"]);
      const e = await getEnsemble(orm.em.fork(), "train");
      expect([e.configVersion, e.members.map((m) => m.modelVersion)]).toEqual([2, [LR2, LR3]]);
      expect((await getEnsembleSnapshot(orm.em.fork(), "train", 2)).changeKind).toBe("training");
      expect(await group(g.id)).toMatchObject({ state: "succeeded", resultVersion: 2 });
      // Settled groups are not looked at again.
      expect(await settle()).toEqual([]);
    });

    it("keeps the members when a job failed or a trained version is incompatible, and skips members removed meanwhile", async () => {
      await createEnsemble(ctx(), deps, "train-2", config([LR, RF]));
      const failed = await dispatch("train-2", [RF]);
      outcomes.set(failed.jobs[0]!.job, { state: "failed", outputModelVersion: "", message: "exit code 3", lastAttempt: failed.jobs[0]!.job });
      const incompatible = await dispatch("train-2", [LR]);
      succeed(incompatible.jobs[0]!.job, DIGITS);
      await settle();
      expect(await group(failed.group.id)).toMatchObject({ state: "failed" });
      expect((await group(failed.group.id)).stateMessage).toMatch(/exit code 3/);
      expect((await group(incompatible.group.id)).state).toBe("failed");
      expect((await group(incompatible.group.id)).stateMessage).toMatch(/^the trained versions cannot replace the members/);
      expect((await getEnsemble(orm.em.fork(), "train-2")).configVersion).toBe(1);

      const both = await dispatch("train-2", []);
      await removeEnsembleMember(ctx(), deps, "train-2", RF, "", "");
      succeed(both.jobs[0]!.job, LR2);
      succeed(both.jobs[1]!.job, LR3);
      await settle();
      const e = await getEnsemble(orm.em.fork(), "train-2");
      expect(e.members.map((m) => m.modelVersion)).toEqual([LR2]);
      expect(await group(both.group.id)).toMatchObject({ state: "succeeded", resultVersion: e.configVersion });
    });

    it("checks the request before anything is planned", async () => {
      await createEnsemble(ctx(), deps, "train-3", config([LR, RF]));
      expect((await rejection(checkTrainingRequest(orm.em.fork(), "train-3", [LR2]))).kind).toBe("invalid_argument");
      expect((await rejection(checkTrainingRequest(orm.em.fork(), "no-such", []))).reason).toBe("ENSEMBLE_NOT_FOUND");
      await checkTrainingRequest(orm.em.fork(), "train-3", [RF]);
    });
  });
});
