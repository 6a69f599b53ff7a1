import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { AppError } from "../../errors/app-error.js";
import type { ObjectInfo, ObjectStore, PresignOptions } from "../object-store.js";

/**
 * Where and how to reach an S3-compatible store. Everything but the credentials is safe to log;
 * without credentials the SDK's default chain is used (environment, shared files, instance role).
 */
export interface S3ObjectStoreOptions {
  readonly bucket: string;
  /** Prepended to every key; normalised to end with `/` when not empty. */
  readonly prefix: string;
  readonly region: string;
  /** An S3-compatible endpoint (MinIO, Ceph, moto...); AWS itself when unset. */
  readonly endpoint?: string | undefined;
  /** Addresses buckets as `endpoint/bucket/key` rather than `bucket.endpoint/key` (most non-AWS stores). */
  readonly forcePathStyle: boolean;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string | undefined } | undefined;
  /** Part size of multipart uploads and copies; S3 wants at least 5 MiB. @default 8 MiB */
  readonly partSizeBytes?: number;
  /** Parts uploaded at once; memory held is about `partSizeBytes * uploadConcurrency`. @default 4 */
  readonly uploadConcurrency?: number;
  /** Objects larger than this are copied part by part (S3 refuses single copies above 5 GiB). @default 5 GiB */
  readonly maxSingleCopyBytes?: number;
}

