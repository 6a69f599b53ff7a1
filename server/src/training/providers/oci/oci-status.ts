import type { ComputeObservation } from "../remote/index.js";
import type { OciInstance } from "./oci-api.js";

/**
 * What an OCI instance's lifecycle state says about a job's machine (every state of the Compute
 * API; anything else is reported as unrecognised). A stopped instance never means success: the
 * final status object decides. A preemptible instance that terminates was reclaimed by OCI, unless
 * the job had finished or was cancelled (the status object and the cancel marker are read first).
 */
const STATES: Readonly<Record<string, ComputeObservation["state"]>> = {
  PROVISIONING: "pending",
  STARTING: "pending",
  RUNNING: "running",
  MOVING: "running",
  CREATING_IMAGE: "running",
  STOPPING: "stopping",
  STOPPED: "stopped",
  TERMINATING: "gone",
  TERMINATED: "gone",
};

export function mapOciInstance(instance: OciInstance | undefined): ComputeObservation {
  if (!instance) return { state: "gone", message: "the instance no longer exists" };
  const launched = instance.timeCreated ? { launchedAt: instance.timeCreated } : {};
  const state = STATES[instance.lifecycleState];
  if (!state) return { state: "running", message: `the instance reports an unrecognised state ${instance.lifecycleState}`, ...launched };
  if (state === "gone" && instance.preemptible) return { state, preempted: true, message: `the preemptible instance was reclaimed (${instance.lifecycleState})`, ...launched };
  return { state, message: `the instance is ${instance.lifecycleState}`, ...launched };
}
