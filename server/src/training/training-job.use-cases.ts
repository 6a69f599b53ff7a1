import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { EntityManager, FilterQuery } from "@mikro-orm/core";
import { PostgreSqlPlatform } from "@mikro-orm/postgresql";
import type { Logger } from "pino";
import type { BudgetGate } from "../budget/budget-gate.js";
import { checkEtag, type UseCaseContext } from "../platform/context.js";
import { decryptSecret, encryptSecret } from "../platform/crypto/master-key.js";
import { AppError } from "../platform/errors/app-error.js";
import { recordEvent, type Actor } from "../platform/outbox/outbox.js";
import { listPage, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";
import { getModel, getModelVersion } from "../registry/index.js";
import { ACTIVE_STATES, isTerminal, jobName, transition } from "./job-state.js";
import type { JobSignals } from "./job-signals.js";
import { JOB_TOKEN_GRACE_MS } from "./job-token.js";
import { DEFAULT_MAX_RUNTIME_MS, effectiveResources, estimateCost, findCandidates, type Candidate, type PlacementConstraints } from "./placement.js";
import type { ProviderRegistry } from "./provider-registry.js";
import {
  TrainingJobEntity,
  TrainingJobTokenEntity,
  TrainingLogLineEntity,
  TrainingMetricReportEntity,
  type CheckpointRecord,
  type JobSpecRecord,
  type LogStreamName,
} from "./training-job.entity.js";
import {
  codeArtifactMissing,
  codePathNotAllowed,
  jobEnded,
  jobNotCancellable,
  jobNotDeletable,
  outputModelMissing,
  trainingJobAlreadyExists,
  trainingJobNotFound,
} from "./training.errors.js";

/** What the training use cases need besides the call's unit of work. */
export interface TrainingDeps {
  readonly registry: ProviderRegistry;
  readonly budget: BudgetGate;
  /** AES-256-GCM key for `secret_env` at rest. */
  readonly secretsKey: Buffer;
  /** The platform currency (ISO 4217). */
  readonly currency: string;
  /** Absolute directories under which `code.local_path` may point. */
  readonly codeRoots: readonly string[];
  /** The server's data directory; jobs keep their collected outputs under `training/`. */
  readonly dataDir: string;
  readonly signals: JobSignals;
  /** Asks the reconcile loop to look at jobs now instead of at its next tick. */
  readonly nudge: () => void;
  readonly logger?: Logger;
}

/** The job's collected outputs on the server host. */
export const artifactsDir = (dataDir: string, jobId: string) => join(dataDir, "training", "artifacts", jobId);

/**
 * Serializes changes to one job: a no-op write on its row takes SQLite's write lock or PostgreSQL's
 * row lock for the rest of the transaction, then the row is read fresh, so concurrent writers
 * (a report, a cancellation, the reconcile loop) apply their changes one after another and never
 * trip the optimistic lock.
 */
export async function lockJob(em: EntityManager, id: string): Promise<TrainingJobEntity> {
  await em.getConnection().execute("update training_job set log_count = log_count where id = ?", [id], "run", em.getTransactionContext());
  const job = await em.findOne(TrainingJobEntity, { id }, { refresh: true });
  if (!job) throw trainingJobNotFound(jobName(id));
  return job;
}

/** Bookkeeping columns the reconcile loop writes without changing the job's revision (its etag). */
export interface QuietJobFields {
  readonly lastPollTime?: Date;
  readonly providerState?: string;
  readonly logCursor?: string;
}

/**
 * Writes poll bookkeeping with a plain update: MikroORM bumps the optimistic-lock revision on every
 * update it builds, and a job's etag must not change each time the loop polls it.
 */
export async function updateQuietly(em: EntityManager, id: string, fields: QuietJobFields): Promise<void> {
  const columns: string[] = [];
  const values: unknown[] = [];
  const pg = em.getPlatform() instanceof PostgreSqlPlatform;
  if (fields.lastPollTime) {
    columns.push("last_poll_time = ?");
    // SQLite keeps datetimes as epoch milliseconds (MikroORM's mapping); PostgreSQL as timestamptz.
    values.push(pg ? fields.lastPollTime : fields.lastPollTime.getTime());
  }
  if (fields.providerState !== undefined) {
    columns.push("provider_state = ?");
    values.push(fields.providerState.slice(0, 128));
  }
  if (fields.logCursor !== undefined) {
    columns.push("log_cursor = ?");
    values.push(fields.logCursor);
  }
  if (columns.length === 0) return;
  await em.getConnection().execute(`update training_job set ${columns.join(", ")} where id = ?`, [...values, id], "run", em.getTransactionContext());
}

export async function getTrainingJob(em: EntityManager, id: string): Promise<TrainingJobEntity> {
  const job = await em.findOne(TrainingJobEntity, { id });
  if (!job) throw trainingJobNotFound(jobName(id));
  return job;
}

/** The cost accrued so far: final once released, else billable time so far times the hourly price. */
export function accruedCost(job: TrainingJobEntity, now: Date): number {
  if (job.releaseTime) return job.actualCost;
  if (!job.billingStartTime) return 0;
  return (Math.max(0, now.getTime() - job.billingStartTime.getTime()) / 3_600_000) * job.hourlyPrice;
}

// ---------------------------------------------------------------- creation

/** A job to create, in domain terms (the mapper turns the proto request into this). */
export interface NewJobInput {
  /** Empty means the server picks one. */
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `services/{service}` or "". */
  readonly service: string;
  readonly spec: JobSpecRecord;
  readonly secretEnv: Readonly<Record<string, string>>;
}

/** The placement constraints of a spec. */
export function constraintsOf(spec: JobSpecRecord): PlacementConstraints {
  const p = spec.placement;
  return {
    provider: p?.provider ?? "",
    region: p?.region ?? "",
    instanceType: p?.instanceType ?? "",
    strategy: p?.strategy ?? "cheapest",
    allowedProviders: p?.allowedProviders ?? [],
    allowedRegions: p?.allowedRegions ?? [],
    resources: effectiveResources(spec.resources),
    spot: spec.spot,
  };
}

/**
 * Ranks where a spec could run, before any transaction: asking providers for offerings may take a
 * network round trip, which must not happen while a transaction holds SQLite's only connection.
 */
export function planPlacement(em: EntityManager, deps: TrainingDeps, spec: JobSpecRecord): Promise<{ candidates: Candidate[]; skipped: string[] }> {
  return findCandidates(em, deps.registry, constraintsOf(spec));
}

/** Refuses a `local_path` outside the configured code roots (symlinks are resolved at staging). */
export function checkCodePath(codeRoots: readonly string[], path: string): void {
  const normalized = path.replace(/\/+$/, "");
  if (normalized.split("/").includes("..") || !codeRoots.some((root) => normalized === root || normalized.startsWith(`${root.replace(/\/+$/, "")}/`))) {
    throw codePathNotAllowed(path);
  }
}

function newJobId(): string {
  return `job-${Date.now().toString(36)}${randomBytes(5).toString("hex")}`;
}

/** The best candidate of each provider, in rank order: admission tries providers one after another. */
function bestPerProvider(candidates: readonly Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => (seen.has(c.provider) ? false : (seen.add(c.provider), true)));
}

