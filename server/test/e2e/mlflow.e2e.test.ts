import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { TrainingJobState } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { createArtenicClient, type ArtenicClient } from "@artenic/sdk/node";
import type { RunningServer } from "../../src/main.js";
import { MlflowRunEntity } from "../../src/mlflow/index.js";
import { createScratchDatabase, type ScratchDatabase } from "../support/databases.js";
import { mlflowBin, startForwarder, startMlflowServer, type MlflowServer } from "../support/mlflow-server.js";
import { startMotoServer, type MotoServer } from "../support/moto-server.js";
import { startServerOn } from "../support/test-server.js";

const root = new URL("../../../", import.meta.url).pathname;
const exampleDir = join(root, "scripts/training-example");

interface Run {
  info: { run_id: string; status: string; experiment_id: string; end_time?: string };
  data: { params?: { key: string; value: string }[]; tags?: { key: string; value: string }[]; metrics?: { key: string; value: number; step: string }[] };
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await read();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("training jobs mirrored to a real MLflow tracking server", () => {
  let python: string;
  /** Where the platform looks for MLflow: connections are dropped there until MLflow is up. */
  let gate: Awaited<ReturnType<typeof startForwarder>>;
  /** Started in the background at once (it takes a while), on a port of its own. */
  let mlflowStarting: Promise<MlflowServer>;
  let mlflow: MlflowServer | undefined;
  let moto: MotoServer;
  const servers: RunningServer[] = [];
  const databases: ScratchDatabase[] = [];
  const adminKey = `artenic_test_${randomBytes(24).toString("base64url")}`;

  /** A real server on `db`, mirroring to the gate's address whether MLflow is behind it yet or not. */
  async function boot(db: ScratchDatabase & { dataDir: string }, env: Record<string, string> = {}): Promise<{ server: RunningServer; artenic: ArtenicClient }> {
    const server = await startServerOn(db, adminKey, {
      ARTENIC_TRAINING_PROVIDERS: "local",
      ARTENIC_TRAINING_CODE_ROOTS: exampleDir,
      ARTENIC_TRAINING_RECONCILE_MS: "100",
      ARTENIC_MLFLOW_TRACKING_URI: `http://127.0.0.1:${gate.port}`,
      ARTENIC_MLFLOW_POLL_MS: "100",
      ARTENIC_MLFLOW_BACKOFF_BASE_MS: "200",
      ARTENIC_MLFLOW_BACKOFF_MAX_MS: "1000",
      ARTENIC_MLFLOW_TIMEOUT_MS: "5000",
      ...env,
    });
    servers.push(server);
    return { server, artenic: createArtenicClient({ baseUrl: server.url, apiKey: adminKey }) };
  }

  async function trainIris(artenic: ArtenicClient, jobId: string, model: string, c: string): Promise<void> {
    await artenic.registry.createModel({ modelId: model, model: { framework: "sklearn" } }).catch(() => undefined);
    await artenic.training.createTrainingJob({
      trainingJobId: jobId,
      trainingJob: {
        displayName: `iris for ${model}`,
        labels: { team: "mlflow-e2e" },
        spec: {
          command: [python, "train_iris.py"],
          code: { source: { case: "localPath", value: exampleDir } },
          hyperparameters: { C: c },
          output: { model: `models/${model}` },
        },
      },
    });
    const job = await artenic.waitForTrainingJob(`trainingJobs/${jobId}`, { pollInterval: 200, maxPollInterval: 500, signal: AbortSignal.timeout(120_000) });
    expect(TrainingJobState[job.state], job.stateMessage).toBe("SUCCEEDED");
  }

  /** The MLflow run of a job, once it is FINISHED. */
  async function finishedRun(experiment: string, jobName: string): Promise<Run> {
    const { experiment: exp } = await until(`experiment ${experiment}`, () => mlflow!.api<{ experiment: { experiment_id: string } }>("GET", "experiments/get-by-name", { experiment_name: experiment }));
    return until(`the FINISHED run of ${jobName}`, async () => {
      const { runs } = await mlflow!.api<{ runs?: Run[] }>("POST", "runs/search", { experiment_ids: [exp.experiment_id], filter: `tags.\`artenic.training_job\` = '${jobName}'` });
      expect(runs?.length ?? 0).toBeLessThanOrEqual(1);
      return runs?.[0]?.info.status === "FINISHED" ? runs[0] : undefined;
    });
  }

  async function metricHistory(runId: string, key: string): Promise<{ step: string; value: number; timestamp: string }[]> {
    const { metrics } = await mlflow!.api<{ metrics: { step: string; value: number; timestamp: string }[] }>("GET", "metrics/get-history", { run_id: runId, metric_key: key });
    return metrics;
  }

  async function modelVersionsOf(name: string): Promise<{ version: string; source: string; run_id: string; tags?: { key: string; value: string }[] }[]> {
    const { model_versions } = await mlflow!.api<{ model_versions?: { version: string; source: string; run_id: string; tags?: { key: string; value: string }[] }[] }>(
      "GET",
      "model-versions/search",
      { filter: `name = '${name}'` },
    );
    return model_versions ?? [];
  }

  beforeAll(async () => {
    const bin = await mlflowBin();
    mlflowStarting = startMlflowServer(bin);
    mlflowStarting.catch(() => undefined); // awaited by the tests that need it
    python = execFileSync("bash", [join(root, "scripts/python-training-env.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").at(-1)!;
    gate = await startForwarder();
    moto = await startMotoServer();
    await moto.createBucket("mlflow-artifacts");
  }, 900_000);

  afterAll(async () => {
    for (const s of servers) await s.stop().catch(() => undefined);
    for (const db of databases) await db.drop();
    await gate?.close();
    await (mlflow ?? (await mlflowStarting.catch(() => undefined)))?.stop();
    await moto?.stop();
  });

  const offline = { db: undefined as (ScratchDatabase & { dataDir: string }) | undefined };

  it("runs a job to success while MLflow is down, keeping its records queued in the database", async () => {
    offline.db = await createScratchDatabase("sqlite", "mlflow-down");
    databases.push(offline.db);
    const { server, artenic } = await boot(offline.db);
    await trainIris(artenic, "while-down", "iris-offline", "0.5");
    const row = await until("a failed sync attempt", async () => {
      const r = await server.orm.em.fork().findOne(MlflowRunEntity, { job: "while-down" });
      return r && r.attempts > 0 ? r : undefined;
    });
    expect(row).toMatchObject({ pending: true, runId: "", experimentId: "" });
    expect(row.lastError).toContain("unreachable");
    await server.stop();
  }, 180_000);

  it("delivers the queued records once MLflow comes up, after a restart of the platform", async () => {
    const { server } = await boot(offline.db!);
    const attempts = async () => (await server.orm.em.fork().findOneOrFail(MlflowRunEntity, { job: "while-down" })).attempts;
    const before = await attempts();
    // Restarted, the platform goes on retrying the records it kept...
    await until("another failed attempt after the restart", async () => ((await attempts()) > before ? true : undefined));
    // ...and delivers them once MLflow answers at the address it was given.
    mlflow = await mlflowStarting;
    gate.forwardTo(Number(new URL(mlflow.url).port));
    const run = await finishedRun("artenic/iris-offline", "trainingJobs/while-down");
    expect(run.data.params).toEqual([{ key: "C", value: "0.5" }]);
    const accuracy = await metricHistory(run.info.run_id, "accuracy");
    // Step 1 comes twice in the job (its checkpoint reports it again); MLflow keeps each report.
    expect([...new Set(accuracy.map((m) => Number(m.step)))]).toEqual([1, 2, 3]);
    const [version] = await until("the registered model version", async () => ((await modelVersionsOf("iris-offline")).length > 0 ? modelVersionsOf("iris-offline") : undefined));
    // The local artifact store's file: location is not a source MLflow accepts: it is a tag instead.
    expect(version).toMatchObject({ version: "1", run_id: run.info.run_id, source: `runs:/${run.info.run_id}/model` });
    expect(version!.tags).toContainEqual({ key: "artenic.model_version", value: "models/iris-offline/versions/1" });
    expect(version!.tags?.find((t) => t.key === "artenic.artifact_uri")?.value).toMatch(/^file:\/\/.*\.onnx$/);
  }, 420_000);

  it("mirrors a job's params, metrics with steps and times, and model version with its S3 location", async () => {
    mlflow = await mlflowStarting;
    // On PostgreSQL, while the suite above ran on SQLite: the mirror's lease, cursor and rows work on both.
    const db = await createScratchDatabase("postgresql", "mlflow-up");
    databases.push(db);
    const { server, artenic } = await boot(db, {
      ARTENIC_ARTIFACT_STORE: "s3",
      ARTENIC_S3_BUCKET: "mlflow-artifacts",
      ARTENIC_S3_PREFIX: "artenic",
      ARTENIC_S3_ENDPOINT: moto.endpoint,
      ARTENIC_S3_ACCESS_KEY_ID: moto.credentials.accessKeyId,
      ARTENIC_S3_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
      ARTENIC_MLFLOW_TRACKING_URI: mlflow.url,
    });
    await trainIris(artenic, "iris-c2", "iris-online", "2.0");
    const run = await finishedRun("artenic/iris-online", "trainingJobs/iris-c2");
    const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ "artenic.training_job": "trainingJobs/iris-c2", "artenic.provider": "providers/local", "artenic.label.team": "mlflow-e2e", "mlflow.runName": "iris-c2" });
    expect(run.data.params).toEqual([{ key: "C", value: "2.0" }]);

    const { trainingJob } = await artenic.training.getTrainingJob({ name: "trainingJobs/iris-c2" });
    const accuracy = await metricHistory(run.info.run_id, "accuracy");
    expect([...new Set(accuracy.map((m) => Number(m.step)))]).toEqual([1, 2, 3]);
    // The job's checkpoint report replaces step 1 with accuracy alone, so whether MLflow also has
    // the first step-1 loss depends on whether a sync ran in between; steps 2 and 3 are always there.
    const loss = await metricHistory(run.info.run_id, "loss");
    expect(loss.map((m) => Number(m.step))).toEqual(expect.arrayContaining([2, 3]));
    const final = loss.filter((m) => Number(m.step) === 3);
    expect(final.map((m) => m.value)).toEqual([trainingJob!.metrics["loss"]]);
    // Each report keeps its own time, within the job's run.
    for (const m of loss) expect(Number(m.timestamp)).toBeGreaterThanOrEqual(Number(trainingJob!.createTime!.seconds) * 1000);

    const [version] = await until("the registered model version", async () => ((await modelVersionsOf("iris-online")).length > 0 ? modelVersionsOf("iris-online") : undefined));
    expect(version).toMatchObject({ version: "1", run_id: run.info.run_id });
    expect(version!.source).toMatch(/^s3:\/\/mlflow-artifacts\/artenic\/objects\/iris-online\/training-iris-c2-[0-9a-f]{16}\.onnx$/);
    // The source is where the bytes really are.
    const key = version!.source.slice("s3://mlflow-artifacts/".length);
    expect((await moto.listObjects("mlflow-artifacts")).has(key)).toBe(true);

    const row = await server.orm.em.fork().findOneOrFail(MlflowRunEntity, { job: "iris-c2" });
    expect(row).toMatchObject({ pending: false, endStatus: "FINISHED", modelVersion: "models/iris-online/versions/1", attempts: 0 });
  }, 420_000);
});