const MiB = 1024 ** 2;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore & { close(): void } {
  const { bucket } = options;
  const prefix = normalizePrefix(options.prefix);
  const partSize = Math.max(5 * MiB, options.partSizeBytes ?? 8 * MiB);
  const queueSize = Math.max(1, options.uploadConcurrency ?? 4);
  const maxSingleCopy = options.maxSingleCopyBytes ?? 5 * 1024 ** 3;
  const location = `s3://${bucket}/${prefix}`;
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    ...(options.credentials
      ? {
          credentials: {
            accessKeyId: options.credentials.accessKeyId,
            secretAccessKey: options.credentials.secretAccessKey,
            ...(options.credentials.sessionToken ? { sessionToken: options.credentials.sessionToken } : {}),
          },
        }
      : {}),
    // Checksums only where S3 requires them: many S3-compatible stores reject the newer default
    // trailing CRC checksums, and the artifact store computes its own SHA-256 anyway.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: { connectionTimeout: 10_000 },
  });

  const fullKey = (key: string): string => {
    if (key === "" || key.startsWith("/")) throw new Error(`object key "${key}" must be non-empty and relative`);
    return prefix + key;
  };
  const relativeKey = (full: string): string => full.slice(prefix.length);
  const fail = (operation: string, key: string, error: unknown): never => {
    throw toAppError(error, operation, `${location}${key}`);
  };

  const store: ObjectStore & { close(): void } = {
    location,
    uriOf: (key) => `${location}${key}`,
    keyOf(uri) {
      if (!uri.startsWith(location)) return undefined;
      const key = uri.slice(location.length);
      return key === "" ? undefined : key;
    },

    async put(key, body, opts = {}) {
      const Key = fullKey(key);
      const common = {
        Bucket: bucket,
        Key,
        ...(opts.contentType ? { ContentType: opts.contentType } : {}),
        ...(opts.metadata ? { Metadata: { ...opts.metadata } } : {}),
      };
      try {
        if (body instanceof Uint8Array && body.length <= partSize) {
          const out = await client.send(new PutObjectCommand({ ...common, Body: body }), opts.signal ? { abortSignal: opts.signal } : {});
          return info(key, body.length, out.ETag, opts.contentType, opts.metadata);
        }
        let size = 0;
        const counted = async function* (): AsyncIterable<Uint8Array> {
          if (body instanceof Uint8Array) {
            size = body.length;
            yield body;
            return;
          }
          for await (const chunk of body) {
            size += chunk.length;
            yield chunk;
          }
        };
        // lib-storage buffers at most queueSize parts and sends a single PUT for a body under one
        // part. On cancellation its done() rejects at once while the upload winds down behind it,
        // so the multipart upload is aborted here too: nothing of a failed write stays stored.
        const source = Readable.from(counted(), { objectMode: false });
        const upload = new Upload({ client, params: { ...common, Body: source }, partSize, queueSize, leavePartsOnError: false });
        const onAbort = () => void upload.abort().catch(() => undefined);
        opts.signal?.addEventListener("abort", onAbort, { once: true });
        try {
          const out = await upload.done();
          return info(key, size, out.ETag, opts.contentType, opts.metadata);
        } catch (e) {
          source.destroy();
          if (upload.uploadId) {
            await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId: upload.uploadId })).catch(() => undefined);
          }
          throw e;
        } finally {
          opts.signal?.removeEventListener("abort", onAbort);
        }
      } catch (e) {
        return fail("write", key, e);
      }
    },

    async get(key, opts = {}) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: fullKey(key) }), opts.signal ? { abortSignal: opts.signal } : {});
        const stream = out.Body as Readable;
        return {
          ...info(key, out.ContentLength ?? 0, out.ETag, out.ContentType, out.Metadata, out.LastModified),
          body: (async function* () {
            try {
              for await (const chunk of stream) yield new Uint8Array(chunk as Buffer);
            } catch (e) {
              fail("read", key, e);
            }
          })(),
          cancel: () => stream.destroy(),
        };
      } catch (e) {
        return fail("read", key, e);
      }
    },

    async head(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
        return info(key, out.ContentLength ?? 0, out.ETag, out.ContentType, out.Metadata, out.LastModified);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        return fail("inspect", key, e);
      }
    },

    async copy(fromKey, toKey) {
      const source = fullKey(fromKey);
      const target = fullKey(toKey);
      const CopySource = `${bucket}/${encodeURIComponent(source).replaceAll("%2F", "/")}`;
      let head: ObjectInfo | undefined;
      try {
        head = await store.head(fromKey);
        if (!head) throw new AppError("not_found", "OBJECT_NOT_FOUND", `Object ${location}${fromKey} does not exist.`, { uri: `${location}${fromKey}` });
        if (head.size <= maxSingleCopy) {
          const out = await client.send(new CopyObjectCommand({ Bucket: bucket, Key: target, CopySource }));
          return { ...head, key: toKey, etag: unquote(out.CopyObjectResult?.ETag), lastModified: out.CopyObjectResult?.LastModified };
        }
      } catch (e) {
        return fail("copy", fromKey, e);
      }
      // Part by part, each a server-side range copy; aborted on any failure so nothing is left.
      let uploadId: string | undefined;
      try {
        const started = await client.send(
          new CreateMultipartUploadCommand({
            Bucket: bucket,
            Key: target,
            ...(head.contentType ? { ContentType: head.contentType } : {}),
            Metadata: { ...head.metadata },
          }),
        );
        uploadId = started.UploadId!;
        const copyPart = Math.max(partSize, Math.ceil(head.size / 10_000));
        const parts: { ETag: string; PartNumber: number }[] = [];
        for (let start = 0, PartNumber = 1; start < head.size; start += copyPart, PartNumber++) {
          const end = Math.min(head.size, start + copyPart) - 1;
          const out = await client.send(
            new UploadPartCopyCommand({ Bucket: bucket, Key: target, UploadId: uploadId, PartNumber, CopySource, CopySourceRange: `bytes=${start}-${end}` }),
          );
          parts.push({ ETag: out.CopyPartResult!.ETag!, PartNumber });
        }
        const done = await client.send(
          new CompleteMultipartUploadCommand({ Bucket: bucket, Key: target, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
        );
        return { ...head, key: toKey, etag: unquote(done.ETag), lastModified: undefined };
      } catch (e) {
        if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: target, UploadId: uploadId })).catch(() => undefined);
        return fail("copy", fromKey, e);
      }
    },

    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
      } catch (e) {
        if (!isNotFound(e)) fail("delete", key, e);
      }
    },

    async list(listPrefix, opts = {}) {
      try {
        const out = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix + listPrefix,
            MaxKeys: Math.min(1000, Math.max(1, opts.pageSize ?? 1000)),
            ...(opts.pageToken ? { ContinuationToken: opts.pageToken } : {}),
          }),
        );
        return {
          objects: (out.Contents ?? []).map((o) => ({ key: relativeKey(o.Key!), size: o.Size ?? 0, etag: unquote(o.ETag), lastModified: o.LastModified })),
          nextPageToken: out.IsTruncated ? out.NextContinuationToken : undefined,
        };
      } catch (e) {
        return fail("list", listPrefix, e);
      }
    },

    async abortIncompleteUploads(listPrefix, startedBefore) {
      let aborted = 0;
      try {
        let KeyMarker: string | undefined;
        let UploadIdMarker: string | undefined;
        for (;;) {
          const out = await client.send(
            new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix + listPrefix, ...(KeyMarker ? { KeyMarker } : {}), ...(UploadIdMarker ? { UploadIdMarker } : {}) }),
          );
          for (const u of out.Uploads ?? []) {
            if (u.Initiated && u.Initiated < startedBefore) {
              await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
              aborted++;
            }
          }
          if (!out.IsTruncated) return aborted;
          KeyMarker = out.NextKeyMarker;
          UploadIdMarker = out.NextUploadIdMarker;
        }
      } catch (e) {
        return fail("clean up uploads under", listPrefix, e);
      }
    },

    async presignGet(key, opts) {
      return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: fullKey(key) }), { expiresIn: presignSeconds(opts) });
    },

    async presignPut(key, opts) {
      const command = new PutObjectCommand({ Bucket: bucket, Key: fullKey(key), ...(opts.contentType ? { ContentType: opts.contentType } : {}) });
      return getSignedUrl(client, command, { expiresIn: presignSeconds(opts) });
    },

    close() {
      client.destroy();
    },
  };
  return store;
}

