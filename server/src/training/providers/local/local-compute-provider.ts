import { spawn } from "node:child_process";
import { constants as fsConstants, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { access, cp, mkdir, open, readdir, readFile, rm, stat } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { AppError } from "../../../platform/errors/app-error.js";
import type { ComputeProvider, LaunchSpec, Offering, ProviderHandle, ProviderStatus } from "../../compute-provider.js";

/** Options of the local provider. */
export interface LocalProviderOptions {
  /** Where each job gets a directory (`<root>/<job id>`). */
  readonly rootDir: string;
  /** Jobs running at once at most; excess jobs stay QUEUED. @default 2 */
  readonly maxConcurrentJobs?: number;
  /** The host's price per hour in the platform currency (for estimates and budgets). @default 0 */
  readonly pricePerHour?: number;
  /** How long a cancelled process has between SIGTERM and SIGKILL. @default 5000 */
  readonly killGraceMs?: number;
  /** Server variables passed through to jobs; nothing else of the server's environment is. */
  readonly inheritEnv?: readonly string[];
  readonly now?: () => Date;
}

// The wrapper runs the command with its output in files and records the exit status in a file, so
// the job's state survives the server: a restarted server reads the status, the logs and the pid
// from the job directory. `exec 9>` keeps nothing open towards the server's pipes.
const WRAPPER = [
  'd="$1"; shift',
  'echo "$$" > "$d/pid.tmp" && mv "$d/pid.tmp" "$d/pid"',
  '"$@" </dev/null >>"$d/stdout.log" 2>>"$d/stderr.log"',
  "code=$?",
  'echo "$code" > "$d/exit_code.tmp" && mv "$d/exit_code.tmp" "$d/exit_code"',
].join("\n");

interface HandleFile {
  readonly pid: number;
  /** The process start time from /proc (clock ticks since boot), so a reused pid is not mistaken for the job. */
  readonly startTicks: string;
  readonly startTime: string;
  readonly deadline: string;
}

const MAX_LOG_READ = 1024 * 1024;

function jobIdOf(jobName: string): string {
  const id = jobName.replace(/^trainingJobs\//, "");
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id)) throw new AppError("invalid_argument", "INVALID_JOB_NAME", `${jobName} is not a training job name.`, { name: jobName });
  return id;
}

function processStartTicks(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces), 1-based field 22 is the start time.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return "dead";
    return fields[19] ?? "";
  } catch {
    return "";
  }
}

