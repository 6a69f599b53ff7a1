import type { ComputeObservation } from "../remote/index.js";
import type { ScalewayServer } from "./scaleway-api.js";

/**
 * What a Scaleway server's state says about a job's machine (every state of the Instance API;
 * anything else is reported as unrecognised). A stopped server never means success: the final status
 * object decides. A server locked by Scaleway (abuse, billing) runs nothing any more. Scaleway
 * instances are not preemptible.
 */
const STATES: Readonly<Record<string, ComputeObservation["state"]>> = {
  starting: "pending",
  running: "running",
  stopping: "stopping",
  stopped: "stopped",
  "stopped in place": "stopped",
  locked: "stopped",
};

export function mapScalewayServer(server: ScalewayServer | undefined): ComputeObservation {
  if (!server) return { state: "gone", message: "the server no longer exists" };
  const launched = server.created ? { launchedAt: server.created } : {};
  const detail = server.stateDetail ? ` (${server.stateDetail})` : "";
  const state = STATES[server.state];
  if (!state) return { state: "running", message: `the server reports an unrecognised state ${server.state}${detail}`, ...launched };
  if (server.state === "locked") return { state, message: `the server is locked by Scaleway${detail}`, ...launched };
  return { state, message: `the server is ${server.state}${detail}`, ...launched };
}
