import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMotoServer, type MotoServer } from "../../../test/support/moto-server.js";
import { createS3ObjectStore } from "../../platform/object-store/s3/index.js";
import { createObjectArtifactStore } from "./object-artifact-store.js";

const MiB = 1024 ** 2;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

let moto: MotoServer;
let objects: ReturnType<typeof createS3ObjectStore>;
let store: ReturnType<typeof createObjectArtifactStore>;

beforeAll(async () => {
  moto = await startMotoServer();
  await moto.createBucket("artifacts");
  objects = createS3ObjectStore({ bucket: "artifacts", prefix: "p", region: moto.region, endpoint: moto.endpoint, forcePathStyle: true, credentials: moto.credentials, partSizeBytes: 5 * MiB });
  store = createObjectArtifactStore(objects, { presignSeconds: 60 });
}, 300_000);

afterAll(async () => {
  objects?.close();
  await moto?.stop();
});

const visible = async () => [...(await moto.listObjects("artifacts")).keys()];

describe("artifact store on an object store", () => {
  it("hashes while streaming, shows nothing until commit, then only the committed object", async () => {
    const bytes = new Uint8Array(randomBytes(11 * MiB));
    const staged = await store.begin();
    for (let i = 0; i < bytes.length; i += 1_000_000) await staged.write(bytes.subarray(i, i + 1_000_000));
    expect(staged.size).toBe(bytes.length);
    expect(staged.sha256()).toBe(sha256(bytes));
    expect(sha256(await staged.readAll())).toBe(sha256(bytes));
    expect((await visible()).filter((k) => k.startsWith("p/objects/"))).toEqual([]);
    const uri = await staged.commit("m/one.bin");
    expect(uri).toBe("s3://artifacts/p/objects/m/one.bin");
    expect(await visible()).toEqual(["p/objects/m/one.bin"]);
    expect(store.owns(uri)).toBe(true);

    const chunks: Uint8Array[] = [];
    for await (const c of store.read(uri, 64 * 1024)) chunks.push(c);
    expect(Math.max(...chunks.map((c) => c.length))).toBe(64 * 1024);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(bytes));
    await store.delete(uri);
    expect(await visible()).toEqual([]);
  });

  it("leaves nothing behind when an upload is aborted mid-stream", async () => {
    const staged = await store.begin();
    for (let i = 0; i < 7; i++) await staged.write(new Uint8Array(MiB));
    await staged.abort();
    expect(await visible()).toEqual([]);
    expect(await moto.pendingUploads("artifacts", "p/")).toEqual([]);
  });

  it("sweeps staged objects and multipart uploads that a crashed process left", async () => {
    const staged = await store.begin();
    await staged.write(new Uint8Array([1, 2, 3]));
    await staged.readAll(); // the staged object now exists, and is never committed or aborted
    expect(await store.sweep(3_600_000)).toBe(0); // too young: another process may still be writing
    expect(await store.sweep(-60_000)).toBe(1);
    // moto dates every multipart upload in 2010, so only the removal (not the age check) shows here.
    await moto.startUpload("artifacts", "p/staging/left-behind");
    expect(await moto.pendingUploads("artifacts", "p/")).toEqual(["p/staging/left-behind"]);
    expect(await store.sweep(3_600_000)).toBe(1);
    expect(await visible()).toEqual([]);
    expect(await moto.pendingUploads("artifacts", "p/")).toEqual([]);
  });

  it("reads and pre-signs objects in its location, owns only committed ones, refuses others", async () => {
    await objects.put("code/train.tar.gz", new Uint8Array([9, 8, 7]));
    const uri = "s3://artifacts/p/code/train.tar.gz";
    expect(store.canRead(uri)).toBe(true);
    expect(store.owns(uri)).toBe(false);
    expect(await store.readAll(uri)).toEqual(new Uint8Array([9, 8, 7]));
    const url = await store.presignGet!(uri);
    expect(new URL(url).searchParams.get("X-Amz-Expires")).toBe("60");
    expect(new Uint8Array(await (await fetch(url)).arrayBuffer())).toEqual(new Uint8Array([9, 8, 7]));
    for (const other of ["s3://artifacts/elsewhere/x", "s3://other/p/objects/x", "s3://artifacts/p/staging/x", "file:///etc/passwd"]) {
      expect(store.canRead(other)).toBe(false);
      expect(store.owns(other)).toBe(false);
    }
    await expect(store.readAll("s3://other/p/objects/x")).rejects.toThrow(/not in the object store/);
    await expect(store.delete(uri)).rejects.toThrow(/not in the object store/);
  });
});
