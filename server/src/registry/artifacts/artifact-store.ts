/**
 * Where model artifacts live. One interface, so that the local directory (default) and an
 * S3-compatible store (object-artifact-store.ts) are interchangeable. Uploads are staged, then
 * committed under a final key, so a failed or abandoned upload never leaves a visible artifact.
 */
export interface ArtifactStore {
  /** Starts staging an upload. */
  begin(): Promise<StagedArtifact>;
  /** Streams a committed artifact in chunks of at most `chunkSize` bytes. */
  read(uri: string, chunkSize: number, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /** Reads a committed artifact whole (for signature extraction and model loading). */
  readAll(uri: string): Promise<Uint8Array>;
  /** Deletes a committed artifact; deleting a missing one succeeds. */
  delete(uri: string): Promise<void>;
  /** Whether this store holds `uri` (as opposed to an external location recorded as-is). */
  owns(uri: string): boolean;
  /**
   * Whether `read`/`readAll` can open `uri`: the store's own artifacts, and for an object store any
   * object in its location (such as training code put there beside the artifacts).
   */
  canRead(uri: string): boolean;
  /**
   * A time-limited HTTPS URL that downloads `uri` without credentials, for training jobs running
   * elsewhere; absent when the store cannot make one (the local directory).
   */
  presignGet?(uri: string): Promise<string>;
}

/** An upload in progress. Exactly one of `commit` or `abort` must be called. */
export interface StagedArtifact {
  /** Appends bytes. */
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
  /** Hex SHA-256 of everything written; call once writing is done. */
  sha256(): string;
  /** The staged bytes, read back whole. */
  readAll(): Promise<Uint8Array>;
  /** Makes the artifact permanent under `key` and returns its URI. */
  commit(key: string): Promise<string>;
  /** Discards the staged bytes. Safe to call after a failed commit. */
  abort(): Promise<void>;
}
