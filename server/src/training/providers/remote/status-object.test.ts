import { describe, expect, it } from "vitest";
import { decideRemoteStatus, parseStatusObject, type ComputeObservation, type StatusObject } from "./status-object.js";

const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const t0 = new Date("2026-11-26T10:00:00Z");
const t1 = new Date("2026-11-26T10:30:00Z");
const exited = (exitCode: number, over: Partial<Extract<StatusObject, { state: "exited" }>> = {}): StatusObject => ({ state: "exited", exitCode, timedOut: false, outputsUploaded: true, startedAt: t0, endedAt: t1, ...over });
const machine = (state: ComputeObservation["state"], over: Partial<ComputeObservation> = {}): ComputeObservation => ({ state, message: `instance is ${state}`, ...over });

describe("status.json", () => {
  it("parses what the bootstrap script writes and flags anything else as a failed bootstrap", () => {
    expect(parseStatusObject(undefined)).toBeUndefined();
    expect(parseStatusObject(enc({ state: "running", started_at: "2026-11-26T10:00:00Z" }))).toEqual({ state: "running", startedAt: t0 });
    expect(parseStatusObject(enc({ state: "exited", exit_code: 3, timed_out: false, outputs_uploaded: true, started_at: "2026-11-26T10:00:00Z", ended_at: "2026-11-26T10:30:00Z" }))).toEqual(exited(3));
    expect(parseStatusObject(enc({ state: "bootstrap_failed", message: "the code could not be downloaded", ended_at: "2026-11-26T10:30:00Z" }))).toEqual({
      state: "bootstrap_failed",
      message: "the code could not be downloaded",
      endedAt: t1,
    });
    expect(parseStatusObject(enc("{not json"))).toEqual({ state: "bootstrap_failed", message: "status.json is not JSON" });
    expect(parseStatusObject(enc({ state: "exited", exit_code: "0", started_at: "2026-11-26T10:00:00Z", ended_at: "2026-11-26T10:30:00Z" }))?.state).toBe("bootstrap_failed");
    expect(parseStatusObject(enc({ state: "completed" }))).toEqual({ state: "bootstrap_failed", message: 'status.json has an unexpected shape: {"state":"completed"}' });
    expect(parseStatusObject(new Uint8Array(70_000))?.state).toBe("bootstrap_failed");
  });

  it("reads the preemption notice the watcher recorded, and ignores one without its time", () => {
    const base = { state: "exited", exit_code: 143, timed_out: false, outputs_uploaded: true, started_at: "2026-11-26T10:00:00Z", ended_at: "2026-11-26T10:30:00Z" };
    const notice = { provider: "aws", action: "terminate", action_at: "2026-11-26T10:31:00Z", noticed_at: "2026-11-26T10:29:00Z" };
    expect(parseStatusObject(enc({ ...base, preemption_notice: notice }))).toEqual(
      exited(143, { preemptionNotice: { provider: "aws", action: "terminate", actionAt: "2026-11-26T10:31:00Z", noticedAt: new Date("2026-11-26T10:29:00Z") } }),
    );
    expect(parseStatusObject(enc({ ...base, preemption_notice: { ...notice, noticed_at: "soon" } }))).toEqual(exited(143));
    expect(parseStatusObject(enc({ ...base, preemption_notice: "yes" }))).toEqual(exited(143));
  });
});

describe("the state decision", () => {
  it("lets the exit code alone decide success, whatever the machine does", () => {
    for (const m of ["running", "stopping", "stopped", "gone"] as const) {
      expect(decideRemoteStatus(machine(m), exited(0))).toEqual({ state: "succeeded", message: "exit code 0", exitCode: 0, startTime: t0, endTime: t1 });
      expect(decideRemoteStatus(machine(m), exited(2))).toMatchObject({ state: "failed", exitCode: 2, message: "exit code 2" });
    }
    expect(decideRemoteStatus(machine("gone", { preempted: true }), exited(0)).state).toBe("succeeded");
    expect(decideRemoteStatus(machine("gone"), exited(124, { timedOut: true }))).toMatchObject({ state: "failed", message: "max runtime exceeded: the command was stopped (exit code 124)" });
    expect(decideRemoteStatus(machine("gone"), exited(0, { outputsUploaded: false }))).toMatchObject({ state: "failed", message: "the command exited 0 but its outputs could not be uploaded" });
  });

  it("never calls a stopped machine without a final status a success", () => {
    expect(decideRemoteStatus(machine("stopped"), undefined)).toEqual({ state: "failed", message: "the machine stopped before the job reported an exit (instance is stopped)" });
    expect(decideRemoteStatus(machine("gone"), { state: "running", startedAt: t0 })).toMatchObject({ state: "failed", startTime: t0 });
  });

  it("maps preemption, cancellation, boot and run", () => {
    expect(decideRemoteStatus(machine("gone", { preempted: true, message: "Server.SpotInstanceTermination" }), { state: "running", startedAt: t0 })).toEqual({
      state: "preempted",
      message: "preempted: Server.SpotInstanceTermination",
      startTime: t0,
    });
    expect(decideRemoteStatus(machine("gone", { preempted: true }), undefined, true).message).toMatch(/^cancelled/);
    expect(decideRemoteStatus(machine("pending"), undefined)).toEqual({ state: "provisioning", message: "instance is pending" });
    expect(decideRemoteStatus(machine("running", { launchedAt: t0 }), undefined)).toEqual({
      state: "provisioning",
      message: "instance is running; waiting for the bootstrap script to start the command",
      startTime: t0,
    });
    expect(decideRemoteStatus(machine("running"), { state: "running", startedAt: t0 })).toEqual({ state: "running", message: "the command is running", startTime: t0 });
    expect(decideRemoteStatus(machine("running"), { state: "bootstrap_failed", message: "x" })).toEqual({ state: "failed", message: "bootstrap failed: x" });
  });

  it("calls a command stopped by a preemption notice preempted, unless it exited 0 or ran out of time", () => {
    const preemptionNotice = { provider: "gcp", action: "preempt", actionAt: "2026-11-26T10:30:30Z", noticedAt: t1 };
    for (const m of ["running", "stopped", "gone"] as const) {
      expect(decideRemoteStatus(machine(m), exited(143, { preemptionNotice }))).toEqual({
        state: "preempted",
        message: "preempted: gcp announced the reclaim (preempt at 2026-11-26T10:30:30Z); the command exited 143 after SIGTERM",
        exitCode: 143,
        startTime: t0,
        endTime: t1,
      });
    }
    expect(decideRemoteStatus(machine("gone"), exited(0, { preemptionNotice })).state).toBe("succeeded");
    expect(decideRemoteStatus(machine("gone"), exited(124, { preemptionNotice, timedOut: true })).state).toBe("failed");
    expect(decideRemoteStatus(machine("gone"), exited(143)).state).toBe("failed");
  });
});
