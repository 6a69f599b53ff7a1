import { AppError } from "../../../platform/errors/app-error.js";
import type { ComputeProvider, LaunchSpec, Offering, ProviderHandle, ProviderStatus } from "../../compute-provider.js";

/** Options of the fake provider. */
export interface FakeProviderOptions {
  /** The provider id. @default "fake" */
  readonly id?: string;
  /** Regions offered; each one 10 % dearer than the one before. @default ["fake-a", "fake-b"] */
  readonly regions?: readonly string[];
  /** Jobs running at once at most; unlimited when unset. */
  readonly maxConcurrentJobs?: number;
  readonly now?: () => Date;
}

/** How a fake job behaves, poll by poll. */
export interface FakeScript {
  /** Polls that answer "provisioning" before the job runs. @default 1 */
  provisionPolls: number;
  /** Polls that answer "running" before the outcome. @default 1 */
  runPolls: number;
  /** The exit code at the end. @default 0 */
  exitCode: number;
  /** Preempted at the end of its run instead (in these regions only, when listed; anywhere when empty). */
  preempt: boolean;
  preemptRegions: string[];
  /** The job disappears at the end of its run. */
  gone: boolean;
  /** Files in its outputs. */
  outputs: Map<string, string | Uint8Array>;
  /** Lines it writes to stdout when it starts running. */
  logs: string[];
}

interface FakeJob {
  readonly spec: LaunchSpec;
  readonly handle: ProviderHandle;
  readonly script: FakeScript;
  polls: number;
  cancelled: boolean;
  forced: ProviderStatus | undefined;
  logs: string[];
  started: boolean;
  readonly startTime: Date;
}

const GiB = 1024 ** 3;
const TYPES = [
  { instanceType: "fake-cpu-small", cpus: 2, memoryBytes: 4 * GiB, gpuType: "", gpuCount: 0, onDemand: 0.1, spot: 0.03 },
  { instanceType: "fake-cpu-large", cpus: 8, memoryBytes: 32 * GiB, gpuType: "", gpuCount: 0, onDemand: 0.4, spot: 0.12 },
  { instanceType: "fake-gpu-a100", cpus: 12, memoryBytes: 80 * GiB, gpuType: "nvidia-a100", gpuCount: 1, onDemand: 2.5, spot: 0.75 },
];

/**
 * Reads a fake job's behaviour from its argv (command then args), so it can be scripted through the
 * API: `provision=<polls>`, `run=<polls>`, `exit=<code>`, `preempt` or `preempt@<region>`, `gone`,
 * `output=<path>=<text>`, `output-env=<path>=<NAME>` (the variable's value as a file), `log=<text>`,
 * and `echo-env=<NAME>` (logs `NAME=<value>`, or `NAME is unset`). Other words are ignored, so any command runs as "provision 1, run 1, exit 0".
 */
export function parseFakeScript(argv: readonly string[], env: Readonly<Record<string, string>>): FakeScript {
  const script: FakeScript = { provisionPolls: 1, runPolls: 1, exitCode: 0, preempt: false, preemptRegions: [], gone: false, outputs: new Map(), logs: [] };
  for (const word of argv) {
    const [key, ...rest] = word.split("=");
    const value = rest.join("=");
    if (key === "provision" && /^\d+$/.test(value)) script.provisionPolls = Number(value);
    else if (key === "run" && /^\d+$/.test(value)) script.runPolls = Number(value);
    else if (key === "exit" && /^\d+$/.test(value)) script.exitCode = Number(value);
    else if (word === "preempt") script.preempt = true;
    else if (word.startsWith("preempt@")) {
      script.preempt = true;
      script.preemptRegions.push(word.slice("preempt@".length));
    } else if (word === "gone") script.gone = true;
    else if (key === "output" && rest.length >= 2) script.outputs.set(rest[0]!, rest.slice(1).join("="));
    else if (key === "output-env" && rest.length === 2) script.outputs.set(rest[0]!, env[rest[1]!] ?? "");
    else if (key === "log") script.logs.push(value);
    else if (key === "echo-env") script.logs.push(env[value] === undefined ? `${value} is unset` : `${value}=${env[value]}`);
  }
  return script;
}

/**
 * The `fake` provider: in memory, deterministic (it advances one step per poll, never by wall
 * time), scriptable through the job's argv (see `parseFakeScript`) or from tests (`preempt`,
 * `finish`, `failNextSubmit`). It records what it was asked to do. A restarted server has lost its
 * jobs: they poll as gone, as a real provider's vanished resources would.
 */
export class FakeComputeProvider implements ComputeProvider {
  readonly id: string;
  readonly maxConcurrentJobs?: number;
  /** Every launch spec submitted, in order (repeated submits of one job included). */
  readonly submitted: LaunchSpec[] = [];
  readonly cancelled: string[] = [];
  readonly cleanedUp: string[] = [];
  private readonly jobs = new Map<string, FakeJob>();
  private readonly regions: readonly string[];
  private submitFailure: Error | undefined;
  private sequence = 0;

