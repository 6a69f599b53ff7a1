/**
 * The port every compute provider implements (local subprocess, Kubernetes, the clouds, a fake),
 * in Artenic's vocabulary: the training domain never sees vendor types. Handles returned by
 * `submit` are persisted with the job, so a restarted server resumes polling and cleanup.
 */

/**
 * What a job needs to run: the command or image, its files, its environment, its resources.
 *
 * `env` already holds the variables the training domain owns (`ARTENIC_ENDPOINT`,
 * `ARTENIC_TRAINING_JOB`, `ARTENIC_JOB_TOKEN`, `ARTENIC_HYPERPARAMETERS`) besides the job's own. The
 * provider adds the ones that depend on where the job runs: `ARTENIC_CODE_DIR` (where `codePath` was
 * put; also the working directory, joined with `workingDir`), `ARTENIC_OUTPUT_DIR` (whose contents
 * `collectArtifacts` returns) and, when `resumeFrom` is set, `ARTENIC_RESUME_FROM` (a copy of that
 * file where the job can read it).
 */
export interface LaunchSpec {
  /** `trainingJobs/{id}`; also the idempotency key of the launch. */
  readonly jobName: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  /** Plain and secret variables together; providers must never log the values. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * A directory on the server host holding the job's unpacked code, or "" when it has none. Remote
   * providers package and upload it themselves.
   */
  readonly codePath: string;
  /**
   * A time-limited HTTPS URL of the job's code archive (or file), present when the code is an object
   * in the platform's S3-compatible artifact store: a remote provider may let the job download it
   * instead of uploading `codePath` itself. The staged `codePath` is always there too.
   */
  readonly codeUrl?: string;
  /** A directory relative to the code to start the command in; "" or absent means the code root. */
  readonly workingDir?: string;
  /** A checkpoint file on the server host that a retry resumes from; absent for a fresh start. */
  readonly resumeFrom?: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly gpuType: string;
  readonly gpuCount: number;
  readonly region: string;
  readonly instanceType: string;
  readonly spot: boolean;
  readonly maxRuntimeMs: number;
}

/** A launched job, as the provider identifies it; opaque to the training domain, stored as JSON. */
export interface ProviderHandle {
  readonly provider: string;
  readonly id: string;
  readonly region: string;
  readonly instanceType: string;
  readonly data: Readonly<Record<string, string>>;
}

export type ProviderJobState = "provisioning" | "running" | "succeeded" | "failed" | "preempted" | "gone";

export interface ProviderStatus {
  readonly state: ProviderJobState;
  /** Why, in English, for failures and preemptions. */
  readonly message: string;
  readonly exitCode?: number;
  /** When compute started and stopped being billed, if known. */
  readonly startTime?: Date;
  readonly endTime?: Date;
}

/** An instance type a provider offers, with prices in the platform currency per hour. */
export interface Offering {
  readonly provider: string;
  readonly region: string;
  readonly instanceType: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly gpuType: string;
  readonly gpuCount: number;
  readonly onDemandPerHour: number;
  /** Undefined when the provider has no spot market for it. */
  readonly spotPerHour?: number;
  /** The date the prices are valid for (catalog snapshot or live fetch). */
  readonly priceDate: string;
  readonly priceSource: "live" | "catalog";
}

export interface ComputeProvider {
  /** The provider id, e.g. "local", "kubernetes", "fake". */
  readonly id: string;
  /**
   * The most jobs the provider runs at once, when it has such a limit (the local host does). The
   * reconcile loop leaves excess jobs QUEUED instead of submitting them. Absent means no limit.
   */
  readonly maxConcurrentJobs?: number;
  /** Offerings matching the resources (all when omitted). */
  listOfferings(filter?: { region?: string; gpuType?: string }): Promise<Offering[]>;
  /** Starts the job; the same jobName twice returns the same handle (idempotent). */
  submit(spec: LaunchSpec, signal?: AbortSignal): Promise<ProviderHandle>;
  poll(handle: ProviderHandle, signal?: AbortSignal): Promise<ProviderStatus>;
  cancel(handle: ProviderHandle, signal?: AbortSignal): Promise<void>;
  /** Files the job produced (paths or URIs the domain can read), after it ended. */
  collectArtifacts(handle: ProviderHandle, signal?: AbortSignal): Promise<{ readonly files: readonly { name: string; read(): Promise<Uint8Array> }[] }>;
  /**
   * Log lines produced since `after` (a provider-defined cursor; "" for the beginning). `streams`,
   * when given, says for each line which output it came from (stdout when absent).
   */
  readLogs?(
    handle: ProviderHandle,
    after: string,
    signal?: AbortSignal,
  ): Promise<{ lines: readonly string[]; cursor: string; streams?: readonly ("stdout" | "stderr")[] }>;
  /** Removes everything the job created; succeeds when things are already gone. */
  cleanup(handle: ProviderHandle, signal?: AbortSignal): Promise<void>;
  /** Checks the configuration and credentials. */
  testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }>;
}
