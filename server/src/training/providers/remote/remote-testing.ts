// Test support for remote adapters (imported by tests only): run a rendered bootstrap script for
// real with bash in a sandbox directory, as the machine would, and the workloads the shared contract
// suite needs, expressed as commands.
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { ContractOptions } from "../../compute-provider.contract.js";
import type { LaunchSpec } from "../../compute-provider.js";
import type { PreemptionNoticeSource } from "./bootstrap-script.js";
import type { JobStorage, ObjectTransfer } from "./job-objects.js";

/** How a sandboxed machine ended. */
export interface MachineExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SandboxRunOptions {
  /** Directory used as ARTENIC_BOOTSTRAP_ROOT (the machine's disk). */
  readonly root: string;
  /** Variables the machine's environment holds besides PATH, HOME and LANG (e.g. emulator credentials). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Shell evaluated instead of the machine's own stop command (ARTENIC_BOOTSTRAP_STOP): e.g. the
   * CLI call that terminates the instance in the emulator. @default ":" (the process ending is the stop)
   */
  readonly stop?: string;
}

/**
 * Machines played by processes: each `start` runs a bootstrap script with bash in its own process
 * group under a sandbox root. `kill` is the machine vanishing (a spot interruption, a deleted VM).
 */
export class SandboxMachines {
  private readonly machines = new Map<string, { child: ChildProcess; exit: Promise<MachineExit>; exited?: MachineExit }>();

  /** Starts `script` as machine `id` (idempotent: a running machine is left alone). */
  start(id: string, script: string, options: SandboxRunOptions): Promise<MachineExit> {
    const existing = this.machines.get(id);
    if (existing) return existing.exit;
    mkdirSync(options.root, { recursive: true });
    const child = spawn("bash", ["-s"], {
      cwd: options.root,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: options.root,
        LANG: "C.UTF-8",
        // A spot job's preemption watcher asks a closed local port, never the metadata service of
        // the host running the tests, unless the test gives it one.
        ARTENIC_BOOTSTRAP_METADATA_URL: "http://127.0.0.1:9",
        ...options.env,
        ARTENIC_BOOTSTRAP_ROOT: options.root,
        ARTENIC_BOOTSTRAP_STOP: options.stop ?? ":",
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout = (stdout + c.toString()).slice(-65536)));
    child.stderr!.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-65536)));
    const entry: { child: ChildProcess; exit: Promise<MachineExit>; exited?: MachineExit } = {
      child,
      exit: new Promise((done) =>
        child.on("close", (code, signal) => {
          entry.exited = { code, signal, stdout, stderr };
          done(entry.exited);
        }),
      ),
    };
    this.machines.set(id, entry);
    child.stdin!.end(script);
    return entry.exit;
  }

  /** `running`, `exited` (the script ended on its own) or `unknown`. */
  state(id: string): "running" | "exited" | "unknown" {
    const m = this.machines.get(id);
    return !m ? "unknown" : m.exited ? "exited" : "running";
  }

  exitOf(id: string): Promise<MachineExit> | undefined {
    return this.machines.get(id)?.exit;
  }

  /** The machine disappears at once: SIGKILL to its whole process group. */
  async kill(id: string): Promise<void> {
    const m = this.machines.get(id);
    if (!m || m.exited) return;
    try {
      process.kill(-m.child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
    await m.exit;
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.machines.keys()].map((id) => this.kill(id)));
  }
}

/**
 * The contract suite's workloads as commands a machine runs (bash is on every image the bootstrap
 * script supports). `preempt` is the adapter's own.
 */
export function commandWorkloads(extra: Partial<ContractOptions> = {}): ContractOptions {
  const sq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  return {
    succeed: (file, content, envName) => ({
      command: ["bash", "-c", `printf %s ${sq(content)} > "$ARTENIC_OUTPUT_DIR/${file}" && printf %s "$${envName}" > "$ARTENIC_OUTPUT_DIR/${file}.env"`],
    }),
    fail: (code) => ({ command: ["bash", "-c", `exit ${code}`] }),
    runForever: () => ({ command: ["sleep", "100000"] }),
    log: (line) => ({ command: ["echo", line] }),
    ...extra,
  };
}

// ---------------------------------------------------------------- a spot machine's metadata service

/**
 * A cloud's instance metadata service as a spot machine sees it, speaking each provider's documented
 * answers and refusing requests without the headers the real one requires. No notice until the job
 * calls `/test/started` (answered once the watcher has asked three times), a notice from then on.
 */
