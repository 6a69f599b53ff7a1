import { AppError } from "../../../platform/errors/app-error.js";

/**
 * Where a remote job's objects live in the provider's bucket or container, and the port each object
 * store implements for them. Every VM-style adapter uses this one layout, so the key the server
 * uploads is, by construction, the key the bootstrap script downloads (the original adapters lost
 * their code there):
 *
 *   <prefix>/jobs/<job id>/code.tar.gz        the packaged code (code-package.ts)
 *   <prefix>/jobs/<job id>/env.sh             the job's environment, as `export K='v'` lines
 *   <prefix>/jobs/<job id>/resume/<file>      the checkpoint a retry resumes from, when there is one
 *   <prefix>/jobs/<job id>/status.json        written by the bootstrap script (status-object.ts)
 *   <prefix>/jobs/<job id>/logs/stdout.log    the command's output, re-uploaded while it runs
 *   <prefix>/jobs/<job id>/logs/stderr.log
 *   <prefix>/jobs/<job id>/outputs.tar.gz     ARTENIC_OUTPUT_DIR at exit
 *   <prefix>/jobs/<job id>/cancelled.json     written by the server when it cancels the job
 *
 * The environment travels as an object, not in the user data, so no secret (the job-scoped token,
 * the job's own secrets) is readable from the instance metadata or the cloud console.
 */

export interface JobObjectKeys {
  /** `<prefix>/jobs/<job id>/`: everything of the job, deleted together at cleanup. */
  readonly root: string;
  readonly code: string;
  readonly env: string;
  readonly status: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: string;
  readonly cancelled: string;
  /** The key of a resume checkpoint named `fileName`. */
  resume(fileName: string): string;
}

const JOB_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** `trainingJobs/<id>` → `<id>`, refusing anything else (the id ends up in object keys and tags). */
export function remoteJobId(jobName: string): string {
  const id = jobName.startsWith("trainingJobs/") ? jobName.slice("trainingJobs/".length) : "";
  if (!JOB_ID.test(id)) {
    throw new AppError("invalid_argument", "INVALID_JOB_NAME", `${jobName} is not a training job name (trainingJobs/<id>).`, { name: jobName }, {
      fieldViolations: [{ field: "name", description: "must be trainingJobs/<id> with a lowercase DNS-label id" }],
    });
  }
  return id;
}

/** The keys of one job under `prefix` ("" for the bucket root; slashes at either end are ignored). */
export function jobObjectKeys(prefix: string, jobId: string): JobObjectKeys {
  const clean = prefix.replace(/^\/+|\/+$/g, "");
  const root = `${clean ? `${clean}/` : ""}jobs/${jobId}/`;
  return {
    root,
    code: `${root}code.tar.gz`,
    env: `${root}env.sh`,
    status: `${root}status.json`,
    stdout: `${root}logs/stdout.log`,
    stderr: `${root}logs/stderr.log`,
    outputs: `${root}outputs.tar.gz`,
    cancelled: `${root}cancelled.json`,
    resume: (fileName) => `${root}resume/${fileName}`,
  };
}

/**
 * How the bootstrap script moves one object, decided by the store:
 * - `url`: a pre-signed URL (S3 presign, Azure SAS, GCS V4 signed URL, Swift temp URL, OCI PAR)
 *   fetched with `curl -fsSL` (download) or `curl -X PUT --upload-file` (upload), with `headers`
 *   sent as given (e.g. `x-ms-blob-type: BlockBlob`);
 * - `cli`: an argv run on the instance (the provider's CLI with the instance's own identity), in which
 *   the single argument `{file}` stands for the local file.
 */
export type ObjectTransfer =
  | { readonly kind: "url"; readonly url: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: "cli"; readonly argv: readonly string[] };

/**
 * The port each object store implements for remote jobs (S3, Blob, GCS, Swift, OCI Object Storage,
 * or a directory in tests). Keys are the ones of `jobObjectKeys`. Every method tolerates what is
 * already gone where that makes sense, and passes `signal` to the network call.
 */
export interface JobStorage {
  /** For messages: `s3://bucket`, `https://account.blob.core.windows.net/container`... */
  readonly location: string;
  put(key: string, body: Uint8Array, signal?: AbortSignal): Promise<void>;
  /**
   * The object's bytes from byte `start` (0 when omitted), at most `maxBytes` of them when given;
   * `undefined` when the object does not exist. A `start` at or past the end gives an empty array.
   */
  get(key: string, range?: { readonly start?: number; readonly maxBytes?: number }, signal?: AbortSignal): Promise<Uint8Array | undefined>;
  /** Deletes every object whose key starts with `prefix`; nothing to delete is success. */
  deletePrefix(prefix: string, signal?: AbortSignal): Promise<void>;
  /** How the bootstrap script downloads (`read`) or uploads (`write`) `key`, valid until `expiresAt`. */
  transfer(key: string, access: "read" | "write", expiresAt: Date, signal?: AbortSignal): Promise<ObjectTransfer>;
  /** Checks that the bucket or container exists and is reachable with the credentials. */
  check(signal?: AbortSignal): Promise<{ ok: boolean; message: string }>;
}
