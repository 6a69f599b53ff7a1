import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../../../", import.meta.url).pathname;

/** A free TCP port on 127.0.0.1 (for servers that cannot report the port they bound). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, output: () => string, ok: (status: number) => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the emulator exited (${child.exitCode}): ${output()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (ok(res.status)) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url}: the emulator did not answer within 30 s: ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

/** Azurite's well-known development account (public, documented; not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  /** The account's blob endpoint, `http://127.0.0.1:<port>/devstoreaccount1`. */
  readonly blobEndpoint: string;
  stop(): Promise<void>;
}

/**
 * Azurite's Blob service (the pinned npm `azurite`) on a free loopback port, in memory, verifying
 * shared-key signatures and SAS tokens as Azure does.
 */
export async function startAzurite(): Promise<Azurite> {
  const port = await freePort();
  const location = mkdtempSync(join(tmpdir(), "artenic-azurite-"));
  const child = spawn(process.execPath, [join(root, "node_modules/azurite/dist/src/blob/main.js"), "--blobHost", "127.0.0.1", "--blobPort", String(port), "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent"], {
    // In memory: nothing is written, but any stray file lands in a temporary directory.
    cwd: location,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.stderr!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  // An unauthenticated request gets 403 once the service listens.
  await waitFor(`${blobEndpoint}?comp=list`, child, () => output, (s) => s === 403 || s === 200);
  return {
    blobEndpoint,
    async stop() {
      await stopChild(child);
      rmSync(location, { recursive: true, force: true });
    },
  };
}

export interface FakeGcs {
  /** `http://127.0.0.1:<port>`: the JSON API, the upload API and the XML-style object paths. */
  readonly endpoint: string;
  createBucket(name: string): Promise<void>;
  /** Object names in `bucket`, sorted. */
  objects(bucket: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * fake-gcs-server (built from the Go module proxy by scripts/gcs-emulator-env.sh; minutes cold,
 * instant warm) on a free loopback port, in memory, serving signed-URL object paths on its own host.
 */
export async function startFakeGcs(): Promise<FakeGcs> {
  const { stdout } = await run("bash", [join(root, "scripts/gcs-emulator-env.sh")], { maxBuffer: 16 * 1024 * 1024 });
  const bin = stdout.trim().split("\n").pop()!;
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const child = spawn(bin, ["-scheme", "http", "-host", "127.0.0.1", "-port", String(port), "-backend", "memory", "-public-host", host, "-external-url", `http://${host}`, "-log-level", "error"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.stderr!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const endpoint = `http://${host}`;
  await waitFor(`${endpoint}/_internal/healthcheck`, child, () => output, (s) => s === 200);
  return {
    endpoint,
    async createBucket(name) {
      const res = await fetch(`${endpoint}/storage/v1/b?project=test`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
      if (!res.ok) throw new Error(`create bucket ${name}: ${res.status} ${await res.text()}`);
    },
    async objects(bucket) {
      const res = await fetch(`${endpoint}/storage/v1/b/${bucket}/o`);
      const doc = (await res.json()) as { items?: { name: string }[] };
      return (doc.items ?? []).map((i) => i.name).sort();
    },
    stop: () => stopChild(child),
  };
}
