// npm run bench:events — fan-out of the event log to many subscribers.
// Starts its own server on SQLite and its own subscriber processes (no Python). 1,000 subscribers
// each filtered to one of 1,000 resources plus 10 unfiltered ones; events are published through the
// server's own outbox path (recordEvent in batched transactions on the server's ORM) at a fixed rate
// spread evenly over the resources, so each event is due to exactly 11 subscribers. Latency is from
// the publisher's commit to the subscriber process's receipt (both on this machine's clock).
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { startServer, type RunningServer } from "../src/main.js";
import { loadConfig } from "../src/platform/config/config.js";
import { recordEvent, SYSTEM_ACTOR } from "../src/platform/outbox/outbox.js";
import type { OutboxEventEntity } from "../src/platform/outbox/outbox-event.entity.js";
import type { ChildMessage, ParentMessage, SubscriberReport } from "./events-subscriber.js";

const RESOURCES = Number(process.env["BENCH_RESOURCES"] ?? 1000);
const UNFILTERED = Number(process.env["BENCH_UNFILTERED"] ?? 10);
const PROCESSES = Number(process.env["BENCH_SUBSCRIBER_PROCESSES"] ?? 2);
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS_PER_PROCESS"] ?? 4);
const BASE_RATE = Number(process.env["BENCH_RATE"] ?? 2000);
const BASE_SECONDS = Number(process.env["BENCH_SECONDS"] ?? 10);
const SEARCH_SECONDS = Number(process.env["BENCH_SEARCH_SECONDS"] ?? 5);
const P99_TARGET_MS = 100;
// Publisher tick: every few milliseconds it commits the events due by then in one transaction.
const TICK_MS = 10;
// How long after the last commit the deliveries may still arrive before the phase is scored.
const DRAIN_MS = 10_000;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Subscribers {
  private readonly waiters = new Map<ChildProcess, ((m: ChildMessage) => void)[]>();
  constructor(readonly children: readonly ChildProcess[]) {
    for (const c of children) {
      this.waiters.set(c, []);
      c.on("message", (m: ChildMessage) => this.waiters.get(c)!.shift()?.(m));
    }
  }

  /** Sends `message` to every child and waits for one answer from each. */
  ask<T extends ChildMessage>(message: ParentMessage): Promise<T[]> {
    return Promise.all(this.children.map((c) => new Promise<T>((resolve) => (this.waiters.get(c)!.push(resolve as (m: ChildMessage) => void), c.send(message)))));
  }

  /** Waits for one unsolicited message from every child (the "ready" after init). */
  expectFromAll(): Promise<ChildMessage[]> {
    return Promise.all(this.children.map((c) => new Promise<ChildMessage>((resolve) => this.waiters.get(c)!.push(resolve))));
  }

  stop(): void {
    for (const c of this.children) c.send({ type: "stop" } satisfies ParentMessage);
  }
}

interface PhaseResult {
  readonly rate: number;
  readonly seconds: number;
  readonly published: number;
  readonly achievedRate: number;
  readonly delivered: number;
  readonly expected: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly cpuPercent: number;
  /** All subscriber processes together, as % of one core. */
  readonly subscriberCpuPercent: number;
  readonly peakRssMb: number;
  readonly cutOffs: number;
  readonly disorder: number;
  readonly errors: number;
  /** Other load on the machine during the phase, which the latency figures depend on. */
  readonly contention: string;
}

