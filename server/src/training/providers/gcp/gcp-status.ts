import type { ComputeObservation } from "../remote/index.js";

/**
 * Compute Engine's instance statuses in the kit's terms. Only the bootstrap script's status object
 * ever says a job succeeded; this mapping only says where the machine is. Spot instances are created
 * with instanceTerminationAction STOP, so a preempted instance stays TERMINATED and Compute Engine
 * logs a `compute.instances.preempted` operation on it: that operation, not the status, is the
 * preemption signal (`preempted`).
 */
export function mapGceInstance(instance: { readonly status?: string | null; readonly lastStartTimestamp?: string | null } | undefined, preempted: boolean, missingReason = ""): ComputeObservation {
  const started = instance?.lastStartTimestamp ? new Date(instance.lastStartTimestamp) : undefined;
  const times = started && !Number.isNaN(started.getTime()) ? { launchedAt: started } : {};
  if (preempted) return { state: instance ? "stopped" : "gone", preempted: true, message: "Compute Engine preempted the Spot instance (compute.instances.preempted)", ...times };
  if (!instance) return { state: "gone", message: missingReason || "the instance no longer exists" };
  const status = instance.status ?? "";
  switch (status) {
    case "PROVISIONING":
    case "STAGING":
    case "REPAIRING":
      return { state: "pending", message: `instance ${status}`, ...times };
    case "RUNNING":
      return { state: "running", message: "instance RUNNING", ...times };
    case "STOPPING":
    case "SUSPENDING":
    case "PENDING_STOP":
      return { state: "stopping", message: `instance ${status}`, ...times };
    case "TERMINATED":
    case "STOPPED":
    case "SUSPENDED":
      return { state: "stopped", message: `instance ${status}`, ...times };
    default:
      return { state: "pending", message: `instance status ${status || "unknown"}`, ...times };
  }
}
