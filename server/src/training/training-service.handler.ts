import { create, toBinary } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  AppendTrainingLogsRequestSchema,
  AppendTrainingLogsResponseSchema,
  CreateTrainingJobRequestSchema,
  CreateTrainingJobResponseSchema,
  TrainingLogLinesSchema,
  WatchHeartbeatSchema,
  WatchTrainingJobResponseSchema,
  type TrainingService,
  type WatchTrainingJobResponse,
} from "@artenic/gen/artenic/training/v1/training_service_pb";
import { useCaseContext } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";
import { runIdempotent } from "../platform/idempotency/idempotency.js";
import { kPrincipal } from "../platform/interceptors/context-keys.js";
import { isTerminal } from "./job-state.js";
import { TrainingJobEntity } from "./training-job.entity.js";
import {
  logStreamFromProto,
  parseJobName,
  specFromProto,
  toCheckpointProto,
  toLogLineProto,
  toMetricReportProto,
  toTrainingJobProto,
} from "./training-job.mapper.js";
import {
  appendTrainingLogs,
  cancelTrainingJob,
  createTrainingJob,
  deleteTrainingJob,
  getTrainingJob,
  lastLogLines,
  lastMetricReportId,
  listTrainingJobLogs,
  listTrainingJobs,
  logLinesAfter,
  metricReportsAfter,
  planPlacement,
  reportTrainingCheckpoint,
  reportTrainingMetrics,
  type TrainingDeps,
} from "./training-job.use-cases.js";
import { jobTokenForbidden } from "./training.errors.js";

export interface TrainingHandlerDeps extends TrainingDeps {
  /** Silence after which WatchTrainingJob sends a heartbeat. @default 15000 */
  readonly watchHeartbeatMs?: number;
  /** How often a watch looks for changes made by other processes. @default 1000 */
  readonly watchPollMs?: number;
}

/** How long a watch stays open after the terminal state for the compute's release. */
const RELEASE_WAIT_MS = 5000;

/**
 * A job token may act only on its own job: checked before the job is looked up, so a token learns
 * nothing about other jobs (AIP-193, permission before existence).
 */
function authorizeJob(ctx: HandlerContext, name: string): void {
  const job = ctx.values.get(kPrincipal)?.job;
  if (job !== undefined && job !== name) throw jobTokenForbidden(job, name);
}

/** What changes of a job are worth a new snapshot in a watch: state, checkpoint, placement, settlement, output, retry. */
function watchSignature(job: TrainingJobEntity): string {
  return [job.state, job.stateMessage, job.lastCheckpoint?.createTime ?? "", job.handle?.id ?? "", job.region, job.instanceType, job.releaseTime?.toISOString() ?? "", job.outputModelVersion, job.retriedBy].join("|");
}

/**
 * The training-job half of `artenic.training.v1.TrainingService`: jobs, their reports, logs and the
 * watch stream. The provider half (ListProviders, ConfigureProvider, EstimateCost, ...) belongs to
 * the Provider Hub; app.ts merges both into one service implementation.
 */