/** Jobs that still need the loop: not yet ended, or ended with compute not yet released. */
export const LIVE_JOB_FILTER: FilterQuery<TrainingJobEntity> = { $or: [{ state: { $in: [...ACTIVE_STATES] } }, { releaseTime: null }] };

/** How many live jobs a provider has: it cannot be deleted or lose its credentials while any remain. */
export function countLiveJobs(em: EntityManager, providerId: string): Promise<number> {
  return em.count(TrainingJobEntity, { $and: [LIVE_JOB_FILTER, { provider: `providers/${providerId}` }] });
}

/**
 * The fields of a job row that is queued on a placement and has not run yet: a new job and a
 * retry start from the same blank provider, progress and timing state.
 */
export function placedJobFields(candidate: Candidate, estimatedCost: number, currency: string, now: Date) {
  return {
    provider: `providers/${candidate.provider}`,
    region: candidate.region,
    instanceType: candidate.instanceType,
    spotPlacement: candidate.spot,
    hourlyPrice: candidate.hourlyPrice,
    handle: null,
    providerState: "",
    logCursor: "",
    logCount: 0,
    dispatchFailures: 0,
    submitTime: null,
    lastPollTime: null,
    billingStartTime: null,
    releaseTime: null,
    estimatedCost,
    actualCost: 0,
    currency,
    metrics: {},
    metricsStep: 0,
    artifactsUri: "",
    outputModelVersion: "",
    createTime: now,
    startTime: null,
    endTime: null,
    updateTime: now,
  } as const;
}

