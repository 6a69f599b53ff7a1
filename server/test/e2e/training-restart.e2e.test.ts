import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { TrainingJobState } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { EventsService } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { EventTopic } from "@artenic/gen/artenic/events/v1/event_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { freePort, killAll, spawnServer, until } from "../support/server-process.js";

const root = new URL("../../../", import.meta.url).pathname;
const exampleDir = join(root, "scripts/training-example");

describe("a server killed in the middle of a training job", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "artenic-training-restart-"));
  const release = join(dataDir, "release-the-job");
  const adminKey = `artenic_test_${randomBytes(24).toString("base64url")}`;
  let first: ChildProcess | undefined;
  let second: ChildProcess | undefined;
  let env: Record<string, string>;
  let python: string;

  beforeAll(async () => {
    python = execFileSync("bash", [join(root, "scripts/python-training-env.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").at(-1)!;
    // A fixed port: the job keeps reporting to the address it was given, across the restart.
    env = {
      ARTENIC_PORT: String(await freePort()),
      ARTENIC_DATA_DIR: dataDir,
      ARTENIC_API_KEY: adminKey,
      ARTENIC_TRAINING_PROVIDERS: "local",
      ARTENIC_TRAINING_CODE_ROOTS: exampleDir,
      ARTENIC_TRAINING_RECONCILE_MS: "100",
      ARTENIC_TRAINING_LEASE_MS: "1500",
      ARTENIC_SHUTDOWN_GRACE_MS: "500",
    };
  }, 180_000);
  afterAll(async () => {
    await killAll([first, second]);
    // A job left behind by a failed run must not outlive the test.
    const handleFile = join(dataDir, "training/local/survivor/handle.json");
    if (existsSync(handleFile)) {
      try {
        process.kill(-(JSON.parse(readFileSync(handleFile, "utf8")) as { pid: number }).pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is followed by the next server: the job completes and its model is registered once", async () => {
    first = await spawnServer(env);
    const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${env["ARTENIC_PORT"]}`, interceptors: [apiKeyInterceptor(adminKey)] });
    const training: Client<typeof TrainingService> = createClient(TrainingService, transport);
    const registry = createClient(RegistryService, transport);
    await registry.createModel({ modelId: "restarted", model: {} });
    await training.createTrainingJob({
      trainingJobId: "survivor",
      trainingJob: {
        spec: {
          command: [python, "train_iris.py"],
          code: { source: { case: "localPath", value: exampleDir } },
          hyperparameters: { wait_for_file: release },
          output: { model: "models/restarted" },
        },
      },
    });
    // Running, with its first report and checkpoint in: it now waits for the release file.
    await until(
      "the job's first report",
      () => training.getTrainingJob({ name: "trainingJobs/survivor" }),
      (r) => r.trainingJob!.state === TrainingJobState.RUNNING && r.trainingJob!.lastCheckpoint !== undefined,
    );
    const handle = JSON.parse(readFileSync(join(dataDir, "training/local/survivor/handle.json"), "utf8")) as { pid: number };

    const killed = new Promise((r) => first!.once("exit", r));
    first.kill("SIGKILL");
    await killed;
    // The training process outlives the server that started it.
    expect(() => process.kill(handle.pid, 0)).not.toThrow();

    second = await spawnServer(env);
    writeFileSync(release, "");
    const done = await until(
      "the job to succeed under the second server",
      () => training.getTrainingJob({ name: "trainingJobs/survivor" }),
      (r) => r.trainingJob!.state === TrainingJobState.SUCCEEDED && r.trainingJob!.providerJob?.releaseTime !== undefined,
    );
    expect(done.trainingJob).toMatchObject({ outputModelVersion: "models/restarted/versions/1", metricsStep: 3n, exitCode: 0 });
    // Reports made after the restart reached the second server.
    expect(done.trainingJob!.metrics["accuracy"]).toBeGreaterThan(0.8);
    // A few more passes of the loop change nothing: one version, one registration.
    await new Promise((r) => setTimeout(r, 500));
    const versions = await registry.listModelVersions({ parent: "models/restarted" });
    expect(versions.totalSize).toBe(1n);
    expect(versions.modelVersions[0]!.sourceTrainingJob).toBe("trainingJobs/survivor");
    const events = await createClient(EventsService, transport).listEvents({ topics: [EventTopic.TRAINING], filter: { types: ["training.training_job.output_registered"] } });
    expect(events.events.map((e) => e.resource)).toEqual(["trainingJobs/survivor"]);
    // Its compute is gone: the job directory was cleaned up.
    expect(existsSync(join(dataDir, "training/local/survivor"))).toBe(false);
  }, 120_000);
});