function alive(h: HandleFile): boolean {
  try {
    process.kill(h.pid, 0);
  } catch {
    return false;
  }
  const ticks = processStartTicks(h.pid);
  if (ticks === "dead") return false;
  // Without /proc the pid check is all there is.
  return ticks === "" || h.startTicks === "" || ticks === h.startTicks;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * The `local` provider: each job is a real subprocess on the server host, in a directory of its own
 * under the data dir (`code/` is the working directory, `output/` is ARTENIC_OUTPUT_DIR), in its own
 * process group so cancelling kills everything it started. Its output goes to files that the
 * reconcile loop tails into the job's log, and its exit status to a file, so the server can be
 * restarted mid-job: the process keeps running and the next server picks it up from its handle.
 * The exit code decides success; a job past its max runtime is killed and failed. The environment is
 * the job's own plus a few harmless server variables (PATH, HOME, LANG...), never the server's
 * secrets.
 */
export class LocalComputeProvider implements ComputeProvider {
  readonly id = "local";
  readonly maxConcurrentJobs: number;
  private readonly root: string;

  constructor(private readonly options: LocalProviderOptions) {
    this.root = resolve(options.rootDir);
    this.maxConcurrentJobs = options.maxConcurrentJobs ?? 2;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private dirOf(handle: ProviderHandle): string {
    const dir = resolve(handle.data["dir"] ?? join(this.root, handle.id));
    if (relative(this.root, dir).startsWith("..")) throw new AppError("invalid_argument", "INVALID_HANDLE", "The handle points outside the local provider's directory.", {});
    return dir;
  }

  async listOfferings(filter?: { region?: string; gpuType?: string }): Promise<Offering[]> {
    if ((filter?.region && filter.region !== "local") || filter?.gpuType) return [];
    return [
      {
        provider: this.id,
        region: "local",
        instanceType: "local",
        cpus: availableParallelism(),
        memoryBytes: totalmem(),
        gpuType: "",
        gpuCount: 0,
        onDemandPerHour: this.options.pricePerHour ?? 0,
        priceDate: this.now().toISOString().slice(0, 10),
        priceSource: "catalog",
      },
    ];
  }

  private handleOf(jobId: string, dir: string, h: HandleFile): ProviderHandle {
    return { provider: this.id, id: `${jobId}:${h.pid}`, region: "local", instanceType: "local", data: { dir, pid: String(h.pid), startTicks: h.startTicks, startTime: h.startTime, deadline: h.deadline } };
  }

  async submit(spec: LaunchSpec): Promise<ProviderHandle> {
    const jobId = jobIdOf(spec.jobName);
    const dir = join(this.root, jobId);
    const handleFile = join(dir, "handle.json");
    if (existsSync(handleFile)) return this.handleOf(jobId, dir, JSON.parse(readFileSync(handleFile, "utf8")) as HandleFile);
    if (spec.image !== "" && spec.command.length === 0) {
      throw new AppError("failed_precondition", "IMAGE_NOT_SUPPORTED", "The local provider runs commands on the host; it cannot run a container image. Set spec.command.", {});
    }
    if (spec.command.length === 0) throw new AppError("invalid_argument", "COMMAND_REQUIRED", "The local provider needs spec.command.", {});
    // A directory without handle.json is a launch that never started: start over.
    await rm(dir, { recursive: true, force: true });
    const codeDir = join(dir, "code");
    const outputDir = join(dir, "output");
    await mkdir(codeDir, { recursive: true });
    await mkdir(outputDir, { recursive: true });
    if (spec.codePath) await cp(spec.codePath, codeDir, { recursive: true });
    const env: Record<string, string> = {};
    for (const name of this.options.inheritEnv ?? ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER"]) {
      const v = process.env[name];
      if (v !== undefined) env[name] = v;
    }
    Object.assign(env, spec.env, { ARTENIC_CODE_DIR: codeDir, ARTENIC_OUTPUT_DIR: outputDir, PYTHONUNBUFFERED: spec.env["PYTHONUNBUFFERED"] ?? "1" });
    if (spec.resumeFrom) {
      const resumeDir = join(dir, "resume");
      await mkdir(resumeDir, { recursive: true });
      const copy = join(resumeDir, basename(spec.resumeFrom));
      await cp(spec.resumeFrom, copy);
      env["ARTENIC_RESUME_FROM"] = copy;
    }
    const cwd = resolve(codeDir, spec.workingDir ?? "");
    if (relative(codeDir, cwd).startsWith("..")) throw new AppError("invalid_argument", "INVALID_WORKING_DIR", "code.working_dir escapes the code directory.", {});
    await mkdir(cwd, { recursive: true });
    const child = spawn("/bin/sh", ["-c", WRAPPER, "artenic-job", dir, ...spec.command, ...spec.args], { cwd, env, detached: true, stdio: "ignore" });
    const pid = child.pid;
    if (pid === undefined) {
      const error = await new Promise<Error>((r) => child.once("error", r));
      throw new AppError("unavailable", "LOCAL_SPAWN_FAILED", `The local provider could not start the job: ${error.message}`, {});
    }
    // Written in the same tick as the spawn: a server that dies now still finds the process.
    const now = this.now();
    const h: HandleFile = { pid, startTicks: processStartTicks(pid), startTime: now.toISOString(), deadline: new Date(now.getTime() + spec.maxRuntimeMs).toISOString() };
    writeFileSync(`${handleFile}.tmp`, JSON.stringify(h));
    renameSync(`${handleFile}.tmp`, handleFile);
    // Reaped by Node while this server lives; afterwards the process simply outlives it.
    child.on("error", () => undefined);
    child.unref();
    return this.handleOf(jobId, dir, h);
  }

  private readHandle(handle: ProviderHandle): HandleFile {
    return { pid: Number(handle.data["pid"]), startTicks: handle.data["startTicks"] ?? "", startTime: handle.data["startTime"] ?? "", deadline: handle.data["deadline"] ?? "" };
  }

  private async exitCode(dir: string): Promise<{ code: number; time: Date } | undefined> {
    try {
      const file = join(dir, "exit_code");
      const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
      const code = Number(text.trim());
      return Number.isInteger(code) ? { code, time: info.mtime } : undefined;
    } catch {
      return undefined;
    }
  }

  async poll(handle: ProviderHandle): Promise<ProviderStatus> {
    const dir = this.dirOf(handle);
    const h = this.readHandle(handle);
    const startTime = h.startTime ? new Date(h.startTime) : undefined;
    const base = startTime ? { startTime } : {};
    const ended = async (): Promise<ProviderStatus | undefined> => {
      const exit = await this.exitCode(dir);
      if (!exit) return undefined;
      if (exit.code === 0) return { state: "succeeded", message: "", exitCode: 0, ...base, endTime: exit.time };
      const text = exit.code > 128 ? `exit code ${exit.code} (killed by signal ${exit.code - 128})` : `exit code ${exit.code}`;
      return { state: "failed", message: text, exitCode: exit.code, ...base, endTime: exit.time };
    };
    const first = await ended();
    if (first) return first;
    if (alive(h)) {
      if (h.deadline && this.now().getTime() > new Date(h.deadline).getTime()) {
        killGroup(h.pid, "SIGKILL");
        return { state: "failed", message: "timed out: the process ran past its max runtime and was killed", ...base };
      }
      return { state: "running", message: "", ...base };
    }
    // The wrapper writes the status before it exits: look again in case it just did.
    const second = await ended();
    if (second) return second;
    if (!existsSync(dir)) return { state: "gone", message: "the job directory no longer exists" };
    return { state: "gone", message: "the process ended without an exit status (it was killed, or the host restarted)", ...base };
  }

  async cancel(handle: ProviderHandle): Promise<void> {
    const h = this.readHandle(handle);
    if (!alive(h)) return;
    killGroup(h.pid, "SIGTERM");
    const grace = this.options.killGraceMs ?? 5000;
    const deadline = Date.now() + grace;
    while (Date.now() < deadline && alive(h)) await new Promise((r) => setTimeout(r, 50));
    if (alive(h)) killGroup(h.pid, "SIGKILL");
  }

  async collectArtifacts(handle: ProviderHandle): Promise<{ files: { name: string; read(): Promise<Uint8Array> }[] }> {
    const output = join(this.dirOf(handle), "output");
    const files: { name: string; read(): Promise<Uint8Array> }[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) files.push({ name: relative(output, path), read: async () => new Uint8Array(await readFile(path)) });
      }
    };
    await walk(output);
    return { files };
  }

  /**
   * Complete lines of stdout then stderr since the cursor (`<stdout offset>:<stderr offset>`); a last
   * line without a newline is returned once the process has ended.
   */
  async readLogs(handle: ProviderHandle, after: string): Promise<{ lines: string[]; cursor: string; streams: ("stdout" | "stderr")[] }> {
    const dir = this.dirOf(handle);
    const [outFrom, errFrom] = (after || "0:0").split(":").map((n) => Number(n) || 0) as [number, number];
    const finished = (await this.exitCode(dir)) !== undefined || !alive(this.readHandle(handle));
    const lines: string[] = [];
    const streams: ("stdout" | "stderr")[] = [];
    const read = async (file: string, from: number, stream: "stdout" | "stderr"): Promise<number> => {
      let fh;
      try {
        fh = await open(join(dir, file), "r");
      } catch {
        return from;
      }
      try {
        const buffer = Buffer.alloc(MAX_LOG_READ);
        const { bytesRead } = await fh.read(buffer, 0, MAX_LOG_READ, from);
        if (bytesRead === 0) return from;
        const chunk = buffer.subarray(0, bytesRead);
        let end = chunk.lastIndexOf(0x0a) + 1;
        // A partial last line waits for its newline, unless the process is done or the chunk is full.
        if (finished || (end === 0 && bytesRead === MAX_LOG_READ)) end = bytesRead;
        if (end === 0) return from;
        const text = chunk.subarray(0, end).toString("utf8");
        for (const line of text.split("\n").slice(0, text.endsWith("\n") ? -1 : undefined)) {
          lines.push(line.replace(/\r$/, ""));
          streams.push(stream);
        }
        return from + end;
      } finally {
        await fh.close();
      }
    };
    const outTo = await read("stdout.log", outFrom, "stdout");
    const errTo = await read("stderr.log", errFrom, "stderr");
    return { lines, cursor: `${outTo}:${errTo}`, streams };
  }

  async cleanup(handle: ProviderHandle): Promise<void> {
    const h = this.readHandle(handle);
    if (Number.isInteger(h.pid) && h.pid > 0 && alive(h)) killGroup(h.pid, "SIGKILL");
    await rm(this.dirOf(handle), { recursive: true, force: true });
  }

  async testConnection(): Promise<{ ok: boolean; message: string }> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, fsConstants.W_OK);
      await access("/bin/sh", fsConstants.X_OK);
      return { ok: true, message: `jobs run under ${this.root}, at most ${this.maxConcurrentJobs} at once` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }
}
