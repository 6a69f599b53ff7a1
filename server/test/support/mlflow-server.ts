import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { freePort } from "./free-port.js";

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
 * A real `mlflow server` on a free loopback port, with a SQLite backend and a local artifact root in
 * a temporary folder of its own (removed at stop). It takes several seconds to start (minutes on a
 * loaded machine): start one per suite, in the background or in a hook with a long timeout. A port
 * taken by another process between choosing and binding it is retried on another one.
 */
export async function startMlflowServer(bin: string): Promise<MlflowServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(bin, await freePort());
    } catch (e) {
      if (!(e instanceof PortTakenError) || attempt === 3) throw e;
    }
  }
}

class PortTakenError extends Error {}

async function startOn(bin: string, port: number): Promise<MlflowServer> {
  const dir = mkdtempSync(join(tmpdir(), "artenic-mlflow-"));
  const child: ChildProcess = spawn(
    join(bin, "mlflow"),
    ["server", "--host", "127.0.0.1", "--port", String(port), "--workers", "1", "--backend-store-uri", `sqlite:///${join(dir, "mlflow.db")}`, "--artifacts-destination", join(dir, "artifacts")],
    { cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}`, MLFLOW_TRACKING_URI: "", PYTHONUNBUFFERED: "1" } },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  // The server runs its workers as child processes: signals go to the whole group it leads.
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`mlflow server exited (${child.exitCode}):\n${output}`);
    }
    // uvicorn reports a failed bind but leaves the parent process running.
    if (output.includes("address already in use")) {
      await stop();
      throw new PortTakenError(`port ${port} was taken`);
    }
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`mlflow server did not answer /health within 300 s:\n${output}`);
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
    stop,
  };
}

/**
 * A loopback address that clients can be configured with before the server behind it exists: until
 * `forwardTo` it drops every connection at once (like a host whose service is down), then it relays
 * them to 127.0.0.1:`target`. Bound at once on a free port, so no other process can take it.
 */
export async function startForwarder(): Promise<{ readonly port: number; forwardTo(target: number): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let target: number | undefined;
  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect(target, "127.0.0.1");
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    forwardTo(port) {
      target = port;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