export function createTrainingJobsHandler(deps: TrainingHandlerDeps): Partial<ServiceImpl<typeof TrainingService>> {
  const heartbeatMs = deps.watchHeartbeatMs ?? 15_000;
  const pollMs = deps.watchPollMs ?? 1000;
  return {
    async createTrainingJob(req, ctx) {
      const uc = useCaseContext(ctx);
      const tj = req.trainingJob!;
      if (!tj.spec) throw invalidField("training_job.spec", "is required");
      const { spec, secretEnv } = specFromProto(tj.spec, deps.currency);
      // Offerings are fetched before the transaction: provider calls never hold SQLite's connection.
      const { candidates } = await planPlacement(uc.em, deps, spec);
      const response = await runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/CreateTrainingJob`, requestId: req.requestId, request: toBinary(CreateTrainingJobRequestSchema, req) },
        CreateTrainingJobResponseSchema,
        async (em) => {
          const { job, warnings } = await createTrainingJob(
            { ...uc, em },
            deps,
            { id: req.trainingJobId, displayName: tj.displayName, description: tj.description, labels: tj.labels, service: tj.service, spec, secretEnv },
            candidates,
          );
          await em.flush();
          return create(CreateTrainingJobResponseSchema, { trainingJob: toTrainingJobProto(job, uc.now()), warnings: [...warnings] });
        },
        uc.now,
      );
      deps.nudge();
      return response;
    },

    async getTrainingJob(req, ctx) {
      authorizeJob(ctx, req.name);
      const uc = useCaseContext(ctx);
      return { trainingJob: toTrainingJobProto(await getTrainingJob(uc.em, parseJobName(req.name, "name")), uc.now()) };
    },

    async listTrainingJobs(req, ctx) {
      const uc = useCaseContext(ctx);
      const page = await listTrainingJobs(uc, req);
      const now = uc.now();
      return { trainingJobs: page.items.map((j) => toTrainingJobProto(j, now)), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },

    async cancelTrainingJob(req, ctx) {
      const uc = useCaseContext(ctx);
      const job = await cancelTrainingJob(uc, deps, parseJobName(req.name, "name"), req.etag, req.reason, ctx.signal);
      return { trainingJob: toTrainingJobProto(job, uc.now()) };
    },

    async deleteTrainingJob(req, ctx) {
      await deleteTrainingJob(useCaseContext(ctx), deps, parseJobName(req.name, "name"), req.etag);
      return {};
    },

    async *watchTrainingJob(req, ctx): AsyncGenerator<WatchTrainingJobResponse> {
      const root = useCaseContext(ctx).em;
      const id = parseJobName(req.name, "name");
      const first = await getTrainingJob(root.fork(), id);
      const message = (event: WatchTrainingJobResponse["event"]) => create(WatchTrainingJobResponseSchema, { event });
      let lastSeq = 0;
      if (!req.excludeLogs && req.logTailLines > 0) {
        const tail = await lastLogLines(root.fork(), id, req.logTailLines);
        if (tail.length > 0) yield message({ case: "logLines", value: create(TrainingLogLinesSchema, { lines: tail.map(toLogLineProto) }) });
        lastSeq = tail.at(-1)?.seq ?? 0;
      }
      if (lastSeq === 0) lastSeq = (await lastLogLines(root.fork(), id, 1))[0]?.seq ?? 0;
      let lastReport = await lastMetricReportId(root.fork(), id);
      yield message({ case: "trainingJob", value: toTrainingJobProto(first, new Date()) });
      if (isTerminal(first.state)) return;
      let signature = watchSignature(first);
      let lastSent = Date.now();
      // After the terminal state, the stream stays a little for the release of the compute (its
      // settled cost and last log lines), but never waits on a provider that is slow to clean up.
      let endBy = Number.POSITIVE_INFINITY;
      let snapshotLast = true;
      while (!ctx.signal.aborted) {
        await deps.signals.wait(id, Math.max(1, Math.min(pollMs, lastSent + heartbeatMs - Date.now())), ctx.signal);
        if (ctx.signal.aborted) return;
        const em = root.fork();
        // The job first: a job read as ended was ended after its last log lines were stored, so the
        // reads below see them all and the terminal snapshot comes last.
        const job = await em.findOne(TrainingJobEntity, { id });
        if (!job) return;
        if (!req.excludeLogs) {
          for (;;) {
            const lines = await logLinesAfter(em, id, lastSeq, 1000);
            if (lines.length === 0) break;
            lastSeq = lines.at(-1)!.seq;
            lastSent = Date.now();
            snapshotLast = false;
            yield message({ case: "logLines", value: create(TrainingLogLinesSchema, { lines: lines.map(toLogLineProto) }) });
            if (lines.length < 1000) break;
          }
        }
        const reports = await metricReportsAfter(em, id, lastReport, 1000);
        if (reports.length > 0) lastReport = reports.at(-1)!.id;
        if (!req.excludeMetrics) {
          for (const report of reports) {
            lastSent = Date.now();
            snapshotLast = false;
            yield message({ case: "metricReport", value: toMetricReportProto(report) });
          }
        }
        const now = watchSignature(job);
        if (now !== signature) {
          signature = now;
          lastSent = Date.now();
          snapshotLast = true;
          yield message({ case: "trainingJob", value: toTrainingJobProto(job, new Date()) });
        }
        if (isTerminal(job.state)) {
          if (job.releaseTime || Date.now() >= endBy) {
            // The stream ends with the job in its terminal state, whatever came after it.
            if (!snapshotLast) yield message({ case: "trainingJob", value: toTrainingJobProto(job, new Date()) });
            return;
          }
          endBy = Math.min(endBy, Date.now() + RELEASE_WAIT_MS);
        }
        if (Date.now() - lastSent >= heartbeatMs) {
          lastSent = Date.now();
          snapshotLast = false;
          yield message({ case: "heartbeat", value: create(WatchHeartbeatSchema, { time: timestampFromDate(new Date()) }) });
        }
      }
    },

    async reportTrainingMetrics(req, ctx) {
      authorizeJob(ctx, req.name);
      const uc = useCaseContext(ctx);
      await reportTrainingMetrics(uc, deps, parseJobName(req.name, "name"), Number(req.step), req.metrics, req.time ? timestampDate(req.time) : undefined);
      return {};
    },

    async reportTrainingCheckpoint(req, ctx) {
      authorizeJob(ctx, req.name);
      const uc = useCaseContext(ctx);
      const checkpoint = await reportTrainingCheckpoint(uc, deps, parseJobName(req.name, "name"), req.uri, Number(req.step), req.metrics);
      return { checkpoint: toCheckpointProto(checkpoint) };
    },

    async appendTrainingLogs(req, ctx) {
      authorizeJob(ctx, req.name);
      const uc = useCaseContext(ctx);
      const id = parseJobName(req.name, "name");
      const lines = req.lines.map((l) => ({ time: l.time ? timestampDate(l.time) : undefined, stream: logStreamFromProto(l.stream), text: l.text }));
      await runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/AppendTrainingLogs`, requestId: req.requestId, request: toBinary(AppendTrainingLogsRequestSchema, req) },
        AppendTrainingLogsResponseSchema,
        async (em) => {
          await appendTrainingLogs({ ...uc, em }, deps, id, lines);
          return create(AppendTrainingLogsResponseSchema, {});
        },
        uc.now,
      );
      return {};
    },

    async listTrainingJobLogs(req, ctx) {
      const uc = useCaseContext(ctx);
      const page = await listTrainingJobLogs(uc, parseJobName(req.parent, "parent"), req);
      return { lines: page.items.map(toLogLineProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },
  };
}