/**
 * Creates a QUEUED job and admits it against the budgets in the caller's transaction. The first
 * ranked placement whose provider no BLOCK budget refuses wins; when every one is refused, the
 * first refusal (RESOURCE_EXHAUSTED naming the budget) is what the caller sees, and nothing is
 * written. The reconcile loop dispatches the job after the commit.
 */
export async function createTrainingJob(
  ctx: UseCaseContext,
  deps: TrainingDeps,
  input: NewJobInput,
  candidates: readonly Candidate[],
): Promise<{ job: TrainingJobEntity; warnings: readonly string[] }> {
  const em = ctx.em;
  const id = input.id || newJobId();
  const name = jobName(id);
  if (await em.count(TrainingJobEntity, { id })) throw trainingJobAlreadyExists(name);
  const spec = input.spec;
  if (spec.output && spec.output.model !== "") {
    await getModel(em, spec.output.model).catch((e: unknown) => {
      throw e instanceof AppError && e.kind === "not_found" ? outputModelMissing(`models/${spec.output!.model}`) : e;
    });
  }
  if (spec.code?.kind === "artifact") {
    const m = /^models\/([^/]+)\/versions\/(\d+)$/.exec(spec.code.value)!;
    await getModelVersion(em, m[1]!, Number(m[2])).catch((e: unknown) => {
      throw e instanceof AppError && e.kind === "not_found" ? codeArtifactMissing(spec.code!.value) : e;
    });
  }
  if (spec.code?.kind === "local_path") checkCodePath(deps.codeRoots, spec.code.value);
  const now = ctx.now();
  const maxRuntimeMs = spec.maxRuntimeMs ?? DEFAULT_MAX_RUNTIME_MS;
  let chosen: Candidate | undefined;
  let admitted: { warnings: readonly string[] } | undefined;
  let refusal: unknown;
  for (const candidate of bestPerProvider(candidates)) {
    try {
      admitted = await deps.budget.admit(
        em,
        {
          job: name,
          provider: `providers/${candidate.provider}`,
          service: input.service,
          apiKey: ctx.actor.name,
          amount: estimateCost(candidate.hourlyPrice, maxRuntimeMs, spec.maxCost),
          currency: deps.currency,
        },
        now,
      );
      chosen = candidate;
      break;
    } catch (e) {
      if (!(e instanceof AppError) || e.kind !== "resource_exhausted") throw e;
      refusal ??= e;
    }
  }
  if (!chosen || !admitted) throw refusal ?? new AppError("failed_precondition", "NO_PLACEMENT", "No placement is available for this job.");
  const job = em.create(TrainingJobEntity, {
    id,
    displayName: input.displayName,
    description: input.description,
    labels: { ...input.labels },
    service: input.service,
    spec,
    secretEnv: Object.keys(input.secretEnv).length > 0 ? encryptSecret(deps.secretsKey, JSON.stringify(input.secretEnv), `training-job:${id}`) : "",
    creator: ctx.actor.name,
    state: "queued",
    stateMessage: "waiting to be dispatched",
    exitCode: null,
    attempt: 1,
    retryOf: "",
    retriedBy: "",
    originalJob: name,
    ...placedJobFields(chosen, estimateCost(chosen.hourlyPrice, maxRuntimeMs, spec.maxCost), deps.currency, now),
    lastCheckpoint: null,
    outputModel: spec.output?.model ? `models/${spec.output.model}` : "",
  });
  recordEvent(
    em,
    ctx.actor,
    {
      topic: "training",
      type: "training.training_job.created",
      resource: name,
      data: { state: "QUEUED", attempt: 1, provider: job.provider, region: job.region, instanceType: job.instanceType, spot: job.spotPlacement, estimatedCost: job.estimatedCost, currency: deps.currency },
    },
    now,
  );
  for (const warning of admitted.warnings) {
    recordEvent(em, ctx.actor, { topic: "training", type: "training.training_job.budget_warning", resource: name, data: { warning } }, now);
  }
  return { job, warnings: admitted.warnings };
}

