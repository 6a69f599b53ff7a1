import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack as tarPack } from "tar-stream";
import { AppError } from "../../../platform/errors/app-error.js";
import { MANIFEST_NAME, packCode, readArchive } from "./code-package.js";

async function tarWith(entries: { name: string; body: string; type?: "file" | "symlink" }[]): Promise<Uint8Array> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    if (e.type === "symlink") pack.entry({ name: e.name, type: "symlink", linkname: e.body });
    else pack.entry({ name: e.name }, e.body);
  }
  pack.finalize();
  await done;
  return new Uint8Array(gzipSync(Buffer.concat(chunks)));
}

describe("code package", () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "artenic-pkg-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("packs regular files with a manifest (size, mode, sha256), leaves links out, and GNU tar unpacks it byte for byte", async () => {
    const code = join(work, "code");
    mkdirSync(join(code, "pkg", "deep"), { recursive: true });
    writeFileSync(join(code, "train.py"), "print('hi')\n");
    writeFileSync(join(code, "pkg", "deep", "weights.bin"), Buffer.from([0, 1, 2, 254, 255]));
    writeFileSync(join(code, "run.sh"), "#!/bin/sh\necho run\n");
    chmodSync(join(code, "run.sh"), 0o755);
    symlinkSync("/etc/passwd", join(code, "leak"));
    const pkg = (await packCode(code, "trainingJobs/pkg-1", { now: new Date("2026-11-26T12:00:00Z") }))!;

    expect(pkg.sha256).toBe(createHash("sha256").update(pkg.bytes).digest("hex"));
    expect(pkg.manifest).toEqual({
      schema: "artenic.code-manifest/v1",
      job: "trainingJobs/pkg-1",
      created: "2026-11-26T12:00:00.000Z",
      files: [
        { path: "pkg/deep/weights.bin", size: 5, mode: 0o644, sha256: createHash("sha256").update(Buffer.from([0, 1, 2, 254, 255])).digest("hex") },
        { path: "run.sh", size: 19, mode: 0o755, sha256: createHash("sha256").update("#!/bin/sh\necho run\n").digest("hex") },
        { path: "train.py", size: 12, mode: 0o644, sha256: createHash("sha256").update("print('hi')\n").digest("hex") },
      ],
    });
    const archive = join(work, "code.tar.gz");
    writeFileSync(archive, pkg.bytes);
    expect(execFileSync("tar", ["-tzf", archive], { encoding: "utf8" }).trim().split("\n")).toEqual([MANIFEST_NAME, "pkg/deep/weights.bin", "run.sh", "train.py"]);
    const out = join(work, "unpacked");
    mkdirSync(out);
    execFileSync("tar", ["-xzf", archive, "-C", out]);
    expect(readFileSync(join(out, "pkg", "deep", "weights.bin"))).toEqual(Buffer.from([0, 1, 2, 254, 255]));
    expect(JSON.parse(readFileSync(join(out, MANIFEST_NAME), "utf8"))).toEqual(pkg.manifest);
    expect(execFileSync("bash", ["-c", `test -x ${out}/run.sh && echo exec`], { encoding: "utf8" }).trim()).toBe("exec");
  });

  it("packs a single file under its name, gives nothing without code, and refuses code past the limit", async () => {
    const file = join(work, "solo.py");
    writeFileSync(file, "x = 1\n");
    expect((await packCode(file, "trainingJobs/solo"))!.manifest.files.map((f) => f.path)).toEqual(["solo.py"]);
    expect(await packCode("", "trainingJobs/none")).toBeUndefined();
    const error = await packCode(file, "trainingJobs/solo", { maxBytes: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).reason).toBe("CODE_TOO_LARGE");
    expect(((await packCode(join(work, "missing"), "trainingJobs/x").catch((e: unknown) => e)) as AppError).reason).toBe("CODE_UNAVAILABLE");
  });

  it("reads back an outputs archive made by GNU tar, files only, in path order", async () => {
    const out = join(work, "outputs");
    mkdirSync(join(out, "sub"), { recursive: true });
    writeFileSync(join(out, "model.onnx"), "ONNX");
    writeFileSync(join(out, "sub", "metrics.json"), '{"acc":1}');
    const bytes = new Uint8Array(execFileSync("tar", ["-czf", "-", "-C", out, "."]));
    const files = await readArchive(bytes, 1024);
    expect(await Promise.all(files.map(async (f) => [f.name, Buffer.from(await f.read()).toString()]))).toEqual([
      ["model.onnx", "ONNX"],
      ["sub/metrics.json", '{"acc":1}'],
    ]);
    expect(await readArchive(new Uint8Array(execFileSync("tar", ["-czf", "-", "-C", join(work, "outputs", "sub"), "--exclude", "*", "."])), 10)).toEqual([]);
  });

  it("refuses entries escaping the directory, archives past the limit and garbage; skips links", async () => {
    const escaping = await tarWith([{ name: "../../etc/cron.d/x", body: "boom" }]);
    expect(((await readArchive(escaping, 1024).catch((e: unknown) => e)) as AppError).reason).toBe("OUTPUTS_UNSAFE_PATH");
    const big = await tarWith([{ name: "a", body: "x".repeat(2000) }]);
    expect(((await readArchive(big, 1000).catch((e: unknown) => e)) as AppError).reason).toBe("OUTPUTS_TOO_LARGE");
    expect(((await readArchive(new Uint8Array([1, 2, 3]), 1000).catch((e: unknown) => e)) as AppError).reason).toBe("OUTPUTS_UNREADABLE");
    const linked = await tarWith([{ name: "link", body: "/etc/passwd", type: "symlink" }, { name: "ok.txt", body: "ok" }]);
    expect((await readArchive(linked, 1000)).map((f) => f.name)).toEqual(["ok.txt"]);
  });
});
