import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { ServiceState } from "@artenic/gen/artenic/inference/v1/service_pb";
import { TrainingJobState } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { createArtenicClient, InvalidArgumentError, type ArtenicClient } from "@artenic/sdk/node";
import type { RunningServer } from "../../src/main.js";
import { createScratchDatabase, type ScratchDatabase } from "../support/databases.js";
import { fixtureBytes, fixtureExpected, floatRow } from "../support/fixtures.js";
import { startMotoServer, type MotoServer } from "../support/moto-server.js";
import { startServerOn } from "../support/test-server.js";

const BUCKET = "artenic-artifacts";
const MiB = 1024 ** 2;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("the registry on an S3-compatible store (moto)", () => {
  let moto: MotoServer;
  let db: ScratchDatabase & { dataDir: string };
  let server: RunningServer;
  let artenic: ArtenicClient;
  const adminKey = `artenic_test_${randomBytes(24).toString("base64url")}`;
  const secret = `moto-secret-${randomBytes(8).toString("hex")}`;
  let logs = "";

  /** A real server with its artifacts in moto, logging at debug level into `logs`. */
  async function boot(overrides: Record<string, string> = {}): Promise<void> {
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
    server = await startServerOn(
      db,
      adminKey,
      {
        ARTENIC_ARTIFACT_STORE: "s3",
        ARTENIC_S3_BUCKET: BUCKET,
        ARTENIC_S3_PREFIX: "registry",
        ARTENIC_S3_ENDPOINT: moto.endpoint,
        ARTENIC_S3_ACCESS_KEY_ID: moto.credentials.accessKeyId,
        ARTENIC_S3_SECRET_ACCESS_KEY: secret,
        ARTENIC_S3_PART_SIZE_BYTES: String(5 * MiB),
        ARTENIC_TRAINING_PROVIDERS: "local",
        ARTENIC_TRAINING_RECONCILE_MS: "100",
        ...overrides,
      },
      pino({ level: "debug" }, sink),
    );
    artenic = createArtenicClient({ baseUrl: server.url, apiKey: adminKey });
  }

  const bucketKeys = () => moto.listObjects(BUCKET);
  /** The one committed object of a model whose name starts with the sha256 of its bytes. */
  async function artifactKey(model: string, bytes: Uint8Array): Promise<string> {
    const keys = [...(await bucketKeys()).keys()].filter((k) => k.startsWith(`registry/objects/${model}/${sha256(bytes)}-`));
    expect(keys).toHaveLength(1);
    return keys[0]!;
  }

  beforeAll(async () => {
    moto = await startMotoServer();
    await moto.createBucket(BUCKET);
    db = await createScratchDatabase("sqlite", "s3");
    await boot();
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
    await moto?.stop();
  });

  it("stores an uploaded ONNX model under the bucket's prefix, streams it back, and serves predictions from it", async () => {
    await artenic.registry.createModel({ modelId: "iris", model: { framework: "sklearn" } });
    const bytes = fixtureBytes("iris_logreg");
    const version = await artenic.uploadArtifact("iris", bytes, { chunkSize: 4096 });
    expect(version.artifact).toMatchObject({ sha256: sha256(bytes), sizeBytes: BigInt(bytes.length) });

    // The object is under the prefix, as another S3 client (the AWS CLI) sees it; nothing is left in staging.
    const key = await artifactKey("iris", bytes);
    expect(await moto.aws("s3", "ls", `s3://${BUCKET}/${key}`)).toContain(` ${bytes.length} `);
    expect([...(await bucketKeys()).keys()].filter((k) => k.startsWith("registry/staging/"))).toEqual([]);

    const { bytes: downloaded } = await artenic.downloadArtifact(version.name, { chunkSize: 1000 });
    expect(sha256(downloaded)).toBe(sha256(bytes));

    await artenic.inference.createService({ serviceId: "iris", service: { target: { target: { case: "modelVersion", value: version.name } } } });
    for (let i = 0; i < 200 && (await artenic.inference.getService({ name: "services/iris" })).service!.state === ServiceState.LOADING; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const expected = fixtureExpected("iris_logreg");
    const labels: string[] = [];
    for await (const r of artenic.streamPredict("iris", expected.inputs.map((row) => ({ inputs: [floatRow(row)] })))) labels.push(r.classification!.label);
    expect(labels).toEqual(expected.outputs.labels!.map(String));
  });

  it("streams a large artifact through a multipart upload and back", async () => {
    await artenic.registry.createModel({ modelId: "large", model: { framework: "custom" } });
    const bytes = new Uint8Array(randomBytes(13 * MiB + 17));
    const version = await artenic.uploadArtifact("large", bytes, { format: ArtifactFormat.OTHER, chunkSize: 1024 * 1024 });
    expect(version.artifact).toMatchObject({ sha256: sha256(bytes), sizeBytes: BigInt(bytes.length) });
    const { bytes: downloaded, metadata } = await artenic.downloadArtifact(version.name);
    expect(metadata.sha256).toBe(sha256(bytes));
    expect(sha256(downloaded)).toBe(sha256(bytes));
  }, 60_000);

  it("rejects an upload whose bytes do not match the expected SHA-256, leaving nothing visible", async () => {
    const before = await bucketKeys();
    const bytes = fixtureBytes("iris_random_forest");
    const error = await artenic.uploadArtifact("iris", bytes, { sha256: "0".repeat(64) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).reason).toBe("CHECKSUM_MISMATCH");
    expect((error as InvalidArgumentError).fieldViolations.map((v) => v.field)).toEqual(["metadata.expected_sha256"]);
    expect(await bucketKeys()).toEqual(before);
    expect(await moto.pendingUploads(BUCKET, "registry/")).toEqual([]);
    const { modelVersions } = await artenic.registry.listModelVersions({ parent: "models/iris" });
    expect(modelVersions.map((v) => v.name)).toEqual(["models/iris/versions/1"]);
  });

  it("deletes a version's object with the version", async () => {
    await artenic.registry.createModel({ modelId: "doomed", model: { framework: "sklearn" } });
    const bytes = fixtureBytes("iris_logreg");
    const version = await artenic.uploadArtifact("doomed", bytes);
    const key = await artifactKey("doomed", bytes);
    await artenic.registry.deleteModelVersion({ name: version.name });
    expect((await bucketKeys()).has(key)).toBe(false);
  });

  it("runs a training job whose code is an s3:// object in the store", async () => {
    const script = new TextEncoder().encode('echo "code from s3 ran with $# arguments"\n');
    const put = await fetch(`${moto.endpoint}/${BUCKET}/registry/code/hello.sh`, { method: "PUT", body: script });
    expect(put.ok).toBe(true);
    const created = await artenic.training.createTrainingJob({
      trainingJobId: "s3-code",
      trainingJob: { spec: { command: ["bash", "hello.sh"], code: { source: { case: "uri", value: `s3://${BUCKET}/registry/code/hello.sh` }, sha256: sha256(script) } } },
    });
    expect(created.trainingJob!.name).toBe("trainingJobs/s3-code");
    const job = await artenic.waitForTrainingJob("trainingJobs/s3-code", { pollInterval: 200 });
    expect(TrainingJobState[job.state]).toBe("SUCCEEDED");
    const { lines } = await artenic.training.listTrainingJobLogs({ parent: "trainingJobs/s3-code" });
    expect(lines.map((l) => l.text)).toContain("code from s3 ran with 0 arguments");

    // An s3:// URI outside the store's location is refused by name.
    await artenic.training.createTrainingJob({
      trainingJobId: "s3-elsewhere",
      trainingJob: { spec: { command: ["bash", "hello.sh"], code: { source: { case: "uri", value: "s3://another-bucket/hello.sh" } } } },
    });
    const refused = await artenic.waitForTrainingJob("trainingJobs/s3-elsewhere", { pollInterval: 200 });
    expect(TrainingJobState[refused.state]).toBe("FAILED");
    expect(refused.stateMessage).toContain("only https:// archives and objects in the platform's artifact store");
  }, 60_000);

  it("keeps artifacts across a restart", async () => {
    await server.stop();
    await boot();
    const { bytes } = await artenic.downloadArtifact("models/iris/versions/1");
    expect(sha256(bytes)).toBe(sha256(fixtureBytes("iris_logreg")));
    const expected = fixtureExpected("iris_logreg");
    for (let i = 0; i < 200 && (await artenic.inference.getService({ name: "services/iris" })).service!.state !== ServiceState.SERVING; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const labels: string[] = [];
    for await (const r of artenic.streamPredict("iris", expected.inputs.slice(0, 5).map((row) => ({ inputs: [floatRow(row)] })))) labels.push(r.classification!.label);
    expect(labels).toEqual(expected.outputs.labels!.slice(0, 5).map(String));
  });

  it("still serves artifacts stored in the data dir before the switch to S3", async () => {
    await server.stop();
    await boot({ ARTENIC_ARTIFACT_STORE: "local" });
    await artenic.registry.createModel({ modelId: "before-switch", model: { framework: "sklearn" } });
    const bytes = fixtureBytes("diabetes_gbr");
    const version = await artenic.uploadArtifact("before-switch", bytes);
    await server.stop();
    await boot();
    expect([...(await bucketKeys()).keys()].some((k) => k.includes("before-switch"))).toBe(false);
    const { bytes: downloaded } = await artenic.downloadArtifact(version.name);
    expect(sha256(downloaded)).toBe(sha256(bytes));
    // New uploads go to the bucket.
    await artenic.uploadArtifact("before-switch", bytes);
    expect([...(await bucketKeys()).keys()].filter((k) => k.startsWith("registry/objects/before-switch/"))).toHaveLength(1);
  });

  it("sweeps GPU-cloud job objects no job owns at start, in the bucket's training-jobs/ and in the data dir, and nothing else", async () => {
    await server.stop();
    const put = await fetch(`${moto.endpoint}/${BUCKET}/registry/training-jobs/artenic/jobs/ghost-e2e/env.sh`, { method: "PUT", body: "export A='1'\n" });
    expect(put.status).toBe(200);
    const local = join(db.dataDir, "training", "transfer", "artenic", "jobs", "ghost-local");
    mkdirSync(local, { recursive: true });
    writeFileSync(join(local, "env.sh"), "export A='1'\n");
    const artifacts = [...(await bucketKeys()).keys()].filter((k) => k.startsWith("registry/objects/")).sort();
    expect(artifacts.length).toBeGreaterThan(0);
    await boot();
    await expect.poll(async () => [...(await bucketKeys()).keys()].filter((k) => k.startsWith("registry/training-jobs/")), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => existsSync(local), { timeout: 10_000 }).toBe(false);
    expect([...(await bucketKeys()).keys()].filter((k) => k.startsWith("registry/objects/")).sort()).toEqual(artifacts);
    expect(logs).toContain("removed leftover training job objects");
  });

  it("never logs the S3 secret", () => {
    expect(logs).toContain(`"location":"s3://${BUCKET}/registry/"`);
    expect(logs).not.toContain(secret);
  });
});