/** Decrypts a job's `secret_env`; empty without one. */
export function secretEnvOf(job: TrainingJobEntity, secretsKey: Buffer): Record<string, string> {
  return job.secretEnv === "" ? {} : (JSON.parse(decryptSecret(secretsKey, job.secretEnv, `training-job:${job.id}`)) as Record<string, string>);
}

/** Seals a job's `secret_env` under its id (retries re-seal under their own). */
export function sealSecretEnv(secretsKey: Buffer, jobId: string, values: Readonly<Record<string, string>>): string {
  return Object.keys(values).length > 0 ? encryptSecret(secretsKey, JSON.stringify(values), `training-job:${jobId}`) : "";
}

// ---------------------------------------------------------------- queries

const stateValues: Record<string, string> = {};
for (const s of ["queued", "provisioning", "running", "succeeded", "failed", "cancelled", "preempted"]) {
  stateValues[s.toUpperCase()] = s;
  stateValues[`TRAINING_JOB_STATE_${s.toUpperCase()}`] = s;
}

const jobListSpec: ListSpec = {
  fields: {
    state: { prop: "state", type: "string", values: stateValues },
    "provider_job.provider": { prop: "provider", type: "string" },
    "provider_job.region": { prop: "region", type: "string" },
    "provider_job.spot": { prop: "spotPlacement", type: "bool" },
    service: { prop: "service", type: "string" },
    creator: { prop: "creator", type: "string" },
    original_job: { prop: "originalJob", type: "string" },
    retry_of: { prop: "retryOf", type: "string" },
    "spec.output.model": { prop: "outputModel", type: "string" },
    create_time: { prop: "createTime", type: "timestamp" },
    update_time: { prop: "updateTime", type: "timestamp" },
    end_time: { prop: "endTime", type: "timestamp" },
    display_name: { prop: "displayName", type: "string" },
  },
  maps: { labels: { prop: "labels", type: "string" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

export function listTrainingJobs(ctx: UseCaseContext, request: ListRequestLike): Promise<Page<TrainingJobEntity>> {
  return listPage(ctx.em, TrainingJobEntity, jobListSpec, request);
}

const streamValues: Record<string, string> = {};
for (const s of ["stdout", "stderr", "system"]) {
  streamValues[s.toUpperCase()] = s;
  streamValues[`TRAINING_LOG_STREAM_${s.toUpperCase()}`] = s;
}

const logListSpec: ListSpec = {
  fields: {
    stream: { prop: "stream", type: "string", values: streamValues },
    time: { prop: "time", type: "timestamp" },
    sequence: { prop: "seq", type: "number" },
  },
  defaultOrder: "sequence",
  idProp: "seq",
};

export async function listTrainingJobLogs(ctx: UseCaseContext, id: string, request: ListRequestLike): Promise<Page<TrainingLogLineEntity>> {
  await getTrainingJob(ctx.em, id);
  return listPage(ctx.em, TrainingLogLineEntity, logListSpec, request, { job: id }, { scopeKey: id });
}

// ---------------------------------------------------------------- cancellation and deletion

/**
 * Cancels a job. QUEUED ends at once (nothing runs, nothing is reserved any more). PROVISIONING and
 * RUNNING become CANCELLED and the provider is asked to stop before the call returns; the reconcile
 * loop then releases the compute (asking again if the provider could not be reached). The state
 * changes first so that the loop, seeing the process die, never mistakes the cancellation for a
 * failure. A CANCELLED job is returned unchanged; any other ended job is FAILED_PRECONDITION.
 */
export async function cancelTrainingJob(ctx: UseCaseContext, deps: TrainingDeps, id: string, etag: string, reason: string, signal?: AbortSignal): Promise<TrainingJobEntity> {
  const name = jobName(id);
  const read = await getTrainingJob(ctx.em.fork(), id);
  checkEtag(etag, read.revision, name);
  if (read.state === "cancelled") return read;
  if (isTerminal(read.state)) throw jobNotCancellable(name, read.state);
  const message = reason !== "" ? `cancelled: ${reason}` : `cancelled by ${ctx.actor.name}`;
  const { job, stop } = await ctx.em.transactional(async (em) => {
    const job = await lockJob(em, id);
    if (job.state === "cancelled") return { job, stop: false };
    if (isTerminal(job.state)) throw jobNotCancellable(name, job.state);
    const now = ctx.now();
    const running = job.handle !== null && job.handle !== undefined;
    transition(em, ctx.actor, job, "cancelled", message, now, { reason });
    if (!running) await releaseWithoutCompute(em, ctx.actor, deps, job, now);
    return { job, stop: running };
  });
  if (stop && job.handle) {
    const provider = deps.registry.get(job.handle.provider);
    await provider?.cancel(job.handle, signal).catch((e: unknown) => deps.logger?.warn({ err: e, job: name }, "provider cancel failed; the reconcile loop retries"));
  }
  deps.signals.notify(id);
  deps.nudge();
  return job;
}

/** A job that never got compute: nothing to clean up, and its reservation is given back. */
export async function releaseWithoutCompute(em: EntityManager, actor: Actor, deps: Pick<TrainingDeps, "budget">, job: TrainingJobEntity, now: Date): Promise<void> {
  job.releaseTime = now;
  job.actualCost = 0;
  await deps.budget.settle(em, jobName(job.id), 0, now);
  recordEvent(em, actor, { topic: "training", type: "training.training_job.compute_released", resource: jobName(job.id), data: { actualCost: 0, estimatedCost: job.estimatedCost, currency: job.currency } }, now);
}

/** Deletes an ended job whose compute is released, with its logs, metrics and token. */
export async function deleteTrainingJob(ctx: UseCaseContext, deps: Pick<TrainingDeps, "dataDir">, id: string, etag: string): Promise<void> {
  const name = jobName(id);
  await ctx.em.transactional(async (em) => {
    const job = await lockJob(em, id);
    checkEtag(etag, job.revision, name);
    if (!isTerminal(job.state)) throw jobNotDeletable(name, `it is ${job.state.toUpperCase()}`);
    if (!job.releaseTime) throw jobNotDeletable(name, "its compute is not released yet");
    await em.nativeDelete(TrainingLogLineEntity, { job: id });
    await em.nativeDelete(TrainingMetricReportEntity, { job: id });
    await em.nativeDelete(TrainingJobTokenEntity, { job: id });
    em.remove(job);
    recordEvent(em, ctx.actor, { topic: "training", type: "training.training_job.deleted", resource: name, data: { state: job.state.toUpperCase() } }, ctx.now());
  });
  await rm(artifactsDir(deps.dataDir, id), { recursive: true, force: true }).catch(() => undefined);
}

// ---------------------------------------------------------------- reports from the job

function assertAcceptsReports(job: TrainingJobEntity): void {
  if (isTerminal(job.state)) throw jobEnded(jobName(job.id), job.state);
}

/** Records metric values for a step (replacing an earlier report of the same step) and the job's latest values. */
export async function reportTrainingMetrics(
  ctx: UseCaseContext,
  deps: Pick<TrainingDeps, "signals">,
  id: string,
  step: number,
  metrics: Readonly<Record<string, number>>,
  time: Date | undefined,
): Promise<void> {
  await ctx.em.transactional(async (em) => {
    const job = await lockJob(em, id);
    assertAcceptsReports(job);
    await storeMetricReport(em, job, step, metrics, time ?? ctx.now(), ctx.now());
  });
  deps.signals.notify(id);
}

async function storeMetricReport(em: EntityManager, job: TrainingJobEntity, step: number, metrics: Readonly<Record<string, number>>, time: Date, now: Date): Promise<void> {
  // Deleted and inserted rather than updated: the new row's id is later than every watcher's
  // position, so a replaced step is streamed again.
  await em.nativeDelete(TrainingMetricReportEntity, { job: job.id, step });
  em.create(TrainingMetricReportEntity, { job: job.id, step, metrics: { ...metrics }, time });
  job.metrics = { ...job.metrics, ...metrics };
  job.metricsStep = step;
  job.updateTime = now;
  await em.flush();
}

/** Records a checkpoint as the job's (and its retry chain's) resume point. */
export async function reportTrainingCheckpoint(
  ctx: UseCaseContext,
  deps: Pick<TrainingDeps, "signals">,
  id: string,
  uri: string,
  step: number,
  metrics: Readonly<Record<string, number>>,
): Promise<CheckpointRecord> {
  const checkpoint = await ctx.em.transactional(async (em) => {
    const job = await lockJob(em, id);
    assertAcceptsReports(job);
    const now = ctx.now();
    const checkpoint: CheckpointRecord = { uri, step, metrics: { ...metrics }, createTime: now.toISOString(), job: jobName(id) };
    job.lastCheckpoint = checkpoint;
    job.updateTime = now;
    recordEvent(em, ctx.actor, { topic: "training", type: "training.training_job.checkpoint_reported", resource: jobName(id), data: { uri, step } }, now);
    if (Object.keys(metrics).length > 0) await storeMetricReport(em, job, step, metrics, now, now);
    return checkpoint;
  });
  deps.signals.notify(id);
  return checkpoint;
}

/** One line to store; `time` unset means now. */
export interface LogLineInput {
  readonly time?: Date | undefined;
  readonly stream: LogStreamName;
  readonly text: string;
}

/**
 * Appends lines to a job's log in the caller's transaction, numbering them after the stored ones.
 * The counter lives on the job row and is bumped by a plain update, which serializes appends
 * without changing the job's revision (logs are not part of the job's etag).
 */
export async function appendLogLines(em: EntityManager, id: string, lines: readonly LogLineInput[], now: Date): Promise<number> {
  if (lines.length === 0) return 0;
  const conn = em.getConnection();
  const trx = em.getTransactionContext();
  await conn.execute("update training_job set log_count = log_count + ? where id = ?", [lines.length, id], "run", trx);
  const rows = await conn.execute<{ log_count: number | string }[]>("select log_count from training_job where id = ?", [id], "all", trx);
  if (rows.length === 0) throw trainingJobNotFound(jobName(id));
  const first = Number(rows[0]!.log_count) - lines.length + 1;
  lines.forEach((line, i) => em.create(TrainingLogLineEntity, { job: id, seq: first + i, time: line.time ?? now, stream: line.stream, text: line.text }));
  await em.flush();
  return lines.length;
}

/** AppendTrainingLogs: the job's own lines, accepted until a minute after it ended. */
export async function appendTrainingLogs(ctx: UseCaseContext, deps: Pick<TrainingDeps, "signals">, id: string, lines: readonly LogLineInput[]): Promise<void> {
  const now = ctx.now();
  const job = await getTrainingJob(ctx.em, id);
  if (isTerminal(job.state) && job.endTime && job.endTime.getTime() + JOB_TOKEN_GRACE_MS < now.getTime()) throw jobEnded(jobName(id), job.state);
  await appendLogLines(ctx.em, id, lines, now);
  deps.signals.notify(id);
}

/** The lines after `afterSeq`, oldest first, at most `limit`. */
export function logLinesAfter(em: EntityManager, id: string, afterSeq: number, limit: number): Promise<TrainingLogLineEntity[]> {
  return em.find(TrainingLogLineEntity, { job: id, seq: { $gt: afterSeq } }, { orderBy: { seq: "asc" }, limit });
}

/** The most recent `count` lines, oldest first. */
export async function lastLogLines(em: EntityManager, id: string, count: number): Promise<TrainingLogLineEntity[]> {
  if (count <= 0) return [];
  return (await em.find(TrainingLogLineEntity, { job: id }, { orderBy: { seq: "desc" }, limit: count })).reverse();
}

/** Metric reports stored after `afterId`, in storage order. */
export function metricReportsAfter(em: EntityManager, id: string, afterId: number, limit: number): Promise<TrainingMetricReportEntity[]> {
  return em.find(TrainingMetricReportEntity, { job: id, id: { $gt: afterId } }, { orderBy: { id: "asc" }, limit });
}

/** The highest metric report id of a job so far (0 without reports). */
export async function lastMetricReportId(em: EntityManager, id: string): Promise<number> {
  const last = await em.findOne(TrainingMetricReportEntity, { job: id }, { orderBy: { id: "desc" }, fields: ["id"] as never });
  return last?.id ?? 0;
}