/** Publishes at `rate` events/s for `seconds`, waits for the deliveries, and scores the phase. */
async function phase(server: RunningServer, subscribers: Subscribers, rate: number, seconds: number, seqStart: number): Promise<PhaseResult> {
  await subscribers.ask({ type: "collect" }); // drop anything left from before
  const commitTimes = new Map<number, number>();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  let gcMs = 0;
  let gcMax = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcMax = Math.max(gcMax, e.duration);
    }
  });
  gc.observe({ entryTypes: ["gc"] });
  const cpuStart = process.cpuUsage();
  const wallStart = now();
  const total = Math.round(rate * seconds);
  let published = 0;
  let seq = seqStart;
  while (published < total) {
    const due = Math.min(total, Math.floor(((now() - wallStart) / 1000) * rate)) - published;
    if (due > 0) {
      const rows: OutboxEventEntity[] = [];
      await server.orm.em.fork().transactional(async (em) => {
        const at = new Date();
        for (let i = 0; i < due; i++, seq++) {
          rows.push(recordEvent(em, SYSTEM_ACTOR, { topic: "inference", type: "inference.bench.tick", resource: `services/r${seq % RESOURCES}`, data: { seq } }, at));
        }
      });
      const committed = now();
      for (const r of rows) commitTimes.set(r.id, committed);
      published += due;
    }
    await sleep(TICK_MS);
  }
  const publishEnd = now();
  const expected = published * (1 + UNFILTERED);
  // Wait until every delivery arrived, or no progress for a while.
  let received = 0;
  let lastProgress = now();
  while (received < expected && now() - lastProgress < DRAIN_MS) {
    await sleep(50);
    const counts = await subscribers.ask<{ type: "count"; received: number }>({ type: "count" });
    const sum = counts.reduce((a, c) => a + c.received, 0);
    if (sum > received) lastProgress = now();
    received = sum;
  }
  const cpu = process.cpuUsage(cpuStart);
  const wall = now() - wallStart;
  const contention = machineContention();
  loopDelay.disable();
  gc.disconnect();
  if (process.env["BENCH_VERBOSE"]) {
    // With --expose-gc, the heap after a full collection shows whether anything is retained.
    (globalThis as { gc?: () => void }).gc?.();
    const mem = process.memoryUsage();
    console.log(`GC pauses ${gcMs.toFixed(0)} ms in total, longest ${gcMax.toFixed(1)} ms`);
    console.log(`server CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms for ${published} events; heap used ${(mem.heapUsed / 1048576).toFixed(0)} MB of ${(mem.heapTotal / 1048576).toFixed(0)} MB`);
  }
  if (process.env["BENCH_VERBOSE"]) console.log(`event loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
  clearInterval(sampler);
  const reports = await subscribers.ask<SubscriberReport>({ type: "collect" });
  const latencies: number[] = [];
  let delivered = 0;
  for (const r of reports) {
    for (let i = 0; i < r.ids.length; i++) {
      const committed = commitTimes.get(r.ids[i]!);
      if (committed === undefined) continue; // an event of the server's own (not this phase's)
      delivered += 1;
      latencies.push(r.times[i]! - committed);
    }
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  const errors = reports.flatMap((r) => r.errors);
  if (errors.length > 0) console.error(`subscriber errors: ${errors.slice(0, 5).join("; ")}`);
  return {
    rate,
    seconds,
    published,
    achievedRate: published / ((publishEnd - wallStart) / 1000),
    delivered,
    expected,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    maxMs: latencies.at(-1) ?? NaN,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    subscriberCpuPercent: (reports.reduce((a, r) => a + r.cpuMs, 0) / wall) * 100,
    peakRssMb: peakRss / 1024 / 1024,
    cutOffs: reports.reduce((a, r) => a + r.cutOffs, 0),
    disorder: reports.reduce((a, r) => a + r.disorder, 0),
    errors: errors.length,
    contention,
  };
}

/**
 * How much other work competed for the CPUs during the phase: the load average and the share of
 * time some runnable task waited for a CPU (Linux pressure stall information), when available.
 */
function machineContention(): string {
  const load = loadavg()[0]!.toFixed(1);
  try {
    const psi = /avg10=([\d.]+)/.exec(readFileSync("/proc/pressure/cpu", "utf8"))?.[1];
    return psi ? `load ${load}, CPU pressure ${psi} %` : `load ${load}`;
  } catch {
    return `load ${load}`;
  }
}

const ok = (r: PhaseResult) => r.delivered === r.expected && r.disorder === 0 && r.errors === 0 && r.p99Ms <= P99_TARGET_MS;

function row(label: string, r: PhaseResult): string {
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "-");
  return `| ${label} | ${r.rate.toLocaleString("en-US")} | ${f(r.achievedRate, 0)} | ${r.delivered.toLocaleString("en-US")} / ${r.expected.toLocaleString("en-US")} | ${f(r.p50Ms, 2)} | ${f(r.p99Ms, 2)} | ${f(r.maxMs, 1)} | ${f(r.cpuPercent, 0)} % | ${f(r.subscriberCpuPercent, 0)} % | ${f(r.peakRssMb, 0)} MB | ${r.cutOffs} | ${ok(r) ? "yes" : "no"} | ${r.contention} |`;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "artenic-bench-events-"));
  const adminKey = `bench_${randomBytes(24).toString("hex")}`;
  const config = loadConfig({ ARTENIC_PORT: "0", ARTENIC_DATA_DIR: dir, ARTENIC_API_KEY: adminKey, ARTENIC_RATE_LIMIT_RPS: "1000000", ARTENIC_RATE_LIMIT_BURST: "1000000" });
  const server = await startServer(config, pino({ level: "warn" }));
  const idleRss = process.memoryUsage.rss();
  const children = Array.from({ length: PROCESSES }, () => fork(new URL("./events-subscriber.js", import.meta.url), { serialization: "advanced", stdio: "inherit" }));
  const subscribers = new Subscribers(children);
  const table: string[] = [];
  try {
    const subscribeStart = now();
    const ready = subscribers.expectFromAll();
    children.forEach((c, k) => {
      const resources = Array.from({ length: RESOURCES }, (_, r) => r).filter((r) => r % PROCESSES === k).map((r) => `services/r${r}`);
      const unfiltered = Math.floor(UNFILTERED / PROCESSES) + (k < UNFILTERED % PROCESSES ? 1 : 0);
      c.send({ type: "init", url: server.url, key: adminKey, resources, unfiltered, connections: CONNECTIONS } satisfies ParentMessage);
    });
    await ready;
    console.log(
      `${RESOURCES + UNFILTERED} subscribers live in ${((now() - subscribeStart) / 1000).toFixed(1)} s over ${PROCESSES} processes × ${CONNECTIONS} connections; server RSS ${(idleRss / 1048576).toFixed(0)} MB before, ${(process.memoryUsage.rss() / 1048576).toFixed(0)} MB with them`,
    );

    let seq = 0;
    const base = await phase(server, subscribers, BASE_RATE, BASE_SECONDS, seq);
    seq += base.published;
    table.push(row(`${BASE_SECONDS} s at the target rate`, base));
    console.log(table.at(-1));

    // Raise the rate until p99 crosses the target (or deliveries fall short); when the target rate
    // itself fails, lower it until one passes. Then bisect between the last pass and first failure.
    let good = ok(base) ? BASE_RATE : 0;
    let bad = ok(base) ? 0 : BASE_RATE;
    // BENCH_NO_SEARCH=1 stops after the target rate (for profiling it alone).
    const search = process.env["BENCH_NO_SEARCH"] !== "1";
    const step = async (rate: number, label: string) => {
      const r = await phase(server, subscribers, rate, SEARCH_SECONDS, seq);
      seq += r.published;
      table.push(row(`${SEARCH_SECONDS} s ${label}`, r));
      console.log(table.at(-1));
      if (ok(r)) good = Math.max(good, rate);
      else bad = bad === 0 ? rate : Math.min(bad, rate);
    };
    for (let rate = BASE_RATE * 2; search && good > 0 && bad === 0 && rate <= 256_000; rate *= 2) await step(rate, "search up");
    for (let rate = BASE_RATE / 2; search && good === 0 && rate >= 100; rate /= 2) await step(rate, "search down");
    for (let i = 0; search && i < 3 && good > 0 && bad > 0 && bad - good > good * 0.1; i++) await step(Math.round((good + bad) / 2 / 100) * 100, "bisect");

    console.log(`\n| phase | target events/s | published/s | delivered / expected | p50 ms | p99 ms | max ms | server CPU | subscribers CPU | peak RSS | cut-offs | p99 ≤ ${P99_TARGET_MS} ms, all delivered | machine load during the phase |`);
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for (const line of table) console.log(line);
    console.log(
      `\nmachine: ${cpus()[0]?.model ?? "?"} × ${cpus().length}, Node ${process.version}; server CPU is this process (server and publisher) as % of one core; ` +
        `subscribers in ${PROCESSES} child processes; ${RESOURCES} filtered + ${UNFILTERED} unfiltered subscribers`,
    );
    console.log(`bench:events delivered=${base.delivered} expected=${base.expected} p99-ms=${base.p99Ms.toFixed(2)} max-rate=${good}`);
  } finally {
    subscribers.stop();
    await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once("exit", r)))));
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
