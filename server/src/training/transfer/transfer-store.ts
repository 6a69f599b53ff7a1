import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isTransferKey } from "./transfer-signature.js";

/** An upload larger than its signed bound; nothing was stored. */
export class TransferTooLargeError extends Error {
  override name = "TransferTooLargeError";
}

/**
 * Job transfer objects in the server's data dir (`<root>/<key>`). Writes go to a temporary file
 * renamed into place, so readers see the previous object or the new one whole, never a part; an
 * upload cut short or over its bound leaves nothing. Several replicas share it only through a shared
 * data dir.
 */
export class TransferStore {
  constructor(readonly root: string) {}

  private path(key: string): string {
    if (!isTransferKey(key)) throw new Error(`"${key}" is not a transfer object key`);
    return join(this.root, ...key.split("/"));
  }

  /** Streams `body` into `key`, refusing more than `maxBytes`. */
  async write(key: string, body: Readable | AsyncIterable<Uint8Array>, maxBytes: number, signal?: AbortSignal): Promise<number> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.upload-${randomBytes(6).toString("hex")}`;
    let size = 0;
    const bound = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) done(new TransferTooLargeError(`the upload exceeds its bound of ${maxBytes} bytes`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(body, bound, createWriteStream(temp, { mode: 0o600 }), ...(signal ? [{ signal }] : []));
      await rename(temp, target);
      return size;
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  async put(key: string, bytes: Uint8Array, maxBytes = Number.MAX_SAFE_INTEGER): Promise<void> {
    await this.write(key, (async function* () {
      yield bytes;
    })(), maxBytes);
  }

  /** The object's bytes, or undefined when there is none. */
  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  /** Up to `maxBytes` of the object from byte `start`; undefined when there is none. */
  async read(key: string, start: number, maxBytes: number): Promise<Uint8Array | undefined> {
    let handle;
    try {
      handle = await open(this.path(key), "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    try {
      const size = (await handle.stat()).size;
      const length = Math.max(0, Math.min(maxBytes, size - start));
      const buffer = Buffer.alloc(length);
      if (length > 0) await handle.read(buffer, 0, length, start);
      return buffer;
    } finally {
      await handle.close();
    }
  }

  /** A stream of the object and its size, or undefined when there is none. */
  async open(key: string): Promise<{ size: number; stream: Readable } | undefined> {
    const path = this.path(key);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { size: info.size, stream: createReadStream(path) };
  }

  /** Removes every object under `prefix` (a key's leading segments); nothing there is success. */
  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.path(prefix.replace(/\/+$/, "")), { recursive: true, force: true });
  }
}
