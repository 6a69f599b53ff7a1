import type { EntityManager } from "@mikro-orm/core";

/**
 * The port through which the mirror reads training jobs: what it needs of a job and its metric
 * reports, in plain terms. The training domain knows nothing of MLflow; app.ts adapts it to this.
 */
export interface TrackedJobSource {
  /** The job, or undefined once it was deleted. `name` is `trainingJobs/{id}`. */
  getJob(em: EntityManager, name: string): Promise<TrackedJob | undefined>;
  /** The job's metric reports with ids above `afterId`, oldest first. */
  metricReportsAfter(em: EntityManager, name: string, afterId: number, limit: number): Promise<readonly TrackedMetricReport[]>;
}

export type TrackedJobState = "queued" | "provisioning" | "running" | "succeeded" | "failed" | "cancelled" | "preempted";

export interface TrackedJob {
  /** `trainingJobs/{id}`. */
  readonly name: string;
  readonly displayName: string;
  readonly state: TrackedJobState;
  readonly stateMessage: string;
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** `providers/{id}`, "" before placement. */
  readonly provider: string;
  readonly attempt: number;
  /** `trainingJobs/{id}` of the job this one retries, "" for a first attempt. */
  readonly retryOf: string;
  readonly creator: string;
  readonly createTime: Date;
  readonly endTime: Date | undefined;
  /** The model id (without `models/`) the job registers its output under, "" for none. */
  readonly outputModel: string;
  /** The registered output, once there is one. */
  readonly output: { readonly modelVersion: string; readonly artifactUri: string; readonly sha256: string } | undefined;
}

export interface TrackedMetricReport {
  readonly id: number;
  readonly step: number;
  readonly time: Date;
  readonly metrics: Readonly<Record<string, number>>;
}
