import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { InferenceService } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { EventsService } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { EventTopic } from "@artenic/gen/artenic/events/v1/event_pb";
import { TrainingService, TrainingLogStream, type WatchTrainingJobResponse } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { TrainingJobState, type TrainingJob } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { floatRows } from "../support/fixtures.js";

const root = new URL("../../../", import.meta.url).pathname;
const exampleDir = join(root, "scripts/training-example");

function failure(e: unknown): string {
  const err = ConnectError.from(e);
  return `${Code[err.code]}:${err.findDetails(ErrorInfoSchema)[0]?.reason ?? ""}`;
}

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v, (_, x) => (typeof x === "bigint" ? String(x) : x))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("TrainingService end to end (local subprocesses and the fake provider)", () => {
  let server: TestServer;
  let python: string;
  let training: Client<typeof TrainingService>;
  let registry: Client<typeof RegistryService>;

  beforeAll(async () => {
    python = execFileSync("bash", [join(root, "scripts/python-training-env.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").at(-1)!;
    server = await startTestServer("sqlite", {
      ARTENIC_TRAINING_PROVIDERS: "local,fake",
      ARTENIC_TRAINING_CODE_ROOTS: exampleDir,
      ARTENIC_TRAINING_RECONCILE_MS: "100",
      ARTENIC_TRAINING_LOCAL_MAX_CONCURRENT: "4",
    });
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] });
    training = createClient(TrainingService, transport);
    registry = createClient(RegistryService, transport);
    await registry.createModel({ modelId: "iris-trained", model: { framework: "onnx" } });
  }, 180_000);
  afterAll(async () => server?.dispose());

  it("runs a Python training script that reports through the API, registers its ONNX model, and serves a prediction from it", async () => {
    const request = {
      trainingJobId: "iris-lr",
      requestId: randomUUID(),
      trainingJob: {
        displayName: "iris logistic regression",
        labels: { team: "e2e" },
        spec: {
          command: [python, "train_iris.py"],
          code: { source: { case: "localPath" as const, value: exampleDir } },
          hyperparameters: { C: "2.0" },
          output: { model: "models/iris-trained", modelVersionLabels: { source: "training" } },
        },
      },
    };
    const created = await training.createTrainingJob(request);
    expect(created.trainingJob).toMatchObject({ name: "trainingJobs/iris-lr", state: TrainingJobState.QUEUED, attempt: 1, originalJob: "trainingJobs/iris-lr" });
    expect(created.trainingJob!.providerJob).toMatchObject({ provider: "providers/local", region: "local", instanceType: "local" });
    // A retry with the same request id returns the first job instead of creating another.
    expect((await training.createTrainingJob(request)).trainingJob!.createTime).toEqual(created.trainingJob!.createTime);

    const seen: WatchTrainingJobResponse[] = [];
    for await (const m of training.watchTrainingJob({ name: "trainingJobs/iris-lr" })) seen.push(m);
    const snapshots = seen.flatMap((m) => (m.event.case === "trainingJob" ? [m.event.value] : []));
    const states = snapshots.map((j) => TrainingJobState[j.state]).filter((s, i, all) => i === 0 || s !== all[i - 1]);
    expect(states).toEqual(["QUEUED", "PROVISIONING", "RUNNING", "SUCCEEDED"]);
    const reports = seen.flatMap((m) => (m.event.case === "metricReport" ? [m.event.value] : []));
    // Step 1 comes twice: the checkpoint's metrics are recorded as a report of its step again.
    expect([...new Set(reports.map((r) => Number(r.step)))]).toEqual([1, 2, 3]);
    const lines = seen.flatMap((m) => (m.event.case === "logLines" ? m.event.value.lines : []));
    expect(lines.some((l) => l.text.startsWith("training step 3:") && l.stream === TrainingLogStream.STDOUT)).toBe(true);
    expect(lines.map((l) => Number(l.sequence))).toEqual(lines.map((_, i) => Number(lines[0]!.sequence) + i));
    // The terminal snapshot is the last message, after the logs.
    expect(seen.at(-1)!.event.case).toBe("trainingJob");

    const job = (await training.getTrainingJob({ name: "trainingJobs/iris-lr" })).trainingJob!;
    expect(job).toMatchObject({ state: TrainingJobState.SUCCEEDED, exitCode: 0, outputModelVersion: "models/iris-trained/versions/1", metricsStep: 3n });
    expect(job.metrics["accuracy"]).toBeGreaterThan(0.8);
    expect(job.lastCheckpoint).toMatchObject({ uri: "checkpoint.pkl", step: 1n });
    expect(job.providerJob!.releaseTime).toBeDefined();
    expect(job.actualCost?.currencyCode).toBe(job.estimatedCost?.currencyCode);
    expect(job.artifactsUri).toMatch(/^file:\/\//);

    const version = (await registry.getModelVersion({ name: "models/iris-trained/versions/1" })).modelVersion!;
    expect(version).toMatchObject({ sourceTrainingJob: "trainingJobs/iris-lr", params: { C: "2.0" }, labels: { source: "training" } });
    expect(version.metrics["accuracy"]).toBeCloseTo(job.metrics["accuracy"]!, 9);

    const inference = createClient(InferenceService, createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] }));
    await inference.createService({ serviceId: "iris-trained", service: { target: { target: { case: "modelVersion", value: "models/iris-trained/versions/1" } } } });
    const expected = JSON.parse(readFileSync(join(server.dataDir, "training/artifacts/iris-lr/expected.json"), "utf8")) as { input: number[]; label: number; probabilities: Record<string, number> };
    const prediction = await inference.predict({ service: "services/iris-trained", inputs: [floatRows([expected.input])] });
    expect(prediction.modelVersion).toBe("models/iris-trained/versions/1");
    expect(prediction.classifications[0]!.label).toBe(String(expected.label));
    for (const [cls, p] of Object.entries(expected.probabilities)) expect(prediction.classifications[0]!.probabilities[cls]).toBeCloseTo(p, 5);

    const stderr = await training.listTrainingJobLogs({ parent: "trainingJobs/iris-lr", filter: "stream = STDERR" });
    expect(stderr.lines.map((l) => l.text)).toContain("done");
    const tail = await training.listTrainingJobLogs({ parent: "trainingJobs/iris-lr", orderBy: "sequence desc", pageSize: 1 });
    expect(tail.lines[0]!.text).toMatch(/^compute released/);
    const events = await createClient(EventsService, createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] })).listEvents({
      topics: [EventTopic.TRAINING],
      filter: { resources: ["trainingJobs/iris-lr"] },
      pageSize: 100,
    });
    expect(events.events.map((e) => e.type)).toEqual([
      "training.training_job.created",
      "training.training_job.state_changed",
      "training.training_job.state_changed",
      "training.training_job.checkpoint_reported",
      "training.training_job.state_changed",
      "training.training_job.output_registered",
      "training.training_job.compute_released",
    ]);
  }, 120_000);

  it("serves the Provider Hub on the same service, and a disabled provider takes no new jobs", async () => {
    const { providers } = await training.listProviders({});
    const ids = providers.map((p) => p.name);
    expect(ids).toEqual(expect.arrayContaining(["providers/local", "providers/kubernetes", "providers/aws", "providers/fake"]));
    expect((await training.getProvider({ name: "providers/local" })).provider!.enabled).toBe(true);
    await training.disableProvider({ name: "providers/local" });
    const spec = { command: ["true"], placement: { provider: "providers/local" } };
    await expect(training.createTrainingJob({ trainingJob: { spec } })).rejects.toSatisfy((e) => failure(e) === "FailedPrecondition:PROVIDER_DISABLED");
    await training.enableProvider({ name: "providers/local", skipConnectionTest: true });
    const job = await training.createTrainingJob({ trainingJobId: "after-enable", trainingJob: { spec } });
    await until("after-enable to finish", () => training.getTrainingJob({ name: job.trainingJob!.name }), (r) => r.trainingJob!.state === TrainingJobState.SUCCEEDED);
  }, 60_000);

  it("refuses illegal transitions and names what is wrong", async () => {
    await until("iris-lr to succeed", () => training.getTrainingJob({ name: "trainingJobs/iris-lr" }), (r) => r.trainingJob!.state === TrainingJobState.SUCCEEDED);
    await expect(training.cancelTrainingJob({ name: "trainingJobs/iris-lr" })).rejects.toSatisfy((e) => failure(e) === "FailedPrecondition:JOB_NOT_CANCELLABLE");
    const spec = { command: ["sleep", "30"] };
    await expect(training.createTrainingJob({ trainingJob: { spec: { ...spec, placement: { provider: "providers/nowhere" } } } })).rejects.toSatisfy(
      (e) => failure(e) === "InvalidArgument:UNKNOWN_PROVIDER",
    );
    await expect(training.createTrainingJob({ trainingJob: { spec: { ...spec, placement: { provider: "providers/aws" } } } })).rejects.toSatisfy(
      (e) => failure(e) === "FailedPrecondition:PROVIDER_NOT_CONFIGURED" && ConnectError.from(e).rawMessage.includes("providers/aws"),
    );
    await expect(training.createTrainingJob({ trainingJob: { spec: { ...spec, code: { source: { case: "localPath", value: "/etc" } } } } })).rejects.toSatisfy(
      (e) => failure(e) === "InvalidArgument:CODE_PATH_NOT_ALLOWED",
    );
    await expect(training.createTrainingJob({ trainingJob: { spec: { ...spec, maxCost: { currencyCode: "JPY", units: 5n } } } })).rejects.toSatisfy(
      (e) => failure(e) === "InvalidArgument:CURRENCY_MISMATCH",
    );
    await expect(training.createTrainingJob({ trainingJob: { spec: { ...spec, env: { ARTENIC_TOKEN: "x" } } } })).rejects.toSatisfy((e) => failure(e).startsWith("InvalidArgument"));
    await expect(training.createTrainingJob({ trainingJob: { spec: { ...spec, output: { model: "models/missing" } } } })).rejects.toSatisfy(
      (e) => failure(e) === "FailedPrecondition:OUTPUT_MODEL_NOT_FOUND",
    );
    await expect(training.createTrainingJob({ trainingJob: { spec: { ...spec, spot: true, placement: { provider: "providers/local" } } } })).rejects.toSatisfy(
      (e) => failure(e) === "FailedPrecondition:NO_PLACEMENT",
    );
    const running = await training.createTrainingJob({ trainingJobId: "sleeper", trainingJob: { spec } });
    const r0 = await until("sleeper to run", () => training.getTrainingJob({ name: "trainingJobs/sleeper" }), (r) => r.trainingJob!.state !== TrainingJobState.QUEUED && r.trainingJob!.state !== TrainingJobState.PROVISIONING);
    expect(r0.trainingJob!.stateMessage).toBe("running");
    await expect(training.deleteTrainingJob({ name: "trainingJobs/sleeper" })).rejects.toSatisfy((e) => failure(e) === "FailedPrecondition:JOB_NOT_DELETABLE");
    await expect(training.cancelTrainingJob({ name: "trainingJobs/sleeper", etag: '"999"' })).rejects.toSatisfy((e) => failure(e) === "Aborted:ETAG_MISMATCH");
    const cancelled = await training.cancelTrainingJob({ name: running.trainingJob!.name, reason: "test over" });
    expect(cancelled.trainingJob).toMatchObject({ state: TrainingJobState.CANCELLED, stateMessage: "cancelled: test over" });
    const released = await until("sleeper's compute to be released", () => training.getTrainingJob({ name: "trainingJobs/sleeper" }), (r) => r.trainingJob!.providerJob?.releaseTime !== undefined);
    expect(released.trainingJob!.state).toBe(TrainingJobState.CANCELLED);
    await training.deleteTrainingJob({ name: "trainingJobs/sleeper" });
    await expect(training.getTrainingJob({ name: "trainingJobs/sleeper" })).rejects.toSatisfy((e) => failure(e) === "NotFound:TRAINING_JOB_NOT_FOUND");
  }, 60_000);

  it("lets a job's token report on its own job only, and nothing else", async () => {
    const command = ["sh", "-c", 'printf %s "$ARTENIC_JOB_TOKEN" > "$ARTENIC_OUTPUT_DIR/../token.tmp" && mv "$ARTENIC_OUTPUT_DIR/../token.tmp" "$ARTENIC_OUTPUT_DIR/../token"; sleep 30'];
    await training.createTrainingJob({ trainingJobId: "tokened", trainingJob: { spec: { command } } });
    const file = join(server.dataDir, "training/local/tokened/token");
    await until("the job to write its token", async () => existsSync(file), Boolean, 30_000);
    const token = readFileSync(file, "utf8");
    expect(token).toMatch(/^artenic-job\.tokened\./);
    const asJob = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(token)] });
    const jobClient = createClient(TrainingService, asJob);
    expect((await jobClient.getTrainingJob({ name: "trainingJobs/tokened" })).trainingJob!.name).toBe("trainingJobs/tokened");
    await jobClient.reportTrainingMetrics({ name: "trainingJobs/tokened", step: 7n, metrics: { loss: 0.25 } });
    await jobClient.appendTrainingLogs({ name: "trainingJobs/tokened", lines: [{ text: "sent by the job itself" }], requestId: randomUUID() });
    await expect(jobClient.getTrainingJob({ name: "trainingJobs/iris-lr" })).rejects.toSatisfy((e) => failure(e) === "PermissionDenied:PERMISSION_DENIED");
    await expect(jobClient.reportTrainingMetrics({ name: "trainingJobs/iris-lr", metrics: { loss: 1 } })).rejects.toSatisfy((e) => failure(e) === "PermissionDenied:PERMISSION_DENIED");
    await expect(jobClient.listTrainingJobs({})).rejects.toSatisfy((e) => failure(e) === "PermissionDenied:PERMISSION_DENIED");
    await expect(jobClient.cancelTrainingJob({ name: "trainingJobs/tokened" })).rejects.toSatisfy((e) => failure(e) === "PermissionDenied:PERMISSION_DENIED");
    await expect(createClient(RegistryService, asJob).listModels({})).rejects.toSatisfy((e) => failure(e) === "PermissionDenied:PERMISSION_DENIED");
    const job = (await training.getTrainingJob({ name: "trainingJobs/tokened" })).trainingJob!;
    expect(job.metrics).toEqual({ loss: 0.25 });
    const logs = await training.listTrainingJobLogs({ parent: "trainingJobs/tokened" });
    expect(logs.lines.map((l) => l.text)).toContain("sent by the job itself");
    await training.cancelTrainingJob({ name: "trainingJobs/tokened" });
    // Ended: reports are refused, though the token still works for the grace minute.
    await expect(jobClient.reportTrainingMetrics({ name: "trainingJobs/tokened", metrics: { loss: 1 } })).rejects.toSatisfy((e) => failure(e) === "FailedPrecondition:JOB_ENDED");
  }, 60_000);

  it("retries a preempted spot job in another region, resuming from its checkpoint, with the chain visible", async () => {
    const created = await training.createTrainingJob({
      trainingJobId: "spot-1",
      trainingJob: {
        labels: { chain: "spot" },
        spec: {
          command: ["fake", "provision=1", "run=15", "preempt@fake-a", "output=ckpt.bin=state", "echo-env=ARTENIC_RESUME_FROM"],
          spot: true,
          preemptionPolicy: { maxRetries: 2 },
        },
      },
    });
    expect(created.trainingJob!.providerJob).toMatchObject({ provider: "providers/fake", region: "fake-a", spot: true });
    await until("spot-1 to run", () => training.getTrainingJob({ name: "trainingJobs/spot-1" }), (r) => r.trainingJob!.state === TrainingJobState.RUNNING, 30_000);
    await training.reportTrainingCheckpoint({ name: "trainingJobs/spot-1", uri: "ckpt.bin", step: 5n });
    const original = await until("spot-1 to be preempted", () => training.getTrainingJob({ name: "trainingJobs/spot-1" }), (r) => r.trainingJob!.state === TrainingJobState.PREEMPTED, 30_000);
    const retryName = original.trainingJob!.retriedBy;
    expect(retryName).toBe("trainingJobs/spot-1-r2");
    const retry = await until("the retry to succeed", () => training.getTrainingJob({ name: retryName }), (r) => r.trainingJob!.state === TrainingJobState.SUCCEEDED, 30_000);
    expect(retry.trainingJob).toMatchObject({ retryOf: "trainingJobs/spot-1", originalJob: "trainingJobs/spot-1", attempt: 2, labels: { chain: "spot" } });
    expect(retry.trainingJob!.providerJob).toMatchObject({ provider: "providers/fake", region: "fake-b", spot: true });
    expect(retry.trainingJob!.lastCheckpoint).toMatchObject({ uri: "ckpt.bin", step: 5n });
    const chain = await training.listTrainingJobs({ filter: 'original_job = "trainingJobs/spot-1"', orderBy: "create_time" });
    expect(chain.trainingJobs.map((j: TrainingJob) => [j.name, TrainingJobState[j.state]])).toEqual([
      ["trainingJobs/spot-1", "PREEMPTED"],
      ["trainingJobs/spot-1-r2", "SUCCEEDED"],
    ]);
    const logs = (await training.listTrainingJobLogs({ parent: retryName })).lines.map((l) => l.text);
    expect(logs).toContain("resuming from checkpoint ckpt.bin (step 5)");
    expect(logs.some((l) => /^ARTENIC_RESUME_FROM=.*ckpt\.bin$/.test(l))).toBe(true);
    expect((await training.listTrainingJobs({ filter: "state = PREEMPTED AND provider_job.region = \"fake-a\" AND labels.chain = \"spot\"" })).totalSize).toBe(1n);
  }, 60_000);
});
