import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, type Client } from "@connectrpc/connect";
import type { ArtifactMetadata, RegistryService, UploadModelVersionRequestSchema } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ArtifactFormat, type ModelVersion, type ModelVersionSchema } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { ArtenicError } from "./errors.js";
import { modelName } from "./names.js";

/**
 * The bytes of an artifact: in memory, a `Blob`/`File` (browsers), a web `ReadableStream`, or any
 * (async) iterable of chunks such as a Node `fs.ReadStream` (see `openArtifactFile` in
 * `@artenic/sdk/node`).
 */
export type ArtifactSource = Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Reported while an upload runs. */
export interface UploadProgress {
  /** Bytes handed to the transport so far. */
  readonly sentBytes: number;
  /** The total when known (bytes, Blob, or `sizeBytes` given), otherwise undefined. */
  readonly totalBytes: number | undefined;
}

/** Reported while a download runs. */
export interface DownloadProgress {
  /** Bytes received so far. */
  readonly receivedBytes: number;
  /** The artifact's size, from the metadata message. */
  readonly totalBytes: number;
}

export interface UploadArtifactOptions {
  /** The artifact format. Default ONNX (parsed by the server, which records its signature). */
  readonly format?: ArtifactFormat;
  /** Descriptive fields of the new version: description, labels, metrics, params. */
  readonly modelVersion?: MessageInitShape<typeof ModelVersionSchema>;
  /** The media type; default `application/octet-stream`. */
  readonly contentType?: string;
  /** The total size, when the source is a stream whose size is known; lets the server refuse early. */
  readonly sizeBytes?: number;
  /** The expected SHA-256 (lowercase hex). Computed for in-memory bytes when omitted. */
  readonly sha256?: string;
  /** A UUID making the upload idempotent: a retry returns the version the first one created. */
  readonly requestId?: string;
  /** Bytes per message; default 1 MiB, at most 4 MiB. */
  readonly chunkSize?: number;
  /** Called after each chunk is handed to the transport, and once at the end. */
  readonly onProgress?: (progress: UploadProgress) => void;
  readonly signal?: AbortSignal;
  /** The deadline of the whole upload; default the client's stream deadline (none). */
  readonly timeoutMs?: number;
}

