import type { EntityManager } from "@mikro-orm/core";
import type { JobState, TrainingJobEntity } from "./training-job.entity.js";
import { illegalJobTransition } from "./training.errors.js";
import { recordEvent, type Actor } from "../platform/outbox/outbox.js";

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(["succeeded", "failed", "cancelled", "preempted"]);
export const ACTIVE_STATES: readonly JobState[] = ["queued", "provisioning", "running"];

/**
 * The lifecycle (training_job.proto): QUEUED → PROVISIONING → RUNNING → SUCCEEDED, with PREEMPTED
 * from PROVISIONING and RUNNING, CANCELLED and FAILED from every non-terminal state. A job that
 * finishes between two polls still passes through RUNNING, so every step is explicit.
 */
const legal: Record<JobState, readonly JobState[]> = {
  queued: ["provisioning", "cancelled", "failed"],
  provisioning: ["running", "preempted", "cancelled", "failed"],
  running: ["succeeded", "preempted", "cancelled", "failed"],
  succeeded: [],
  failed: [],
  cancelled: [],
  preempted: [],
};

export function isTerminal(state: string): boolean {
  return TERMINAL_STATES.has(state as JobState);
}

export function isLegalTransition(from: JobState, to: JobState): boolean {
  return legal[from].includes(to);
}

export const jobName = (id: string) => `trainingJobs/${id}`;

/**
 * Moves a job to another state inside the caller's transaction, with its event; refuses anything
 * the lifecycle does not allow. Sets start and end times as the states imply.
 */
export function transition(em: EntityManager, actor: Actor, job: TrainingJobEntity, to: JobState, message: string, now: Date, extra: Record<string, unknown> = {}): void {
  const from = job.state as JobState;
  if (!isLegalTransition(from, to)) throw illegalJobTransition(jobName(job.id), from, to);
  job.state = to;
  job.stateMessage = message;
  job.updateTime = now;
  if (to === "running" && !job.startTime) job.startTime = now;
  if (TERMINAL_STATES.has(to)) job.endTime = now;
  recordEvent(
    em,
    actor,
    {
      topic: "training",
      type: "training.training_job.state_changed",
      resource: jobName(job.id),
      data: { from: from.toUpperCase(), to: to.toUpperCase(), message, attempt: job.attempt, provider: job.provider, ...extra },
    },
    now,
  );
}
