import type { ProviderStatus } from "../../compute-provider.js";

/**
 * Reads a remote job's state from two witnesses: the machine, as the provider describes it, and
 * status.json, as the bootstrap script wrote it. Never "stopped means completed": only a final
 * status.json with exit code 0 (and its outputs uploaded) is success.
 */

/** The provider's warning that it reclaims the machine, as the watcher recorded it (bootstrap-script.ts). */
export interface PreemptionNotice {
  /** `aws`, `azure` or `gcp`. */
  readonly provider: string;
  /** The provider's word for it (`terminate`, `stop`, `Preempt`...). */
  readonly action: string;
  /** When the provider said it acts, as it wrote it ("" when it gave no time). */
  readonly actionAt: string;
  readonly noticedAt: Date;
}

/** What the bootstrap script wrote (bootstrap-script.ts). */
export type StatusObject =
  | { readonly state: "running"; readonly startedAt: Date }
  | {
      readonly state: "exited";
      readonly exitCode: number;
      readonly timedOut: boolean;
      readonly outputsUploaded: boolean;
      readonly startedAt: Date;
      readonly endedAt: Date;
      /** Set when the machine was told it would be reclaimed and the command was sent SIGTERM. */
      readonly preemptionNotice?: PreemptionNotice;
    }
  | { readonly state: "bootstrap_failed"; readonly message: string; readonly endedAt?: Date };

/** The machine's state as a compute adapter maps its provider's vocabulary. */
export interface ComputeObservation {
  /**
   * - `pending`: requested, booting;
   * - `running`: up;
   * - `stopping` / `stopped`: shutting down or off (the script stops it when done);
   * - `gone`: terminated, deleted or never found.
   */
  readonly state: "pending" | "running" | "stopping" | "stopped" | "gone";
  /** The provider took the capacity back (spot interruption, preemption, eviction). */
  readonly preempted?: boolean;
  /** The provider's own words (state, reason code, message), for the job's message. */
  readonly message: string;
  /** When the machine started running, if known. */
  readonly launchedAt?: Date;
}

const MAX_STATUS_BYTES = 64 * 1024;

function date(v: unknown): Date | undefined {
  if (typeof v !== "string") return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function text(v: unknown): string {
  return typeof v === "string" ? v.slice(0, 100) : "";
}

function notice(v: unknown): PreemptionNotice | undefined {
  if (v === null || typeof v !== "object") return undefined;
  const n = v as Record<string, unknown>;
  const noticedAt = date(n["noticed_at"]);
  return noticedAt ? { provider: text(n["provider"]), action: text(n["action"]), actionAt: text(n["action_at"]), noticedAt } : undefined;
}

/** Parses status.json; `undefined` when absent, and an error status when it is garbage. */
export function parseStatusObject(bytes: Uint8Array | undefined): StatusObject | undefined {
  if (bytes === undefined) return undefined;
  if (bytes.length > MAX_STATUS_BYTES) return { state: "bootstrap_failed", message: "status.json is larger than a status object can be" };
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return { state: "bootstrap_failed", message: "status.json is not JSON" };
  }
  if (doc === null || typeof doc !== "object") return { state: "bootstrap_failed", message: "status.json is not an object" };
  const startedAt = date(doc["started_at"]);
  const endedAt = date(doc["ended_at"]);
  switch (doc["state"]) {
    case "running":
      if (!startedAt) break;
      return { state: "running", startedAt };
    case "exited": {
      const code = doc["exit_code"];
      if (typeof code !== "number" || !Number.isInteger(code) || !startedAt || !endedAt) break;
      const preemptionNotice = notice(doc["preemption_notice"]);
      return { state: "exited", exitCode: code, timedOut: doc["timed_out"] === true, outputsUploaded: doc["outputs_uploaded"] === true, startedAt, endedAt, ...(preemptionNotice ? { preemptionNotice } : {}) };
    }
    case "bootstrap_failed":
      return { state: "bootstrap_failed", message: typeof doc["message"] === "string" ? doc["message"].slice(0, 500) : "the bootstrap failed", ...(endedAt ? { endedAt } : {}) };
  }
  return { state: "bootstrap_failed", message: `status.json has an unexpected shape: ${JSON.stringify(doc).slice(0, 200)}` };
}

/**
 * The job's state from both witnesses. Read the machine FIRST and status.json second: a job that
 * finishes between the two reads is then seen with its final status, never as a machine that
 * disappeared. `cancelled` is the server's own marker (written by cancel).
 */
export function decideRemoteStatus(compute: ComputeObservation, status: StatusObject | undefined, cancelled = false): ProviderStatus {
  if (status?.state === "exited") {
    const times = { startTime: status.startedAt, endTime: status.endedAt };
    if (status.timedOut) return { state: "failed", message: `max runtime exceeded: the command was stopped (exit code ${status.exitCode})`, exitCode: status.exitCode, ...times };
    // The command stopped because the machine was being reclaimed: a preemption (retried from the
    // last checkpoint), not a failure of the job. A command that exits 0 after the notice says it
    // finished, and succeeds below.
    const n = status.preemptionNotice;
    if (n && status.exitCode !== 0) {
      return { state: "preempted", message: `preempted: ${n.provider} announced the reclaim (${n.action}${n.actionAt ? ` at ${n.actionAt}` : ""}); the command exited ${status.exitCode} after SIGTERM`, exitCode: status.exitCode, ...times };
    }
    if (status.exitCode !== 0) return { state: "failed", message: `exit code ${status.exitCode}`, exitCode: status.exitCode, ...times };
    if (!status.outputsUploaded) return { state: "failed", message: "the command exited 0 but its outputs could not be uploaded", exitCode: 0, ...times };
    return { state: "succeeded", message: "exit code 0", exitCode: 0, ...times };
  }
  if (status?.state === "bootstrap_failed") return { state: "failed", message: `bootstrap failed: ${status.message}`, ...(status.endedAt ? { endTime: status.endedAt } : {}) };
  const started = status?.state === "running" ? { startTime: status.startedAt } : compute.launchedAt ? { startTime: compute.launchedAt } : {};
  if (cancelled && compute.state !== "pending" && compute.state !== "running") return { state: "failed", message: "cancelled: the machine was stopped before the command exited", ...started };
  if (compute.preempted) return { state: "preempted", message: `preempted: ${compute.message}`, ...started };
  switch (compute.state) {
    case "pending":
      return { state: "provisioning", message: compute.message, ...started };
    case "running":
    case "stopping":
      if (status?.state === "running") return { state: "running", message: "the command is running", ...started };
      if (compute.state === "stopping") return { state: "provisioning", message: compute.message, ...started };
      return { state: "provisioning", message: `${compute.message}; waiting for the bootstrap script to start the command`, ...started };
    case "stopped":
    case "gone":
      return { state: "failed", message: `the machine stopped before the job reported an exit (${compute.message})`, ...started };
  }
}