export interface DownloadArtifactOptions {
  /** Called after each chunk arrives. */
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Bytes per message the server sends; default 1 MiB. */
  readonly chunkSize?: number;
  /** Check the SHA-256 of what arrived against the metadata (default true, where WebCrypto exists). */
  readonly verify?: boolean;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

const MAX_CHUNK = 4 * 1024 * 1024;

/**
 * Streams an artifact to `RegistryService.UploadModelVersion` and returns the created version.
 * `parent` is `models/{model}` or a bare model id.
 */
export async function uploadArtifact(
  registry: Client<typeof RegistryService>,
  parent: string,
  source: ArtifactSource,
  options: UploadArtifactOptions = {},
): Promise<ModelVersion> {
  const chunkSize = Math.min(MAX_CHUNK, Math.max(1, options.chunkSize ?? 1024 * 1024));
  const totalBytes = source instanceof Uint8Array ? source.byteLength : isBlob(source) ? source.size : options.sizeBytes;
  const sha256 = options.sha256 ?? (source instanceof Uint8Array ? await sha256Hex(source) : undefined);
  const metadata = {
    parent: modelName(parent),
    format: options.format ?? ArtifactFormat.ONNX,
    ...(options.modelVersion ? { modelVersion: options.modelVersion } : {}),
    ...(options.contentType ? { contentType: options.contentType } : {}),
    ...(sha256 ? { expectedSha256: sha256 } : {}),
    ...(totalBytes !== undefined ? { expectedSizeBytes: BigInt(totalBytes) } : {}),
    ...(options.requestId ? { requestId: options.requestId } : {}),
  };
  async function* messages(): AsyncGenerator<MessageInitShape<typeof UploadModelVersionRequestSchema>> {
    yield { content: { case: "metadata", value: metadata } };
    let sentBytes = 0;
    for await (const chunk of rechunk(chunksOf(source), chunkSize)) {
      yield { content: { case: "chunk", value: chunk } };
      sentBytes += chunk.byteLength;
      options.onProgress?.({ sentBytes, totalBytes });
    }
    if (sentBytes === 0) options.onProgress?.({ sentBytes, totalBytes });
  }
  const { modelVersion } = await registry.uploadModelVersion(messages(), callOptions(options));
  if (!modelVersion) throw new ArtenicError("the server returned no model version", Code.Internal, "", {}, []);
  return modelVersion;
}

/**
 * Downloads the stored artifact of `models/{model}/versions/{version}` into memory, checking its
 * size and SHA-256 against the metadata the server sends first.
 */
export async function downloadArtifact(
  registry: Client<typeof RegistryService>,
  name: string,
  options: DownloadArtifactOptions = {},
): Promise<{ metadata: ArtifactMetadata; bytes: Uint8Array }> {
  let metadata: ArtifactMetadata | undefined;
  const parts: Uint8Array[] = [];
  let receivedBytes = 0;
  const stream = registry.downloadModelVersionArtifact({ name, ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}) }, callOptions(options));
  for await (const message of stream) {
    if (message.content.case === "metadata") metadata = message.content.value;
    else if (message.content.case === "chunk") {
      parts.push(message.content.value);
      receivedBytes += message.content.value.byteLength;
      options.onProgress?.({ receivedBytes, totalBytes: Number(metadata?.sizeBytes ?? 0n) });
    }
  }
  if (!metadata) throw new ArtenicError("the download carried no metadata", Code.DataLoss, "NO_METADATA", { name }, []);
  const bytes = concat(parts, receivedBytes);
  if (BigInt(bytes.byteLength) !== metadata.sizeBytes) {
    throw new ArtenicError(`received ${bytes.byteLength} bytes of ${metadata.sizeBytes}`, Code.DataLoss, "SIZE_MISMATCH", { name }, []);
  }
  if (options.verify !== false && metadata.sha256) {
    const actual = await sha256Hex(bytes);
    if (actual !== undefined && actual !== metadata.sha256) {
      throw new ArtenicError(`SHA-256 mismatch: expected ${metadata.sha256}, got ${actual}`, Code.DataLoss, "CHECKSUM_MISMATCH", { name }, []);
    }
  }
  return { metadata, bytes };
}

function callOptions(o: { signal?: AbortSignal; timeoutMs?: number }) {
  return { ...(o.signal ? { signal: o.signal } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) };
}

function isBlob(v: unknown): v is Blob {
  return typeof Blob !== "undefined" && v instanceof Blob;
}

async function* chunksOf(source: ArtifactSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
  } else if (isBlob(source)) {
    yield* readStream(source.stream());
  } else if (typeof ReadableStream !== "undefined" && source instanceof ReadableStream) {
    yield* readStream(source);
  } else {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      // Node streams may yield Buffers (a Uint8Array subclass) or, in string mode, strings.
      if (!(chunk instanceof Uint8Array)) throw new TypeError("artifact chunks must be Uint8Array");
      yield chunk;
    }
  }
}

async function* readStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Regroups arbitrary chunks into chunks of exactly `size` bytes (the last one shorter). */
async function* rechunk(chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of chunks) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (filled === 0 && chunk.byteLength - offset >= size) {
        yield chunk.subarray(offset, offset + size);
        offset += size;
        continue;
      }
      const n = Math.min(size - filled, chunk.byteLength - offset);
      buffer.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** SHA-256 as lowercase hex with WebCrypto (Node and secure browser contexts); undefined without it. */
export async function sha256Hex(bytes: Uint8Array): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  const digest = new Uint8Array(await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
