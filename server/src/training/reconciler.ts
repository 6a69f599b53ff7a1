import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { hostname } from "node:os";
import { UniqueConstraintViolationException, type EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import { AppError } from "../platform/errors/app-error.js";
import { recordEvent, SYSTEM_ACTOR } from "../platform/outbox/outbox.js";
import { createModelVersion, readOnnxSignature, versionName, type ArtifactStore } from "../registry/index.js";
import { presignedCodeUrl, removeStagedCode, stageCode } from "./code-staging.js";
import type { ComputeProvider, LaunchSpec, ProviderHandle, ProviderStatus } from "./compute-provider.js";
import { isTerminal, jobName, transition } from "./job-state.js";
import { ensureJobToken } from "./job-token.js";
import { chooseRetry, DEFAULT_MAX_RUNTIME_MS, estimateCost, findCandidates, retryConstraints, type Candidate } from "./placement.js";
import { TrainingJobEntity, TrainingLeaseEntity, type JobState, type LogStreamName } from "./training-job.entity.js";
import {
  accruedCost,
  appendLogLines,
  artifactsDir,
  constraintsOf,
  LIVE_JOB_FILTER,
  lockJob,
  placedJobFields,
  releaseWithoutCompute,
  sealSecretEnv,
  secretEnvOf,
  updateQuietly,
  type LogLineInput,
  type TrainingDeps,
} from "./training-job.use-cases.js";

/** What the reconcile loop needs besides the use cases' dependencies. */
export interface ReconcilerDeps extends TrainingDeps {
  /** A fresh unit of work; every step takes its own. */
  readonly em: () => EntityManager;
  /** The key job tokens are derived from and hashed with (the API-key hashing key). */
  readonly hashKey: Buffer;
  /** Where registered model versions' artifacts go. */
  readonly store: ArtifactStore;
  readonly logger: Logger;
  /** How often every non-terminal job is looked at. */
  readonly intervalMs: number;
  /** How long the leader lease lasts without renewal; another process takes over after it. */
  readonly leaseMs: number;
  /** The API base URL jobs report to (ARTENIC_ENDPOINT); set at start when not known before. */
  readonly endpoint?: string;
  /** Consecutive transient dispatch failures before a QUEUED job is FAILED. @default 10 */
  readonly maxDispatchFailures?: number;
  readonly now?: () => Date;
}

const LEASE_NAME = "training-reconciler";
/** A log line is at most 16 KiB (training_service.proto); longer output is split. */
const MAX_LINE_BYTES = 16 * 1024;

function splitLine(text: string): string[] {
  if (Buffer.byteLength(text, "utf8") <= MAX_LINE_BYTES) return [text];
  const parts: string[] = [];
  let current = "";
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, "utf8");
    if (bytes + n > MAX_LINE_BYTES) {
      parts.push(current);
      current = "";
      bytes = 0;
    }
    current += ch;
    bytes += n;
  }
  parts.push(current);
  return parts;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function hours(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 1 ? `${Math.round(h * 100) / 100} h` : `${Math.round(ms / 1000)} s`;
}

/**
 * The reconcile loop: one leader among server processes (a lease row renewed every tick and taken
 * over once it expires) looks at every job that is not finished or whose compute is not released,
 * and moves it along — dispatching QUEUED jobs when their provider has room, polling the provider for
 * the others, storing their log output, finalizing stuck jobs by their own max runtime and max cost,
 * collecting outputs, registering the ONNX model a successful job wrote, retrying preempted jobs
 * elsewhere, and releasing compute (settling the budget reservation with the actual cost).
 *
 * Every step is safe to repeat: provider handles persist before anything else happens, submits are
 * idempotent by job name, and each state change re-reads the job under its row lock and checks it
 * is still due. So a server killed at any point resumes where it was, registers an output once, and
 * leaks no compute.
 */
export class TrainingReconciler {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private endpoint: string;
  private stopped = true;
  /** Set by `stop`: a tick in progress ends after its current job. */
  private halting = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;
  private leader = false;
  private lastLeaseTime = 0;
  private readonly abort = new AbortController();

  private intervalMs: number;

