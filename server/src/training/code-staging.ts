import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdir, readFile, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import type { EntityManager } from "@mikro-orm/core";
import { AppError } from "../platform/errors/app-error.js";
import { getModelVersion, type ArtifactStore } from "../registry/index.js";
import type { CodeRecord } from "./training-job.entity.js";
import { checkCodePath } from "./training-job.use-cases.js";

const run = promisify(execFile);

/** Where a job's code is unpacked on the server host before a provider takes it. */
export const codeDir = (dataDir: string, jobId: string) => join(dataDir, "training", "code", jobId);

const codeError = (message: string) => new AppError("failed_precondition", "CODE_UNAVAILABLE", message, {});

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function isArchive(bytes: Uint8Array): boolean {
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  // POSIX tar: "ustar" at offset 257.
  const tar = bytes.length > 262 && Buffer.from(bytes.subarray(257, 262)).toString("latin1") === "ustar";
  return gzip || tar;
}

async function unpack(bytes: Uint8Array, into: string, fileName: string): Promise<void> {
  if (!isArchive(bytes)) {
    await writeFile(join(into, fileName), bytes);
    return;
  }
  const archive = `${into}.archive`;
  await writeFile(archive, bytes);
  try {
    // GNU tar refuses members with absolute paths or "..", so an archive cannot write outside `into`.
    await run("tar", ["-xf", archive, "-C", into, "--no-same-owner", "--no-same-permissions"]);
  } catch (e) {
    throw codeError(`the code archive could not be unpacked: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`);
  } finally {
    await rm(archive, { force: true });
  }
}

export interface CodeStagingDeps {
  readonly dataDir: string;
  readonly codeRoots: readonly string[];
  readonly store: ArtifactStore;
}

/**
 * Puts a job's code in a directory of its own on the server host and returns it ("" without code).
 * A local path is copied (after resolving symlinks, it must still be under a code root); a registry
 * artifact or an https archive is fetched, checked against `sha256` when given, and unpacked when it
 * is a tar(.gz), else kept as one file. Staging twice returns the first result.
 */
export async function stageCode(em: EntityManager, deps: CodeStagingDeps, jobId: string, code: CodeRecord | null, signal?: AbortSignal): Promise<string> {
  if (!code) return "";
  const target = codeDir(deps.dataDir, jobId);
  if (await stat(target).then(() => true, () => false)) return target;
  const temp = `${target}.staging-${randomBytes(4).toString("hex")}`;
  await mkdir(temp, { recursive: true });
  try {
    switch (code.kind) {
      case "local_path": {
        const real = await realpath(code.value).catch(() => {
          throw codeError(`code.local_path ${code.value} does not exist on the server`);
        });
        checkCodePath(deps.codeRoots, real);
        const info = await stat(real);
        if (info.isDirectory()) {
          if (code.sha256) throw codeError("code.sha256 applies to a file or an archive, not to a directory");
          await cp(real, temp, { recursive: true, dereference: false });
        } else {
          const bytes = await readFile(real);
          if (code.sha256 && sha256(bytes) !== code.sha256) throw codeError(`code.local_path ${code.value} does not match code.sha256`);
          await unpack(bytes, temp, basename(real));
        }
        break;
      }
      case "artifact": {
        const m = /^models\/([^/]+)\/versions\/(\d+)$/.exec(code.value);
        if (!m) throw codeError(`code.artifact ${code.value} is not a model version`);
        const version = await getModelVersion(em, m[1]!, Number(m[2]));
        if (version.artifactUri === "" || !deps.store.owns(version.artifactUri)) throw codeError(`code.artifact ${code.value} has no artifact stored in the platform`);
        const bytes = await deps.store.readAll(version.artifactUri);
        if (code.sha256 && sha256(bytes) !== code.sha256) throw codeError(`code.artifact ${code.value} does not match code.sha256`);
        await unpack(bytes, temp, "code");
        break;
      }
      case "uri": {
        let bytes: Uint8Array;
        if (deps.store.canRead(code.value)) {
          // An object in the platform's own store (an s3:// URI under its bucket and prefix).
          bytes = await deps.store.readAll(code.value);
        } else if (code.value.startsWith("https://")) {
          const response = await fetch(code.value, signal ? { signal } : {});
          if (!response.ok) throw codeError(`code.uri ${code.value} answered HTTP ${response.status}`);
          bytes = new Uint8Array(await response.arrayBuffer());
        } else {
          throw codeError(`code.uri ${code.value}: only https:// archives and objects in the platform's artifact store can be fetched by this server`);
        }
        if (code.sha256 && sha256(bytes) !== code.sha256) throw codeError(`code.uri ${code.value} does not match code.sha256`);
        await unpack(bytes, temp, basename(new URL(code.value).pathname) || "code");
        break;
      }
    }
    await mkdir(join(target, ".."), { recursive: true });
    await rename(temp, target);
    return target;
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A pre-signed HTTPS URL of a job's code when it is one object in the platform's artifact store (a
 * registry artifact, or an s3:// URI in the store's location) and the store can sign URLs; else
 * undefined. Remote providers may hand it to the job instead of uploading the staged copy.
 */
export async function presignedCodeUrl(em: EntityManager, store: ArtifactStore, code: CodeRecord | null): Promise<string | undefined> {
  if (!code || !store.presignGet) return undefined;
  let uri: string | undefined;
  if (code.kind === "uri" && store.canRead(code.value)) uri = code.value;
  if (code.kind === "artifact") {
    const m = /^models\/([^/]+)\/versions\/(\d+)$/.exec(code.value);
    const version = m ? await getModelVersion(em, m[1]!, Number(m[2])) : undefined;
    if (version && version.artifactUri !== "" && store.owns(version.artifactUri)) uri = version.artifactUri;
  }
  return uri ? store.presignGet(uri) : undefined;
}

/** Removes a job's staged code once its compute is released. */
export async function removeStagedCode(dataDir: string, jobId: string): Promise<void> {
  await rm(codeDir(dataDir, jobId), { recursive: true, force: true });
}
