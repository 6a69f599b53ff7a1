// npm run bench:rpc — what one RPC costs on our stack against a @grpc/grpc-js server running the
// same probe logic (test/support/probe-service.ts). Each server is its own process (rpc-server.ts);
// h2load (Debian's nghttp2-client) drives both with the same load: unary gRPC at 50 connections × 1
// stream and 10 × 10, Connect JSON and gRPC-Web over HTTP/1.1, and a 100k-message server stream.
// Every case runs BENCH_ROUNDS times (default 5 × 4 s), the servers' turns interleaved so machine
// noise hits both alike; tables give the median round. Server CPU is utime+stime from /proc/<pid>/stat around a run.
// By default the servers run on core 0 and h2load on core 1 (BENCH_PIN=0 lets both float).
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { get as httpGet } from "node:http";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { apiKeyInterceptor } from "@artenic/sdk";
import { CountRequestSchema, ProbeService, SumRequestSchema } from "../test/support/probe-service.js";

const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 4);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const PIN = process.env["BENCH_PIN"] !== "0";
const STREAM_MESSAGES = 100_000;
const STREAM_CALLS = 3;
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const SUM = "/artenic.testing.v1.ProbeService/Sum";
const COUNT = "/artenic.testing.v1.ProbeService/Count";

/** `connect-only` is Artenic with ARTENIC_GRPC_FAST_PATH=false: every call through Connect-Node. */
type ServerName = "artenic" | "connect-only" | "grpcjs";
const LABELS: Record<ServerName, string> = { artenic: "Artenic", "connect-only": "Artenic, fast path off", grpcjs: "grpc-js" };

interface Server {
  readonly name: ServerName;
  readonly child: ChildProcess;
  readonly url: string;
}

interface Run {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerReq: number;
  /** For streams: messages per second and CPU per message instead. */
  readonly done: number;
}

interface Case {
  readonly id: string;
  readonly label: string;
  readonly servers: readonly ServerName[];
  readonly args: readonly string[];
  readonly body: Uint8Array | string;
  readonly path: string;
  /** Messages per call: 1 for unary, the stream length for streams. */
  readonly perCall: number;
}

function envelope(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + bytes.length);
  new DataView(out.buffer).setUint32(1, bytes.length);
  out.set(bytes, 5);
  return out;
}

const sumRequest = create(SumRequestSchema, { values: [0.5, 1.5, 2.5, 3.5] } as never);
const grpcSum = envelope(toBinary(SumRequestSchema, sumRequest));
const grpcCount = envelope(toBinary(CountRequestSchema, create(CountRequestSchema, { count: STREAM_MESSAGES } as never)));
const grpcHeaders = ["-H", "content-type: application/grpc", "-H", "te: trailers"];

const allCases: Case[] = [
  { id: "grpc-c50", label: "gRPC unary, h2c, 50 conn × 1 stream", servers: ["artenic", "connect-only", "grpcjs"], args: ["-c", "50", "-m", "1", ...grpcHeaders], body: grpcSum, path: SUM, perCall: 1 },
  { id: "grpc-c10m10", label: "gRPC unary, h2c, 10 conn × 10 streams", servers: ["artenic", "connect-only", "grpcjs"], args: ["-c", "10", "-m", "10", ...grpcHeaders], body: grpcSum, path: SUM, perCall: 1 },
  {
    id: "connect-json",
    label: "Connect JSON unary, HTTP/1.1, 50 conn",
    servers: ["artenic"],
    args: ["--h1", "-c", "50", "-m", "1", "-H", "content-type: application/json", "-H", "connect-protocol-version: 1"],
    body: toJsonString(SumRequestSchema, sumRequest),
    path: SUM,
    perCall: 1,
  },
  {
    id: "grpc-web",
    label: "gRPC-Web unary, HTTP/1.1, 50 conn",
    servers: ["artenic"],
    args: ["--h1", "-c", "50", "-m", "1", "-H", "content-type: application/grpc-web+proto", "-H", "x-grpc-web: 1"],
    body: grpcSum,
    path: SUM,
    perCall: 1,
  },
  { id: "stream", label: `gRPC server stream, ${STREAM_MESSAGES / 1000}k messages × ${STREAM_CALLS} calls`, servers: ["artenic", "grpcjs"], args: ["-c", "1", "-m", "1", ...grpcHeaders], body: grpcCount, path: COUNT, perCall: STREAM_MESSAGES },
];

