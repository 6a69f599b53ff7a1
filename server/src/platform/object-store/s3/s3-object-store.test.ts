import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMotoServer, type MotoServer } from "../../../../test/support/moto-server.js";
import { AppError } from "../../errors/app-error.js";
import { listAll, readObject } from "../object-store.js";
import { createS3ObjectStore } from "./s3-object-store.js";

const run = promisify(execFile);
const MiB = 1024 ** 2;

let moto: MotoServer;
let store: ReturnType<typeof createS3ObjectStore>;

beforeAll(async () => {
  moto = await startMotoServer();
  await moto.createBucket("objects");
  store = createS3ObjectStore({
    bucket: "objects",
    prefix: "/team/a/",
    region: moto.region,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: moto.credentials,
    partSizeBytes: 5 * MiB,
    maxSingleCopyBytes: 6 * MiB,
  });
}, 300_000);

afterAll(async () => {
  store?.close();
  await moto?.stop();
});

/** Yields `bytes` in uneven chunks, as a network stream would. */
async function* chunked(bytes: Uint8Array, size = 300_007): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("S3 object store against moto", () => {
  it("writes a >10 MiB stream as a multipart upload, under the prefix, and reads it back streamed", async () => {
    const bytes = new Uint8Array(randomBytes(12 * MiB + 123));
    const written = await store.put("big/model.bin", chunked(bytes), { contentType: "application/octet-stream", metadata: { sha256: sha256(bytes) } });
    expect(written.size).toBe(bytes.length);
    // A multipart ETag is `<md5 of part md5s>-<part count>`: 12 MiB in 5 MiB parts is 3 parts.
    expect(written.etag).toMatch(/^[0-9a-f]{32}-3$/);

    const head = await store.head("big/model.bin");
    expect(head).toMatchObject({ size: bytes.length, etag: written.etag, contentType: "application/octet-stream", metadata: { sha256: sha256(bytes) } });

    const reader = await store.get("big/model.bin");
    expect(reader.size).toBe(bytes.length);
    const hash = createHash("sha256");
    let chunks = 0;
    for await (const chunk of reader.body) {
      hash.update(chunk);
      chunks++;
    }
    expect(hash.digest("hex")).toBe(sha256(bytes));
    expect(chunks).toBeGreaterThan(1);

    // The key lives under the configured prefix in the bucket, as another S3 client sees it.
    expect(store.uriOf("big/model.bin")).toBe("s3://objects/team/a/big/model.bin");
    expect(await moto.aws("s3", "ls", "s3://objects/team/a/big/")).toContain(String(bytes.length));
  });

  it("writes small bodies in one request and round-trips bytes exactly", async () => {
    const bytes = new TextEncoder().encode("hello, object store");
    const written = await store.put("small.txt", bytes, { contentType: "text/plain" });
    expect(written.etag).toBe(createHash("md5").update(bytes).digest("hex"));
    expect(new TextDecoder().decode(await readObject(store, "small.txt"))).toBe("hello, object store");
  });

  it("copies objects, part by part above the single-copy limit", async () => {
    const bytes = new Uint8Array(randomBytes(7 * MiB));
    await store.put("copy/source.bin", bytes);
    const copied = await store.copy("copy/source.bin", "copy/target.bin");
    expect(copied.etag).toMatch(/-2$/); // 7 MiB over the 6 MiB limit: two 5 MiB-part range copies
    expect(sha256(await readObject(store, "copy/target.bin"))).toBe(sha256(bytes));
    await store.put("copy/small.bin", bytes.subarray(0, 1000));
    await store.copy("copy/small.bin", "copy/small-copy.bin");
    expect(await store.head("copy/small-copy.bin")).toMatchObject({ size: 1000 });
  });

  it("answers head of a missing object with undefined, get and copy with OBJECT_NOT_FOUND", async () => {
    expect(await store.head("absent")).toBeUndefined();
    for (const attempt of [() => store.get("absent"), () => store.copy("absent", "elsewhere")]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ kind: "not_found", reason: "OBJECT_NOT_FOUND", metadata: { uri: "s3://objects/team/a/absent" } });
    }
  });

  it("lists by prefix page after page", async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `listing/item-${i}`);
    await Promise.all(keys.map((key) => store.put(key, new TextEncoder().encode(key))));
    await store.put("listing-other", new Uint8Array([1]));
    const first = await store.list("listing/", { pageSize: 3 });
    expect(first.objects.map((o) => o.key)).toEqual(keys.slice(0, 3));
    expect(first.nextPageToken).toBeTruthy();
    const second = await store.list("listing/", { pageSize: 3, pageToken: first.nextPageToken! });
    expect(second.objects.map((o) => o.key)).toEqual(keys.slice(3, 6));
    const all: string[] = [];
    for await (const o of listAll(store, "listing/", 2)) all.push(o.key);
    expect(all).toEqual(keys);
  });

  it("deletes, and deleting a missing object succeeds", async () => {
    await store.put("doomed", new Uint8Array([1, 2, 3]));
    await store.delete("doomed");
    expect(await store.head("doomed")).toBeUndefined();
    await expect(store.delete("doomed")).resolves.toBeUndefined();
  });

  it("pre-signs GET and PUT URLs that plain fetch and curl use without credentials", async () => {
    const bytes = new Uint8Array(randomBytes(100_000));
    const putUrl = await store.presignPut("presigned/upload.bin", { expiresInSeconds: 300 });
    const dir = await mkdtemp(join(tmpdir(), "artenic-presign-"));
    try {
      await writeFile(join(dir, "in.bin"), bytes);
      await run("curl", ["-fsS", "-X", "PUT", "--upload-file", join(dir, "in.bin"), putUrl]);
      expect(await store.head("presigned/upload.bin")).toMatchObject({ size: bytes.length });

      const getUrl = await store.presignGet("presigned/upload.bin", { expiresInSeconds: 300 });
      expect(getUrl).toContain("X-Amz-Signature=");
      expect(getUrl).not.toContain(moto.credentials.secretAccessKey);
      const res = await fetch(getUrl);
      expect(res.status).toBe(200);
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(bytes));
      await run("curl", ["-fsS", "-o", join(dir, "out.bin"), getUrl]);
      expect(sha256(new Uint8Array(await readFile(join(dir, "out.bin"))))).toBe(sha256(bytes));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await expect(store.presignGet("x", { expiresInSeconds: 8 * 24 * 3600 })).rejects.toThrow(/604800/);
  });

  it("aborts an upload cancelled mid-stream and leaves no object or parts behind", async () => {
    const controller = new AbortController();
    async function* slow(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 4; i++) yield new Uint8Array(3 * MiB);
      controller.abort();
      yield new Uint8Array(3 * MiB);
      await new Promise(() => undefined); // the stream would go on; the abort must end the upload
    }
    await expect(store.put("cancelled.bin", slow(), { signal: controller.signal })).rejects.toBeInstanceOf(AppError);
    expect(await store.head("cancelled.bin")).toBeUndefined();
    expect(await moto.pendingUploads("objects", "team/a/cancelled")).toEqual([]);
  });

  it("aborts multipart uploads left behind by a process that died", async () => {
    await moto.startUpload("objects", "team/a/stale/part.bin");
    expect(await moto.pendingUploads("objects", "team/a/stale/")).toEqual(["team/a/stale/part.bin"]);
    expect(await store.abortIncompleteUploads("stale/", new Date(0))).toBe(0);
    expect(await store.abortIncompleteUploads("stale/", new Date(Date.now() + 60_000))).toBe(1);
    expect(await moto.pendingUploads("objects", "team/a/stale/")).toEqual([]);
  });

  it("maps a missing bucket and refused credentials to clear errors without the secret", async () => {
    const noBucket = createS3ObjectStore({ bucket: "absent-bucket", prefix: "", region: moto.region, endpoint: moto.endpoint, forcePathStyle: true, credentials: moto.credentials });
    const error = await noBucket.put("k", new Uint8Array([1])).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "failed_precondition", reason: "OBJECT_STORE_BUCKET_MISSING" });
    noBucket.close();

    const unreachable = createS3ObjectStore({ bucket: "objects", prefix: "", region: moto.region, endpoint: "http://127.0.0.1:9", forcePathStyle: true, credentials: { accessKeyId: "id", secretAccessKey: "very-secret-value" } });
    const down = await unreachable.head("k").catch((e: unknown) => e);
    expect(down).toMatchObject({ kind: "unavailable", reason: "OBJECT_STORE_UNAVAILABLE" });
    expect(JSON.stringify({ message: (down as Error).message, metadata: (down as AppError).metadata })).not.toContain("very-secret-value");
    unreachable.close();
  });
});
