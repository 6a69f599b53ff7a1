import type { ComputeObservation } from "../remote/index.js";
import type { HetznerAction, HetznerServer } from "./hetzner-api.js";

/**
 * What a Hetzner server's status says about a job's machine (every status of the API reference;
 * anything else is reported as unrecognised). A server that is off never means success: the final
 * status object decides. A failed create action means the server never came up; a rebuild wipes
 * the disk: both are a machine that stopped without a final status, hence a failure. Hetzner Cloud
 * has no spot servers.
 */
const STATUSES: Readonly<Record<string, ComputeObservation["state"]>> = {
  initializing: "pending",
  starting: "pending",
  running: "running",
  // A live migration keeps the process running; an unknown status decides nothing yet.
  migrating: "running",
  unknown: "running",
  stopping: "stopping",
  off: "stopped",
  rebuilding: "stopped",
  deleting: "gone",
};

export function mapHetznerServer(server: HetznerServer | undefined, failedAction?: HetznerAction): ComputeObservation {
  if (!server) return { state: "gone", message: "the server no longer exists" };
  const launched = server.created ? { launchedAt: server.created } : {};
  if (failedAction?.status === "error") {
    const what = failedAction.command === "create_server" ? "creating" : "starting";
    return { state: "stopped", message: `${what} the server failed: ${failedAction.error ?? "unknown error"}`, ...launched };
  }
  const state = STATUSES[server.status];
  if (!state) return { state: "running", message: `the server reports an unrecognised status ${server.status}`, ...launched };
  return { state, message: `the server is ${server.status}`, ...launched };
}
