import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export { freePort } from "./free-port.js";

const run = promisify(execFile);
const root = new URL("../../../", import.meta.url).pathname;

/** Builds the pinned MLflow venv when missing (scripts/mlflow-env.sh) and returns its bin dir. */
export async function mlflowBin(): Promise<string> {
  const { stdout } = await run("bash", [join(root, "scripts/mlflow-env.sh")], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim().split("\n").pop()!;
}

export interface MlflowServer {
  readonly url: string;
  /** GET or POST one call of MLflow's REST API (`runs/search`...) and return its JSON. */
  api<T = Record<string, unknown>>(method: "GET" | "POST", path: string, body?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * A real `mlflow server` on 127.0.0.1:`port`, with a SQLite backend and a local artifact root in a
 * temporary folder of its own (removed at stop). It takes several seconds to start: start one per
 * suite, in a hook with a timeout of a few minutes (the first run also builds the venv).
 */
export async function startMlflowServer(bin: string, port: number): Promise<MlflowServer> {
  const dir = mkdtempSync(join(tmpdir(), "artenic-mlflow-"));
  const child: ChildProcess = spawn(
    join(bin, "mlflow"),
    ["server", "--host", "127.0.0.1", "--port", String(port), "--workers", "1", "--backend-store-uri", `sqlite:///${join(dir, "mlflow.db")}`, "--artifacts-destination", join(dir, "artifacts")],
    { cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}`, MLFLOW_TRACKING_URI: "", PYTHONUNBUFFERED: "1" } },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mlflow server exited (${child.exitCode}):\n${output}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      process.kill(-child.pid!, "SIGKILL");
      throw new Error(`mlflow server did not answer /health within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    async api<T>(method: "GET" | "POST", path: string, body: Record<string, unknown> = {}): Promise<T> {
      const target = new URL(`/api/2.0/mlflow/${path}`, url);
      if (method === "GET") for (const [k, v] of Object.entries(body)) target.searchParams.set(k, String(v));
      const res = await fetch(target, { method, headers: { "content-type": "application/json" }, ...(method === "POST" ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      if (!res.ok) throw new Error(`MLflow ${path} answered ${res.status}: ${text}`);
      return JSON.parse(text) as T;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        // The server runs its workers as child processes: signal the whole group it leads.
        const signal = (name: NodeJS.Signals) => {
          try {
            process.kill(-child.pid!, name);
          } catch {
            // already gone
          }
        };
        signal("SIGTERM");
        const timer = setTimeout(() => signal("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP forwarder from 127.0.0.1:`port` to `target`, started when a test wants a server to "come
 * up" at an address that clients were configured with beforehand.
 */
export async function forwardPort(port: number, target: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
