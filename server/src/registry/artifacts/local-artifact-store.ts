import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import type { ArtifactStore, StagedArtifact } from "./artifact-store.js";

/**
 * Artifacts as files under one directory: `staging/` for uploads in progress, `objects/<key>` once
 * committed. Commit is a rename within one file system, so an artifact appears whole or not at all.
 */
export function createLocalArtifactStore(root: string): ArtifactStore {
  const base = resolve(root);
  const objects = join(base, "objects");
  const staging = join(base, "staging");

  const pathOf = (uri: string): string => {
    const path = fileURLToPath(uri);
    // A URI outside the store's own folder is never read or deleted through it.
    if (!path.startsWith(objects + sep)) throw new Error(`artifact ${uri} is not in the local store`);
    return path;
  };

  const owns = (uri: string): boolean => {
    try {
      return uri.startsWith("file:") && fileURLToPath(uri).startsWith(objects + sep);
    } catch {
      return false;
    }
  };

  return {
    async begin(): Promise<StagedArtifact> {
      await mkdir(staging, { recursive: true });
      const path = join(staging, randomUUID());
      const handle: FileHandle = await open(path, "wx", 0o600);
      const hash = createHash("sha256");
      let size = 0;
      let closed = false;
      const close = async () => {
        if (!closed) {
          closed = true;
          await handle.close();
        }
      };
      return {
        get size() {
          return size;
        },
        async write(chunk) {
          hash.update(chunk);
          size += chunk.length;
          await handle.write(chunk);
        },
        sha256: (() => {
          let digest: string | undefined;
          return () => (digest ??= hash.digest("hex"));
        })(),
        async readAll() {
          await handle.sync();
          return new Uint8Array(await readFile(path));
        },
        async commit(key) {
          await handle.sync();
          await close();
          const target = resolve(objects, key);
          if (relative(objects, target).startsWith("..")) throw new Error(`artifact key ${key} escapes the store`);
          await mkdir(dirname(target), { recursive: true });
          await rename(path, target);
          return pathToFileURL(target).href;
        },
        async abort() {
          await close().catch(() => undefined);
          await rm(path, { force: true });
        },
      };
    },
    async *read(uri, chunkSize, signal) {
      const stream = createReadStream(pathOf(uri), { highWaterMark: chunkSize, ...(signal ? { signal } : {}) });
      for await (const chunk of stream) yield new Uint8Array(chunk as Buffer);
    },
    async readAll(uri) {
      return new Uint8Array(await readFile(pathOf(uri)));
    },
    async delete(uri) {
      await rm(pathOf(uri), { force: true });
    },
    owns,
    canRead: owns,
  };
}
