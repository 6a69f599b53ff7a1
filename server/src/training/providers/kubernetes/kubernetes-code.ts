import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { AppError } from "../../../platform/errors/app-error.js";

/**
 * How a job's code travels to the cluster: in a ConfigMap, the only object every cluster can store
 * without a registry or an object store. A directory becomes one key per file, mounted back into
 * its tree through the volume's `items`; an archive (tar.gz, zip) is one binary key that an init
 * container unpacks. Code larger than a ConfigMap holds belongs in the image.
 */
export type PackedCode =
  | { readonly kind: "none" }
  | {
      readonly kind: "files";
      readonly data: Readonly<Record<string, string>>;
      readonly binaryData: Readonly<Record<string, string>>;
      /** ConfigMap volume items: key → relative path (mode 0755 for executables). */
      readonly items: readonly { readonly key: string; readonly path: string; readonly mode?: number }[];
      readonly bytes: number;
    }
  | { readonly kind: "archive"; readonly format: "tar.gz" | "zip"; readonly key: string; readonly binaryData: Readonly<Record<string, string>>; readonly bytes: number };

/** A checkpoint a retry resumes from, shipped in the same ConfigMap under the key `resume`. */
export interface PackedResume {
  readonly key: "resume";
  readonly fileName: string;
  readonly binaryData: Readonly<Record<string, string>>;
  readonly bytes: number;
}

/** A ConfigMap holds 1 MiB in etcd, object metadata included; keep a margin. */
export const DEFAULT_MAX_CODE_BYTES = 900 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isText(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return !bytes.includes(0);
  } catch {
    return false;
  }
}

async function listFiles(root: string): Promise<{ path: string; rel: string; mode: number }[]> {
  const out: { path: string; rel: string; mode: number }[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      // Regular files only: symlinks could point outside the code root, sockets and pipes are not code.
      else if (e.isFile()) out.push({ path, rel: relative(root, path).split(sep).join("/"), mode: (await stat(path)).mode });
    }
  };
  await walk(root);
  return out;
}

/**
 * Reads the checkpoint at `path` into ConfigMap form, within what the code left of `maxBytes`. A
 * checkpoint too large to ship is FAILED_PRECONDITION: the retry cannot resume here, and
 * `preemption_policy.ignore_checkpoints` starts it from scratch instead.
 */
export async function packResume(path: string | undefined, code: PackedCode, maxBytes: number = DEFAULT_MAX_CODE_BYTES): Promise<PackedResume | undefined> {
  if (path === undefined || path === "") return undefined;
  const content = (await readFile(path)).toString("base64");
  const left = maxBytes - (code.kind === "none" ? 0 : code.bytes);
  if (content.length > left) {
    throw new AppError(
      "failed_precondition",
      "CHECKPOINT_TOO_LARGE_FOR_CONFIGMAP",
      `The checkpoint ${path} takes ${content.length} bytes in a ConfigMap, more than the ${left} the kubernetes provider can still ship with the code; set preemption_policy.ignore_checkpoints to retry from scratch.`,
      { path, bytes: String(content.length), max: String(left) },
    );
  }
  return { key: "resume", fileName: basename(path), binaryData: { resume: content }, bytes: content.length };
}

function tooLarge(codePath: string, bytes: number, max: number): AppError {
  return new AppError(
    "failed_precondition",
    "CODE_TOO_LARGE_FOR_CONFIGMAP",
    `The code at ${codePath} takes ${bytes} bytes in a ConfigMap, more than the ${max} the kubernetes provider ships that way; build it into the image instead.`,
    { path: codePath, bytes: String(bytes), max: String(max) },
  );
}

/** Reads the code at `codePath` ("" for none) into ConfigMap form, refusing more than `maxBytes`. */
export async function packCode(codePath: string, maxBytes: number = DEFAULT_MAX_CODE_BYTES): Promise<PackedCode> {
  if (codePath === "") return { kind: "none" };
  const info = await stat(codePath);
  if (info.isFile()) {
    const lower = codePath.toLowerCase();
    const format = lower.endsWith(".tar.gz") || lower.endsWith(".tgz") ? "tar.gz" : lower.endsWith(".zip") ? "zip" : undefined;
    if (format) {
      const content = (await readFile(codePath)).toString("base64");
      const key = format === "zip" ? "code.zip" : "code.tar.gz";
      if (content.length > maxBytes) throw tooLarge(codePath, content.length, maxBytes);
      return { kind: "archive", format, key, binaryData: { [key]: content }, bytes: content.length };
    }
  }
  const files = info.isFile() ? [{ path: codePath, rel: basename(codePath), mode: info.mode }] : await listFiles(codePath);
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const items: { key: string; path: string; mode?: number }[] = [];
  let bytes = 0;
  for (const [i, f] of files.entries()) {
    // Keys may not hold slashes; the volume's items put each key back at its path.
    const key = `f${String(i).padStart(4, "0")}`;
    const content = await readFile(f.path);
    if (isText(content)) {
      data[key] = content.toString("utf8");
      bytes += content.length;
    } else {
      const encoded = content.toString("base64");
      binaryData[key] = encoded;
      bytes += encoded.length;
    }
    bytes += key.length;
    if (bytes > maxBytes) throw tooLarge(codePath, bytes, maxBytes);
    items.push((f.mode & 0o111) !== 0 ? { key, path: f.rel, mode: 0o755 } : { key, path: f.rel });
  }
  return { kind: "files", data, binaryData, items, bytes };
}
