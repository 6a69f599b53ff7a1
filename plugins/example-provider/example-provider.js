// The `example` compute provider: each job is a child process of the server, in a directory of its
// own under the plugin's data directory (`code/` is the working directory, `output/` is
// ARTENIC_OUTPUT_DIR). Its output lines are kept in memory for the job's log. Unlike the built-in
// `local` provider, jobs do not outlive the server: after a restart they are reported gone and
// retried by the platform. It implements the ComputeProvider port of server/src/training.
import { spawn } from "node:child_process";
import { cp, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";

const MAX_LINES = 100_000;
const JOB_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PASSED_THROUGH = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER"];

export class ExampleComputeProvider {
  id = "example";
  maxConcurrentJobs = 4;
  /** @type {Map<string, any>} job id -> its process, state and log lines */
  #jobs = new Map();
  #root;
  #logger;

  /** @param {{ rootDir: string, logger?: { info(m: string, f?: object): void } }} options */
  constructor(options) {
    this.#root = resolve(options.rootDir);
    this.#logger = options.logger;
  }

  async listOfferings(filter) {
    if ((filter?.region && filter.region !== "default") || filter?.gpuType) return [];
    return [
      {
        provider: this.id,
        region: "default",
        instanceType: "example-1",
        // What one job may use: the platform's default resources (1 vCPU, 2 GiB) fit.
        cpus: 2,
        memoryBytes: 4 * 1024 ** 3,
        gpuType: "",
        gpuCount: 0,
        onDemandPerHour: 0,
        priceDate: new Date().toISOString().slice(0, 10),
        priceSource: "catalog",
      },
    ];
  }

  #handle(id, dir) {
    return { provider: this.id, id, region: "default", instanceType: "example-1", data: { dir } };
  }

  async submit(spec) {
    const id = spec.jobName.replace(/^trainingJobs\//, "");
    if (!JOB_ID.test(id)) throw new Error(`${spec.jobName} is not a training job name`);
    const dir = join(this.#root, id);
    // Idempotent: the same job twice is the same process.
    if (this.#jobs.has(id)) return this.#handle(id, dir);
    if (spec.command.length === 0) throw new Error("the example provider runs commands; set spec.command");
    await rm(dir, { recursive: true, force: true });
    const codeDir = join(dir, "code");
    const outputDir = join(dir, "output");
    await mkdir(codeDir, { recursive: true });
    await mkdir(outputDir, { recursive: true });
    if (spec.codePath) await cp(spec.codePath, codeDir, { recursive: true });
    const env = {};
    for (const name of PASSED_THROUGH) if (process.env[name] !== undefined) env[name] = process.env[name];
    Object.assign(env, spec.env, { ARTENIC_CODE_DIR: codeDir, ARTENIC_OUTPUT_DIR: outputDir, PYTHONUNBUFFERED: "1" });
    if (spec.resumeFrom) {
      const copy = join(dir, "resume", basename(spec.resumeFrom));
      await mkdir(join(dir, "resume"), { recursive: true });
      await cp(spec.resumeFrom, copy);
      env.ARTENIC_RESUME_FROM = copy;
    }
    const cwd = resolve(codeDir, spec.workingDir ?? "");
    if (relative(codeDir, cwd).startsWith("..")) throw new Error("code.working_dir escapes the code directory");
    const job = { state: "running", message: "", exitCode: undefined, lines: [], streams: [], startTime: new Date(), endTime: undefined, child: undefined, timer: undefined };
    this.#jobs.set(id, job);
    const child = spawn(spec.command[0], [...spec.command.slice(1), ...spec.args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    job.child = child;
    for (const [stream, name] of [[child.stdout, "stdout"], [child.stderr, "stderr"]]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
        if (job.lines.length >= MAX_LINES) return;
        job.lines.push(line);
        job.streams.push(name);
      });
    }
    const end = (state, message, exitCode) => {
      if (job.state !== "running") return;
      clearTimeout(job.timer);
      Object.assign(job, { state, message, exitCode, endTime: new Date() });
    };
    child.on("error", (e) => end("failed", `the command could not start: ${e.message}`, undefined));
    child.on("close", (code, signal) => (code === 0 ? end("succeeded", "", 0) : end("failed", signal ? `killed by ${signal}` : `exit code ${code}`, code ?? 128)));
    job.timer = setTimeout(() => {
      child.kill("SIGKILL");
      end("failed", "timed out: the process ran past its max runtime and was killed", undefined);
    }, Math.min(spec.maxRuntimeMs, 2 ** 31 - 1));
    job.timer.unref();
    this.#logger?.info("job started", { job: spec.jobName, pid: child.pid });
    return this.#handle(id, dir);
  }

  async poll(handle) {
    const job = this.#jobs.get(handle.id);
    if (!job) return { state: "gone", message: "the example provider keeps jobs in memory, and this server does not know the job (it restarted)" };
    const times = { startTime: job.startTime, ...(job.endTime ? { endTime: job.endTime } : {}) };
    return { state: job.state, message: job.message, ...(job.exitCode !== undefined ? { exitCode: job.exitCode } : {}), ...times };
  }

  async cancel(handle) {
    this.#jobs.get(handle.id)?.child?.kill("SIGTERM");
  }

  async collectArtifacts(handle) {
    const output = join(this.#dir(handle), "output");
    const files = [];
    const walk = async (dir) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) files.push({ name: relative(output, path), read: async () => new Uint8Array(await readFile(path)) });
      }
    };
    await walk(output).catch(() => undefined);
    return { files };
  }

  async readLogs(handle, after) {
    const job = this.#jobs.get(handle.id);
    const from = Number(after) || 0;
    if (!job) return { lines: [], cursor: String(from), streams: [] };
    return { lines: job.lines.slice(from), cursor: String(job.lines.length), streams: job.streams.slice(from) };
  }

  async cleanup(handle) {
    const job = this.#jobs.get(handle.id);
    if (job?.state === "running") job.child?.kill("SIGKILL");
    this.#jobs.delete(handle.id);
    await rm(this.#dir(handle), { recursive: true, force: true });
  }

  async testConnection() {
    await mkdir(this.#root, { recursive: true });
    return { ok: true, message: `jobs run as child processes under ${this.#root}` };
  }

  #dir(handle) {
    const dir = resolve(handle.data?.dir ?? join(this.#root, handle.id));
    if (relative(this.#root, dir).startsWith("..")) throw new Error("the handle points outside the example provider's directory");
    return dir;
  }
}
