import { defineEntity, p } from "@mikro-orm/core";
import type { ProviderHandle } from "./compute-provider.js";

export type JobState = "queued" | "provisioning" | "running" | "succeeded" | "failed" | "cancelled" | "preempted";
export type PlacementStrategyName = "cheapest" | "fastest";
export type FailoverModeName = "same_placement" | "next_region" | "next_provider" | "anywhere";
export type LogStreamName = "stdout" | "stderr" | "system";

/** MachineSpec as given (0 and "" mean the server defaults). */
export interface ResourcesRecord {
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly gpuType: string;
  readonly gpuCount: number;
  readonly gpuMemoryBytes: number;
  readonly diskBytes: number;
}

export interface CodeRecord {
  readonly kind: "artifact" | "local_path" | "uri";
  readonly value: string;
  readonly sha256: string;
  readonly workingDir: string;
}

export interface PlacementRecord {
  /** Provider id (without `providers/`), "" for automatic. */
  readonly provider: string;
  readonly region: string;
  readonly instanceType: string;
  readonly strategy: PlacementStrategyName;
  /** Provider ids. */
  readonly allowedProviders: readonly string[];
  readonly allowedRegions: readonly string[];
}

export interface PreemptionRecord {
  /** Unset means 3. */
  readonly maxRetries: number | null;
  readonly failoverMode: FailoverModeName;
  readonly fallBackToOnDemand: boolean;
  readonly ignoreCheckpoints: boolean;
}

export interface OutputRecord {
  /** Model id (without `models/`). */
  readonly model: string;
  readonly modelPath: string;
  readonly modelVersionLabels: Readonly<Record<string, string>>;
  readonly modelVersionDescription: string;
}

/** The immutable spec of a job, in the domain's vocabulary. Secret env values are stored apart, sealed. */
export interface JobSpecRecord {
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly code: CodeRecord | null;
  readonly env: Readonly<Record<string, string>>;
  /** The keys of `secret_env`; their values live sealed in `TrainingJob.secretEnv`. */
  readonly secretEnvKeys: readonly string[];
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly resources: ResourcesRecord | null;
  readonly placement: PlacementRecord | null;
  readonly spot: boolean;
  readonly preemption: PreemptionRecord | null;
  /** Unset means 24 hours. */
  readonly maxRuntimeMs: number | null;
  /** In the platform currency; unset means no ceiling. */
  readonly maxCost: number | null;
  readonly output: OutputRecord | null;
}

export interface CheckpointRecord {
  readonly uri: string;
  readonly step: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly createTime: string;
  /** The job that reported it (relative URIs are relative to that job's collected outputs). */
  readonly job: string;
}

/**
 * A training job: one attempt at running a workload on a provider. Resource references are stored
 * as resource names (`providers/local`, `trainingJobs/x`, `services/y`) so filters match them as
 * clients write them.
 */