  constructor(private readonly options: FakeProviderOptions = {}) {
    this.id = options.id ?? "fake";
    this.regions = options.regions ?? ["fake-a", "fake-b"];
    if (options.maxConcurrentJobs !== undefined) this.maxConcurrentJobs = options.maxConcurrentJobs;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async listOfferings(filter?: { region?: string; gpuType?: string }): Promise<Offering[]> {
    const date = this.now().toISOString().slice(0, 10);
    return this.regions
      .flatMap((region, i) =>
        TYPES.map((t) => ({
          provider: this.id,
          region,
          instanceType: t.instanceType,
          cpus: t.cpus,
          memoryBytes: t.memoryBytes,
          gpuType: t.gpuType,
          gpuCount: t.gpuCount,
          onDemandPerHour: Math.round(t.onDemand * (1 + i / 10) * 1e6) / 1e6,
          spotPerHour: Math.round(t.spot * (1 + i / 10) * 1e6) / 1e6,
          priceDate: date,
          priceSource: "catalog" as const,
        })),
      )
      .filter((o) => (!filter?.region || o.region === filter.region) && (!filter?.gpuType || o.gpuType === filter.gpuType));
  }

  /** The next submit throws `error` (then submits work again). */
  failNextSubmit(error: Error): void {
    this.submitFailure = error;
  }

  async submit(spec: LaunchSpec): Promise<ProviderHandle> {
    this.submitted.push(spec);
    if (this.submitFailure) {
      const e = this.submitFailure;
      this.submitFailure = undefined;
      throw e;
    }
    const existing = this.jobs.get(spec.jobName);
    if (existing) return existing.handle;
    if (spec.command.length === 0 && spec.image === "") throw new AppError("invalid_argument", "COMMAND_REQUIRED", "The fake provider needs a command or an image.", {});
    this.sequence += 1;
    const region = spec.region || this.regions[0]!;
    const handle: ProviderHandle = {
      provider: this.id,
      id: `fake-${this.sequence}`,
      region,
      instanceType: spec.instanceType || TYPES[0]!.instanceType,
      data: { job: spec.jobName },
    };
    this.jobs.set(spec.jobName, {
      spec,
      handle,
      // As a real provider would, the job sees where its resume point was put.
      script: parseFakeScript([...spec.command, ...spec.args], spec.resumeFrom ? { ...spec.env, ARTENIC_RESUME_FROM: spec.resumeFrom } : spec.env),
      polls: 0,
      cancelled: false,
      forced: undefined,
      logs: [],
      started: false,
      startTime: this.now(),
    });
    return handle;
  }

  private find(handle: ProviderHandle): FakeJob | undefined {
    const job = this.jobs.get(handle.data["job"] ?? "");
    return job && job.handle.id === handle.id ? job : undefined;
  }

  /** Makes the job's next poll report a preemption. */
  preempt(jobName: string, message = "spot capacity reclaimed"): void {
    const job = this.jobs.get(jobName);
    if (job) job.forced = { state: "preempted", message };
  }

  /** Makes the job's next poll report its end with `exitCode`. */
  finish(jobName: string, exitCode = 0): void {
    const job = this.jobs.get(jobName);
    if (job) job.forced = exitCode === 0 ? { state: "succeeded", message: "", exitCode } : { state: "failed", message: `exit code ${exitCode}`, exitCode };
  }

  /** Adds a file to a submitted job's outputs (binary content, such as a model). */
  addOutput(jobName: string, path: string, content: Uint8Array): void {
    this.jobs.get(jobName)?.script.outputs.set(path, content);
  }

  /** The launch spec of a job as submitted, if the fake knows it. */
  specOf(jobName: string): LaunchSpec | undefined {
    return this.jobs.get(jobName)?.spec;
  }

  async poll(handle: ProviderHandle): Promise<ProviderStatus> {
    const job = this.find(handle);
    if (!job) return { state: "gone", message: "the fake provider does not know this job" };
    const startTime = job.startTime;
    if (job.forced) return { ...job.forced, startTime };
    if (job.cancelled) return { state: "failed", message: "cancelled", exitCode: 143, startTime };
    const s = job.script;
    job.polls += 1;
    if (job.polls <= s.provisionPolls) return { state: "provisioning", message: "", startTime };
    if (!job.started) {
      job.started = true;
      job.logs.push(...s.logs);
    }
    if (job.polls <= s.provisionPolls + s.runPolls) return { state: "running", message: "", startTime };
    if (s.preempt && (s.preemptRegions.length === 0 || s.preemptRegions.includes(job.handle.region))) {
      job.forced = { state: "preempted", message: `spot capacity reclaimed in ${job.handle.region}` };
    } else if (s.gone) {
      this.jobs.delete(job.spec.jobName);
      return { state: "gone", message: "the fake instance vanished" };
    } else {
      job.forced = s.exitCode === 0 ? { state: "succeeded", message: "", exitCode: 0 } : { state: "failed", message: `exit code ${s.exitCode}`, exitCode: s.exitCode };
    }
    return { ...job.forced, startTime, endTime: this.now() };
  }

  async cancel(handle: ProviderHandle): Promise<void> {
    const job = this.find(handle);
    this.cancelled.push(handle.id);
    if (job && !job.forced) job.cancelled = true;
  }

  async collectArtifacts(handle: ProviderHandle): Promise<{ files: { name: string; read(): Promise<Uint8Array> }[] }> {
    const job = this.find(handle);
    if (!job) throw new AppError("not_found", "FAKE_JOB_NOT_FOUND", `The fake provider does not know ${handle.id}.`, {});
    return {
      files: [...job.script.outputs].map(([name, content]) => ({ name, read: async () => (typeof content === "string" ? new TextEncoder().encode(content) : content) })),
    };
  }

  async readLogs(handle: ProviderHandle, after: string): Promise<{ lines: string[]; cursor: string }> {
    const job = this.find(handle);
    const from = Number(after) || 0;
    if (!job) return { lines: [], cursor: after };
    return { lines: job.logs.slice(from), cursor: String(job.logs.length) };
  }

  async cleanup(handle: ProviderHandle): Promise<void> {
    this.cleanedUp.push(handle.id);
    const job = this.find(handle);
    if (job) this.jobs.delete(job.spec.jobName);
  }

  async testConnection(): Promise<{ ok: boolean; message: string }> {
    return { ok: true, message: `fake provider with regions ${this.regions.join(", ")}` };
  }
}