// BENCH_CASES=grpc-c50,grpc-c10m10 runs only those cases (the summary line needs them all).
const only = process.env["BENCH_CASES"]?.split(",");
const cases = only ? allCases.filter((c) => only.includes(c.id)) : allCases;
// BENCH_SERVERS=artenic,grpcjs leaves the others out (the fast-path-off row needs connect-only).
const serverNames = (process.env["BENCH_SERVERS"]?.split(",") ?? ["artenic", "connect-only", "grpcjs"]) as ServerName[];

async function startServer(name: ServerName, key: string): Promise<Server> {
  const script = new URL("./rpc-server.js", import.meta.url).pathname;
  const mode = name === "grpcjs" ? "grpcjs" : "artenic";
  const command = PIN ? ["taskset", "-c", "0", process.execPath, script, mode] : [process.execPath, script, mode];
  const env = { ...process.env, BENCH_API_KEY: key, ARTENIC_GRPC_FAST_PATH: name === "connect-only" ? "false" : "true" };
  const child = spawn(command[0]!, command.slice(1), { stdio: ["pipe", "pipe", "inherit"], env });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`${name} server exited with ${code} before listening`)));
  });
  return { name, child, url: `http://127.0.0.1:${port}` };
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;
}

function h2load(server: Server, c: Case, dir: string, key: string, measured: boolean): Run {
  const bodyFile = join(dir, `${c.id}.body`);
  writeFileSync(bodyFile, c.body);
  const logFile = join(dir, `${c.id}.log`);
  const limit = c.perCall > 1 ? ["-n", String(measured ? STREAM_CALLS : 1)] : ["-D", String(measured ? SECONDS : 1)];
  const args = [...c.args, ...limit, "-H", `authorization: Bearer ${key}`, "-d", bodyFile, `--log-file=${logFile}`, `${server.url}${c.path}`];
  const command = PIN ? ["taskset", "-c", "1", "h2load", ...args] : ["h2load", ...args];
  const before = cpuTicks(server.child.pid!);
  const out = execFileSync("timeout", ["60", ...command], { encoding: "utf8", maxBuffer: 1 << 24 });
  const cpuSeconds = (cpuTicks(server.child.pid!) - before) / CLOCK_TICKS;
  const finished = /finished in ([\d.]+)(m?s)/.exec(out);
  const requests = /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
  if (!finished || !requests) throw new Error(`unexpected h2load output:\n${out}`);
  const seconds = Number(finished[1]) / (finished[2] === "ms" ? 1000 : 1);
  const done = Number(requests[2]);
  if (Number(requests[3]) > 0 || Number(requests[4]) > 0) throw new Error(`${server.name} ${c.id}: h2load saw failed requests:\n${out}`);
  const latencies = Float64Array.from(
    readFileSync(logFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => Number(l.split("\t")[2]) / 1000),
  ).sort();
  const messages = done * c.perCall;
  return { rps: messages / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), cpuUsPerReq: (cpuSeconds * 1e6) / messages, done };
}

/** h2load counts any 2xx as success; gRPC reports failures in trailers, so the server's own counter decides. */
async function okCalls(server: Server): Promise<number> {
  // A fresh connection each time: a kept-alive one may have hit the server's idle timeout meanwhile.
  const text = await new Promise<string>((resolve, reject) =>
    httpGet(`${server.url}/metrics`, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c)).once("end", () => resolve(body)).once("error", reject);
    }).once("error", reject),
  );
  let n = 0;
  for (const m of text.matchAll(/^artenic_rpc_requests_total\{method="artenic\.testing\.v1\.ProbeService\/(Sum|Count)",code="ok"\} (\d+)/gm)) n += Number(m[2]);
  return n;
}