export const TrainingJobEntitySchema = defineEntity({
  name: "TrainingJob",
  tableName: "training_job",
  properties: {
    id: p.string().length(63).primary(),
    displayName: p.string().length(128),
    description: p.text(),
    labels: p.json<Record<string, string>>(),
    service: p.string().length(128),
    spec: p.json<JobSpecRecord>(),
    /** `secret_env` as sealed JSON (AES-256-GCM, bound to the job id), or "" without secrets. */
    secretEnv: p.text(),
    creator: p.string().length(256),
    state: p.string().length(16).index(),
    stateMessage: p.text(),
    exitCode: p.integer().nullable(),
    attempt: p.integer(),
    retryOf: p.string().length(128),
    retriedBy: p.string().length(128),
    originalJob: p.string().length(128).index(),
    /** `providers/{id}` of the chosen placement; "" until one is chosen. */
    provider: p.string().length(128).index(),
    region: p.string().length(63),
    instanceType: p.string().length(128),
    /** Whether the placement uses spot capacity (a fallback retry may run on-demand for a spot spec). */
    spotPlacement: p.boolean(),
    hourlyPrice: p.double().runtimeType("number").$type<number>(),
    /** The provider's handle once it accepted the job; persisted so a restart can poll and clean up. */
    handle: p.json<ProviderHandle>().nullable(),
    providerState: p.string().length(128),
    /** The provider's log cursor: log lines up to it are stored. */
    logCursor: p.string().length(256),
    /** Log lines stored so far; the next line gets this number plus one. */
    logCount: p.integer(),
    /** Consecutive transient dispatch failures. */
    dispatchFailures: p.integer(),
    submitTime: p.datetime().nullable(),
    lastPollTime: p.datetime().nullable(),
    /** When PROVISIONING began: billing and max runtime are counted from here. */
    billingStartTime: p.datetime().nullable(),
    releaseTime: p.datetime().nullable(),
    estimatedCost: p.double().runtimeType("number").$type<number>(),
    /** Final once `releaseTime` is set; before that the accrued cost is computed on read. */
    actualCost: p.double().runtimeType("number").$type<number>(),
    currency: p.string().length(3),
    metrics: p.json<Record<string, number>>(),
    metricsStep: p.double().runtimeType("number").$type<number>(),
    lastCheckpoint: p.json<CheckpointRecord>().nullable(),
    artifactsUri: p.string().length(2048),
    /** `models/{model}` from `spec.output.model`, for filtering; "" without one. */
    outputModel: p.string().length(128).index(),
    outputModelVersion: p.string().length(256),
    createTime: p.datetime().index(),
    startTime: p.datetime().nullable(),
    endTime: p.datetime().nullable(),
    updateTime: p.datetime(),
    revision: p.integer().version(),
  },
});
export class TrainingJobEntity extends TrainingJobEntitySchema.class {}
TrainingJobEntitySchema.setClass(TrainingJobEntity);

/** One stored line of a job's log; `seq` counts from 1 without gaps per job. */
export const TrainingLogLineEntitySchema = defineEntity({
  name: "TrainingLogLine",
  tableName: "training_log_line",
  properties: {
    id: p.integer().primary().autoincrement(),
    job: p.string().length(63),
    seq: p.integer(),
    time: p.datetime(),
    stream: p.string().length(8),
    text: p.text(),
  },
  uniques: [{ properties: ["job", "seq"] }],
});
export class TrainingLogLineEntity extends TrainingLogLineEntitySchema.class {}
TrainingLogLineEntitySchema.setClass(TrainingLogLineEntity);

/** One metric report of a job for one step; reporting the step again replaces the row (new id). */
export const TrainingMetricReportEntitySchema = defineEntity({
  name: "TrainingMetricReport",
  tableName: "training_metric_report",
  properties: {
    id: p.integer().primary().autoincrement(),
    job: p.string().length(63),
    step: p.double().runtimeType("number").$type<number>(),
    metrics: p.json<Record<string, number>>(),
    time: p.datetime(),
  },
  uniques: [{ properties: ["job", "step"] }],
  indexes: [{ properties: ["job", "id"] }],
});
export class TrainingMetricReportEntity extends TrainingMetricReportEntitySchema.class {}
TrainingMetricReportEntitySchema.setClass(TrainingMetricReportEntity);

/**
 * A job's scoped key: only its keyed hash is stored (like API keys). The secret is derived from the
 * server key and `salt`, so a dispatch retried after a crash hands the job the same token.
 */
export const TrainingJobTokenEntitySchema = defineEntity({
  name: "TrainingJobToken",
  tableName: "training_job_token",
  properties: {
    job: p.string().length(63).primary(),
    salt: p.string().length(64),
    tokenHash: p.string().length(64).unique(),
    createTime: p.datetime(),
  },
});
export class TrainingJobTokenEntity extends TrainingJobTokenEntitySchema.class {}
TrainingJobTokenEntitySchema.setClass(TrainingJobTokenEntity);

/** A leader lease among server processes: held while renewed before `expireTime`. */
export const TrainingLeaseEntitySchema = defineEntity({
  name: "TrainingLease",
  tableName: "training_lease",
  properties: {
    name: p.string().length(63).primary(),
    holder: p.string().length(128),
    acquireTime: p.datetime(),
    expireTime: p.datetime(),
  },
});
export class TrainingLeaseEntity extends TrainingLeaseEntitySchema.class {}
TrainingLeaseEntitySchema.setClass(TrainingLeaseEntity);
