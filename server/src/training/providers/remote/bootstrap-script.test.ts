import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../../platform/errors/app-error.js";
import { renderBootstrapScript, type BootstrapOptions } from "./bootstrap-script.js";
import { packCode, readArchive } from "./code-package.js";
import { jobObjectKeys } from "./job-objects.js";
import { DirectoryJobStorage, FakeMetadataService, processesOf, SandboxMachines } from "./remote-testing.js";
import { renderEnvFile, shellQuote } from "./shell.js";
import { decideRemoteStatus, parseStatusObject } from "./status-object.js";

/** Values a shell would love to misread. */
const HOSTILE = [
  "it's \"quoted\" $HOME `id` $(touch /tmp/pwned-artenic) \\ ; & | > < * ? ~ !x",
  "line one\nline two\ttab",
  "${PATH:0:1}'$'\\''",
  "-n",
  "",
  "ünïcødé ✓",
];

describe("shell quoting", () => {
  it("round-trips hostile strings through bash unchanged, and refuses NUL", () => {
    for (const value of HOSTILE) {
      expect(execFileSync("bash", ["-c", `printf %s ${shellQuote(value)}`], { encoding: "utf8" })).toBe(value);
    }
    expect(() => shellQuote("a\0b")).toThrow(AppError);
  });

  it("renders an env file bash sources back to the exact values, and refuses bad names naming the field", () => {
    const env = Object.fromEntries(HOSTILE.map((v, i) => [`V${i}`, v]));
    const dir = mkdtempSync(join(tmpdir(), "artenic-env-"));
    writeFileSync(join(dir, "env.sh"), renderEnvFile(env));
    const dumped = execFileSync("bash", ["-c", `. ${dir}/env.sh && node -e 'const o={};for(const k of Object.keys(process.env))if(/^V\\d$/.test(k))o[k]=process.env[k];console.log(JSON.stringify(o))'`], {
      encoding: "utf8",
      env: { PATH: process.env["PATH"] },
    });
    expect(JSON.parse(dumped)).toEqual(env);
    rmSync(dir, { recursive: true, force: true });
    const error = (() => {
      try {
        renderEnvFile({ "BAD-NAME": "x" });
      } catch (e) {
        return e as AppError;
      }
    })()!;
    expect(error.kind).toBe("invalid_argument");
    expect(error.fieldViolations).toEqual([{ field: "spec.env.BAD-NAME", description: "must match [A-Za-z_][A-Za-z0-9_]*" }]);
    expect(existsSync("/tmp/pwned-artenic")).toBe(false);
  });
});

