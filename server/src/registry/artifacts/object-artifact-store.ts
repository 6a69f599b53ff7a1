import { createHash, randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { once } from "node:events";
import { listAll, readObject, type ObjectStore } from "../../platform/object-store/index.js";
import type { ArtifactStore, StagedArtifact } from "./artifact-store.js";

/** Key prefixes inside the object store's location: uploads in progress, then committed artifacts. */
const STAGING = "staging/";
const OBJECTS = "objects/";

export interface ObjectArtifactStoreOptions {
  /** How long pre-signed URLs handed to training jobs stay valid. @default 3600 */
  readonly presignSeconds?: number;
}

/**
 * Artifacts in an object store (S3 or compatible): an upload streams to `staging/<uuid>` while its
 * SHA-256 is computed, and commit copies it server-side to `objects/<key>` and deletes the staged
 * object. Only `objects/` is ever read as an artifact, so an upload that fails, is rejected (for a
 * checksum mismatch, say) or is abandoned by a crash never becomes visible; `sweep` removes what
 * crashed processes left in `staging/`.
 */
export function createObjectArtifactStore(objects: ObjectStore, options: ObjectArtifactStoreOptions = {}): ArtifactStore & {
  sweep(olderThanMs: number): Promise<number>;
} {
  const presignSeconds = options.presignSeconds ?? 3600;

  /** The object key of an artifact URI this store committed, else undefined. */
  const ownKey = (uri: string): string | undefined => {
    const key = objects.keyOf(uri);
    return key?.startsWith(OBJECTS) && key.length > OBJECTS.length ? key : undefined;
  };
  /** The object key of any URI inside the store's location (artifacts, or code put there by users). */
  const readableKey = (uri: string): string => {
    const key = objects.keyOf(uri);
    if (key === undefined || key.startsWith(STAGING)) throw new Error(`artifact ${uri} is not in the object store at ${objects.location}`);
    return key;
  };

  return {
    async begin(): Promise<StagedArtifact> {
      const stagingKey = `${STAGING}${randomUUID()}`;
      const hash = createHash("sha256");
      const cancel = new AbortController();
      // The body of one streaming put: writes wait while the uploader has a part's worth buffered.
      const body = new PassThrough({ highWaterMark: 1024 * 1024 });
      let size = 0;
      let failure: unknown;
      const upload = objects.put(stagingKey, body, { signal: cancel.signal }).catch((e: unknown) => {
        failure = e;
        body.destroy();
        throw e;
      });
      upload.catch(() => undefined); // observed through `failure` and `finished`
      let finished: Promise<void> | undefined;
      const finish = () => (finished ??= (body.end(), upload.then(() => undefined)));
      let digest: string | undefined;
      return {
        get size() {
          return size;
        },
        async write(chunk) {
          if (failure !== undefined) throw failure;
          if (finished) throw new Error("the artifact upload is already finished");
          hash.update(chunk);
          size += chunk.length;
          if (!body.write(chunk)) {
            await Promise.race([once(body, "drain"), upload]);
          }
          if (failure !== undefined) throw failure;
        },
        sha256: () => (digest ??= hash.digest("hex")),
        async readAll() {
          await finish();
          return readObject(objects, stagingKey);
        },
        async commit(key) {
          if (key === "" || key.startsWith("/") || key.split("/").includes("..")) throw new Error(`artifact key ${key} is not a relative key`);
          await finish();
          await objects.copy(stagingKey, OBJECTS + key);
          await objects.delete(stagingKey).catch(() => undefined); // swept later if this fails
          return objects.uriOf(OBJECTS + key);
        },
        async abort() {
          if (!finished) {
            cancel.abort();
            body.destroy();
          }
          await upload.catch(() => undefined);
          await objects.delete(stagingKey);
        },
      };
    },

    async *read(uri, chunkSize, signal) {
      const reader = await objects.get(readableKey(uri), signal ? { signal } : {});
      try {
        for await (const chunk of reader.body) {
          for (let offset = 0; offset < chunk.length; offset += chunkSize) yield chunk.subarray(offset, offset + chunkSize);
        }
      } finally {
        reader.cancel();
      }
    },

    readAll: async (uri) => readObject(objects, readableKey(uri)),

    async delete(uri) {
      const key = ownKey(uri);
      if (key === undefined) throw new Error(`artifact ${uri} is not in the object store at ${objects.location}`);
      await objects.delete(key);
    },

    owns: (uri) => ownKey(uri) !== undefined,

    canRead: (uri) => {
      const key = objects.keyOf(uri);
      return key !== undefined && !key.startsWith(STAGING);
    },

    presignGet: async (uri) => objects.presignGet(readableKey(uri), { expiresInSeconds: presignSeconds }),

    /**
     * Deletes staged objects and multipart uploads older than `olderThanMs`: the leftovers of
     * processes that died mid-upload. Uploads younger than that are left alone, as another server
     * process may still be writing them.
     */
    async sweep(olderThanMs) {
      const cutoff = new Date(Date.now() - olderThanMs);
      let removed = await objects.abortIncompleteUploads(STAGING, cutoff);
      for await (const o of listAll(objects, STAGING)) {
        if (o.lastModified && o.lastModified < cutoff) {
          await objects.delete(o.key);
          removed++;
        }
      }
      return removed;
    },
  };
}
