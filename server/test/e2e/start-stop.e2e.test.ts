import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health } from "@artenic/gen/grpc/health/v1/health_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { apiKeyInterceptor } from "@artenic/sdk";

const main = new URL("../../dist/src/main.js", import.meta.url).pathname;

/** Starts the compiled server as `npm start` does and waits for its key and its port. */
async function spawnServer(dataDir: string) {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ARTENIC_PORT: "0", ARTENIC_DATA_DIR: dataDir, ARTENIC_API_KEY: "", ARTENIC_DATABASE_URL: "", ARTENIC_LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!/"url":"(http:\/\/[^"]+)"/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: /"url":"(http:\/\/[^"]+)"/.exec(out)![1]!, output: () => out };
}

describe("the server process", () => {
  it("prints a generated admin key once, serves with it, and exits promptly on SIGTERM with a stream open", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "artenic-process-"));
    try {
      const first = await spawnServer(dataDir);
      const key = /\n {2}(artenic_[A-Za-z0-9_-]+)\n/.exec(first.output())?.[1];
      expect(key, first.output()).toBeDefined();
      const registry = createClient(RegistryService, createGrpcTransport({ baseUrl: first.url, interceptors: [apiKeyInterceptor(key!)] }));
      await registry.createModel({ modelId: "persisted", model: {} });
      // A long-lived stream must not hold the shutdown up.
      const abort = new AbortController();
      const watch = (async () => {
        for await (const _ of createClient(Health, createGrpcTransport({ baseUrl: first.url })).watch({ service: "" }, { signal: abort.signal })) void _;
      })().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
      const stoppedAt = Date.now();
      first.child.kill("SIGTERM");
      const code = await new Promise<number | null>((resolve) => first.child.once("exit", resolve));
      expect(code).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
      abort.abort();
      await watch;

      // Second start on the same data: no new key printed, the old key and the data are still there.
      const second = await spawnServer(dataDir);
      expect(second.output()).not.toContain("generated the first admin API key");
      const again = createClient(RegistryService, createGrpcTransport({ baseUrl: second.url, interceptors: [apiKeyInterceptor(key!)] }));
      expect((await again.getModel({ name: "models/persisted" })).model?.name).toBe("models/persisted");
      second.child.kill("SIGTERM");
      expect(await new Promise<number | null>((resolve) => second.child.once("exit", resolve))).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