describe("bootstrap script, executed by bash in a sandbox", () => {
  let work: string;
  let storage: DirectoryJobStorage;
  const machines = new SandboxMachines();
  let n = 0;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "artenic-boot-"));
    storage = new DirectoryJobStorage(join(work, "bucket"));
  });
  afterEach(async () => machines.killAll());
  afterAll(async () => {
    await storage.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Uploads code and env like the provider does, renders the script, runs it; returns what the bucket holds. */
  async function run(over: Partial<BootstrapOptions> & { code?: Record<string, string>; env?: Record<string, string>; resume?: string; corruptSha?: boolean; store?: DirectoryJobStorage; machineEnv?: Record<string, string> } = {}) {
    const store = over.store ?? storage;
    const jobId = `job-${++n}`;
    const keys = jobObjectKeys("artenic", jobId);
    const codeDir = join(work, `code-${n}`);
    mkdirSync(codeDir, { recursive: true });
    for (const [path, content] of Object.entries(over.code ?? { "train.sh": 'echo "training $1"' })) {
      mkdirSync(join(codeDir, path, ".."), { recursive: true });
      writeFileSync(join(codeDir, path), content);
    }
    const pkg = (await packCode(codeDir, `trainingJobs/${jobId}`))!;
    await store.put(keys.code, pkg.bytes);
    await store.put(keys.env, new TextEncoder().encode(renderEnvFile(over.env ?? {})));
    if (over.resume !== undefined) await store.put(keys.resume("step-10.ckpt"), new TextEncoder().encode(over.resume));
    const exp = new Date(Date.now() + 3600_000);
    const script = renderBootstrapScript({
      jobName: `trainingJobs/${jobId}`,
      jobId,
      command: ["bash", "train.sh", "now"],
      maxRuntimeSeconds: 60,
      logUploadIntervalSeconds: 1,
      transferAttempts: 2,
      ...over,
      ...{ code: undefined, env: undefined, resume: undefined, corruptSha: undefined, store: undefined, machineEnv: undefined },
      objects: {
        code: { transfer: await store.transfer(keys.code, "read", exp), sha256: over.corruptSha ? "0".repeat(64) : pkg.sha256 },
        env: await store.transfer(keys.env, "read", exp),
        ...(over.resume !== undefined ? { resume: { transfer: await store.transfer(keys.resume("step-10.ckpt"), "read", exp), fileName: "step-10.ckpt" } } : {}),
        status: await store.transfer(keys.status, "write", exp),
        stdout: await store.transfer(keys.stdout, "write", exp),
        stderr: await store.transfer(keys.stderr, "write", exp),
        outputs: await store.transfer(keys.outputs, "write", exp),
      },
    });
    execFileSync("bash", ["-n"], { input: script });
    const root = join(work, `machine-${n}`);
    const exit = await machines.start(jobId, script, { root, ...(over.machineEnv ? { env: over.machineEnv } : {}), stop: `touch ${shellQuote(join(root, "stopped"))}` });
    const text = async (key: string) => {
      const b = await store.get(key);
      return b === undefined ? undefined : Buffer.from(b).toString();
    };
    const outputs = await store.get(keys.outputs);
    return {
      script,
      exit,
      root,
      stopped: existsSync(join(root, "stopped")),
      status: parseStatusObject(await store.get(keys.status)),
      rawStatus: await text(keys.status),
      stdout: await text(keys.stdout),
      stderr: await text(keys.stderr),
      outputs: outputs ? Object.fromEntries(await Promise.all((await readArchive(outputs, 1 << 20)).map(async (f) => [f.name, Buffer.from(await f.read()).toString()]))) : undefined,
    };
  }

  it("downloads and verifies the code, runs the command with the job's exact environment in the working dir, uploads logs, outputs and status, then stops", async () => {
    const env = Object.fromEntries(HOSTILE.map((v, i) => [`HOSTILE_${i}`, v]));
    const r = await run({
      code: {
        "src/train.sh": [
          'echo "cwd=$(pwd)"',
          'echo "args=$*"',
          'echo "to stderr" >&2',
          'node -e \'const o={};for(const k of Object.keys(process.env))if(k.startsWith("HOSTILE_"))o[k]=process.env[k];process.stdout.write(JSON.stringify(o))\' > "$ARTENIC_OUTPUT_DIR/env.json"',
          'mkdir -p "$ARTENIC_OUTPUT_DIR/sub" && printf model > "$ARTENIC_OUTPUT_DIR/sub/model.bin"',
          'printf %s "$ARTENIC_CODE_DIR" > "$ARTENIC_OUTPUT_DIR/code_dir"',
          'cat "$ARTENIC_RESUME_FROM" > "$ARTENIC_OUTPUT_DIR/resumed"',
        ].join("\n"),
      },
      env,
      resume: "checkpoint-bytes",
      workingDir: "src",
      command: ["bash", "train.sh", "it's", "two words", "$(id)"],
    });
    expect(r.exit.code, r.exit.stderr).toBe(0);
    expect(r.stopped).toBe(true);
    expect(r.status).toMatchObject({ state: "exited", exitCode: 0, timedOut: false, outputsUploaded: true });
    expect(JSON.parse(r.rawStatus!)).toMatchObject({ state: "exited", exit_code: 0 });
    expect(r.stdout).toBe(`cwd=${r.root}/job-${n}/code/src\nargs=it's two words $(id)\n`);
    expect(r.stderr).toBe("to stderr\n");
    expect(Object.keys(r.outputs!).sort()).toEqual(["code_dir", "env.json", "resumed", "sub/model.bin"]);
    expect(JSON.parse(r.outputs!["env.json"]!)).toEqual(env);
    expect(r.outputs!["sub/model.bin"]).toBe("model");
    expect(r.outputs!["code_dir"]).toBe(`${r.root}/job-${n}/code`);
    expect(r.outputs!["resumed"]).toBe("checkpoint-bytes");
    // No value of the environment is in the script itself.
    for (const v of HOSTILE.filter((v) => v.length > 3)) expect(r.script).not.toContain(v);
    expect(existsSync("/tmp/pwned-artenic")).toBe(false);
  });

  it("records a failing command's exit code and still uploads its logs and outputs", async () => {
    const r = await run({ code: { "train.sh": 'echo "about to fail"; echo partial > "$ARTENIC_OUTPUT_DIR/partial.txt"; exit 7' } });
    expect(r.status).toMatchObject({ state: "exited", exitCode: 7, timedOut: false, outputsUploaded: true });
    expect(r.stdout).toBe("about to fail\n");
    expect(r.outputs).toEqual({ "partial.txt": "partial\n" });
    expect(r.stopped).toBe(true);
  });

  it("refuses code whose sha256 differs, reporting bootstrap_failed without running anything", async () => {
    const r = await run({ code: { "train.sh": 'touch "$ARTENIC_OUTPUT_DIR/ran"' }, corruptSha: true });
    expect(r.status).toEqual({ state: "bootstrap_failed", message: "the code archive does not match its sha256", endedAt: expect.any(Date) });
    expect(r.outputs).toBeUndefined();
    expect(r.stopped).toBe(true);
    expect(r.exit.code).toBe(1);
  });

  it("stops the command at the max runtime and says so", async () => {
    const r = await run({ code: { "train.sh": "sleep 30" }, maxRuntimeSeconds: 1 });
    expect(r.status).toMatchObject({ state: "exited", exitCode: 124, timedOut: true });
  });

  it("uploads the logs while the command runs", async () => {
    const store = storage;
    const id = `job-${n + 1}`;
    const pending = run({ code: { "train.sh": 'echo "epoch 1"; sleep 3; echo "epoch 2"' } });
    const keys = jobObjectKeys("artenic", id);
    const deadline = Date.now() + 10_000;
    let seen: string | undefined;
    while (Date.now() < deadline) {
      const b = await store.get(keys.stdout);
      seen = b && Buffer.from(b).toString();
      if (seen === "epoch 1\n") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe("epoch 1\n");
    expect(parseStatusObject(await store.get(keys.status))).toMatchObject({ state: "running" });
    expect((await pending).stdout).toBe("epoch 1\nepoch 2\n");
  });

  it("does not run the job twice when the machine boots again", async () => {
    const r = await run({ code: { "train.sh": 'echo run >> "$ARTENIC_OUTPUT_DIR/../runs"' } });
    expect(r.exit.code).toBe(0);
    const again = new SandboxMachines();
    const second = await again.start("again", r.script, { root: r.root, stop: "echo stopped-again" });
    expect(second.stdout).toBe("stopped-again\n");
    expect(readFileSync(join(r.root, `job-${n}`, "runs"), "utf8")).toBe("run\n");
  });

  it("moves the objects with curl over signed URLs just the same", async () => {
    const signed = new DirectoryJobStorage(join(work, "signed-bucket"));
    await signed.serve();
    try {
      const r = await run({ store: signed, code: { "train.sh": 'echo "via $1"; printf ok > "$ARTENIC_OUTPUT_DIR/ok"' } });
      expect(r.status).toMatchObject({ state: "exited", exitCode: 0, outputsUploaded: true });
      expect(r.stdout).toBe("via now\n");
      expect(r.outputs).toEqual({ ok: "ok" });
      expect(r.script).toContain("curl -fsSL");
      const methods = new Set(signed.requests.map((q) => `${q.method} ${q.key.split("/").slice(3).join("/")} ${q.status}`));
      expect(methods).toEqual(new Set(["GET code.tar.gz 200", "GET env.sh 200", "PUT status.json 200", "PUT logs/stdout.log 200", "PUT logs/stderr.log 200", "PUT outputs.tar.gz 200"]));
    } finally {
      await signed.close();
    }
  });

  it("runs an image's command through docker, mounting the directories and passing the job's variables by name", async () => {
    // No docker daemon here: a `docker` on PATH records its argv and plays `docker run` (cd to -w, run the command).
    const bin = join(work, "fake-bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, "docker"),
      ['#!/bin/bash', 'printf "%s\\n" "$@" > "$HOME/docker-argv"', 'while [ "$1" != "ghcr.io/acme/train:1" ]; do if [ "$1" = "-w" ]; then cd "$2"; shift; fi; shift; done; shift', 'exec "$@"'].join("\n"),
      { mode: 0o755 },
    );
    const r = await run({
      code: { "train.sh": 'printf %s "$HF_TOKEN" > "$ARTENIC_OUTPUT_DIR/token"' },
      env: { HF_TOKEN: "hf_value" },
      envNames: ["HF_TOKEN"],
      image: "ghcr.io/acme/train:1",
      gpus: true,
      machineEnv: { PATH: `${bin}:${process.env["PATH"]}` },
    });
    expect(r.status).toMatchObject({ state: "exited", exitCode: 0 });
    expect(r.outputs).toEqual({ token: "hf_value" });
    const job = `${r.root}/job-${n}`;
    expect(readFileSync(join(r.root, "docker-argv"), "utf8").trim().split("\n")).toEqual([
      "run", "--rm", "--network", "host", "--gpus", "all",
      "-v", `${job}/code:${job}/code`, "-v", `${job}/output:${job}/output`, "-v", `${job}/resume:${job}/resume:ro`, "-w", `${job}/code`,
      "-e", "HF_TOKEN", "-e", "ARTENIC_CODE_DIR", "-e", "ARTENIC_OUTPUT_DIR",
      "ghcr.io/acme/train:1", "bash", "train.sh", "now",
    ]);
    expect(r.script).not.toContain("hf_value");
    expect(r.script).toContain("'shutdown' '-h' 'now'");
  });

  /** A job that tells the fake metadata service it started, then trains until SIGTERM, when it checkpoints. */
  const checkpointingJob = (bucketStderr: string) =>
    [
      // timeout delivers TERM to the command and again to its process group: handle it once.
      'on_term() {',
      '  trap "" TERM',
      '  echo "got TERM"',
      '  cp "$ARTENIC_PREEMPTION_FILE" "$ARTENIC_OUTPUT_DIR/notice-seen.json"',
      '  echo step-7 > "$ARTENIC_OUTPUT_DIR/checkpoint"',
      // The notice line reached the bucket before the job's exit (the periodic uploader is 60 s away).
      `  for i in $(seq 50); do grep -q "preemption notice" ${shellQuote(bucketStderr)} 2>/dev/null && { touch "$ARTENIC_OUTPUT_DIR/log-uploaded"; break; }; sleep 0.1; done`,
      '  exit 143',
      '}',
      "trap on_term TERM",
      '[ -e "$ARTENIC_PREEMPTION_FILE" ] && echo "notice before start?"',
      'curl -fsS "$METADATA/test/started" >/dev/null || exit 9',
      "echo training",
      "sleep 30 & wait $!",
      'echo "never told"',
    ].join("\n");

  for (const cloud of ["aws", "azure", "gcp"] as const) {
    it(`${cloud}: a preemption notice reaches the job as SIGTERM, lands in its uploaded stderr and in status.json, and the watcher ends with the script`, async () => {
      const metadata = new FakeMetadataService(cloud);
      await metadata.start();
      try {
        const keys = jobObjectKeys("artenic", `job-${n + 1}`);
        const r = await run({
          code: { "train.sh": checkpointingJob(join(work, "bucket", keys.stderr)) },
          env: { METADATA: metadata.url },
          preemptionNotice: cloud,
          logUploadIntervalSeconds: 60,
          machineEnv: { ARTENIC_BOOTSTRAP_METADATA_URL: metadata.url, ARTENIC_BOOTSTRAP_NOTICE_INTERVAL: "0.2" },
        });
        expect(r.exit.code, r.exit.stderr).toBe(0);
        expect(metadata.violations).toEqual([]);
        expect(r.stdout).toBe("training\ngot TERM\n");
        const actionAt = { aws: "2026-11-26T20:40:00Z", azure: "Thu, 26 Nov 2026 20:40:30 GMT", gcp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) }[cloud];
        const action = { aws: "terminate", azure: "Preempt", gcp: "preempt" }[cloud];
        expect(r.status).toMatchObject({ state: "exited", exitCode: 143, timedOut: false, outputsUploaded: true, preemptionNotice: { provider: cloud, action, actionAt, noticedAt: expect.any(Date) } });
        const recorded = JSON.parse(r.rawStatus!).preemption_notice;
        expect(recorded).toEqual({ provider: cloud, action, action_at: actionAt, noticed_at: expect.any(String) });
        const line = `artenic: preemption notice (${cloud}, action at ${recorded.action_at}): sent SIGTERM so the job can checkpoint\n`;
        expect(r.stderr).toBe(line);
        // The job read the same notice from ARTENIC_PREEMPTION_FILE, checkpointed, and its stderr was uploaded at once.
        expect(JSON.parse(r.outputs!["notice-seen.json"]!)).toEqual(recorded);
        expect(r.outputs!["checkpoint"]).toBe("step-7\n");
        expect(Object.keys(r.outputs!)).toContain("log-uploaded");
        expect(decideRemoteStatus({ state: "gone", message: "instance is gone" }, r.status).state).toBe("preempted");
        expect(processesOf(r.root)).toEqual([]);
        const polls = metadata.requests.filter((q) => q.path !== "/test/started");
        expect(polls.slice(0, 3).map((q) => q.status)).toEqual(cloud === "aws" ? [200, 404, 404] : [200, 200, 200]);
        if (cloud === "aws") {
          // Tokens last two requests here: the watcher renewed its token after a 401.
          expect(polls.filter((q) => q.path === "/latest/api/token").length).toBeGreaterThanOrEqual(2);
          expect(polls.some((q) => q.status === 401)).toBe(true);
          expect(polls.filter((q) => q.path.endsWith("/instance-action") && q.status === 200)).toHaveLength(1);
        }
      } finally {
        await metadata.close();
      }
    });
  }

  it("without a notice the watcher only asks, the job runs to its end, and nothing of the machine remains", async () => {
    const metadata = new FakeMetadataService("aws");
    await metadata.start();
    try {
      const r = await run({
        code: { "train.sh": 'echo "$ARTENIC_PREEMPTION_FILE" > "$ARTENIC_OUTPUT_DIR/file"; sleep 1; [ -e "$ARTENIC_PREEMPTION_FILE" ] || echo "no notice"' },
        preemptionNotice: "aws",
        machineEnv: { ARTENIC_BOOTSTRAP_METADATA_URL: metadata.url, ARTENIC_BOOTSTRAP_NOTICE_INTERVAL: "0.2" },
      });
      expect(r.exit.code, r.exit.stderr).toBe(0);
      expect(r.status).toMatchObject({ state: "exited", exitCode: 0, outputsUploaded: true });
      expect(r.status).not.toHaveProperty("preemptionNotice");
      expect(JSON.parse(r.rawStatus!)).not.toHaveProperty("preemption_notice");
      expect(r.stdout).toBe("no notice\n");
      expect(r.stderr).toBe("");
      expect(r.outputs!["file"]).toBe(`${r.root}/job-${n}/notice/preemption.json\n`);
      expect(metadata.violations).toEqual([]);
      expect(metadata.requests.filter((q) => q.path.endsWith("/instance-action") && q.status === 404).length).toBeGreaterThanOrEqual(2);
      expect(processesOf(r.root)).toEqual([]);
    } finally {
      await metadata.close();
    }
  });

  it("does not hold the script up when the metadata service never answers, and renders no watcher unless asked", async () => {
    // A port that accepted connections and then never answers: every poll hangs until curl's own timeout.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const started = Date.now();
      const r = await run({ code: { "train.sh": "echo quick" }, preemptionNotice: "gcp", machineEnv: { ARTENIC_BOOTSTRAP_METADATA_URL: url, ARTENIC_BOOTSTRAP_NOTICE_INTERVAL: "0.2" } });
      expect(r.status).toMatchObject({ state: "exited", exitCode: 0 });
      // The watcher's hanging request (3 s timeout) was ended with it, not waited for.
      expect(Date.now() - started).toBeLessThan(2500);
      expect(processesOf(r.root)).toEqual([]);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
    const plain = await run({ code: { "train.sh": "echo plain" } });
    expect(plain.script).not.toContain("artenic_watcher");
    expect(plain.script).not.toContain("ARTENIC_PREEMPTION_FILE");
    expect(plain.stdout).toBe("plain\n");
  });

  it("refuses an empty command and a working dir leaving the code, naming the field", () => {
    const objects = { env: { kind: "cli" as const, argv: ["cp", "/x", "{file}"] }, status: { kind: "cli" as const, argv: ["t", "{file}"] }, stdout: { kind: "cli" as const, argv: ["t", "{file}"] }, stderr: { kind: "cli" as const, argv: ["t", "{file}"] }, outputs: { kind: "cli" as const, argv: ["t", "{file}"] } };
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as AppError;
      }
      throw new Error("no error");
    };
    expect(err(() => renderBootstrapScript({ jobName: "trainingJobs/a", jobId: "a", command: [], maxRuntimeSeconds: 1, objects })).fieldViolations[0]!.field).toBe("spec.command");
    expect(err(() => renderBootstrapScript({ jobName: "trainingJobs/a", jobId: "a", command: ["x"], workingDir: "../etc", maxRuntimeSeconds: 1, objects })).fieldViolations[0]!.field).toBe("spec.working_dir");
  });
});
