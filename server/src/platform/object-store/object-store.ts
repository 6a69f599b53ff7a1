/**
 * An object store as the platform needs it: named blobs under one configured location, written
 * whole (streamed, multipart when large), read as streams, listed by prefix, and shared with other
 * processes through time-limited pre-signed URLs. Keys are relative to the store's location (its
 * bucket and prefix); `uriOf` gives the absolute form (`s3://bucket/prefix/key`) recorded in rows.
 *
 * Implementations map their vendor's errors to `AppError`: a missing object is `not_found`
 * (`OBJECT_NOT_FOUND`), refused credentials or a missing bucket `failed_precondition`, an unreachable
 * service `unavailable`. Messages never contain credentials.
 */
export interface ObjectStore {
  /** The store's location as a URI prefix, e.g. `s3://bucket/prefix/`; safe to log. */
  readonly location: string;
  /** The absolute URI of `key`. */
  uriOf(key: string): string;
  /** The key of an absolute URI, or undefined when the URI is not inside this store's location. */
  keyOf(uri: string): string | undefined;
  /** Writes an object whole; an object already under `key` is replaced once the write completes. */
  put(key: string, body: ObjectBody, options?: PutOptions): Promise<ObjectInfo>;
  /** Opens an object for reading. Throws `not_found` when it does not exist. */
  get(key: string, options?: GetOptions): Promise<ObjectReader>;
  /** An object's size, ETag and metadata, or undefined when it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Copies an object within the store (any size). Throws `not_found` when the source does not exist. */
  copy(fromKey: string, toKey: string): Promise<ObjectInfo>;
  /** Deletes an object; deleting a missing one succeeds. */
  delete(key: string): Promise<void>;
  /** One page of the objects whose keys start with `prefix`, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ObjectPage>;
  /**
   * Aborts multipart uploads under `prefix` started before `startedBefore` (left by a process that
   * died mid-upload; their parts are invisible but still stored). Returns how many were aborted.
   */
  abortIncompleteUploads(prefix: string, startedBefore: Date): Promise<number>;
  /** A URL that downloads `key` with a plain HTTP GET until it expires. */
  presignGet(key: string, options: PresignOptions): Promise<string>;
  /** A URL that uploads `key` with a plain HTTP PUT of the whole body until it expires. */
  presignPut(key: string, options: PresignOptions & { readonly contentType?: string }): Promise<string>;
}

/** Bytes already in memory, or a stream of chunks (read once, with backpressure). */
export type ObjectBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface PutOptions {
  readonly contentType?: string;
  /** User metadata stored with the object (ASCII keys and values, a few KiB at most in total). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Cancels the write; a cancelled multipart upload is aborted, leaving nothing behind. */
  readonly signal?: AbortSignal;
}

export interface GetOptions {
  readonly signal?: AbortSignal;
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** The store's entity tag, without quotes. For multipart objects it is not an MD5 of the bytes. */
  readonly etag: string;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly lastModified: Date | undefined;
}

export interface ObjectReader extends ObjectInfo {
  /** The object's bytes; consume it once, or call `cancel` to release the connection. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Releases the underlying connection without reading the rest. */
  cancel(): void;
}

export interface ObjectSummary {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date | undefined;
}

export interface ListOptions {
  /** At most this many objects per page (the store may return fewer). @default 1000 */
  readonly pageSize?: number;
  /** The `nextPageToken` of the previous page. */
  readonly pageToken?: string;
}

export interface ObjectPage {
  readonly objects: readonly ObjectSummary[];
  /** Present when more objects follow. */
  readonly nextPageToken: string | undefined;
}

export interface PresignOptions {
  /** How long the URL stays valid, in seconds (1 to 604800, the SigV4 maximum of 7 days). */
  readonly expiresInSeconds: number;
}

/** Every object under `prefix`, page after page. */
export async function* listAll(store: ObjectStore, prefix: string, pageSize?: number): AsyncIterable<ObjectSummary> {
  let pageToken: string | undefined;
  do {
    const page = await store.list(prefix, { ...(pageSize ? { pageSize } : {}), ...(pageToken ? { pageToken } : {}) });
    yield* page.objects;
    pageToken = page.nextPageToken;
  } while (pageToken);
}

/** Reads an object whole into memory (for small objects only). */
export async function readObject(store: ObjectStore, key: string, signal?: AbortSignal): Promise<Uint8Array> {
  const reader = await store.get(key, signal ? { signal } : {});
  const chunks: Uint8Array[] = [];
  for await (const chunk of reader.body) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}
