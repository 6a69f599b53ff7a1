import { afterAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { ComputeProvider, LaunchSpec, ProviderHandle, ProviderStatus } from "./compute-provider.js";

/** A workload expressed in the adapter's own terms (a shell line, a fake script, a container...). */
export interface ContractWorkload {
  readonly image?: string;
  readonly command: readonly string[];
  readonly args?: readonly string[];
}

/**
 * How the contract suite asks an adapter to run its test workloads. Each adapter knows how to say
 * "exit with this code" or "write this file" in the terms it runs (a command on the host, a
 * container, a scripted fake).
 */
export interface ContractOptions {
  /** Exits 0 after writing `content` to `$ARTENIC_OUTPUT_DIR/<file>` and the value of `$<envName>` to `<file>.env`. */
  succeed(file: string, content: string, envName: string): ContractWorkload;
  /** Exits with `code` (non-zero) without writing anything. */
  fail(code: number): ContractWorkload;
  /** Runs until cancelled (well past the suite's timeouts). */
  runForever(): ContractWorkload;
  /** Writes `line` to stdout, then exits 0. Omit when the adapter has no `readLogs`. */
  log?(line: string): ContractWorkload;
  /** Makes the provider report the job preempted. Omit when the adapter cannot be made to. */
  preempt?(provider: ComputeProvider, handle: ProviderHandle): Promise<void>;
  /** Region and instance type to launch in; the first offering's when omitted. */
  readonly region?: string;
  readonly instanceType?: string;
  /** How long a workload may take to reach a terminal state. @default 20000 */
  readonly timeoutMs?: number;
  /** Pause between polls. @default 100 */
  readonly pollIntervalMs?: number;
}

const terminal = new Set(["succeeded", "failed", "preempted", "gone"]);

/**
 * The shared contract every ComputeProvider adapter must pass: offerings with sane prices,
 * idempotent submits, exit codes that decide success, environment and outputs delivered, logs,
 * cancellation that never ends in success, and cleanup that tolerates what is already gone.
 *
 * @example
 * describeComputeProviderContract("local", () => new LocalComputeProvider({ rootDir }), localWorkloads);
 */
export function describeComputeProviderContract(name: string, makeProvider: () => ComputeProvider | Promise<ComputeProvider>, options: ContractOptions): void {
  describe(`ComputeProvider contract: ${name}`, () => {
    const timeoutMs = options.timeoutMs ?? 20_000;
    const interval = options.pollIntervalMs ?? 100;
    const handles: [ComputeProvider, ProviderHandle][] = [];
    let providerPromise: Promise<ComputeProvider> | undefined;
    const provider = () => (providerPromise ??= Promise.resolve(makeProvider()));

    afterAll(async () => {
      for (const [p, h] of handles) await p.cleanup(h).catch(() => undefined);
    });

    async function launch(workload: ContractWorkload, env: Record<string, string> = {}, jobName = `trainingJobs/contract-${randomBytes(5).toString("hex")}`) {
      const p = await provider();
      const offering = (await p.listOfferings(options.region ? { region: options.region } : {}))[0]!;
      const spec: LaunchSpec = {
        jobName,
        image: workload.image ?? "",
        command: workload.command,
        args: workload.args ?? [],
        env,
        codePath: "",
        cpus: 1,
        memoryBytes: 256 * 1024 ** 2,
        gpuType: "",
        gpuCount: 0,
        region: options.region ?? offering.region,
        instanceType: options.instanceType ?? offering.instanceType,
        spot: false,
        maxRuntimeMs: 10 * 60 * 1000,
      };
      const handle = await p.submit(spec);
      handles.push([p, handle]);
      return { p, spec, handle };
    }

    async function untilTerminal(p: ComputeProvider, handle: ProviderHandle): Promise<ProviderStatus> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await p.poll(handle);
        if (terminal.has(status.state)) return status;
        if (Date.now() > deadline) throw new Error(`still ${status.state} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, interval));
      }
    }

    it("lists offerings with its id, resources and non-negative prices of a valid date", async () => {
      const p = await provider();
      const offerings = await p.listOfferings();
      expect(offerings.length).toBeGreaterThan(0);
      for (const o of offerings) {
        expect(o.provider).toBe(p.id);
        expect(o.region).not.toBe("");
        expect(o.instanceType).not.toBe("");
        expect(o.cpus).toBeGreaterThan(0);
        expect(o.memoryBytes).toBeGreaterThan(0);
        expect(o.onDemandPerHour).toBeGreaterThanOrEqual(0);
        if (o.spotPerHour !== undefined) expect(o.spotPerHour).toBeGreaterThanOrEqual(0);
        expect(o.priceDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(["live", "catalog"]).toContain(o.priceSource);
      }
    });

    it("filters offerings by region", async () => {
      const p = await provider();
      const region = (await p.listOfferings())[0]!.region;
      const filtered = await p.listOfferings({ region });
      expect(filtered.length).toBeGreaterThan(0);
      expect(filtered.every((o) => o.region === region)).toBe(true);
      expect(await p.listOfferings({ region: "no-such-region-anywhere" })).toEqual([]);
    });

    it("returns the same handle when the same job is submitted twice", async () => {
      const { p, spec, handle } = await launch(options.runForever());
      const again = await p.submit(spec);
      expect(again.provider).toBe(p.id);
      expect(again.id).toBe(handle.id);
      await p.cancel(handle);
    });

    it("reports SUCCEEDED with exit code 0, delivers the environment and collects the outputs", async () => {
      const value = `v-${randomBytes(4).toString("hex")}`;
      const { p, handle } = await launch(options.succeed("result.txt", "hello", "CONTRACT_VALUE"), { CONTRACT_VALUE: value });
      expect(handle.provider).toBe(p.id);
      expect(handle.id).not.toBe("");
      const status = await untilTerminal(p, handle);
      expect(status.state).toBe("succeeded");
      if (status.exitCode !== undefined) expect(status.exitCode).toBe(0);
      const { files } = await p.collectArtifacts(handle);
      const byName = new Map(files.map((f) => [f.name, f]));
      expect(new TextDecoder().decode(await byName.get("result.txt")!.read())).toBe("hello");
      expect(new TextDecoder().decode(await byName.get("result.txt.env")!.read()).trim()).toBe(value);
    });

    it("reports FAILED, never SUCCEEDED, for a non-zero exit code", async () => {
      const { p, handle } = await launch(options.fail(3));
      const status = await untilTerminal(p, handle);
      expect(status.state).toBe("failed");
      if (status.exitCode !== undefined) expect(status.exitCode).toBe(3);
    });

    it("never reports SUCCEEDED after a cancellation", async () => {
      const { p, handle } = await launch(options.runForever());
      await p.cancel(handle);
      const status = await untilTerminal(p, handle);
      expect(status.state).not.toBe("succeeded");
    });

    if (options.log) {
      const log = options.log;
      it("returns the job's output lines from readLogs, resuming from the cursor", async () => {
        const line = `line-${randomBytes(4).toString("hex")}`;
        const { p, handle } = await launch(log(line));
        await untilTerminal(p, handle);
        expect(p.readLogs).toBeDefined();
        const first = await p.readLogs!(handle, "");
        expect(first.lines).toContain(line);
        const again = await p.readLogs!(handle, first.cursor);
        expect(again.lines).not.toContain(line);
      });
    }

    if (options.preempt) {
      const preempt = options.preempt;
      it("reports PREEMPTED when the capacity is reclaimed", async () => {
        const { p, handle } = await launch(options.runForever());
        await preempt(p, handle);
        const status = await untilTerminal(p, handle);
        expect(status.state).toBe("preempted");
      });
    }

    it("cleans up idempotently, tolerating what is already gone", async () => {
      const { p, handle } = await launch(options.fail(1));
      await untilTerminal(p, handle);
      await p.cleanup(handle);
      await p.cleanup(handle);
      const after = await p.poll(handle);
      expect(after.state).not.toBe("running");
      expect(after.state).not.toBe("succeeded");
      await p.cleanup({ ...handle, id: `${handle.id}-never-existed` });
    });

    it("passes its connection test", async () => {
      const result = await (await provider()).testConnection();
      expect(result.ok, result.message).toBe(true);
    });
  });
}