function info(
  key: string,
  size: number,
  etag: string | undefined,
  contentType: string | undefined,
  metadata: Readonly<Record<string, string>> | undefined,
  lastModified?: Date,
): ObjectInfo {
  return { key, size, etag: unquote(etag), contentType: contentType ?? "", metadata: { ...metadata }, lastModified };
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "").replace(/\/+$/, "");
  return trimmed === "" ? "" : `${trimmed}/`;
}

function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^"|"$/g, "");
}

function presignSeconds(opts: PresignOptions): number {
  const seconds = Math.floor(opts.expiresInSeconds);
  if (!(seconds >= 1 && seconds <= MAX_PRESIGN_SECONDS)) {
    throw new Error(`a pre-signed URL lives 1 to ${MAX_PRESIGN_SECONDS} seconds, not ${opts.expiresInSeconds}`);
  }
  return seconds;
}

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function isNotFound(e: unknown): boolean {
  const err = e as SdkError;
  return err?.name === "NoSuchKey" || err?.name === "NotFound" || (err?.$metadata?.httpStatusCode === 404 && err?.name !== "NoSuchBucket");
}

/** The SDK's error as an AppError that says what failed where, without request internals or credentials. */
function toAppError(e: unknown, operation: string, uri: string): AppError {
  if (e instanceof AppError) return e;
  const err = e as SdkError;
  const name = err?.name ?? "";
  const status = err?.$metadata?.httpStatusCode;
  const cause = { cause: e };
  if (isNotFound(e)) return new AppError("not_found", "OBJECT_NOT_FOUND", `Object ${uri} does not exist.`, { uri }, cause);
  if (name === "NoSuchBucket") {
    return new AppError("failed_precondition", "OBJECT_STORE_BUCKET_MISSING", `Could not ${operation} ${uri}: the bucket does not exist.`, { uri }, cause);
  }
  if (["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "CredentialsProviderError"].includes(name) || status === 403) {
    return new AppError("failed_precondition", "OBJECT_STORE_ACCESS_DENIED", `Could not ${operation} ${uri}: the object store refused the credentials (${name || status}).`, { uri }, cause);
  }
  if (name === "AbortError") return new AppError("aborted", "OBJECT_STORE_CANCELLED", `The ${operation} of ${uri} was cancelled.`, { uri }, cause);
  const detail = name || err?.code || (status ? `HTTP ${status}` : "unknown error");
  return new AppError("unavailable", "OBJECT_STORE_UNAVAILABLE", `Could not ${operation} ${uri}: the object store failed (${detail}).`, { uri }, { ...cause, retryDelayMs: 1000 });
}
