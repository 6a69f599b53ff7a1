import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { TrainingJobState } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { ProviderState } from "@artenic/gen/artenic/training/v1/provider_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { freePort, killAll, spawnServer, until } from "../support/server-process.js";
import { FakeRunPod } from "../support/fake-runpod.js";

const root = new URL("../../../", import.meta.url).pathname;
const exampleDir = join(root, "scripts/training-example");

/**
 * A GPU-cloud job through the real server processes: RunPod configured and enabled through the
 * Provider Hub RPCs (pointed at the fake RunPod API), a training job placed on it by the reconcile
 * loop, its pod running the bootstrap, which fetches the code and env.sh from the server's own
 * signed transfer routes and runs the Python training script reporting to the server with its job
 * token. The server is killed mid-job and a second one on the same data dir and port follows it:
 * the job succeeds, its outputs come back through the transfer, and its model is registered once.
 */
describe("a GPU-cloud (RunPod) job through the real server, surviving a server restart", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "artenic-gpu-restart-"));
  const release = join(dataDir, "release-the-job");
  const adminKey = `artenic_test_${randomBytes(24).toString("base64url")}`;
  const runpodKey = `rpa_${randomBytes(12).toString("hex")}`;
  let fake: FakeRunPod;
  let first: ChildProcess | undefined;
  let second: ChildProcess | undefined;
  let env: Record<string, string>;
  let python: string;

  beforeAll(async () => {
    python = execFileSync("bash", [join(root, "scripts/python-training-env.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").at(-1)!;
    fake = await FakeRunPod.start({ apiKey: runpodKey, sandboxRoot: join(dataDir, "pods") });
    env = {
      ARTENIC_PORT: String(await freePort()),
      ARTENIC_DATA_DIR: join(dataDir, "server"),
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
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs on a pod that moves its files through the server's port, and completes under the next server", async () => {
    first = await spawnServer(env);
    const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${env["ARTENIC_PORT"]}`, interceptors: [apiKeyInterceptor(adminKey)] });
    const training: Client<typeof TrainingService> = createClient(TrainingService, transport);
    const registry = createClient(RegistryService, transport);

    const configured = await training.configureProvider({ name: "providers/runpod", credentials: { api_key: runpodKey }, config: { api_url: fake.url, default_image: "ghcr.io/acme/runner:1" }, testConnection: true });
    expect(configured.provider).toMatchObject({ state: ProviderState.DISABLED, stateMessage: expect.stringContaining("connected to RunPod") });
    expect(JSON.stringify(configured.provider, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain(runpodKey);
    await training.enableProvider({ name: "providers/runpod" });

    await registry.createModel({ modelId: "gpu-restarted", model: {} });
    await training.createTrainingJob({
      trainingJobId: "gpu-survivor",
      trainingJob: {
        spec: {
          command: [python, "train_iris.py"],
          code: { source: { case: "localPath", value: exampleDir } },
          hyperparameters: { wait_for_file: release },
          output: { model: "models/gpu-restarted" },
          resources: { gpuCount: 1 },
          placement: { provider: "providers/runpod" },
        },
      },
    });
    await until(
      "the job's first report from the pod",
      () => training.getTrainingJob({ name: "trainingJobs/gpu-survivor" }),
      (r) => r.trainingJob!.state === TrainingJobState.RUNNING && r.trainingJob!.lastCheckpoint !== undefined,
    );
    // The pod was deployed through the GraphQL API with the bootstrap URL only; the server's port served the code.
    const deploy = fake.requests.find((r) => r.operationName === "DeployOnDemand")!;
    expect(deploy.variables["input"]).toMatchObject({ name: "artenic-gpu-survivor", imageName: "ghcr.io/acme/runner:1", gpuCount: 1 });
    expect(deploy.variables["input"].env[0].value).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${env["ARTENIC_PORT"]}/training-transfer/v1/artenic/jobs/gpu-survivor/bootstrap\\.sh\\?`));
    expect(readdirSync(join(dataDir, "server", "training", "transfer", "artenic", "jobs", "gpu-survivor")).sort()).toEqual(expect.arrayContaining(["bootstrap.sh", "code.tar.gz", "env.sh", "status.json"]));

    const killed = new Promise((r) => first!.once("exit", r));
    first.kill("SIGKILL");
    await killed;
    const pod = [...fake.pods.values()][0]!;
    expect(pod.desiredStatus).toBe("RUNNING");

    second = await spawnServer(env);
    writeFileSync(release, "");
    const done = await until(
      "the job to succeed under the second server",
      () => training.getTrainingJob({ name: "trainingJobs/gpu-survivor" }),
      (r) => r.trainingJob!.state === TrainingJobState.SUCCEEDED && r.trainingJob!.providerJob?.releaseTime !== undefined,
      90_000,
    );
    expect(done.trainingJob).toMatchObject({ outputModelVersion: "models/gpu-restarted/versions/1", exitCode: 0 });
    expect(done.trainingJob!.metrics["accuracy"]).toBeGreaterThan(0.8);
    await new Promise((r) => setTimeout(r, 500));
    expect((await registry.listModelVersions({ parent: "models/gpu-restarted" })).totalSize).toBe(1n);
    // Cleanup terminated the pod and removed the job's transfer objects.
    expect(pod.desiredStatus).toBe("TERMINATED");
    expect(existsSync(join(dataDir, "server", "training", "transfer", "artenic", "jobs", "gpu-survivor"))).toBe(false);
  }, 180_000);
});
