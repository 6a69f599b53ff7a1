import type { ComputeObservation } from "../remote/index.js";
import type { NovaServer } from "./nova.js";

/**
 * What a Nova server's status says about the machine of a job (every status of the Nova API
 * reference; anything else is reported as unrecognised). It never decides success: a server that is
 * off only means the bootstrap script's final status object must be read, whose exit code decides;
 * and a server in ERROR, rebuilt or rescued has lost the job's process, which is "stopped" without a
 * final status, hence a failure. Nova has no preemptible servers.
 */
const STATUSES: Readonly<Record<string, ComputeObservation["state"]>> = {
  BUILD: "pending",
  ACTIVE: "running",
  // Transient operations on a server that keeps (or regains) its disk and process.
  REBOOT: "running",
  HARD_REBOOT: "running",
  PASSWORD: "running",
  MIGRATING: "running",
  RESIZE: "running",
  VERIFY_RESIZE: "running",
  REVERT_RESIZE: "running",
  // The host is unreachable: the server may still run; nothing is decided yet.
  UNKNOWN: "running",
  // Powered off: by the bootstrap script itself, or by someone else (the status object tells which).
  SHUTOFF: "stopped",
  STOPPED: "stopped",
  // Halted outside Artenic; the job cannot go on.
  PAUSED: "stopped",
  SUSPENDED: "stopped",
  SHELVED: "stopped",
  SHELVED_OFFLOADED: "stopped",
  // A rebuild or rescue replaces the running system, an ERROR server runs nothing: the process is lost.
  REBUILD: "stopped",
  RESCUE: "stopped",
  ERROR: "stopped",
  DELETED: "gone",
  SOFT_DELETED: "gone",
};

export function mapNovaServer(server: NovaServer | undefined): ComputeObservation {
  if (!server) return { state: "gone", message: "the server no longer exists" };
  const state = STATUSES[server.status];
  const launched = server.created ? { launchedAt: server.created } : {};
  if (!state) return { state: "running", message: `the server reports an unrecognised status ${server.status}`, ...launched };
  if (server.status === "ERROR") return { state, message: `the server is in ERROR${server.fault ? `: ${server.fault}` : ""}`, ...launched };
  return { state, message: `the server is ${server.status}`, ...launched };
}
