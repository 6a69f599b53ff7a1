import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../../platform/errors/app-error.js";
import type { LaunchSpec, Offering, ProviderHandle, ProviderStatus } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { commandWorkloads, DirectoryJobStorage, FakeMetadataService, SandboxMachines, testLaunchSpec } from "./remote-testing.js";
import { shellQuote } from "./shell.js";
import type { ComputeObservation } from "./status-object.js";
import { VmJobProvider, type VmCompute, type VmCreateRequest, type VmRef } from "./vm-job-provider.js";

/**
 * A tiny cloud: each instance is a bash process running its user data in a sandbox directory. The
 * script's self-stop marks the instance stopped, as a real shutdown would; `preempt` kills the
 * process and records the interruption, as a spot reclaim does.
 */
class SandboxVmCompute implements VmCompute {
  readonly machines = new SandboxMachines();
  readonly instances = new Map<string, { jobId: string; region: string; stopped: boolean; terminated: boolean; preempted: boolean; userData: string; created: Date }>();
  readonly released: string[] = [];
  /** Variables of the machines' environment (e.g. where their metadata service is). */
  machineEnv: Record<string, string> = {};
  /** When set, createInstance throws it (a refusal by the cloud). */
  failCreate: Error | undefined;
  private counter = 0;

  constructor(private readonly root: string) {}

  async listOfferings(filter: { region?: string; gpuType?: string } = {}): Promise<Offering[]> {
    const base = { provider: "sandbox", cpus: 2, memoryBytes: 4 * 1024 ** 3, gpuType: "", gpuCount: 0, priceDate: "2026-11-26", priceSource: "catalog" as const };
    return [
      { ...base, region: "sandbox-a", instanceType: "vm.small", onDemandPerHour: 0.1, spotPerHour: 0.03 },
      { ...base, region: "sandbox-b", instanceType: "vm.small", onDemandPerHour: 0.11 },
    ].filter((o) => (!filter.region || o.region === filter.region) && !filter.gpuType);
  }

  async findInstance(jobId: string, region: string): Promise<VmRef | undefined> {
    for (const [id, i] of this.instances) if (i.jobId === jobId && i.region === region && !i.terminated) return { id, region, data: { zone: `${region}-1` } };
    return undefined;
  }

  async createInstance(request: VmCreateRequest): Promise<VmRef> {
    if (this.failCreate) throw this.failCreate;
    const id = `vm-${++this.counter}`;
    const region = request.spec.region;
    this.instances.set(id, { jobId: request.tags["artenic-job"]!, region, stopped: false, terminated: false, preempted: false, userData: request.userData, created: new Date() });
    const stopFile = join(this.root, id, "stopped");
    void this.machines.start(id, request.userData, { root: join(this.root, id), env: this.machineEnv, stop: `touch ${shellQuote(stopFile)}` }).then(() => {
      const i = this.instances.get(id)!;
      if (existsSync(stopFile)) i.stopped = true;
    });
    return { id, region, data: { zone: `${region}-1` } };
  }

  async describe(ref: VmRef): Promise<ComputeObservation> {
    const i = this.instances.get(ref.id);
    if (!i || i.terminated) return { state: "gone", preempted: i?.preempted ?? false, message: i?.preempted ? "capacity reclaimed" : "instance terminated" };
    if (i.stopped) return { state: "stopped", message: "instance stopped by itself", launchedAt: i.created };
    return { state: "running", message: "instance running", launchedAt: i.created };
  }

  async terminate(ref: VmRef): Promise<void> {
    await this.machines.kill(ref.id);
    const i = this.instances.get(ref.id);
    if (i) i.terminated = true;
  }

  async releaseResources(ref: VmRef): Promise<void> {
    this.released.push(`${ref.id}@${ref.data["zone"]}`);
  }

  async preempt(id: string): Promise<void> {
    await this.machines.kill(id);
    const i = this.instances.get(id)!;
    i.preempted = true;
    i.terminated = true;
  }

  async testConnection(): Promise<{ ok: boolean; message: string }> {
    return { ok: true, message: "sandbox cloud" };
  }
}

const terminal = new Set(["succeeded", "failed", "preempted", "gone"]);
async function untilTerminal(p: VmJobProvider, h: ProviderHandle): Promise<ProviderStatus> {
  for (let i = 0; i < 300; i++) {
    const s = await p.poll(h);
    if (terminal.has(s.state)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("not terminal");
}

let work: string;
let storage: DirectoryJobStorage;
let compute: SandboxVmCompute;
const make = () => new VmJobProvider({ id: "sandbox", storage, compute, bootstrap: { logUploadIntervalSeconds: 1, transferAttempts: 2 } });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "artenic-vm-"));
  storage = new DirectoryJobStorage(join(work, "bucket"));
  compute = new SandboxVmCompute(join(work, "machines"));
});
afterAll(async () => {
  await compute.machines.killAll();
  rmSync(work, { recursive: true, force: true });
});