  constructor(private readonly deps: ReconcilerDeps) {
    this.endpoint = deps.endpoint ?? "";
    this.intervalMs = deps.intervalMs;
  }

  /** The time between ticks from now on (a runtime setting); the pending wait ends at once. */
  setIntervalMs(ms: number): void {
    if (ms === this.intervalMs) return;
    this.intervalMs = ms;
    this.wake?.();
  }

  /** The time between ticks in effect. */
  get interval(): number {
    return this.intervalMs;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Whether this process held the lease at its last attempt. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Starts the loop; `endpoint` is the API URL handed to jobs when configuration left it unset. */
  start(endpoint?: string): void {
    if (!this.stopped) return;
    if (this.endpoint === "" && endpoint) this.endpoint = endpoint;
    this.stopped = false;
    this.halting = false;
    this.running = this.loop();
  }

  /** Stops after the current step and gives the lease up, so another process takes over at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.halting = true;
    this.abort.abort();
    this.wake?.();
    await this.running;
    if (this.leader) {
      await this.deps
        .em()
        .nativeUpdate(TrainingLeaseEntity, { name: LEASE_NAME, holder: this.holder }, { expireTime: new Date(0) })
        .catch(() => undefined);
      this.leader = false;
    }
  }

  /** Looks at jobs now rather than at the next tick (after a creation or a cancellation). */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.nudged = false;
      try {
        await this.tick();
      } catch (e) {
        this.deps.logger.warn({ err: e }, "training reconcile tick failed");
      }
      if (this.stopped || this.nudged) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.intervalMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  // ---------------------------------------------------------------- leadership

  /** Renews or takes the lease; true while this process is the leader. */
  async acquireLease(): Promise<boolean> {
    const em = this.deps.em();
    const now = this.now();
    const expireTime = new Date(now.getTime() + this.deps.leaseMs);
    let held = (await em.nativeUpdate(TrainingLeaseEntity, { name: LEASE_NAME, holder: this.holder, expireTime: { $gte: now } }, { expireTime })) > 0;
    if (!held) {
      held = (await em.nativeUpdate(TrainingLeaseEntity, { name: LEASE_NAME, expireTime: { $lt: now } }, { holder: this.holder, acquireTime: now, expireTime })) > 0;
      if (!held && (await em.count(TrainingLeaseEntity, { name: LEASE_NAME })) === 0) {
        try {
          em.create(TrainingLeaseEntity, { name: LEASE_NAME, holder: this.holder, acquireTime: now, expireTime });
          await em.flush();
          held = true;
        } catch (e) {
          if (!(e instanceof UniqueConstraintViolationException)) throw e;
        }
      }
      if (held) this.deps.logger.info({ holder: this.holder }, "training reconcile leadership acquired");
    }
    if (this.leader && !held) this.deps.logger.warn({ holder: this.holder }, "training reconcile leadership lost");
    this.leader = held;
    this.lastLeaseTime = now.getTime();
    return held;
  }

  /** Renews the lease during a long tick; false when it was lost (another process leads now). */
  private async keepLease(): Promise<boolean> {
    if (this.now().getTime() - this.lastLeaseTime < this.deps.leaseMs / 3) return true;
    return this.acquireLease();
  }

  // ---------------------------------------------------------------- one pass

  /** One pass over every job that needs work, if this process leads. Exposed for tests. */
  async tick(): Promise<void> {
    if (!(await this.acquireLease())) return;
    const em = this.deps.em();
    const jobs = await em.find(
      TrainingJobEntity,
      LIVE_JOB_FILTER,
      { orderBy: { createTime: "asc", id: "asc" }, fields: ["id", "state", "provider"] as never },
    );
    const active = new Map<string, number>();
    for (const j of jobs) if (j.state === "provisioning" || j.state === "running") active.set(j.provider, (active.get(j.provider) ?? 0) + 1);
    for (const { id } of jobs) {
      if (this.halting || !(await this.keepLease())) return;
      try {
        await this.reconcileJob(id, active);
      } catch (e) {
        this.deps.logger.warn({ err: e, job: jobName(id) }, "reconciling a training job failed; retrying next tick");
      }
    }
  }

  private async reconcileJob(id: string, active: Map<string, number>): Promise<void> {
    const job = await this.deps.em().findOne(TrainingJobEntity, { id });
    if (!job) return;
    if (job.state === "queued") return this.dispatch(job, active);
    if (job.state === "provisioning" || job.state === "running") return this.follow(job);
    if (!job.releaseTime) return this.release(job);
  }

  private provider(id: string): ComputeProvider | undefined {
    return this.deps.registry.get(id.replace(/^providers\//, ""));
  }

  private notify(id: string): void {
    this.deps.signals.notify(id);
  }

  // ---------------------------------------------------------------- dispatch

  private async setQueuedMessage(job: TrainingJobEntity, text: string, failures?: number): Promise<void> {
    if (job.stateMessage === text && failures === undefined) return;
    await this.deps.em().transactional(async (em) => {
      const j = await lockJob(em, job.id);
      if (j.state !== "queued") return;
      j.stateMessage = text;
      if (failures !== undefined) j.dispatchFailures = failures;
      j.updateTime = this.now();
    });
    this.notify(job.id);
  }

  private async failQueued(job: TrainingJobEntity, text: string): Promise<void> {
    await this.deps.em().transactional(async (em) => {
      const j = await lockJob(em, job.id);
      if (j.state !== "queued") return;
      const now = this.now();
      transition(em, SYSTEM_ACTOR, j, "failed", text, now);
      await appendLogLines(em, j.id, [{ stream: "system", text }], now);
      await releaseWithoutCompute(em, SYSTEM_ACTOR, this.deps, j, now);
    });
    this.notify(job.id);
  }

  private async dispatch(job: TrainingJobEntity, active: Map<string, number>): Promise<void> {
    const provider = this.provider(job.provider);
    if (!provider) return this.failQueued(job, `dispatch failed: provider ${job.provider} is not available on this server`);
    const limit = provider.maxConcurrentJobs;
    const inUse = active.get(job.provider) ?? 0;
    if (limit !== undefined && inUse >= limit) {
      return this.setQueuedMessage(job, `waiting for a free slot on ${job.provider} (${inUse} of ${limit} in use)`);
    }
    let spec: LaunchSpec;
    try {
      spec = await this.launchSpec(job);
    } catch (e) {
      return this.failQueued(job, `dispatch failed: ${message(e)}`);
    }
    let handle: ProviderHandle;
    try {
      handle = await provider.submit(spec, this.abort.signal);
    } catch (e) {
      if (e instanceof AppError && e.kind === "resource_exhausted") return this.setQueuedMessage(job, `waiting for capacity on ${job.provider}: ${e.message}`);
      const transient = !(e instanceof AppError) || e.kind === "unavailable" || e.kind === "aborted";
      const failures = job.dispatchFailures + 1;
      if (transient && failures < (this.deps.maxDispatchFailures ?? 10)) {
        this.deps.logger.warn({ err: e, job: jobName(job.id) }, "training job dispatch failed; retrying");
        return this.setQueuedMessage(job, `dispatch attempt ${failures} failed, retrying: ${message(e)}`, failures);
      }
      return this.failQueued(job, `dispatch failed: ${message(e)}`);
    }
    active.set(job.provider, inUse + 1);
    const accepted = await this.deps.em().transactional(async (em) => {
      const j = await lockJob(em, job.id);
      if (j.state !== "queued") return false;
      const now = this.now();
      j.handle = handle;
      j.submitTime = now;
      j.billingStartTime = now;
      j.providerState = "submitted";
      j.dispatchFailures = 0;
      if (handle.region) j.region = handle.region;
      if (handle.instanceType) j.instanceType = handle.instanceType;
      transition(em, SYSTEM_ACTOR, j, "provisioning", `submitted to ${j.provider}`, now, { region: j.region, instanceType: j.instanceType, handle: handle.id });
      await appendLogLines(em, j.id, [{ stream: "system", text: `submitted to ${j.provider} (${j.region}, ${j.instanceType}${j.spotPlacement ? ", spot" : ""}) as ${handle.id}` }], now);
      return true;
    });
    if (!accepted) {
      // Cancelled while it was being submitted: stop what the provider just started.
      await provider.cancel(handle).catch(() => undefined);
      await provider.cleanup(handle).catch((e: unknown) => this.deps.logger.warn({ err: e, job: jobName(job.id) }, "cleanup after a cancelled dispatch failed"));
    }
    this.notify(job.id);
  }

  /** The launch spec of a job: its code staged, its token, its environment, its placement. */
  private async launchSpec(job: TrainingJobEntity): Promise<LaunchSpec> {
    const em = this.deps.em();
    const spec = job.spec;
    const codePath = await stageCode(em, this.deps, job.id, spec.code, this.abort.signal);
    const codeUrl = await presignedCodeUrl(em, this.deps.store, spec.code);
    const token = await ensureJobToken(em, this.deps.hashKey, job.id, this.now());
    const resumeFrom = await this.resumePoint(job);
    const env: Record<string, string> = {
      ...spec.env,
      ...secretEnvOf(job, this.deps.secretsKey),
      ARTENIC_ENDPOINT: this.endpoint,
      ARTENIC_TRAINING_JOB: jobName(job.id),
      ARTENIC_JOB_TOKEN: token,
      ARTENIC_HYPERPARAMETERS: JSON.stringify(spec.hyperparameters),
    };
    const r = constraintsOf(spec).resources;
    return {
      jobName: jobName(job.id),
      image: spec.image,
      command: spec.command,
      args: spec.args,
      env,
      codePath,
      ...(codeUrl ? { codeUrl } : {}),
      ...(spec.code?.workingDir ? { workingDir: spec.code.workingDir } : {}),
      ...(resumeFrom ? { resumeFrom } : {}),
      cpus: r.cpus,
      memoryBytes: r.memoryBytes,
      gpuType: r.gpuType,
      gpuCount: r.gpuCount,
      region: job.region,
      instanceType: job.instanceType,
      spot: job.spotPlacement,
      maxRuntimeMs: spec.maxRuntimeMs ?? DEFAULT_MAX_RUNTIME_MS,
    };
  }

  /** The local file a retry resumes from: the chain's last checkpoint, unless the policy ignores it. */
  private async resumePoint(job: TrainingJobEntity): Promise<string | undefined> {
    const checkpoint = job.lastCheckpoint;
    if (!checkpoint || job.attempt <= 1 || job.spec.preemption?.ignoreCheckpoints) return undefined;
    let path: string | undefined;
    if (checkpoint.uri.startsWith("file://")) path = fileURLToPath(checkpoint.uri);
    else if (!/^[a-z][a-z0-9+.-]*:/i.test(checkpoint.uri)) {
      const dir = artifactsDir(this.deps.dataDir, checkpoint.job.replace(/^trainingJobs\//, ""));
      const candidate = resolve(dir, checkpoint.uri);
      if (!relative(dir, candidate).startsWith("..")) path = candidate;
    }
    const usable = path !== undefined && (await stat(path).then((s) => s.isFile(), () => false));
    await this.deps.em().transactional((em) =>
      appendLogLines(
        em,
        job.id,
        [{ stream: "system", text: usable ? `resuming from checkpoint ${checkpoint.uri} (step ${checkpoint.step})` : `checkpoint ${checkpoint.uri} is not available here; starting from scratch` }],
        this.now(),
      ),
    );
    return usable ? path : undefined;
  }

  // ---------------------------------------------------------------- following a running job

  private async follow(job: TrainingJobEntity): Promise<void> {
    const handle = job.handle;
    const provider = handle ? this.provider(handle.provider) : undefined;
    if (!handle || !provider) {
      this.deps.logger.warn({ job: jobName(job.id), provider: job.provider }, "no adapter for the provider of a running job; it is followed again once one is registered");
      return;
    }
    const now = this.now();
    const maxRuntimeMs = job.spec.maxRuntimeMs ?? DEFAULT_MAX_RUNTIME_MS;
    if (job.billingStartTime && now.getTime() - job.billingStartTime.getTime() > maxRuntimeMs) {
      await provider.cancel(handle, this.abort.signal).catch((e: unknown) => this.deps.logger.warn({ err: e, job: jobName(job.id) }, "cancel at max runtime failed"));
      await this.drainLogs(job, provider);
      await this.end(job.id, "failed", `max runtime of ${hours(maxRuntimeMs)} exceeded`);
      return this.release(job);
    }
    if (job.spec.maxCost !== null && accruedCost(job, now) >= job.spec.maxCost) {
      await provider.cancel(handle, this.abort.signal).catch((e: unknown) => this.deps.logger.warn({ err: e, job: jobName(job.id) }, "cancel at max cost failed"));
      await this.drainLogs(job, provider);
      await this.end(job.id, "cancelled", `max cost of ${job.spec.maxCost} ${job.currency} reached`);
      return this.release(job);
    }
    let status: ProviderStatus;
    try {
      status = await provider.poll(handle, this.abort.signal);
    } catch (e) {
      await updateQuietly(this.deps.em(), job.id, { lastPollTime: now, providerState: `poll failed: ${message(e)}` });
      return;
    }
    await this.drainLogs(job, provider);
    await updateQuietly(this.deps.em(), job.id, { lastPollTime: now, providerState: status.message ? `${status.state}: ${status.message}` : status.state });
    switch (status.state) {
      case "provisioning":
        return;
      case "running":
        if (job.state === "provisioning") await this.end(job.id, "running", "running", { startTime: status.startTime });
        return;
      case "succeeded":
        await this.succeed(job, provider, status);
        return this.release(job);
      case "failed": {
        const collected = await this.collect(job, provider).catch(() => undefined);
        const why = status.message || (status.exitCode !== undefined ? `exit code ${status.exitCode}` : "the job failed");
        await this.end(job.id, "failed", why, { exitCode: status.exitCode, artifactsUri: collected });
        return this.release(job);
      }
      case "preempted":
        // Outputs first: a checkpoint written there is what the retry resumes from.
        await this.collect(job, provider).catch(() => undefined);
        await this.preempt(job, status);
        return this.release(job);
      case "gone":
        await this.end(job.id, "failed", `the provider lost the job: ${status.message || "it no longer exists"}`);
        return this.release(job);
    }
  }

  /** Stores the log lines the provider produced since the stored cursor, with the cursor, atomically. */
  private async drainLogs(job: TrainingJobEntity, provider: ComputeProvider): Promise<void> {
    if (!provider.readLogs || !job.handle) return;
    for (let round = 0; round < 20; round++) {
      let batch: Awaited<ReturnType<NonNullable<ComputeProvider["readLogs"]>>>;
      try {
        batch = await provider.readLogs(job.handle, job.logCursor, this.abort.signal);
      } catch (e) {
        this.deps.logger.debug({ err: e, job: jobName(job.id) }, "reading provider logs failed");
        return;
      }
      if (batch.lines.length === 0 && batch.cursor === job.logCursor) return;
      const lines: LogLineInput[] = batch.lines.flatMap((text, i) => splitLine(text).map((part) => ({ stream: (batch.streams?.[i] ?? "stdout") as LogStreamName, text: part })));
      await this.deps.em().transactional(async (em) => {
        await appendLogLines(em, job.id, lines, this.now());
        await updateQuietly(em, job.id, { logCursor: batch.cursor });
      });
      job.logCursor = batch.cursor;
      this.notify(job.id);
      if (batch.lines.length === 0) return;
    }
  }

  /**
   * Moves a job to `to` unless it already ended; a job that ends straight from PROVISIONING passes
   * through RUNNING, so the lifecycle stays explicit. The message also goes to the job's log.
   */
  private async end(
    id: string,
    to: JobState,
    text: string,
    extra: { exitCode?: number | undefined; artifactsUri?: string | undefined; startTime?: Date | undefined } = {},
  ): Promise<void> {
    await this.deps.em().transactional(async (em) => {
      const j = await lockJob(em, id);
      if (isTerminal(j.state) || j.state === to) return;
      const now = this.now();
      // A process that exited was running, however short its run was between two polls.
      if (j.state === "provisioning" && (to === "succeeded" || (to === "failed" && extra.exitCode !== undefined))) {
        transition(em, SYSTEM_ACTOR, j, "running", "running", now);
      }
      if (extra.startTime && to === "running") j.startTime = extra.startTime;
      if (extra.exitCode !== undefined) j.exitCode = extra.exitCode;
      if (extra.artifactsUri) j.artifactsUri = extra.artifactsUri;
      transition(em, SYSTEM_ACTOR, j, to, text, now, extra.exitCode !== undefined ? { exitCode: extra.exitCode } : {});
      await appendLogLines(em, id, [{ stream: "system", text: to === "running" ? "the training process is running" : `${to.toUpperCase()}: ${text}` }], now);
    });
    this.notify(id);
  }

  /** Copies the job's outputs into its artifacts directory on the server; returns its file URI. */
  private async collect(job: TrainingJobEntity, provider: ComputeProvider): Promise<string> {
    const { files } = await provider.collectArtifacts(job.handle!, this.abort.signal);
    const dir = artifactsDir(this.deps.dataDir, job.id);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const file of files) {
      const target = resolve(dir, file.name);
      if (relative(dir, target).startsWith("..") || target === dir) continue;
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, await file.read());
    }
    return pathToFileURL(dir).href;
  }

  /**
   * A successful exit: collect the outputs and, when asked, register the ONNX model they hold as a
   * new version with the job as its lineage, in the transaction that makes the job SUCCEEDED, so the
   * version exists exactly once whatever crashes in between. A missing or unreadable model file
   * fails the job instead.
   */
  private async succeed(job: TrainingJobEntity, provider: ComputeProvider, status: ProviderStatus): Promise<void> {
    const exitCode = status.exitCode ?? 0;
    let artifactsUri: string;
    try {
      artifactsUri = await this.collect(job, provider);
    } catch (e) {
      return this.end(job.id, "failed", `the job's outputs could not be collected: ${message(e)}`, { exitCode });
    }
    const output = job.spec.output;
    if (!output || output.model === "") return this.end(job.id, "succeeded", `exit code ${exitCode}`, { exitCode, artifactsUri });
    const rel = output.modelPath || "model.onnx";
    const dir = artifactsDir(this.deps.dataDir, job.id);
    const path = resolve(dir, rel);
    const bytes = relative(dir, path).startsWith("..") ? undefined : await readFile(path).catch(() => undefined);
    if (!bytes) return this.end(job.id, "failed", `the job exited with code ${exitCode} but wrote no ${rel} to ARTENIC_OUTPUT_DIR`, { exitCode, artifactsUri });
    let signature: ReturnType<typeof readOnnxSignature>;
    try {
      signature = readOnnxSignature(bytes);
    } catch (e) {
      return this.end(job.id, "failed", `${rel} is not a readable ONNX model: ${message(e)}`, { exitCode, artifactsUri });
    }
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const staged = await this.deps.store.begin();
    let uri: string;
    try {
      await staged.write(bytes);
      // A fixed key per job and content: a registration repeated after a crash rewrites the same object.
      uri = await staged.commit(`${output.model}/training-${job.id}-${sha256.slice(0, 16)}.onnx`);
    } catch (e) {
      await staged.abort().catch(() => undefined);
      throw e;
    }
    let outcome: "registered" | "already" | "ended";
    try {
      outcome = await this.deps.em().transactional(async (em) => {
        const j = await lockJob(em, job.id);
        if (j.outputModelVersion !== "") return "already";
        if (isTerminal(j.state)) return "ended";
        const now = this.now();
        if (j.state === "provisioning") transition(em, SYSTEM_ACTOR, j, "running", "running", now);
        const version = await createModelVersion(
          { em, actor: { name: j.creator || "system", requestId: "" }, now: () => now },
          output.model,
          { description: output.modelVersionDescription, labels: output.modelVersionLabels, metrics: j.metrics, params: j.spec.hyperparameters, sourceTrainingJob: jobName(j.id) },
          { uri, format: "onnx", sizeBytes: bytes.length, sha256, contentType: "application/octet-stream", external: false, signature },
        );
        j.outputModelVersion = versionName(output.model, version.number);
        j.exitCode = exitCode;
        j.artifactsUri = artifactsUri;
        transition(em, SYSTEM_ACTOR, j, "succeeded", `exit code ${exitCode}; registered ${j.outputModelVersion}`, now, { outputModelVersion: j.outputModelVersion });
        recordEvent(em, SYSTEM_ACTOR, { topic: "training", type: "training.training_job.output_registered", resource: jobName(j.id), data: { modelVersion: j.outputModelVersion, sha256 } }, now);
        await appendLogLines(em, j.id, [{ stream: "system", text: `SUCCEEDED: registered ${j.outputModelVersion}` }], now);
        return "registered";
      });
    } catch (e) {
      if (e instanceof AppError && e.kind === "not_found") {
        await this.deps.store.delete(uri).catch(() => undefined);
        return this.end(job.id, "failed", `the output could not be registered: ${e.message}`, { exitCode, artifactsUri });
      }
      throw e;
    }
    if (outcome === "ended") await this.deps.store.delete(uri).catch(() => undefined);
    this.notify(job.id);
  }

  // ---------------------------------------------------------------- preemption

  private retryId(original: string, attempt: number): string {
    const suffix = `-r${attempt}`;
    return `${original.slice(0, 63 - suffix.length).replace(/-+$/, "")}${suffix}`;
  }

  /**
   * The provider reclaimed the capacity: the job becomes PREEMPTED and, while the preemption policy
   * allows, a retry job linked to it is created and admitted in the same transaction, placed by the
   * failover mode (another region, another provider, or the same placement), on-demand for the last
   * attempt when spot retries are exhausted and the policy falls back. The retry resumes from the
   * chain's last checkpoint.
   */
  private async preempt(job: TrainingJobEntity, status: ProviderStatus): Promise<void> {
    const spec = job.spec;
    const policy = spec.preemption;
    const maxRetries = policy?.maxRetries ?? 3;
    const used = job.attempt - 1;
    const onDemandFallbackUsed = spec.spot && !job.spotPlacement;
    let retrySpot: boolean | undefined;
    if (!onDemandFallbackUsed && used < maxRetries) retrySpot = job.spotPlacement;
    else if (policy?.fallBackToOnDemand && job.spotPlacement) retrySpot = false;
    let candidate: Candidate | undefined;
    let why = retrySpot === undefined ? `the retry limit of ${maxRetries} is reached` : "";
    if (retrySpot !== undefined) {
      const mode = policy?.failoverMode ?? "anywhere";
      const current = { provider: job.provider.replace(/^providers\//, ""), region: job.region, instanceType: job.instanceType };
      try {
        const { candidates } = await findCandidates(this.deps.em(), this.deps.registry, retryConstraints(constraintsOf(spec), current, mode, retrySpot));
        candidate = chooseRetry(candidates, current, mode);
      } catch (e) {
        why = `no placement for a retry: ${message(e)}`;
      }
    }
    const reason = `preempted: ${status.message || "the provider reclaimed the capacity"}`;
    let retryName = "";
    await this.deps.em().transactional(async (em) => {
      const j = await lockJob(em, job.id);
      if (isTerminal(j.state)) return;
      const now = this.now();
      let text = reason;
      if (candidate) {
        const original = j.originalJob.replace(/^trainingJobs\//, "");
        let id = this.retryId(original, j.attempt + 1);
        if (await em.count(TrainingJobEntity, { id })) id = this.retryId(`${original.slice(0, 50)}-${randomBytes(3).toString("hex")}`, j.attempt + 1);
        const name = jobName(id);
        const maxRuntimeMs = spec.maxRuntimeMs ?? DEFAULT_MAX_RUNTIME_MS;
        const estimate = estimateCost(candidate.hourlyPrice, maxRuntimeMs, spec.maxCost);
        try {
          await this.deps.budget.admit(
            em,
            { job: name, provider: `providers/${candidate.provider}`, service: j.service, apiKey: j.creator, amount: estimate, currency: this.deps.currency },
            now,
          );
          em.create(TrainingJobEntity, {
            id,
            displayName: j.displayName,
            description: j.description,
            labels: { ...j.labels },
            service: j.service,
            spec: j.spec,
            secretEnv: sealSecretEnv(this.deps.secretsKey, id, secretEnvOf(j, this.deps.secretsKey)),
            creator: j.creator,
            state: "queued",
            stateMessage: `retry ${j.attempt} after the preemption of ${jobName(j.id)}`,
            exitCode: null,
            attempt: j.attempt + 1,
            retryOf: jobName(j.id),
            retriedBy: "",
            originalJob: j.originalJob,
            ...placedJobFields(candidate, estimate, this.deps.currency, now),
            lastCheckpoint: j.lastCheckpoint,
            outputModel: j.outputModel,
          });
          j.retriedBy = name;
          retryName = name;
          text = `${reason}; retried as ${name} on providers/${candidate.provider} (${candidate.region}${candidate.spot ? ", spot" : ", on-demand"})`;
          recordEvent(
            em,
            SYSTEM_ACTOR,
            {
              topic: "training",
              type: "training.training_job.created",
              resource: name,
              data: { state: "QUEUED", attempt: j.attempt + 1, retryOf: jobName(j.id), provider: `providers/${candidate.provider}`, region: candidate.region, instanceType: candidate.instanceType, spot: candidate.spot, estimatedCost: estimate, currency: this.deps.currency },
            },
            now,
          );
        } catch (e) {
          if (!(e instanceof AppError) || e.kind !== "resource_exhausted") throw e;
          text = `${reason}; not retried: ${e.message}`;
        }
      } else {
        text = `${reason}; not retried: ${why}`;
      }
      transition(em, SYSTEM_ACTOR, j, "preempted", text, now, { retriedBy: j.retriedBy });
      if (retryName) {
        recordEvent(em, SYSTEM_ACTOR, { topic: "training", type: "training.training_job.retried", resource: jobName(j.id), data: { retriedBy: retryName, attempt: j.attempt + 1 } }, now);
      }
      await appendLogLines(em, j.id, [{ stream: "system", text: `PREEMPTED: ${text}` }], now);
    });
    this.notify(job.id);
    if (retryName) this.nudge();
  }

  // ---------------------------------------------------------------- release

  /**
   * Cleans up everything the provider created for an ended job (tolerating what is already gone),
   * then records the release: the actual cost from billable time, settled against the budgets in
   * the same transaction. A provider that fails to clean up is retried next tick.
   */
  private async release(job: TrainingJobEntity): Promise<void> {
    const fresh = await this.deps.em().findOne(TrainingJobEntity, { id: job.id });
    if (!fresh || fresh.releaseTime) return;
    if (fresh.handle) {
      const provider = this.provider(fresh.handle.provider);
      if (!provider) {
        this.deps.logger.warn({ job: jobName(job.id), provider: fresh.provider }, "no adapter to release a job's compute; retrying once one is registered");
        return;
      }
      await this.drainLogs(fresh, provider);
      if (fresh.state === "cancelled") await provider.cancel(fresh.handle, this.abort.signal).catch(() => undefined);
      try {
        await provider.cleanup(fresh.handle, this.abort.signal);
      } catch (e) {
        this.deps.logger.warn({ err: e, job: jobName(job.id) }, "releasing a job's compute failed; retrying next tick");
        return;
      }
    }
    await this.deps.em().transactional(async (em) => {
      const j = await lockJob(em, job.id);
      if (j.releaseTime || !isTerminal(j.state)) return;
      const now = this.now();
      if (!j.handle) return releaseWithoutCompute(em, SYSTEM_ACTOR, this.deps, j, now);
      j.actualCost = accruedCost(j, now);
      j.releaseTime = now;
      j.updateTime = now;
      await this.deps.budget.settle(em, jobName(j.id), j.actualCost, now);
      recordEvent(
        em,
        SYSTEM_ACTOR,
        { topic: "training", type: "training.training_job.compute_released", resource: jobName(j.id), data: { actualCost: j.actualCost, estimatedCost: j.estimatedCost, currency: j.currency, billedTime: j.billingStartTime ? hours(now.getTime() - j.billingStartTime.getTime()) : "0 s" } },
        now,
      );
      await appendLogLines(em, j.id, [{ stream: "system", text: `compute released; actual cost ${j.actualCost.toFixed(6)} ${j.currency} (estimated ${j.estimatedCost.toFixed(6)})` }], now);
    });
    await removeStagedCode(this.deps.dataDir, job.id).catch(() => undefined);
    this.notify(job.id);
  }
}