export class FakeMetadataService {
  private server: Server | undefined;
  url = "";
  noticeOn = false;
  /** Every request: method, path and the answer's status. */
  readonly requests: { method: string; path: string; status: number }[] = [];
  /** Requests the real service would refuse (a missing header, a wrong verb). */
  readonly violations: string[] = [];
  private readonly tokens = new Map<string, number>();
  private issued = 0;
  private waiting: (() => void) | undefined;

  constructor(readonly cloud: PreemptionNoticeSource) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const path = req.url ?? "/";
      const answer = (status: number, body = "", type = "text/plain") => {
        this.requests.push({ method: req.method ?? "", path, status });
        res.writeHead(status, { "content-type": type, ...(this.cloud === "gcp" ? { "metadata-flavor": "Google" } : {}) }).end(body);
      };
      if (path === "/test/started") {
        // Answered once the watcher has asked three times without a notice (on aws, enough to
        // outlive a token), so that what follows is the notice.
        this.waiting = () => {
          this.noticeOn = true;
          answer(200, "ok");
        };
        return this.release();
      }
      const refused = this.answer(req, path, answer);
      if (refused) {
        this.violations.push(`${req.method} ${path}: ${refused}`);
        answer(400, refused);
      }
      this.release();
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  private release(): void {
    const polls = this.requests.filter((q) => q.path !== "/test/started" && q.path !== "/latest/api/token").length;
    if (this.waiting && polls >= 3) {
      const go = this.waiting;
      this.waiting = undefined;
      go();
    }
  }