function median(runs: Run[]): Run {
  return [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
}

async function main() {
  try {
    execFileSync("h2load", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("h2load is missing: scripts/bench.sh installs Debian's nghttp2-client; or run `apt-get install -y nghttp2-client`");
  }
  const dir = mkdtempSync(join(tmpdir(), "artenic-bench-rpc-"));
  const key = `bench_${randomBytes(24).toString("hex")}`;
  const servers: Server[] = [];
  for (const name of serverNames) servers.push(await startServer(name, key));
  try {
    // The same answer from both before any load: the handler logic is the same.
    for (const s of servers) {
      const client = createClient(ProbeService, createGrpcTransport({ baseUrl: s.url, interceptors: [apiKeyInterceptor(key)] })) as unknown as {
        sum(req: unknown): Promise<{ sum: number; max: number }>;
      };
      const res = await client.sum(sumRequest);
      if (res.sum !== 8 || res.max !== 3.5) throw new Error(`${s.name}: Sum answered ${JSON.stringify(res)}`);
    }
    const results = new Map<string, Run[]>();
    for (const c of cases) for (const s of servers) if (c.servers.includes(s.name)) h2load(s, c, dir, key, false); // JIT warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        for (const s of servers) {
          if (!c.servers.includes(s.name)) continue;
          const counted = s.name !== "grpcjs" && !process.env["BENCH_RPC_WITHOUT"]; // without the logging interceptor nothing is counted
          const ok = counted ? await okCalls(s) : 0;
          const run = h2load(s, c, dir, key, true);
          if (counted) {
            const answered = (await okCalls(s)) - ok;
            if (answered < run.done) throw new Error(`${s.name} ${c.id}: h2load completed ${run.done} calls but the server answered only ${answered} with OK`);
          }
          results.set(`${s.name}/${c.id}`, [...(results.get(`${s.name}/${c.id}`) ?? []), run]);
        }
      }
    }
    const get = (s: string, c: string) => median(results.get(`${s}/${c}`) ?? [{ rps: NaN, p50Ms: NaN, p99Ms: NaN, cpuUsPerReq: NaN, done: 0 }]);
    console.log(`| case (median of ${ROUNDS}, ${PIN ? "server on core 0, h2load on core 1" : "unpinned"}) | server | req/s (msgs/s) | p50 ms | p99 ms | server CPU µs/req (msg) |\n|---|---|---:|---:|---:|---:|`);
    for (const c of cases) {
      for (const s of c.servers.filter((name) => serverNames.includes(name))) {
        const r = get(s, c.id);
        console.log(`| ${c.label} | ${LABELS[s]} | ${Math.round(r.rps)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.cpuUsPerReq.toFixed(1)} |`);
      }
    }
    // Ratios pair the runs of one round (made back to back, so under the same machine load) and take
    // the median over rounds: on a shared machine this is steadier than a ratio of two medians.
    const pairedRatio = (server: ServerName, id: string) => {
      const ours = results.get(`${server}/${id}`) ?? [];
      const theirs = results.get(`grpcjs/${id}`) ?? [];
      const ratios = ours.map((r, i) => r.rps / theirs[i]!.rps).sort((a, b) => a - b);
      return ratios.length ? ratios[Math.floor(ratios.length / 2)]! : NaN;
    };
    const ratios = ["grpc-c50", "grpc-c10m10"].map((id) => pairedRatio("artenic", id));
    const off = ["grpc-c50", "grpc-c10m10"].map((id) => pairedRatio("connect-only", id));
    console.log(`gRPC unary req/s against grpc-js (median of per-round ratios): ${ratios.map((r) => r.toFixed(2)).join(" (50×1), ")} (10×10); the line below gives the lower`);
    console.log(`  with the fast path off (Connect-Node alone): ${off.map((r) => r.toFixed(2)).join(" (50×1), ")} (10×10)`);
    console.log(
      `bench:rpc grpc-vs-grpcjs=${Math.min(...ratios).toFixed(2)} connect-json-rps=${Math.round(get("artenic", "connect-json").rps)} stream-msgs-per-s=${Math.round(get("artenic", "stream").rps)}`,
    );
  } finally {
    for (const s of servers) s.child.stdin!.end();
    await Promise.all(servers.map((s) => new Promise((resolve) => (s.child.exitCode !== null ? resolve(undefined) : s.child.once("exit", resolve)))));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
