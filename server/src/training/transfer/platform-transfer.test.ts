import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { PlatformTransfer } from "./index.js";

const run = promisify(execFile);

describe("platform transfer: signed GET/PUT URLs on the server's port, backed by the data dir", () => {
  let dir: string;
  let server: Server;
  let transfer: PlatformTransfer;
  let clock = Date.parse("2026-11-26T12:00:00Z");
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "artenic-transfer-"));
    transfer = new PlatformTransfer({ root: join(dir, "store"), secret: randomBytes(32), maxUploadBytes: 1024 * 1024, now: () => clock });
    server = createServer((req, res) => {
      if (!transfer.routes(req, res, (req.url ?? "").split("?")[0]!)) {
        res.statusCode = 404;
        res.end("not a transfer\n");
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    transfer.setPublicUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the code with curl through a signed GET and stores what curl PUTs, atomically replacing", async () => {
    const code = randomBytes(200_000);
    await transfer.put("jobs/j1/code.tar.gz", code);
    const get = transfer.signedUrl("GET", "jobs/j1/code.tar.gz", 60_000);
    expect(get).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/training-transfer\/v1\/jobs\/j1\/code\.tar\.gz\?expires=\d+&max=0&sig=[A-Za-z0-9_-]{43}$/);
    const out = join(dir, "downloaded");
    await run("curl", ["-fsS", "-o", out, get]);
    const { readFileSync } = await import("node:fs");
    expect(Buffer.compare(readFileSync(out), code)).toBe(0);

    const status = join(dir, "status.json");
    writeFileSync(status, '{"state":"running"}');
    const put = transfer.signedUrl("PUT", "jobs/j1/status.json", 60_000, 4096);
    await run("curl", ["-fsS", "-X", "PUT", "--upload-file", status, put]);
    expect(Buffer.from((await transfer.get("jobs/j1/status.json"))!).toString()).toBe('{"state":"running"}');
    writeFileSync(status, '{"state":"exited","exit_code":0}');
    await run("curl", ["-fsS", "-X", "PUT", "--upload-file", status, put]);
    expect(Buffer.from((await transfer.get("jobs/j1/status.json"))!).toString()).toBe('{"state":"exited","exit_code":0}');
    // No temporary file is left next to the object.
    expect(readdirSync(join(dir, "store", "jobs", "j1")).sort()).toEqual(["code.tar.gz", "status.json"]);
    expect((await fetch(transfer.signedUrl("GET", "jobs/j1/missing.json", 60_000))).status).toBe(404);
  });

  it("refuses a URL whose key, verb, bound or expiry was changed, an expired one, and a path that climbs out", async () => {
    await transfer.put("jobs/j2/code.tar.gz", Buffer.from("code"));
    const get = transfer.signedUrl("GET", "jobs/j2/code.tar.gz", 60_000);
    expect((await fetch(get)).status).toBe(200);
    const other = get.replace("jobs/j2/", "jobs/j1/");
    expect(await fetch(other).then(async (r) => [r.status, (await r.text()).trim()])).toEqual([403, "signature does not match"]);
    expect((await fetch(get, { method: "PUT", body: "x" })).status).toBe(403);
    const put = transfer.signedUrl("PUT", "jobs/j2/outputs.tar.gz", 60_000, 10);
    expect((await fetch(put.replace("max=10", "max=100000"), { method: "PUT", body: "x".repeat(50) })).status).toBe(403);
    expect((await fetch(get.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 3600}`))).status).toBe(403);
    expect((await fetch(get.replace(/sig=[^&]+/, ""))).status).toBe(403);
    clock += 61_000;
    expect(await fetch(get).then(async (r) => [r.status, (await r.text()).trim()])).toEqual([403, "the URL has expired"]);
    clock -= 61_000;
    const base = transfer.publicUrl;
    // Sent raw: fetch would normalise the dots away before they reach the server.
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => request({ host: "127.0.0.1", port: new URL(base).port, path }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on("error", reject).end());
    expect(await raw(`/training-transfer/v1/jobs/%2e%2e/secret?expires=1&max=0&sig=${"a".repeat(43)}`)).toBe(400);
    expect(await raw(`/training-transfer/v1/jobs/../../secret.key?expires=1&max=0&sig=${"a".repeat(43)}`)).toBe(400);
    expect(await raw(`/training-transfer/v1/jobs//x?expires=1&max=0&sig=${"a".repeat(43)}`)).toBe(400);
    expect(() => transfer.signedUrl("GET", "../etc/passwd", 1000)).toThrow("not a transfer object key");
  });

  it("refuses uploads over the signed bound, declared or streamed, storing nothing and keeping the previous object", async () => {
    const put = transfer.signedUrl("PUT", "jobs/j3/outputs.tar.gz", 60_000, 1000);
    expect((await fetch(put, { method: "PUT", body: Buffer.alloc(1000, 1) })).status).toBe(201);
    const declared = await fetch(put, { method: "PUT", body: Buffer.alloc(1001, 2) });
    expect([declared.status, (await declared.text()).trim()]).toEqual([413, "the upload exceeds its bound of 1000 bytes"]);
    // Chunked, with no Content-Length: the bound is enforced while streaming.
    const streamed = await fetch(put, {
      method: "PUT",
      duplex: "half",
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(400).fill(3));
          c.close();
        },
      }),
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(Buffer.from((await transfer.get("jobs/j3/outputs.tar.gz"))!)).toEqual(Buffer.alloc(1000, 1));
    expect(readdirSync(join(dir, "store", "jobs", "j3"))).toEqual(["outputs.tar.gz"]);
    // The transfer-wide bound caps what a URL may allow.
    expect(transfer.signedUrl("PUT", "jobs/j3/big", 1000, 10 ** 12)).toContain(`max=${1024 * 1024}&`);
  });

  it("deletes a job's objects by prefix, tolerating what is already gone", async () => {
    await transfer.put("jobs/j4/code.tar.gz", Buffer.from("a"));
    await transfer.put("jobs/j4/logs/stdout.log", Buffer.from("b"));
    await transfer.deletePrefix("jobs/j4/");
    expect(await transfer.get("jobs/j4/code.tar.gz")).toBeUndefined();
    expect(await transfer.get("jobs/j4/logs/stdout.log")).toBeUndefined();
    await transfer.deletePrefix("jobs/j4/");
  });
});