  /** Answers like the cloud; returns why the request is wrong when it is. */
  private answer(req: IncomingMessage, path: string, answer: (status: number, body?: string, type?: string) => void): string | undefined {
    switch (this.cloud) {
      case "aws": {
        if (path === "/latest/api/token") {
          const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
          if (req.method !== "PUT") return "the token is PUT";
          if (!(ttl >= 1 && ttl <= 21600)) return "X-aws-ec2-metadata-token-ttl-seconds missing or out of 1..21600";
          const token = `token-${++this.issued}`;
          // Each token is good for two requests here, so the watcher has to renew it.
          this.tokens.set(token, 2);
          return void answer(200, token);
        }
        if (path === "/latest/meta-data/spot/instance-action") {
          if (req.method !== "GET") return "GET only";
          const token = String(req.headers["x-aws-ec2-metadata-token"] ?? "");
          const left = this.tokens.get(token) ?? 0;
          if (left <= 0) return void answer(401);
          this.tokens.set(token, left - 1);
          if (!this.noticeOn) return void answer(404, "<?xml version=\"1.0\"?><Error><Code>NotFound</Code></Error>", "text/html");
          return void answer(200, JSON.stringify({ action: "terminate", time: "2026-11-26T20:40:00Z" }), "application/json");
        }
        return "unknown path";
      }
      case "azure": {
        if (req.headers["metadata"] !== "true") return "Bad request. Required metadata header not specified";
        if (path !== "/metadata/scheduledevents?api-version=2020-07-01") return "unknown path or api-version";
        if (req.method !== "GET") return "this test never acknowledges an event";
        const event = (id: string, type: string, notBefore: string) => ({
          EventId: id, EventStatus: "Scheduled", EventType: type, ResourceType: "VirtualMachine", Resources: ["artenic-job"], NotBefore: notBefore, Description: "", EventSource: "Platform", DurationInSeconds: -1,
        });
        // A maintenance event is not a notice; only Preempt is.
        const events = [event("A1", "Freeze", "Thu, 26 Nov 2026 21:00:00 GMT"), ...(this.noticeOn ? [event("B2", "Preempt", "Thu, 26 Nov 2026 20:40:30 GMT")] : [])];
        return void answer(200, JSON.stringify({ DocumentIncarnation: events.length, Events: events }), "application/json");
      }
      case "gcp": {
        if (req.headers["metadata-flavor"] !== "Google") return "Missing Metadata-Flavor:Google header";
        if (path !== "/computeMetadata/v1/instance/preempted" || req.method !== "GET") return "unknown path";
        return void answer(200, this.noticeOn ? "TRUE" : "FALSE");
      }
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** Processes still running that a sandboxed machine started (its environment names its root), with their command lines. */
export function processesOf(root: string): string[] {
  const marker = Buffer.from(`ARTENIC_BOOTSTRAP_ROOT=${root}\0`);
  const left: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`).includes(marker)) left.push(`${entry}: ${readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim()}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return left;
}

// ---------------------------------------------------------------- a JobStorage in a directory

function insideRoot(root: string, key: string): string {
  const path = resolve(root, key);
  if (path !== root && !path.startsWith(root + sep)) throw new Error(`key ${key} escapes the storage root`);
  return path;
}

/**
 * A JobStorage over a local directory, for testing adapters' compute halves and the kit itself. Its
 * transfers are `cp` commands (`cli`), or, once `serve()` ran, URLs signed with an HMAC and an expiry
 * that its HTTP server checks (`url`), as pre-signed URLs are.
 */
export class DirectoryJobStorage implements JobStorage {
  readonly location: string;
  private server: Server | undefined;
  private baseUrl: string | undefined;
  private readonly key = Buffer.from("directory-storage-test-signing-key");
  /** Every HTTP request the server answered: method, key and status. */
  readonly requests: { method: string; key: string; status: number }[] = [];

  constructor(readonly root: string) {
    this.root = resolve(root);
    this.location = `file://${this.root}`;
    mkdirSync(this.root, { recursive: true });
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = insideRoot(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.tmp`, body);
    await rename(`${path}.tmp`, path);
  }

  async get(key: string, range?: { start?: number; maxBytes?: number }): Promise<Uint8Array | undefined> {
    try {
      const bytes = await readFile(insideRoot(this.root, key));
      const start = range?.start ?? 0;
      const end = range?.maxBytes === undefined ? bytes.length : Math.min(bytes.length, start + range.maxBytes);
      return new Uint8Array(bytes.subarray(Math.min(start, bytes.length), end));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "EISDIR") return undefined;
      throw e;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (const key of await this.keys()) if (key.startsWith(prefix)) await rm(insideRoot(this.root, key), { force: true });
  }

  /** Every key stored, sorted. */
  async keys(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const path = join(dir, e.name);
        if (e.isDirectory()) await walk(path);
        else if (!e.name.endsWith(".tmp")) out.push(relative(this.root, path).split(sep).join("/"));
      }
    };
    await walk(this.root);
    return out.sort();
  }

  private sign(method: string, key: string, expires: number): string {
    return createHmac("sha256", this.key).update(`${method}\n${key}\n${expires}`).digest("hex");
  }

  async transfer(key: string, access: "read" | "write", expiresAt: Date): Promise<ObjectTransfer> {
    const path = insideRoot(this.root, key);
    if (this.baseUrl) {
      const method = access === "read" ? "GET" : "PUT";
      const expires = Math.floor(expiresAt.getTime() / 1000);
      const url = `${this.baseUrl}/${key.split("/").map(encodeURIComponent).join("/")}?expires=${expires}&signature=${this.sign(method, key, expires)}`;
      return { kind: "url", url, headers: { "x-test-header": "kept" } };
    }
    return access === "read" ? { kind: "cli", argv: ["cp", path, "{file}"] } : { kind: "cli", argv: ["bash", "-c", 'mkdir -p "$(dirname "$1")" && cp "$0" "$1"', "{file}", path] };
  }

  async check(): Promise<{ ok: boolean; message: string }> {
    const info = await stat(this.root).catch(() => undefined);
    return info?.isDirectory() ? { ok: true, message: `directory ${this.root}` } : { ok: false, message: `${this.root} is not a directory` };
  }

  /** Serves the directory over HTTP on loopback; from now on transfers are signed URLs. */
  async serve(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const key = decodeURIComponent(url.pathname.slice(1));
      const expires = Number(url.searchParams.get("expires"));
      const given = Buffer.from(url.searchParams.get("signature") ?? "", "hex");
      const want = Buffer.from(this.sign(req.method ?? "", key, expires), "hex");
      const answer = (status: number, body?: Uint8Array) => {
        this.requests.push({ method: req.method ?? "", key, status });
        res.writeHead(status).end(body);
      };
      if (given.length !== want.length || !timingSafeEqual(given, want) || expires * 1000 < Date.now() || req.headers["x-test-header"] !== "kept") return answer(403);
      if (req.method === "GET") {
        void this.get(key).then((b) => (b ? answer(200, b) : answer(404)), () => answer(500));
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => void this.put(key, Buffer.concat(chunks)).then(() => answer(200), () => answer(500)));
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * A launch spec for adapter tests: a `bash train.sh` command job, no image, no GPU, on demand, ten
 * minutes at most. Each test names its job and sets what it is about (resources, region, env...).
 */
export function testLaunchSpec(spec: Partial<LaunchSpec> & Pick<LaunchSpec, "jobName" | "env" | "cpus" | "memoryBytes" | "region" | "instanceType">): LaunchSpec {
  return { image: "", command: ["bash", "train.sh"], args: [], codePath: "", gpuType: "", gpuCount: 0, spot: false, maxRuntimeMs: 600_000, ...spec };
}
