import type { Client } from "@connectrpc/connect";
import type { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { TrainingJobState, type TrainingJob } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { sleep } from "./call-policy.js";
import { ArtenicError } from "./errors.js";
import { trainingJobName } from "./names.js";

export interface WaitForTrainingJobOptions {
  /** Stops waiting: the promise rejects with a CanceledError. */
  readonly signal?: AbortSignal;
  /** The first wait between two polls, in milliseconds. Default 1,000. */
  readonly pollInterval?: number;
  /** The longest wait between two polls; the interval grows by half each time up to it. Default 15,000. */
  readonly maxPollInterval?: number;
  /**
   * When a job ends PREEMPTED and the server created a retry (`retried_by`), follow the retry and
   * resolve with the job that ends the chain. Default true.
   */
  readonly followRetries?: boolean;
  /** Called with every polled job whose state or state message changed, the first one included. */
  readonly onUpdate?: (job: TrainingJob) => void;
}

/** The states a job never leaves. */
export const terminalTrainingJobStates: ReadonlySet<TrainingJobState> = new Set([
  TrainingJobState.SUCCEEDED,
  TrainingJobState.FAILED,
  TrainingJobState.CANCELLED,
  TrainingJobState.PREEMPTED,
]);

/**
 * Polls `GetTrainingJob` until the job reaches a terminal state (SUCCEEDED, FAILED, CANCELLED, or
 * PREEMPTED without a retry to follow) and returns it; check `state` for the outcome. Polling backs
 * off from `pollInterval` to `maxPollInterval`; transient errors are retried by the client's retry
 * policy (GetTrainingJob is a read). For a live feed, iterate `training.watchTrainingJob` instead.
 */
export async function waitForTrainingJob(
  training: Client<typeof TrainingService>,
  name: string,
  options: WaitForTrainingJobOptions = {},
): Promise<TrainingJob> {
  let current = trainingJobName(name);
  let interval = Math.max(1, options.pollInterval ?? 1_000);
  const maxInterval = Math.max(interval, options.maxPollInterval ?? 15_000);
  let last = "";
  for (;;) {
    const { trainingJob } = await training.getTrainingJob({ name: current }, options.signal ? { signal: options.signal } : {});
    if (!trainingJob) throw new TypeError(`GetTrainingJob returned no job for ${current}`);
    const seen = `${trainingJob.name}|${trainingJob.state}|${trainingJob.stateMessage}`;
    if (seen !== last) options.onUpdate?.(trainingJob);
    last = seen;
    if (terminalTrainingJobStates.has(trainingJob.state)) {
      if (trainingJob.state === TrainingJobState.PREEMPTED && trainingJob.retriedBy && options.followRetries !== false) {
        current = trainingJob.retriedBy;
        interval = Math.max(1, options.pollInterval ?? 1_000);
        continue;
      }
      return trainingJob;
    }
    await sleep(interval, options.signal).catch((e: unknown) => {
      throw ArtenicError.from(e);
    });
    interval = Math.min(maxInterval, Math.round(interval * 1.5));
  }
}
