import type { V1ContainerStateTerminated, V1Job, V1JobCondition, V1Pod } from "@kubernetes/client-node";
import type { ProviderStatus } from "../../compute-provider.js";
import { TRAIN_CONTAINER } from "./kubernetes-names.js";

/**
 * Reads a training job's state from its batch/v1 Job and the Job's pods:
 * - Job condition Complete (or SuccessCriteriaMet) → succeeded;
 * - Failed (or FailureTarget) with reason DeadlineExceeded → failed, max runtime exceeded;
 * - Failed because a pod was disrupted (a DisruptionTarget condition: scheduler preemption, eviction
 *   API, taint manager, node shutdown or loss; or kubelet reason Evicted/Preempting/NodeLost/
 *   Shutdown/Terminated) → preempted, also before the Job controller has marked the Job;
 * - any other failure → failed with the container's exit code and reason (OOMKilled, Error);
 * - otherwise running once the pod runs, provisioning while it is pending or pulling;
 * - no Job at all → gone.
 */

/** kubelet pod reasons that mean the pod was pushed off its node, not that the process failed. */
const DISRUPTION_REASONS = new Set(["Evicted", "Preempting", "NodeLost", "Shutdown", "NodeShutdown", "Terminated"]);

function condition(job: V1Job, ...types: string[]): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => types.includes(c.type) && c.status === "True");
}

/** Why a pod was disrupted, or undefined when it was not. */
export function podDisruption(pod: V1Pod): string | undefined {
  const target = pod.status?.conditions?.find((c) => c.type === "DisruptionTarget" && c.status === "True");
  if (target) return [target.reason, target.message].filter(Boolean).join(": ") || "DisruptionTarget";
  const reason = pod.status?.reason;
  if (reason && DISRUPTION_REASONS.has(reason)) return [reason, pod.status?.message].filter(Boolean).join(": ");
  return undefined;
}

function newest(pods: readonly V1Pod[]): V1Pod | undefined {
  return [...pods].sort((a, b) => (b.metadata?.creationTimestamp?.getTime() ?? 0) - (a.metadata?.creationTimestamp?.getTime() ?? 0))[0];
}

function terminated(pod: V1Pod | undefined): V1ContainerStateTerminated | undefined {
  const status = pod?.status?.containerStatuses?.find((c) => c.name === TRAIN_CONTAINER);
  return status?.state?.terminated ?? status?.lastState?.terminated;
}

function describeExit(t: V1ContainerStateTerminated): string {
  if (t.reason === "OOMKilled") return `out of memory (OOMKilled), exit code ${t.exitCode}`;
  return [`exit code ${t.exitCode}`, t.reason && t.reason !== "Error" && t.reason !== "Completed" ? t.reason : "", t.message ?? ""].filter(Boolean).join(": ");
}

function waitingMessage(pod: V1Pod | undefined): string {
  if (!pod) return "waiting for the Job controller to create the pod";
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const waiting = statuses.find((s) => s.state?.waiting?.reason)?.state?.waiting;
  if (waiting) return [`waiting: ${waiting.reason}`, waiting.message].filter(Boolean).join(": ");
  const unscheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
  if (unscheduled) return [`pending: ${unscheduled.reason ?? "Unschedulable"}`, unscheduled.message].filter(Boolean).join(": ");
  return `pod ${pod.metadata?.name ?? ""} is ${pod.status?.phase ?? "Pending"}`.trim();
}

export function mapJobStatus(job: V1Job | undefined, pods: readonly V1Pod[]): ProviderStatus {
  if (!job) return { state: "gone", message: "the Kubernetes Job no longer exists" };
  const pod = newest(pods);
  const startTime = job.status?.startTime;
  const started = startTime ? { startTime } : {};
  const complete = condition(job, "Complete", "SuccessCriteriaMet");
  if (complete) {
    const endTime = job.status?.completionTime ?? complete.lastTransitionTime;
    return { state: "succeeded", message: "the Job completed", exitCode: terminated(pod)?.exitCode ?? 0, ...started, ...(endTime ? { endTime } : {}) };
  }
  const failed = condition(job, "Failed", "FailureTarget");
  const disrupted = pods.map(podDisruption).find((d) => d !== undefined);
  if (failed) {
    const ended = failed.lastTransitionTime ? { endTime: failed.lastTransitionTime } : {};
    if (failed.reason === "DeadlineExceeded") {
      const limit = job.spec?.activeDeadlineSeconds;
      return { state: "failed", message: `max runtime exceeded: the Job ran longer than its activeDeadlineSeconds${limit ? ` (${limit})` : ""}`, ...started, ...ended };
    }
    const byPolicy = failed.reason === "PodFailurePolicy" && /DisruptionTarget/.test(failed.message ?? "") ? failed.message : undefined;
    const preemption = disrupted ?? byPolicy;
    if (preemption) return { state: "preempted", message: `preempted: ${preemption}`, ...started, ...ended };
    const exit = terminated(pod);
    if (exit) return { state: "failed", message: describeExit(exit), exitCode: exit.exitCode, ...started, ...ended };
    return { state: "failed", message: [failed.reason, failed.message].filter(Boolean).join(": ") || "the Job failed", ...started, ...ended };
  }
  // The pod can be gone from its node before the Job controller notices: report it at once.
  if (disrupted && pods.some((p) => p.status?.phase === "Failed" && podDisruption(p) !== undefined)) {
    return { state: "preempted", message: `preempted: ${disrupted}`, ...started };
  }
  if (job.spec?.suspend) return { state: "provisioning", message: "the Job is suspended", ...started };
  if (pod?.status?.phase === "Running") {
    const running = pod.status.containerStatuses?.find((c) => c.name === TRAIN_CONTAINER)?.state?.running?.startedAt;
    const at = running ?? pod.status.startTime ?? startTime;
    return { state: "running", message: `pod ${pod.metadata?.name ?? ""} is running`, ...(at ? { startTime: at } : {}) };
  }
  return { state: "provisioning", message: waitingMessage(pod), ...started };
}
