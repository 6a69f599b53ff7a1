import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EntityManager } from "@mikro-orm/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMotoServer, type MotoServer } from "../../test/support/moto-server.js";
import { createS3ObjectStore } from "../platform/object-store/s3/index.js";
import { createLocalArtifactStore } from "../registry/artifacts/local-artifact-store.js";
import { createObjectArtifactStore } from "../registry/artifacts/object-artifact-store.js";
import { presignedCodeUrl, stageCode } from "./code-staging.js";
import type { CodeRecord } from "./training-job.entity.js";

let moto: MotoServer;
let objects: ReturnType<typeof createS3ObjectStore>;
let dataDir: string;
// Code given by URI never touches the database.
const em = {} as EntityManager;
const code = (value: string): CodeRecord => ({ kind: "uri", value, sha256: "", workingDir: "" });

beforeAll(async () => {
  moto = await startMotoServer();
  await moto.createBucket("code");
  objects = createS3ObjectStore({ bucket: "code", prefix: "team", region: moto.region, endpoint: moto.endpoint, forcePathStyle: true, credentials: moto.credentials });
  await objects.put("jobs/train.py", new TextEncoder().encode("print('hello')\n"));
  dataDir = await mkdtemp(join(tmpdir(), "artenic-code-staging-"));
}, 300_000);

afterAll(async () => {
  objects?.close();
  await moto?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("training code in an S3 artifact store", () => {
  it("stages an s3:// code object of the store's location, and hands providers a pre-signed URL of it", async () => {
    const store = createObjectArtifactStore(objects, { presignSeconds: 120 });
    const dir = await stageCode(em, { dataDir, codeRoots: [], store }, "job-1", code("s3://code/team/jobs/train.py"));
    expect(await readFile(join(dir, "train.py"), "utf8")).toBe("print('hello')\n");

    const url = await presignedCodeUrl(em, store, code("s3://code/team/jobs/train.py"));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/code\/team\/jobs\/train\.py\?.*X-Amz-Expires=120/);
    expect(await (await fetch(url!)).text()).toBe("print('hello')\n");
  });

  it("gives no URL for code outside the store, nor from a store that cannot sign", async () => {
    const store = createObjectArtifactStore(objects);
    expect(await presignedCodeUrl(em, store, code("https://example.invalid/code.tar.gz"))).toBeUndefined();
    expect(await presignedCodeUrl(em, store, code("s3://elsewhere/jobs/train.py"))).toBeUndefined();
    expect(await presignedCodeUrl(em, store, null)).toBeUndefined();
    const local = createLocalArtifactStore(join(dataDir, "artifacts"));
    expect(await presignedCodeUrl(em, local, code("s3://code/team/jobs/train.py"))).toBeUndefined();
    await expect(stageCode(em, { dataDir, codeRoots: [], store: local }, "job-2", code("s3://code/team/jobs/train.py"))).rejects.toMatchObject({ reason: "CODE_UNAVAILABLE" });
  });
});
