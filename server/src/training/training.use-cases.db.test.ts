import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";
import { AppError } from "../platform/errors/app-error.js";
import { createModel } from "../registry/model.use-cases.js";
import { ModelVersionEntity } from "../registry/model.entity.js";
import { createJobTokenVerifier, ensureJobToken } from "./job-token.js";
import { TrainingJobEntity, TrainingLeaseEntity, TrainingLogLineEntity } from "./training-job.entity.js";
import { cancelTrainingJob, deleteTrainingJob, getTrainingJob, reportTrainingCheckpoint, reportTrainingMetrics } from "./training-job.use-cases.js";
import { trainingTestbed, type TrainingTestbed } from "./testing.js";
import { createScratchPostgres, databaseKinds, type ScratchDatabase } from "../../test/support/databases.js";
import { initOrm, migrate } from "../platform/db/orm.js";
import type { TrainingReconciler } from "./reconciler.js";

const iris = readFileSync(new URL("../../../fixtures/models/iris_logreg.onnx", import.meta.url));

async function ticks(r: TrainingReconciler, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await r.tick();
}

function reasonOf(e: unknown): string {
  return e instanceof AppError ? `${e.kind}:${e.reason}` : String(e);
}

describe.each(databaseKinds)("training jobs on %s with the fake provider", (kind) => {
  let t: TrainingTestbed;
  let r: TrainingReconciler;
  let scratch: ScratchDatabase | undefined;
  const job = (id: string) => getTrainingJob(t.orm.em.fork(), id);

  beforeAll(async () => {
    if (kind === "postgresql") {
      scratch = await createScratchPostgres("training");
      const orm = await initOrm(scratch.config);
      await migrate(orm);
      t = await trainingTestbed({ orm });
    } else {
      t = await trainingTestbed();
    }
    r = t.reconciler();
    await createModel(t.ctx(), "trained", { displayName: "", description: "", framework: "onnx", labels: {} });
  });
  afterAll(async () => {
    await t?.dispose();
    if (scratch) {
      await t.orm.close();
      await scratch.drop();
    }
  });

  it("walks QUEUED → PROVISIONING → RUNNING → SUCCEEDED, one event per transition, then releases and settles", async () => {
    const id = await t.create("happy", { command: ["fake", "provision=1", "run=1", "log=hello from the job"] });
    const created = await job(id);
    expect(created).toMatchObject({ state: "queued", provider: "providers/fake", region: "fake-a", instanceType: "fake-cpu-small", attempt: 1, originalJob: "trainingJobs/happy" });
    // The estimate is the hourly price times the default 24 h, reserved under the creator's key.
    expect(created.estimatedCost).toBeCloseTo(0.1 * 24, 9);
    expect(t.budget.admitted.at(-1)).toMatchObject({ job: "trainingJobs/happy", provider: "providers/fake", apiKey: "apiKeys/tester", currency: "USD" });
    await ticks(r, 4);
    const done = await job(id);
    expect(done.state).toBe("succeeded");
    expect(done.exitCode).toBe(0);
    expect(done.releaseTime).not.toBeNull();
    expect(t.budget.settled).toContainEqual({ job: "trainingJobs/happy", actual: 0 });
    const events = await t.orm.em.fork().find(OutboxEventEntity, { resource: "trainingJobs/happy" }, { orderBy: { id: "asc" } });
    expect(events.map((e) => (e.type === "training.training_job.state_changed" ? `${e.data["from"]}→${e.data["to"]}` : e.type))).toEqual([
      "training.training_job.created",
      "QUEUED→PROVISIONING",
      "PROVISIONING→RUNNING",
      "RUNNING→SUCCEEDED",
      "training.training_job.compute_released",
    ]);
    const logs = await t.orm.em.fork().find(TrainingLogLineEntity, { job: id }, { orderBy: { seq: "asc" } });
    expect(logs.map((l) => l.seq)).toEqual(logs.map((_, i) => i + 1));
    expect(logs.some((l) => l.stream === "stdout" && l.text === "hello from the job")).toBe(true);
    expect(t.fake.cleanedUp).toContain(done.handle!.id);
  });

  it("refuses to cancel a job that succeeded (FAILED_PRECONDITION), and deletes it once released", async () => {
    await expect(cancelTrainingJob(t.ctx(), t.deps, "happy", "", "")).rejects.toSatisfy((e) => reasonOf(e) === "failed_precondition:JOB_NOT_CANCELLABLE");
    await expect(reportTrainingMetrics(t.ctx(), t.deps, "happy", 1, { loss: 1 }, undefined)).rejects.toSatisfy((e) => reasonOf(e) === "failed_precondition:JOB_ENDED");
    await deleteTrainingJob(t.ctx(), t.deps, "happy", "");
    await expect(job("happy")).rejects.toSatisfy((e) => reasonOf(e) === "not_found:TRAINING_JOB_NOT_FOUND");
  });

  it("cancels a QUEUED job at once and a RUNNING one through the provider, then releases it", async () => {
    await t.create("cancel-queued", { command: ["fake"] });
    const cancelled = await cancelTrainingJob(t.ctx(), t.deps, "cancel-queued", "", "not needed");
    expect(cancelled).toMatchObject({ state: "cancelled", stateMessage: "cancelled: not needed" });
    expect(cancelled.releaseTime).not.toBeNull();
    await expect(deleteTrainingJob(t.ctx(), t.deps, "running-one", "")).rejects.toSatisfy((e) => reasonOf(e) === "not_found:TRAINING_JOB_NOT_FOUND");

    await t.create("cancel-running", { command: ["fake", "provision=0", "run=1000"] });
    await ticks(r, 2);
    expect((await job("cancel-running")).state).toBe("running");
    await expect(deleteTrainingJob(t.ctx(), t.deps, "cancel-running", "")).rejects.toSatisfy((e) => reasonOf(e) === "failed_precondition:JOB_NOT_DELETABLE");
    const c = await cancelTrainingJob(t.ctx(), t.deps, "cancel-running", "", "");
    expect(c.state).toBe("cancelled");
    expect(c.releaseTime).toBeNull();
    await r.tick();
    const released = await job("cancel-running");
    expect(released.releaseTime).not.toBeNull();
    expect(t.fake.cancelled).toContain(released.handle!.id);
    // Cancelling again returns the job unchanged.
    expect((await cancelTrainingJob(t.ctx(), t.deps, "cancel-running", "", "")).revision).toBe(released.revision);
  });

  it("fails a job past its own max runtime and asks the provider to stop it", async () => {
    await t.create("too-long", { command: ["fake", "provision=0", "run=1000000"], maxRuntimeMs: 60_000 });
    await ticks(r, 2);
    expect((await job("too-long")).state).toBe("running");
    t.clock.advance(61_000);
    await r.tick();
    const ended = await job("too-long");
    expect(ended.state).toBe("failed");
    expect(ended.stateMessage).toMatch(/max runtime of 60 s exceeded/);
    expect(ended.releaseTime).not.toBeNull();
    // Billed for the 61 s it ran, at the spot-less small type's price.
    expect(ended.actualCost).toBeCloseTo((61 / 3600) * 0.1, 9);
    expect(t.fake.cancelled).toContain(ended.handle!.id);
  });

  it("cancels a job whose accrued cost reaches its max cost", async () => {
    await t.create("too-dear", { command: ["fake", "provision=0", "run=1000000"], maxCost: 0.05 });
    expect((await job("too-dear")).estimatedCost).toBeCloseTo(0.05, 9);
    await ticks(r, 2);
    t.clock.advance(31 * 60_000);
    await r.tick();
    expect(await job("too-dear")).toMatchObject({ state: "cancelled", stateMessage: "max cost of 0.05 USD reached" });
  });

  it("fails with the exit code when the process exits non-zero", async () => {
    await t.create("exit-3", { command: ["fake", "provision=0", "run=0", "exit=3"] });
    await ticks(r, 2);
    expect(await job("exit-3")).toMatchObject({ state: "failed", exitCode: 3, stateMessage: "exit code 3" });
  });

  it("registers the ONNX output once as a version with lineage, hyperparameters and metrics", async () => {
    await t.create("with-output", { command: ["fake", "provision=0", "run=2"], hyperparameters: { c: "1.0" }, output: { model: "trained", modelPath: "", modelVersionLabels: { from: "training" }, modelVersionDescription: "trained here" } });
    await r.tick();
    t.fake.addOutput("trainingJobs/with-output", "model.onnx", iris);
    await reportTrainingMetrics(t.ctx("trainingJobs/with-output"), t.deps, "with-output", 3, { accuracy: 0.97 }, undefined);
    await ticks(r, 3);
    const done = await job("with-output");
    expect(done).toMatchObject({ state: "succeeded", outputModelVersion: "models/trained/versions/1" });
    // A second pass (as after a restart) registers nothing more.
    await ticks(r, 2);
    const versions = await t.orm.em.fork().find(ModelVersionEntity, { model: "trained" });
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ sourceTrainingJob: "trainingJobs/with-output", params: { c: "1.0" }, metrics: { accuracy: 0.97 }, labels: { from: "training" }, artifactFormat: "onnx" });
    expect(versions[0]!.signature).not.toBeNull();
  });

  it("fails a successful job that wrote no model when one was asked for", async () => {
    await t.create("no-output", { command: ["fake", "provision=0", "run=0"], output: { model: "trained", modelPath: "nested/m.onnx", modelVersionLabels: {}, modelVersionDescription: "" } });
    await ticks(r, 2);
    expect(await job("no-output")).toMatchObject({ state: "failed", stateMessage: "the job exited with code 0 but wrote no nested/m.onnx to ARTENIC_OUTPUT_DIR" });
  });

  it("retries a preempted spot job in another region, linked both ways, resuming from the checkpoint", async () => {
    await t.create("spotty", { command: ["fake", "provision=0", "run=1", "preempt@fake-a"], spot: true, preemption: { maxRetries: 2, failoverMode: "next_region", fallBackToOnDemand: false, ignoreCheckpoints: false } });
    expect(await job("spotty")).toMatchObject({ region: "fake-a", spotPlacement: true });
    await r.tick();
    t.fake.addOutput("trainingJobs/spotty", "ckpt/step-5.bin", new Uint8Array([1, 2, 3]));
    await reportTrainingCheckpoint(t.ctx(), t.deps, "spotty", "ckpt/step-5.bin", 5, { loss: 0.5 });
    await ticks(r, 2);
    const original = await job("spotty");
    expect(original).toMatchObject({ state: "preempted", retriedBy: "trainingJobs/spotty-r2" });
    expect(original.stateMessage).toMatch(/^preempted: spot capacity reclaimed in fake-a; retried as trainingJobs\/spotty-r2/);
    const retry = await job("spotty-r2");
    expect(retry).toMatchObject({ state: "queued", attempt: 2, retryOf: "trainingJobs/spotty", originalJob: "trainingJobs/spotty", region: "fake-b", spotPlacement: true });
    expect(retry.lastCheckpoint).toMatchObject({ uri: "ckpt/step-5.bin", step: 5 });
    await ticks(r, 4);
    expect((await job("spotty-r2")).state).toBe("succeeded");
    const resume = t.fake.submitted.find((s) => s.jobName === "trainingJobs/spotty-r2")!.resumeFrom!;
    expect(readFileSync(resume)).toEqual(Buffer.from([1, 2, 3]));
  });

  it("ends the chain PREEMPTED without a retry when retries are exhausted, unless it falls back to on-demand", async () => {
    await t.create("no-retry", { command: ["fake", "provision=0", "run=0", "preempt"], spot: true, preemption: { maxRetries: 0, failoverMode: "anywhere", fallBackToOnDemand: false, ignoreCheckpoints: false } });
    await ticks(r, 2);
    expect(await job("no-retry")).toMatchObject({ state: "preempted", retriedBy: "" });
    expect((await job("no-retry")).stateMessage).toMatch(/not retried: the retry limit of 0 is reached/);

    await t.create("fallback", { command: ["fake", "provision=0", "run=0", "preempt@fake-a", "preempt@fake-b"], spot: true, preemption: { maxRetries: 0, failoverMode: "anywhere", fallBackToOnDemand: true, ignoreCheckpoints: false } });
    await ticks(r, 2);
    // Spot retries exhausted: one last attempt on on-demand capacity, in the next region first.
    const retry = await job("fallback-r2");
    expect(retry).toMatchObject({ spotPlacement: false, region: "fake-b", attempt: 2 });
    expect(retry.hourlyPrice).toBeCloseTo(0.11, 9);
  });

  it("does not retry when the budget refuses the retry", async () => {
    await t.create("broke", { command: ["fake", "provision=0", "run=0", "preempt"], spot: true });
    t.budget.refuse = (req) => req.job === "trainingJobs/broke-r2";
    try {
      await ticks(r, 2);
    } finally {
      t.budget.refuse = undefined;
    }
    const ended = await job("broke");
    expect(ended).toMatchObject({ state: "preempted", retriedBy: "" });
    expect(ended.stateMessage).toMatch(/not retried: Budget budgets\/test refuses/);
  });

  it("refuses creation when every candidate's budget refuses, writing nothing", async () => {
    t.budget.refuse = () => true;
    try {
      await expect(t.create("refused", { command: ["fake"] })).rejects.toSatisfy((e) => reasonOf(e) === "resource_exhausted:BUDGET_EXCEEDED");
    } finally {
      t.budget.refuse = undefined;
    }
    expect(await t.orm.em.fork().count(TrainingJobEntity, { id: "refused" })).toBe(0);
  });

  it("names what is missing for a pinned provider that is unknown, unconfigured or disabled", async () => {
    const pinned = (provider: string) => t.create(`pin-${provider}`, { placement: { provider, region: "", instanceType: "", strategy: "cheapest", allowedProviders: [], allowedRegions: [] } });
    await expect(pinned("nowhere")).rejects.toSatisfy((e) => reasonOf(e) === "invalid_argument:UNKNOWN_PROVIDER");
    await expect(pinned("aws")).rejects.toSatisfy((e) => reasonOf(e) === "failed_precondition:PROVIDER_NOT_CONFIGURED" && (e as Error).message.includes("providers/aws"));
    const { FakeComputeProvider } = await import("./providers/fake/index.js");
    t.registry.register(new FakeComputeProvider({ id: "fake-off" }));
    await expect(pinned("fake-off")).rejects.toSatisfy((e) => reasonOf(e) === "failed_precondition:PROVIDER_DISABLED");
    t.registry.unregister("fake-off");
  });

  it("keeps jobs QUEUED beyond the provider's concurrency limit and dispatches them as slots free up", async () => {
    const { FakeComputeProvider } = await import("./providers/fake/index.js");
    const limited = await trainingTestbed({ fake: new FakeComputeProvider({ maxConcurrentJobs: 1 }) });
    try {
      const lr = limited.reconciler();
      await limited.create("first", { command: ["fake", "provision=0", "run=2"] });
      await limited.create("second", { command: ["fake", "provision=0", "run=0"] });
      await lr.tick();
      const second = await getTrainingJob(limited.orm.em.fork(), "second");
      expect(second.state).toBe("queued");
      expect(second.stateMessage).toBe("waiting for a free slot on providers/fake (1 of 1 in use)");
      await ticks(lr, 4);
      expect((await getTrainingJob(limited.orm.em.fork(), "first")).state).toBe("succeeded");
      await ticks(lr, 2);
      expect((await getTrainingJob(limited.orm.em.fork(), "second")).state).toBe("succeeded");
    } finally {
      await limited.dispose();
    }
  });

  it("lets exactly one reconciler lead, and another take over once the leader stops renewing", async () => {
    const a = t.reconciler({ leaseMs: 10_000 });
    const b = t.reconciler({ leaseMs: 10_000 });
    await t.orm.em.fork().nativeDelete(TrainingLeaseEntity, {});
    expect(await a.acquireLease()).toBe(true);
    expect(await b.acquireLease()).toBe(false);
    t.clock.advance(5_000);
    expect(await a.acquireLease()).toBe(true);
    t.clock.advance(9_000);
    expect(await b.acquireLease()).toBe(false);
    t.clock.advance(2_000);
    expect(await b.acquireLease()).toBe(true);
    expect(await a.acquireLease()).toBe(false);
    expect((await t.orm.em.fork().findOneOrFail(TrainingLeaseEntity, { name: "training-reconciler" })).holder).toBe(b.holder);
    // A leader that stops gives the lease up at once.
    b.start();
    await b.stop();
    expect(await a.acquireLease()).toBe(true);
    // Back to the suite's own reconciler for the tests that follow.
    await t.orm.em.fork().nativeDelete(TrainingLeaseEntity, {});
    expect(await r.acquireLease()).toBe(true);
  });

  it("grants the lease to exactly one of many processes racing for it", async () => {
    for (const expired of [false, true]) {
      await t.orm.em.fork().nativeDelete(TrainingLeaseEntity, {});
      if (expired) await t.orm.em.fork().insert(TrainingLeaseEntity, { name: "training-reconciler", holder: "gone", acquireTime: new Date(0), expireTime: new Date(0) });
      const racers = Array.from({ length: 8 }, () => t.reconciler({ leaseMs: 10_000 }));
      const won = await Promise.all(racers.map((x) => x.acquireLease()));
      expect(won.filter(Boolean)).toHaveLength(1);
    }
    await t.orm.em.fork().nativeDelete(TrainingLeaseEntity, {});
    expect(await r.acquireLease()).toBe(true);
  });

  it("accepts a job token while its job runs and for a grace minute after, and only as that job", async () => {
    await t.create("tokened", { command: ["fake", "provision=0", "run=1000"] });
    const token = await ensureJobToken(t.orm.em.fork(), Buffer.alloc(32, 9), "tokened", t.clock.now());
    expect(await ensureJobToken(t.orm.em.fork(), Buffer.alloc(32, 9), "tokened", t.clock.now())).toBe(token);
    let now = t.clock.now().getTime();
    const verifier = createJobTokenVerifier(() => t.orm.em.fork(), Buffer.alloc(32, 9), { ttlMs: 0, now: () => now });
    expect(await verifier.verify(token)).toMatchObject({ job: "trainingJobs/tokened", keyName: "trainingJobs/tokened" });
    expect(await verifier.verify(`${token}x`)).toBeUndefined();
    expect(await verifier.verify("artenic-job.tokened.forged")).toBeUndefined();
    await cancelTrainingJob(t.ctx(), t.deps, "tokened", "", "");
    const ended = (await job("tokened")).endTime!.getTime();
    now = ended + 30_000;
    expect(await verifier.verify(token)).toBeDefined();
    now = ended + 61_000;
    expect(await verifier.verify(token)).toBeUndefined();
  });

  it("does not change a job's etag when the loop records polls or logs", async () => {
    await t.create("quiet", { command: ["fake", "provision=0", "run=1000", "log=a", "log=b"] });
    await ticks(r, 2);
    const before = (await job("quiet")).revision;
    await ticks(r, 3);
    const after = await job("quiet");
    expect(after.revision).toBe(before);
    expect(after.logCount).toBeGreaterThanOrEqual(3);
    await cancelTrainingJob(t.ctx(), t.deps, "quiet", `"${before}"`, "");
  });
});
