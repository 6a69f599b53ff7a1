import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import type { LaunchSpec } from "../../compute-provider.js";
import { LocalComputeProvider } from "./local-compute-provider.js";

const root = mkdtempSync(join(tmpdir(), "artenic-local-provider-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeComputeProviderContract("local", () => new LocalComputeProvider({ rootDir: root, killGraceMs: 1000 }), {
  succeed: (file, content, envName) => ({
    command: ["sh", "-c", `printf %s "$1" > "$ARTENIC_OUTPUT_DIR/$2" && printf %s "$${envName}" > "$ARTENIC_OUTPUT_DIR/$2.env"`, "sh", content, file],
  }),
  fail: (code) => ({ command: ["sh", "-c", `exit ${code}`] }),
  runForever: () => ({ command: ["sleep", "3600"] }),
  log: (line) => ({ command: ["sh", "-c", 'echo "$1"', "sh", line] }),
  pollIntervalMs: 20,
});

describe("LocalComputeProvider", () => {
  const spec = (jobName: string, command: string[], more: Partial<LaunchSpec> = {}): LaunchSpec => ({
    jobName,
    image: "",
    command,
    args: [],
    env: {},
    codePath: "",
    cpus: 1,
    memoryBytes: 1,
    gpuType: "",
    gpuCount: 0,
    region: "local",
    instanceType: "local",
    spot: false,
    maxRuntimeMs: 60_000,
    ...more,
  });

  async function settle(p: LocalComputeProvider, h: Awaited<ReturnType<LocalComputeProvider["submit"]>>) {
    for (let i = 0; i < 200; i++) {
      const s = await p.poll(h);
      if (s.state !== "running" && s.state !== "provisioning") return s;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("did not end");
  }

  it("never hands the server's own environment to a job", async () => {
    process.env["ARTENIC_TEST_SECRET_FOR_LOCAL"] = "do-not-leak";
    try {
      const p = new LocalComputeProvider({ rootDir: root });
      const h = await p.submit(spec("trainingJobs/env-isolation", ["sh", "-c", 'printf %s "${ARTENIC_TEST_SECRET_FOR_LOCAL:-unset}" > "$ARTENIC_OUTPUT_DIR/seen"']));
      expect((await settle(p, h)).state).toBe("succeeded");
      const { files } = await p.collectArtifacts(h);
      expect(new TextDecoder().decode(await files.find((f) => f.name === "seen")!.read())).toBe("unset");
      await p.cleanup(h);
    } finally {
      delete process.env["ARTENIC_TEST_SECRET_FOR_LOCAL"];
    }
  });

  it("kills a job past its max runtime and reports it failed", async () => {
    const p = new LocalComputeProvider({ rootDir: root });
    const h = await p.submit(spec("trainingJobs/too-long", ["sleep", "30"], { maxRuntimeMs: 200 }));
    await new Promise((r) => setTimeout(r, 300));
    const status = await p.poll(h);
    expect(status.state).toBe("failed");
    expect(status.message).toMatch(/max runtime/);
    await p.cleanup(h);
  });

  it("tells stdout from stderr, and a partial last line arrives once the process ended", async () => {
    const p = new LocalComputeProvider({ rootDir: root });
    const h = await p.submit(spec("trainingJobs/streams", ["sh", "-c", "echo out; echo err >&2; printf tail"]));
    await settle(p, h);
    const logs = await p.readLogs(h, "");
    expect(logs.lines.map((l, i) => `${logs.streams[i]}:${l}`)).toEqual(["stdout:out", "stdout:tail", "stderr:err"]);
    await p.cleanup(h);
  });

  it("starts the command in the code's working directory with ARTENIC_CODE_DIR set", async () => {
    const code = mkdtempSync(join(tmpdir(), "artenic-code-"));
    try {
      const { mkdirSync, writeFileSync } = await import("node:fs");
      mkdirSync(join(code, "sub"));
      writeFileSync(join(code, "sub", "hello.txt"), "from code");
      const p = new LocalComputeProvider({ rootDir: root });
      const h = await p.submit(spec("trainingJobs/workdir", ["sh", "-c", 'cat hello.txt > "$ARTENIC_OUTPUT_DIR/copy" && test -d "$ARTENIC_CODE_DIR/sub"'], { codePath: code, workingDir: "sub" }));
      expect((await settle(p, h)).state).toBe("succeeded");
      const { files } = await p.collectArtifacts(h);
      expect(new TextDecoder().decode(await files[0]!.read())).toBe("from code");
      await p.cleanup(h);
    } finally {
      rmSync(code, { recursive: true, force: true });
    }
  });
});
