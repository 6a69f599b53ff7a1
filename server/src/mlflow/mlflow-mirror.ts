import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { UniqueConstraintViolationException, type EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";
import { MlflowError, type MlflowClient, type MlflowMetric, type MlflowRunStatus, type MlflowTag } from "./mlflow-client.js";
import { MlflowCursorEntity, MlflowRunEntity } from "./mlflow.entity.js";
import type { TrackedJob, TrackedJobSource, TrackedJobState } from "./tracked-jobs.js";

export interface MlflowMirrorOptions {
  /** A fresh EntityManager per unit of work. */
  readonly em: () => EntityManager;
  readonly client: MlflowClient;
  readonly jobs: TrackedJobSource;
  readonly logger: Logger;
  /** One experiment for every job when set; else `artenic/<model>` per output model, `artenic` without one. */
  readonly experimentName: string | undefined;
  readonly pollMs: number;
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  readonly now?: () => Date;
  readonly random?: () => number;
}

/** The training job events after which MLflow may be behind the job. */
const TRACKED_EVENT_TYPES = [
  "training.training_job.created",
  "training.training_job.state_changed",
  "training.training_job.output_registered",
  "training.training_job.deleted",
];
const CURSOR = "training";
const EVENT_BATCH = 500;
const SYNC_BATCH = 50;
const REPORT_PAGE = 200;
/** MLflow's limits per log-batch call and per value. */
const MAX_METRICS_PER_BATCH = 1000;
const MAX_PARAMS_PER_BATCH = 100;
const MAX_PARAM_VALUE = 6000;
/** The tag that links a run back to its job; also how a run created before a crash is found again. */
export const JOB_TAG = "artenic.training_job";

const RUN_STATUS: Partial<Record<TrackedJobState, MlflowRunStatus>> = {
  succeeded: "FINISHED",
  failed: "FAILED",
  cancelled: "KILLED",
  // A preempted attempt ends here; its retry is a job (and a run) of its own.
  preempted: "KILLED",
};

/**
 * Mirrors training jobs to an MLflow tracking server: a run per job (in one experiment per output
 * model, or the configured one) with the hyperparameters as params, every metric report as metrics
 * with its step and time, the terminal status, and the registered output as a model version whose
 * source is the artifact's location.
 *
 * Durability comes from the database, never from memory: the event log (commit-ordered) says which
 * jobs changed, and each is turned into a pending `mlflow_run` row in the transaction that moves the
 * mirror's cursor. A sync then brings MLflow level with the job as it is now, recording each step in
 * the row, so an outage or a restart loses nothing and repeats nothing MLflow would keep twice (runs
 * are found again by their job tag, metrics MLflow deduplicates, versions are found by run). A failed
 * sync is retried with exponential backoff and full jitter. Jobs never wait for MLflow: the mirror
 * runs beside them, and only one server process (the lease holder) talks to MLflow.
 */
export class MlflowMirror {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly experiments = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** The last logged failure, so that an outage is logged once rather than on every retry. */
  private lastFailure = "";

  constructor(private readonly options: MlflowMirrorOptions) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    // Give the lease up, so that the next process (a restart, another replica) takes over at once
    // instead of waiting for it to expire.
    await this.options
      .em()
      .nativeUpdate(MlflowCursorEntity, { name: CURSOR, leaseHolder: this.holder }, { leaseUntil: new Date(0) })
      .catch((e: unknown) => this.options.logger.warn({ err: e }, "releasing the MLflow mirror's lease failed; it expires by itself"));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((e: unknown) => this.options.logger.warn({ err: e }, "MLflow mirror round failed"))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.options.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One round: when holding the lease, turn new events into pending rows, then sync the due ones. */
  async round(): Promise<void> {
    if (!(await this.claimLease())) return;
    while (!this.stopped && (await this.ingestEvents()) === EVENT_BATCH);
    if (!this.stopped) await this.syncDue();
  }

  private async claimLease(): Promise<boolean> {
    const em = this.options.em();
    const now = this.now();
    const leaseUntil = new Date(now.getTime() + Math.max(60_000, 3 * this.options.pollMs));
    const claim = () =>
      em.nativeUpdate(MlflowCursorEntity, { name: CURSOR, $or: [{ leaseUntil: { $lt: now } }, { leaseHolder: this.holder }] }, { leaseHolder: this.holder, leaseUntil });
    if ((await claim()) > 0) return true;
    try {
      await em.insert(MlflowCursorEntity, { name: CURSOR, eventId: 0, leaseHolder: this.holder, leaseUntil });
      return true;
    } catch (e) {
      if (e instanceof UniqueConstraintViolationException) return false; // another process holds it
      throw e;
    }
  }

  /** Marks the jobs of the next events as pending and moves the cursor past them, atomically. Returns the events read. */
  private async ingestEvents(): Promise<number> {
    return this.options.em().transactional(async (em) => {
      const cursor = await em.findOneOrFail(MlflowCursorEntity, { name: CURSOR });
      const events = await em.find(
        OutboxEventEntity,
        { id: { $gt: cursor.eventId }, topic: "training" },
        { orderBy: { id: "asc" }, limit: EVENT_BATCH, fields: ["id", "type", "resource"] as never },
      );
      if (events.length === 0) return 0;
      const jobs = [...new Set(events.filter((e) => TRACKED_EVENT_TYPES.includes(e.type) && e.resource.startsWith("trainingJobs/")).map((e) => e.resource.slice("trainingJobs/".length)))];
      const existing = new Map((await em.find(MlflowRunEntity, { job: { $in: jobs } })).map((r) => [r.job, r]));
      const now = this.now();
      for (const job of jobs) {
        const row = existing.get(job);
        if (row) {
          row.pending = true;
          // A row backing off after failures keeps its wait; a level one is looked at now.
          if (row.attempts === 0) row.nextAttemptTime = now;
          row.updateTime = now;
        } else {
          em.create(MlflowRunEntity, {
            job,
            experimentId: "",
            runId: "",
            paramsLogged: false,
            metricReportId: 0,
            endStatus: "",
            modelVersion: "",
            pending: true,
            attempts: 0,
            nextAttemptTime: now,
            lastError: "",
            updateTime: now,
          });
        }
      }
      cursor.eventId = events[events.length - 1]!.id;
      await em.flush();
      return events.length;
    });
  }

  /** Syncs pending rows that are due, oldest first; stops at the first sign that MLflow is unreachable. */
  private async syncDue(): Promise<void> {
    const em = this.options.em();
    const due = await em.find(MlflowRunEntity, { pending: true, nextAttemptTime: { $lte: this.now() } }, { orderBy: { nextAttemptTime: "asc", job: "asc" }, limit: SYNC_BATCH });
    for (const row of due) {
      if (this.stopped) return;
      try {
        await this.sync(em, row);
        row.attempts = 0;
        row.lastError = "";
        if (this.lastFailure) {
          this.options.logger.info({ trackingJob: `trainingJobs/${row.job}` }, "MLflow mirror is syncing again");
          this.lastFailure = "";
        }
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        row.attempts += 1;
        row.lastError = error;
        row.nextAttemptTime = new Date(this.now().getTime() + this.backoffMs(row.attempts));
        row.updateTime = this.now();
        // A request MLflow refuses for good (a 4xx other than auth and throttling) would fail the
        // same way forever: the row keeps its error and stops being retried.
        if (e instanceof MlflowError && !e.transient) row.pending = false;
        await em.flush();
        if (error !== this.lastFailure) {
          this.options.logger.warn({ job: `trainingJobs/${row.job}`, attempts: row.attempts, error }, "MLflow mirror could not sync a training job; it retries later");
          this.lastFailure = error;
        }
        if (e instanceof MlflowError && e.status === 0) return;
      }
    }
  }

  private backoffMs(failures: number): number {
    const { baseMs, maxMs } = this.options.backoff;
    return Math.floor(this.random() * Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 40)));
  }

  /** Brings MLflow level with the job, saving the row after each step MLflow acknowledged. */
  private async sync(em: EntityManager, row: MlflowRunEntity): Promise<void> {
    const { client, jobs } = this.options;
    const name = `trainingJobs/${row.job}`;
    const save = async () => {
      row.updateTime = this.now();
      await em.flush();
    };
    const job = await jobs.getJob(em, name);
    if (!job) {
      // Deleted: close its run if it was left open, and forget it.
      if (row.runId && !row.endStatus) await client.updateRun(row.runId, "KILLED", this.now().getTime());
      row.endStatus ||= "KILLED";
      row.pending = false;
      return save();
    }
    if (!row.experimentId) {
      row.experimentId = await this.experimentFor(job);
      await save();
    }
    if (!row.runId) {
      const found = await client.findRunsByTag(row.experimentId, JOB_TAG, job.name);
      row.runId = found[0]?.runId ?? (await client.createRun(row.experimentId, job.name.slice("trainingJobs/".length), job.createTime.getTime(), runTags(job)));
      await save();
    }
    if (!row.paramsLogged) {
      const params = Object.entries(job.hyperparameters).map(([key, value]) => ({ key, value: value.length > MAX_PARAM_VALUE ? value.slice(0, MAX_PARAM_VALUE) : value }));
      for (let i = 0; i < params.length; i += MAX_PARAMS_PER_BATCH) await client.logBatch(row.runId, { params: params.slice(i, i + MAX_PARAMS_PER_BATCH) });
      row.paramsLogged = true;
      await save();
    }
    await this.sendMetrics(em, row, name, row.metricReportId, save);
    const endStatus = RUN_STATUS[job.state];
    if (job.output && row.modelVersion !== job.output.modelVersion) {
      await this.registerOutput(job, row.runId, job.output);
      row.modelVersion = job.output.modelVersion;
      await save();
    }
    if (endStatus && row.endStatus !== endStatus) {
      // Report ids are assigned before commit, so on PostgreSQL a report of two sent at once may
      // commit behind the cursor. Once the job has ended, every report is sent again: MLflow keeps
      // none of them twice, and the run closes with all of them.
      await this.sendMetrics(em, row, name, 0, async () => undefined);
      if (job.stateMessage) await client.logBatch(row.runId, { tags: [{ key: "artenic.state_message", value: job.stateMessage.slice(0, 8000) }] });
      await client.updateRun(row.runId, endStatus, (job.endTime ?? this.now()).getTime());
      row.endStatus = endStatus;
    }
    // An open run is looked at again next round for new metrics; a finished one is level for good.
    row.pending = !endStatus;
    row.nextAttemptTime = this.now();
    await save();
  }

  /** Sends the job's metric reports after `afterId`, page by page, calling `saved` after each page. */
  private async sendMetrics(em: EntityManager, row: MlflowRunEntity, name: string, afterId: number, saved: () => Promise<void>): Promise<void> {
    const { client, jobs } = this.options;
    for (let after = afterId; ; ) {
      const reports = await jobs.metricReportsAfter(em, name, after, REPORT_PAGE);
      if (reports.length === 0) return;
      const metrics: MlflowMetric[] = reports.flatMap((r) =>
        Object.entries(r.metrics)
          .filter(([, value]) => Number.isFinite(value))
          .map(([key, value]) => ({ key, value, timestamp: r.time.getTime(), step: Math.round(r.step) })),
      );
      // MLflow drops exact repeats of a metric, so a page resent after a failure adds nothing twice.
      for (let i = 0; i < metrics.length; i += MAX_METRICS_PER_BATCH) await client.logBatch(row.runId, { metrics: metrics.slice(i, i + MAX_METRICS_PER_BATCH) });
      after = reports[reports.length - 1]!.id;
      row.metricReportId = Math.max(row.metricReportId, after);
      await saved();
      if (reports.length < REPORT_PAGE) return;
    }
  }

  private async experimentFor(job: TrackedJob): Promise<string> {
    const name = this.options.experimentName ?? (job.outputModel ? `artenic/${job.outputModel}` : "artenic");
    const known = this.experiments.get(name);
    if (known) return known;
    const { client } = this.options;
    let id = await client.getExperimentIdByName(name);
    if (id === undefined) {
      try {
        id = await client.createExperiment(name, [{ key: "artenic.managed", value: "true" }]);
      } catch (e) {
        // Created meanwhile by someone else: use theirs.
        if (!(e instanceof MlflowError && e.errorCode === "RESOURCE_ALREADY_EXISTS")) throw e;
        id = (await client.getExperimentIdByName(name))!;
      }
    }
    this.experiments.set(name, id);
    return id;
  }

  /**
   * Registers the job's output as a version of the MLflow registered model of the same name, unless
   * a version from this run already stands for it. Its source is the artifact's location; MLflow
   * refuses local paths outside its own run directories, so a `file:` artifact is recorded as a
   * `runs:/` source with its real location in a tag.
   */
  private async registerOutput(job: TrackedJob, runId: string, output: NonNullable<TrackedJob["output"]>): Promise<void> {
    const { client } = this.options;
    const model = job.outputModel;
    await client.ensureRegisteredModel(model, `Mirrored from Artenic model models/${model}.`);
    const existing = await client.findModelVersions(model, runId);
    if (existing.some((v) => v.tags["artenic.model_version"] === output.modelVersion)) return;
    const local = output.artifactUri.startsWith("file:") || !/^[a-z][a-z0-9+.-]*:/i.test(output.artifactUri);
    await client.createModelVersion({
      name: model,
      source: local ? `runs:/${runId}/model` : output.artifactUri,
      runId,
      description: `${output.modelVersion}, trained by ${job.name}.`,
      tags: [
        { key: "artenic.model_version", value: output.modelVersion },
        { key: JOB_TAG, value: job.name },
        { key: "artenic.artifact_uri", value: output.artifactUri },
        { key: "artenic.sha256", value: output.sha256 },
      ],
    });
  }
}

function runTags(job: TrackedJob): MlflowTag[] {
  const tags: MlflowTag[] = [
    { key: JOB_TAG, value: job.name },
    { key: "mlflow.source.type", value: "JOB" },
    { key: "mlflow.source.name", value: job.name },
    { key: "artenic.attempt", value: String(job.attempt) },
  ];
  if (job.creator) tags.push({ key: "mlflow.user", value: job.creator });
  if (job.displayName) tags.push({ key: "artenic.display_name", value: job.displayName });
  if (job.provider) tags.push({ key: "artenic.provider", value: job.provider });
  if (job.retryOf) tags.push({ key: "artenic.retry_of", value: job.retryOf });
  if (job.outputModel) tags.push({ key: "artenic.output_model", value: `models/${job.outputModel}` });
  for (const [k, v] of Object.entries(job.labels)) tags.push({ key: `artenic.label.${k}`, value: v });
  return tags;
}