describeComputeProviderContract("vm-job-provider over a sandbox cloud", make, {
  ...commandWorkloads(),
  preempt: async (_p, handle) => compute.preempt(handle.id),
  pollIntervalMs: 50,
  timeoutMs: 15_000,
});

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testLaunchSpec({
    jobName: "trainingJobs/vm-1",
    env: { ARTENIC_JOB_TOKEN: "job-token-secret" },
    cpus: 1,
    memoryBytes: 1024 ** 3,
    region: "sandbox-a",
    instanceType: "vm.small",
    spot: true,
    ...over,
  });
}

describe("vm-job-provider", () => {
  it("uploads code, env and checkpoint under the job's keys, keeps secrets out of the user data, and resumes after a restart from the handle alone", async () => {
    const code = join(work, "code-1");
    mkdirSync(join(code, "src"), { recursive: true });
    writeFileSync(join(code, "src", "train.sh"), 'echo "epoch 1"; echo "warn" >&2; sleep 1; cat "$ARTENIC_RESUME_FROM" > "$ARTENIC_OUTPUT_DIR/resumed"; printf %s "$ARTENIC_JOB_TOKEN" > "$ARTENIC_OUTPUT_DIR/token"; printf "no newline"');
    const ckpt = join(work, "step 20.ckpt");
    writeFileSync(ckpt, "ckpt");
    const first = make();
    const handle = await first.submit(spec({ codePath: code, workingDir: "src", resumeFrom: ckpt }));
    expect(handle).toMatchObject({ provider: "sandbox", region: "sandbox-a", instanceType: "vm.small", data: { jobId: "vm-1", prefix: "artenic", zone: "sandbox-a-1", instanceId: handle.id } });
    expect(await storage.keys()).toEqual(expect.arrayContaining(["artenic/jobs/vm-1/code.tar.gz", "artenic/jobs/vm-1/env.sh", "artenic/jobs/vm-1/resume/step_20.ckpt"]));
    expect(compute.instances.get(handle.id)!.userData).not.toContain("job-token-secret");
    // Submitting again finds the instance by its job.
    expect((await first.submit(spec({ codePath: code, workingDir: "src", resumeFrom: ckpt }))).id).toBe(handle.id);

    // "Restart": a new provider from the persisted handle only.
    const persisted = JSON.parse(JSON.stringify(handle)) as ProviderHandle;
    const second = make();
    const status = await untilTerminal(second, persisted);
    expect(status).toMatchObject({ state: "succeeded", exitCode: 0 });
    const files = (await second.collectArtifacts(persisted)).files;
    expect(await Promise.all(files.map(async (f) => [f.name, Buffer.from(await f.read()).toString()]))).toEqual([
      ["resumed", "ckpt"],
      ["token", "job-token-secret"],
    ]);
    const logs = await second.readLogs(persisted, "");
    expect(logs.lines).toEqual(["epoch 1", "no newline", "warn"]);
    expect(logs.streams).toEqual(["stdout", "stdout", "stderr"]);
    expect(await second.readLogs(persisted, logs.cursor)).toMatchObject({ lines: [] });

    await second.cleanup(persisted);
    expect((await storage.keys()).filter((k) => k.startsWith("artenic/jobs/vm-1/"))).toEqual([]);
    expect(compute.released).toContain(`${handle.id}@sandbox-a-1`);
    expect((await second.poll(persisted)).state).toBe("failed");
  });

  it("reports a spot interruption mid-run as preempted, and a cancelled job as failed, never succeeded", async () => {
    const p = make();
    const a = await p.submit(spec({ jobName: "trainingJobs/vm-pre", command: ["sleep", "1000"] }));
    for (let i = 0; i < 100 && (await p.poll(a)).state !== "running"; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await p.poll(a)).state).toBe("running");
    await compute.preempt(a.id);
    expect(await p.poll(a)).toMatchObject({ state: "preempted", message: "preempted: capacity reclaimed" });

    const b = await p.submit(spec({ jobName: "trainingJobs/vm-cancel", command: ["sleep", "1000"] }));
    await p.cancel(b);
    expect(await p.poll(b)).toMatchObject({ state: "failed", message: expect.stringMatching(/^cancelled/) });
  });

  it("lets a spot job hear its preemption notice and checkpoint, and reports it PREEMPTED; on-demand jobs run no watcher", async () => {
    const metadata = new FakeMetadataService("gcp");
    await metadata.start();
    compute.machineEnv = { ARTENIC_BOOTSTRAP_METADATA_URL: metadata.url, ARTENIC_BOOTSTRAP_NOTICE_INTERVAL: "0.2" };
    try {
      const p = new VmJobProvider({ id: "sandbox", storage, compute, spotPreemptionNotice: "gcp", bootstrap: { logUploadIntervalSeconds: 1, transferAttempts: 2 } });
      const job = `trap 'echo saved > "$ARTENIC_OUTPUT_DIR/checkpoint"; exit 143' TERM; curl -fsS ${shellQuote(`${metadata.url}/test/started`)} >/dev/null; sleep 30 & wait $!`;
      const spot = await p.submit(spec({ jobName: "trainingJobs/vm-notice", command: ["bash", "-c", job] }));
      expect(compute.instances.get(spot.id)!.userData).toContain("/computeMetadata/v1/instance/preempted");
      const status = await untilTerminal(p, spot);
      expect(status).toMatchObject({ state: "preempted", exitCode: 143, message: expect.stringMatching(/^preempted: gcp announced the reclaim \(preempt at .+\); the command exited 143 after SIGTERM$/) });
      expect((await p.collectArtifacts(spot)).files.map((f) => f.name)).toEqual(["checkpoint"]);
      expect((await p.readLogs(spot, "")).lines).toEqual([expect.stringMatching(/^artenic: preemption notice \(gcp, action at .+\): sent SIGTERM so the job can checkpoint$/)]);
      expect(metadata.violations).toEqual([]);

      const onDemand = await p.submit(spec({ jobName: "trainingJobs/vm-on-demand", spot: false, command: ["true"] }));
      expect(compute.instances.get(onDemand.id)!.userData).not.toContain("artenic_watcher");
      expect(await untilTerminal(p, onDemand)).toMatchObject({ state: "succeeded" });
      await p.cleanup(spot);
      await p.cleanup(onDemand);
    } finally {
      compute.machineEnv = {};
      await metadata.close();
    }
  });

  it("refuses bad input before creating anything", async () => {
    const p = make();
    const before = compute.instances.size;
    expect(((await p.submit(spec({ jobName: "jobs/x" })).catch((e: unknown) => e)) as AppError).reason).toBe("INVALID_JOB_NAME");
    expect(((await p.submit(spec({ jobName: "trainingJobs/bad-env", env: { "A-B": "1" } })).catch((e: unknown) => e)) as AppError).reason).toBe("INVALID_ENV_NAME");
    expect(((await p.submit(spec({ jobName: "trainingJobs/bad-ckpt", resumeFrom: join(work, "none") })).catch((e: unknown) => e)) as AppError).reason).toBe("CHECKPOINT_UNAVAILABLE");
    expect(compute.instances.size).toBe(before);
  });

  it("checks the user data size before uploading anything, and removes what it uploaded when the cloud refuses the machine", async () => {
    const small = new VmJobProvider({ id: "sandbox", storage, compute, maxUserDataBytes: 8000 });
    const big = await small.submit(spec({ jobName: "trainingJobs/vm-big", command: ["echo", "x".repeat(9000)] })).catch((e: unknown) => e);
    expect(big).toMatchObject({ reason: "USER_DATA_TOO_LARGE", fieldViolations: [{ field: "spec.command" }] });
    expect((await storage.keys()).filter((k) => k.includes("/vm-big/"))).toEqual([]);

    compute.failCreate = new AppError("failed_precondition", "QUOTA", "no such instance type here", {});
    try {
      expect(await make().submit(spec({ jobName: "trainingJobs/vm-refused" })).catch((e: unknown) => (e as AppError).reason)).toBe("QUOTA");
      expect((await storage.keys()).filter((k) => k.includes("/vm-refused/"))).toEqual([]);
      compute.failCreate = new AppError("unavailable", "FLAKY", "timed out", {});
      expect(await make().submit(spec({ jobName: "trainingJobs/vm-flaky" })).catch((e: unknown) => (e as AppError).reason)).toBe("FLAKY");
      expect(await storage.keys()).toContain("artenic/jobs/vm-flaky/env.sh");
    } finally {
      compute.failCreate = undefined;
    }
  });
});
