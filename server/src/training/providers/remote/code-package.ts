import { createHash } from "node:crypto";
import { lstat, readdir, readFile } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, gzipSync } from "node:zlib";
import { extract as tarExtract, pack as tarPack } from "tar-stream";
import { AppError } from "../../../platform/errors/app-error.js";

/**
 * A job's code as one tar.gz: `artenic-manifest.json` first (every file with its size, mode and
 * sha256, the job name and the time it was packed), then the files under their relative paths. The
 * archive's own sha256 goes into the bootstrap script, which refuses anything else.
 */

export const MANIFEST_NAME = "artenic-manifest.json";

/** Largest code archive by default: code beyond this belongs in the image or a dataset. */
export const DEFAULT_MAX_CODE_BYTES = 512 * 1024 * 1024;

export interface CodeManifest {
  readonly schema: "artenic.code-manifest/v1";
  readonly job: string;
  readonly created: string;
  readonly files: readonly { readonly path: string; readonly size: number; readonly mode: number; readonly sha256: string }[];
}

export interface CodePackage {
  readonly bytes: Uint8Array;
  /** Hex sha256 of `bytes`. */
  readonly sha256: string;
  readonly manifest: CodeManifest;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const tooLarge = (what: string, maxBytes: number) =>
  new AppError("failed_precondition", "CODE_TOO_LARGE", `The job's ${what} exceeds ${maxBytes} bytes, the largest code a remote provider uploads.`, {
    maxBytes: String(maxBytes),
  });

/** Regular files under `root`, sorted by path; symlinks, sockets and pipes are left out (a link could point outside the code). */
async function listFiles(root: string): Promise<{ path: string; rel: string }[]> {
  const out: { path: string; rel: string }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) out.push({ path, rel: relative(root, path).split(sep).join("/") });
    }
  };
  await walk(root);
  return out;
}

/**
 * Packs `codePath` (a directory, or a single file kept under its name) for `jobName`; `undefined`
 * when there is no code (`codePath` is ""). Throws CODE_TOO_LARGE past `maxBytes` of file content.
 */
export async function packCode(codePath: string, jobName: string, options: { maxBytes?: number; now?: Date } = {}): Promise<CodePackage | undefined> {
  if (codePath === "") return undefined;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CODE_BYTES;
  const info = await lstat(codePath).catch(() => {
    throw new AppError("failed_precondition", "CODE_UNAVAILABLE", `The job's code ${codePath} is not on the server any more.`, { path: codePath });
  });
  const files = info.isDirectory() ? await listFiles(codePath) : [{ path: codePath, rel: basename(codePath) }];
  const mtime = options.now ?? new Date();
  const entries: { rel: string; body: Buffer; mode: number }[] = [];
  let total = 0;
  for (const f of files) {
    const body = await readFile(f.path);
    total += body.length;
    if (total > maxBytes) throw tooLarge("code", maxBytes);
    entries.push({ rel: f.rel, body, mode: (await lstat(f.path)).mode & 0o777 & ~0o022 });
  }
  const manifest: CodeManifest = {
    schema: "artenic.code-manifest/v1",
    job: jobName,
    created: mtime.toISOString(),
    files: entries.map((e) => ({ path: e.rel, size: e.body.length, mode: e.mode, sha256: sha256(e.body) })),
  };
  const pack = tarPack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  const add = (name: string, body: Buffer, mode: number) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, size: body.length, mode, mtime, uid: 0, gid: 0, uname: "", gname: "" }, body, (e) => (e ? reject(e) : resolve())));
  await add(MANIFEST_NAME, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 0o644);
  for (const e of entries) await add(e.rel, e.body, e.mode);
  pack.finalize();
  await collected;
  const bytes = new Uint8Array(gzipSync(Buffer.concat(chunks)));
  return { bytes, sha256: sha256(bytes), manifest };
}

/** A file read back from an archive. */
export interface ArchiveFile {
  readonly name: string;
  read(): Promise<Uint8Array>;
}

/**
 * The regular files of a tar.gz (the outputs the bootstrap script packed with `tar -czf`), names
 * relative with any leading `./` dropped. Entries that would land outside the directory (absolute,
 * `..`) are refused, links and directories skipped, and more than `maxBytes` of content is an error,
 * so a job cannot make the server hold more than that.
 */
export async function readArchive(bytes: Uint8Array, maxBytes: number): Promise<ArchiveFile[]> {
  const extract = tarExtract();
  const files: ArchiveFile[] = [];
  let total = 0;
  const reading = (async () => {
    for await (const entry of extract) {
      const header = entry.header;
      const chunks: Buffer[] = [];
      for await (const chunk of entry) {
        total += (chunk as Buffer).length;
        if (total > maxBytes) {
          throw new AppError("resource_exhausted", "OUTPUTS_TOO_LARGE", `The job's outputs exceed ${maxBytes} bytes, the most the server collects.`, { maxBytes: String(maxBytes) });
        }
        chunks.push(chunk as Buffer);
      }
      if (header.type !== "file" && header.type !== "contiguous-file") continue;
      const name = header.name.replace(/^(\.\/)+/, "");
      if (name === "" || name.startsWith("/") || name.split("/").includes("..")) {
        throw new AppError("failed_precondition", "OUTPUTS_UNSAFE_PATH", `The job's outputs hold an entry outside the output directory: ${header.name}.`, { entry: header.name });
      }
      const body = new Uint8Array(Buffer.concat(chunks));
      files.push({ name, read: async () => body });
    }
  })().catch((e: unknown) => {
    // Stop the decompression too, so nothing keeps reading a refused archive.
    extract.destroy();
    throw e;
  });
  try {
    await Promise.all([pipeline(Readable.from([Buffer.from(bytes)]), createGunzip(), extract), reading]);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("failed_precondition", "OUTPUTS_UNREADABLE", `The job's outputs archive cannot be read: ${(e as Error).message}.`, {});
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
