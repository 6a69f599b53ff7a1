/**
 * Groups of training jobs dispatched together for another domain (an ensemble retraining its
 * members). The caller speaks in plain values; this module turns them into job specs, plans the
 * placement once for the whole group (before any transaction: providers may be asked for offers),
 * creates every job inside the caller's transaction — so the budgets admit the whole group or
 * nothing — and later reports how each job's lineage (retries included) ended.
 */
import type { EntityManager } from "@mikro-orm/core";
import type { Money } from "@artenic/gen/google/type/money_pb";
import type { UseCaseContext } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";
import { isTerminal, jobName } from "./job-state.js";
import type { Candidate } from "./placement.js";
import type { JobSpecRecord } from "./training-job.entity.js";
import { TrainingJobEntity } from "./training-job.entity.js";
import { fromMoney } from "./training-job.mapper.js";
import { createTrainingJob, planPlacement, type TrainingDeps } from "./training-job.use-cases.js";

/** What every job of a group runs, with which resources and where (all optional but the workload). */
export interface GroupJobTemplate {
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly hyperparameters: Readonly<Record<string, string>>;
  /** A provider id without `providers/`, or "" for automatic placement. */
  readonly provider: string;
  readonly region: string;
  readonly instanceType: string;
  /** 0 means the provider's default. */
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly gpuType: string;
  readonly gpuCount: number;
  readonly spot: boolean;
  readonly maxRuntimeMs: number | null;
  /** Undefined means no ceiling; the currency must be the platform's. */
  readonly maxCostPerJob: Money | undefined;
  readonly labels: Readonly<Record<string, string>>;
}

/** One job of a group: the model it registers its output under, and what sets it apart. */
export interface GroupMemberJob {
  /** Model id (without `models/`) the job's output is registered as a new version of. */
  readonly outputModel: string;
  readonly displayName: string;
  readonly description: string;
  /** Added to the template's environment (the caller has checked the names). */
  readonly env: Readonly<Record<string, string>>;
  /** Added to the template's labels. */
  readonly labels: Readonly<Record<string, string>>;
}

/** A group's spec and ranked placements, computed outside the transaction. */
export interface PlannedGroup {
  readonly spec: JobSpecRecord;
  readonly candidates: readonly Candidate[];
}

/** How a job of a group ended, following retries to the last attempt. */
export interface GroupJobOutcome {
  readonly state: "active" | "succeeded" | "failed";
  /** `models/{m}/versions/{n}` the job registered, or "". */
  readonly outputModelVersion: string;
  readonly message: string;
  /** `trainingJobs/{id}` of the last attempt. */
  readonly lastAttempt: string;
}

export interface TrainingGroups {
  plan(em: EntityManager, template: GroupJobTemplate): Promise<PlannedGroup>;
  /** Creates one QUEUED job per member in `ctx.em`'s transaction; returns their names in order. */
  createJobs(ctx: UseCaseContext, planned: PlannedGroup, members: readonly GroupMemberJob[]): Promise<string[]>;
  /** Outcomes by job name (as `createJobs` returned them); unknown jobs count as failed. */
  outcomes(em: EntityManager, jobs: readonly string[]): Promise<Map<string, GroupJobOutcome>>;
}

function specOf(t: GroupJobTemplate): JobSpecRecord {
  const sized = t.cpus > 0 || t.memoryBytes > 0 || t.gpuType !== "" || t.gpuCount > 0;
  const placed = t.provider !== "" || t.region !== "" || t.instanceType !== "";
  return {
    image: t.image,
    command: [...t.command],
    args: [...t.args],
    code: null,
    env: { ...t.env },
    secretEnvKeys: [],
    hyperparameters: { ...t.hyperparameters },
    resources: sized ? { cpus: t.cpus, memoryBytes: t.memoryBytes, gpuType: t.gpuType, gpuCount: t.gpuCount, gpuMemoryBytes: 0, diskBytes: 0 } : null,
    placement: placed ? { provider: t.provider, region: t.region, instanceType: t.instanceType, strategy: "cheapest", allowedProviders: [], allowedRegions: [] } : null,
    spot: t.spot,
    preemption: null,
    maxRuntimeMs: t.maxRuntimeMs,
    maxCost: t.maxCostPerJob ? fromMoney(t.maxCostPerJob) : null,
    // Filled per member: every job registers its output as a new version of the member's model.
    output: null,
  };
}

const jobIdOf = (name: string) => name.replace(/^trainingJobs\//, "");

export function createTrainingGroups(deps: TrainingDeps): TrainingGroups {
  return {
    async plan(em, template) {
      const cost = template.maxCostPerJob;
      if (cost && cost.currencyCode !== deps.currency) {
        throw invalidField("template.max_cost_per_job.currency_code", `must be the platform currency ${deps.currency}, not ${cost.currencyCode}`, "CURRENCY_MISMATCH");
      }
      const spec = specOf(template);
      const { candidates } = await planPlacement(em, deps, spec);
      return { spec, candidates };
    },

    async createJobs(ctx, planned, members) {
      const names: string[] = [];
      for (const m of members) {
        const spec: JobSpecRecord = {
          ...planned.spec,
          env: { ...planned.spec.env, ...m.env },
          output: { model: m.outputModel, modelPath: "", modelVersionLabels: {}, modelVersionDescription: m.description },
        };
        const { job } = await createTrainingJob(
          ctx,
          deps,
          { id: "", displayName: m.displayName, description: m.description, labels: { ...m.labels }, service: "", spec, secretEnv: {} },
          planned.candidates,
        );
        names.push(jobName(job.id));
      }
      await ctx.em.flush();
      if (names.length > 0) deps.nudge();
      return names;
    },

    async outcomes(em, jobs) {
      const ids = jobs.map(jobIdOf);
      // Every attempt of each lineage; the last attempt decides (a preempted job's retry may still run).
      const rows = await em.find(TrainingJobEntity, { originalJob: { $in: jobs.map((j) => jobName(jobIdOf(j))) } }, { orderBy: { attempt: "asc" } });
      const last = new Map<string, TrainingJobEntity>();
      for (const row of rows) last.set(row.originalJob, row);
      const out = new Map<string, GroupJobOutcome>();
      for (const [i, id] of ids.entries()) {
        const job = last.get(jobName(id));
        const key = jobs[i]!;
        if (!job) {
          out.set(key, { state: "failed", outputModelVersion: "", message: `${jobName(id)} no longer exists`, lastAttempt: jobName(id) });
          continue;
        }
        const state = !isTerminal(job.state) ? "active" : job.state === "succeeded" ? "succeeded" : job.retriedBy !== "" ? "active" : "failed";
        out.set(key, { state, outputModelVersion: job.outputModelVersion, message: job.stateMessage, lastAttempt: jobName(job.id) });
      }
      return out;
    },
  };
}
