import { execFile, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../../../", import.meta.url).pathname;

/** A moto S3 emulator (server mode) on a free loopback port, with test credentials. */
export interface MotoServer {
  /** e.g. `http://127.0.0.1:41234`; buckets are addressed path-style. */
  readonly endpoint: string;
  readonly region: string;
  /** Any non-empty pair works with moto; these are what the tests sign with. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The venv's bin dir, with `aws` (the AWS CLI) in it. */
  readonly bin: string;
  /** Creates a bucket through moto's own S3 API. */
  createBucket(name: string): Promise<void>;
  /** Keys of the multipart uploads in progress under `prefix` (full keys, bucket prefix included). */
  pendingUploads(bucket: string, prefix: string): Promise<string[]>;
  /** Starts a multipart upload and leaves it, as a process that died mid-upload would. */
  startUpload(bucket: string, key: string): Promise<void>;
  /** Runs the AWS CLI against this server (`aws s3 ls s3://bucket`...) and returns its stdout. */
  aws(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Builds the pinned moto venv when missing (scripts/moto-env.sh; about a minute cold, instant warm),
 * starts `moto_server` on port 0 and reads the port it bound from its startup line, then waits until
 * it answers. Give the calling hook a timeout of a few minutes for the cold case.
 */
export async function startMotoServer(): Promise<MotoServer> {
  const { stdout } = await run("bash", [join(root, "scripts/moto-env.sh")], { maxBuffer: 16 * 1024 * 1024 });
  const bin = stdout.trim().split("\n").pop()!;
  const child = spawn(join(bin, "moto_server"), ["-H", "127.0.0.1", "-p", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  const endpoint = await boundAddress(child);
  await waitUntilReady(endpoint);
  const region = "us-east-1";
  const credentials = { accessKeyId: "artenic-test-key", secretAccessKey: "artenic-test-secret" };
  const awsEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  const aws = async (...args: string[]) => (await run(join(bin, "aws"), ["--endpoint-url", endpoint, ...args], { env: awsEnv })).stdout;
  return {
    endpoint,
    region,
    credentials,
    bin,
    aws,
    async createBucket(name) {
      const res = await fetch(`${endpoint}/${name}`, { method: "PUT" });
      if (!res.ok) throw new Error(`moto: creating bucket ${name} answered ${res.status}: ${await res.text()}`);
    },
    async pendingUploads(bucket, prefix) {
      const res = await fetch(`${endpoint}/${bucket}?uploads&prefix=${encodeURIComponent(prefix)}`);
      const xml = await res.text();
      if (!res.ok) throw new Error(`moto: listing uploads answered ${res.status}: ${xml}`);
      return [...xml.matchAll(/<Upload>[\s\S]*?<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
    },
    async startUpload(bucket, key) {
      const res = await fetch(`${endpoint}/${bucket}/${key}?uploads`, { method: "POST" });
      if (!res.ok) throw new Error(`moto: starting an upload answered ${res.status}: ${await res.text()}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function boundAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        child.stderr!.off("data", onData);
        child.stdout!.off("data", onData);
        resolve(match[1]!);
      }
    };
    child.stderr!.on("data", onData);
    child.stdout!.on("data", onData);
    // Keep draining both pipes so that moto's request log can never fill them and block it.
    child.stderr!.resume();
    child.stdout!.resume();
    child.once("exit", (code) => reject(new Error(`moto_server exited (${code}) before listening:\n${output}`)));
  });
}

async function waitUntilReady(endpoint: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not accepting connections yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server at ${endpoint} did not become ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
