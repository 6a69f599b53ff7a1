import { basename } from "node:path";
import { readFile, stat } from "node:fs/promises";
import { AppError } from "../../../platform/errors/app-error.js";
import type { ComputeProvider, LaunchSpec, Offering, ProviderHandle, ProviderStatus } from "../../compute-provider.js";
import { renderBootstrapScript, type BootstrapOptions, type PreemptionNoticeSource } from "./bootstrap-script.js";
import { DEFAULT_MAX_CODE_BYTES, packCode, readArchive, type ArchiveFile } from "./code-package.js";
import { jobObjectKeys, remoteJobId, type JobObjectKeys, type JobStorage } from "./job-objects.js";
import { renderEnvFile } from "./shell.js";
import { decideRemoteStatus, parseStatusObject, type ComputeObservation } from "./status-object.js";

/**
 * The generic ComputeProvider of every VM-style cloud: a `JobStorage` (the object store) and a
 * `VmCompute` (the machine API) are all an adapter writes. Submit uploads the code, the environment
 * and the checkpoint, renders the bootstrap script and asks for a machine that runs it; poll reads
 * the machine and then status.json; collectArtifacts unpacks outputs.tar.gz; readLogs reads the log
 * objects from a byte cursor; cleanup removes the machine, what was created with it and every
 * object of the job. The handle holds all a restarted server needs; nothing lives only in memory.
 */

/** A machine of a job, as its compute adapter identifies it; stored in the handle's data. */
export interface VmRef {
  readonly id: string;
  readonly region: string;
  /** Whatever else the adapter needs later (zone, disk and IP names...): flat strings only. */
  readonly data: Readonly<Record<string, string>>;
}

export interface VmCreateRequest {
  readonly jobId: string;
  readonly jobName: string;
  /** The bootstrap script to run at boot. */
  readonly userData: string;
  readonly spec: LaunchSpec;
  /** Labels or tags to put on everything created; `artenic-job` carries the job id. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The compute half of a VM cloud adapter. */
export interface VmCompute {
  /** Offerings with prices in the platform currency (live or from the catalog). */
  listOfferings(filter?: { region?: string; gpuType?: string }, signal?: AbortSignal): Promise<Offering[]>;
  /** The machine already created for `jobId` in `region` (by tag or label), if any and not terminated. */
  findInstance(jobId: string, region: string, signal?: AbortSignal): Promise<VmRef | undefined>;
  /**
   * Creates the machine. Idempotent by `request.jobId` as far as the API allows (client tokens,
   * deterministic names): two concurrent submits end with one machine.
   */
  createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef>;
  /** The machine's state; `gone` when it no longer exists (or never did). */
  describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation>;
  /** Terminates the machine; already gone is success. */
  terminate(ref: VmRef, signal?: AbortSignal): Promise<void>;
  /**
   * Releases what was created with the machine and outlives it (disks, IPs, NICs), tolerating what
   * is already gone; called after `terminate`. May throw UNAVAILABLE while the machine still holds
   * them, and is then called again later.
   */
  releaseResources(ref: VmRef, signal?: AbortSignal): Promise<void>;
  testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }>;
}

export interface VmJobProviderOptions {
  /** The provider id (`aws`, `gcp`...). */
  readonly id: string;
  readonly storage: JobStorage;
  /**
   * Storages that handles written before may name (their `storage` is the store's `location`):
   * a job submitted while another store was the adapter's keeps its objects there after the
   * switch and a restart. New jobs always go to `storage`.
   */
  readonly formerStorages?: readonly JobStorage[];
  readonly compute: VmCompute;
  /** Key prefix of the job objects in the store. @default "artenic" */
  readonly prefix?: string;
  /** The most bytes of bootstrap script the provider accepts (EC2: 16384); checked before anything is uploaded. */
  readonly maxUserDataBytes?: number;
  /** Adapter-specific parts of the bootstrap script (transfer tool env, prepare lines, stop command). */
  readonly bootstrap?: Pick<BootstrapOptions, "toolEnv" | "prepare" | "stopCommand" | "workRoot" | "logUploadIntervalSeconds" | "transferAttempts">;
  /**
   * The metadata service a spot machine of this cloud hears its preemption notice from: spot jobs'
   * bootstrap scripts watch it and SIGTERM the command in the warning window. None for on-demand.
   */
  readonly spotPreemptionNotice?: PreemptionNoticeSource;
  /** @default 512 MiB */
  readonly maxCodeBytes?: number;
  /** Largest outputs collected. @default 1 GiB */
  readonly maxOutputBytes?: number;
  /**
   * The machine is itself a container of the job's image (RunPod pods, Vast.ai instances): the
   * command runs directly in it, never through docker. @default false
   */
  readonly runsInImage?: boolean;
  /** How long transfer URLs stay valid beyond the max runtime. @default 6 h */
  readonly transferGraceMs?: number;
  readonly now?: () => Date;
}

/** Largest log chunk returned by one readLogs call per stream. */
const LOG_CHUNK_BYTES = 1024 * 1024;

interface LogCursor {
  readonly o: number;
  readonly e: number;
}

/** The handle data keys the generic provider owns; the adapter's VmRef data is stored beside them. */
const OWN_KEYS = ["jobId", "prefix", "instanceId", "region", "storage"] as const;

export class VmJobProvider implements ComputeProvider {
  readonly id: string;
  private readonly storage: JobStorage;
  private readonly compute: VmCompute;
  private readonly prefix: string;

  constructor(private readonly options: VmJobProviderOptions) {
    this.id = options.id;
    this.storage = options.storage;
    this.compute = options.compute;
    this.prefix = options.prefix ?? "artenic";
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  listOfferings(filter?: { region?: string; gpuType?: string }): Promise<Offering[]> {
    return this.compute.listOfferings(filter);
  }

  private handleFor(jobId: string, ref: VmRef, spec: Pick<LaunchSpec, "instanceType">): ProviderHandle {
    for (const k of Object.keys(ref.data)) {
      if ((OWN_KEYS as readonly string[]).includes(k)) throw new Error(`${this.id}: the compute adapter may not use the handle key ${k}`);
    }
    return {
      provider: this.id,
      id: ref.id,
      region: ref.region,
      instanceType: spec.instanceType,
      data: { ...ref.data, jobId, prefix: this.prefix, instanceId: ref.id, region: ref.region, storage: this.storage.location },
    };
  }

  private refOf(handle: ProviderHandle): VmRef {
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(handle.data)) if (!(OWN_KEYS as readonly string[]).includes(k)) data[k] = v;
    return { id: handle.id, region: handle.data["region"] || handle.region, data };
  }

  /** The storage holding a job's objects: the one its handle names, else (older handles) the current one. */
  private storageOf(handle: ProviderHandle): JobStorage {
    const location = handle.data["storage"];
    if (!location || location === this.storage.location) return this.storage;
    return this.options.formerStorages?.find((s) => s.location === location) ?? this.storage;
  }

  private keysOf(handle: ProviderHandle): JobObjectKeys | undefined {
    const jobId = handle.data["jobId"];
    return jobId ? jobObjectKeys(handle.data["prefix"] ?? this.prefix, jobId) : undefined;
  }

  async submit(spec: LaunchSpec, signal?: AbortSignal): Promise<ProviderHandle> {
    const jobId = remoteJobId(spec.jobName);
    const existing = await this.compute.findInstance(jobId, spec.region, signal);
    if (existing) return this.handleFor(jobId, existing, spec);

    const keys = jobObjectKeys(this.prefix, jobId);
    const code = await packCode(spec.codePath, spec.jobName, { maxBytes: this.options.maxCodeBytes ?? DEFAULT_MAX_CODE_BYTES, now: this.now() });
    const envFile = renderEnvFile(spec.env);
    let resumeName: string | undefined;
    let resumeBytes: Uint8Array | undefined;
    if (spec.resumeFrom) {
      const info = await stat(spec.resumeFrom).catch(() => undefined);
      if (!info?.isFile()) throw new AppError("failed_precondition", "CHECKPOINT_UNAVAILABLE", `The checkpoint ${spec.resumeFrom} to resume from is not on the server.`, { path: spec.resumeFrom });
      resumeName = basename(spec.resumeFrom).replace(/[^A-Za-z0-9._-]/g, "_") || "checkpoint";
      resumeBytes = new Uint8Array(await readFile(spec.resumeFrom));
    }

    const expiresAt = new Date(this.now().getTime() + spec.maxRuntimeMs + (this.options.transferGraceMs ?? 6 * 3600_000));
    const t = (key: string, access: "read" | "write") => this.storage.transfer(key, access, expiresAt, signal);
    const userData = renderBootstrapScript({
      ...this.options.bootstrap,
      jobName: spec.jobName,
      jobId,
      command: [...spec.command, ...spec.args],
      ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
      maxRuntimeSeconds: spec.maxRuntimeMs / 1000,
      envNames: Object.keys(spec.env),
      ...(spec.image && !this.options.runsInImage ? { image: spec.image, gpus: spec.gpuCount > 0 } : {}),
      ...(spec.spot && this.options.spotPreemptionNotice ? { preemptionNotice: this.options.spotPreemptionNotice } : {}),
      objects: {
        ...(code ? { code: { transfer: await t(keys.code, "read"), sha256: code.sha256 } } : {}),
        env: await t(keys.env, "read"),
        ...(resumeName ? { resume: { transfer: await t(keys.resume(resumeName), "read"), fileName: resumeName } } : {}),
        status: await t(keys.status, "write"),
        stdout: await t(keys.stdout, "write"),
        stderr: await t(keys.stderr, "write"),
        outputs: await t(keys.outputs, "write"),
      },
    });
    const maxUserData = this.options.maxUserDataBytes;
    if (maxUserData !== undefined && Buffer.byteLength(userData) > maxUserData) {
      throw new AppError("invalid_argument", "USER_DATA_TOO_LARGE", `${this.id}: the bootstrap script of ${spec.jobName} is ${Buffer.byteLength(userData)} bytes; the provider accepts ${maxUserData}.`, {
        name: spec.jobName,
      }, { fieldViolations: [{ field: "spec.command", description: `the command and arguments make the bootstrap script exceed ${maxUserData} bytes` }] });
    }
    // Everything is checked: upload, then ask for the machine.
    if (resumeName && resumeBytes) await this.storage.put(keys.resume(resumeName), resumeBytes, signal);
    if (code) await this.storage.put(keys.code, code.bytes, signal);
    await this.storage.put(keys.env, new TextEncoder().encode(envFile), signal);
    // A previous attempt of the same job (cancelled, then re-dispatched) must not leak its state.
    await this.storage.deletePrefix(keys.status, signal);
    await this.storage.deletePrefix(keys.cancelled, signal);
    let ref: VmRef;
    try {
      ref = await this.compute.createInstance({ jobId, jobName: spec.jobName, userData, spec, tags: { "artenic-job": jobId, "artenic-managed-by": "artenic" } }, signal);
    } catch (e) {
      // Refused for good: no handle will ever point at the uploaded objects (env.sh holds the job's
      // secrets), so they go now. A transient failure keeps them: the machine may exist after all,
      // and the retried submit finds it.
      if (e instanceof AppError && e.kind !== "unavailable") await this.storage.deletePrefix(keys.root, signal).catch(() => undefined);
      throw e;
    }
    return this.handleFor(jobId, ref, spec);
  }

  async poll(handle: ProviderHandle, signal?: AbortSignal): Promise<ProviderStatus> {
    // The machine first, status.json second (see decideRemoteStatus).
    const observation = await this.compute.describe(this.refOf(handle), signal);
    const keys = this.keysOf(handle);
    if (!keys) return decideRemoteStatus(observation, undefined);
    const storage = this.storageOf(handle);
    const status = parseStatusObject(await storage.get(keys.status, undefined, signal));
    const cancelled = status?.state === "exited" ? false : (await storage.get(keys.cancelled, undefined, signal)) !== undefined;
    return decideRemoteStatus(observation, status, cancelled);
  }

  async cancel(handle: ProviderHandle, signal?: AbortSignal): Promise<void> {
    const keys = this.keysOf(handle);
    if (keys) await this.storageOf(handle).put(keys.cancelled, new TextEncoder().encode(JSON.stringify({ cancelled_at: this.now().toISOString() })), signal);
    await this.compute.terminate(this.refOf(handle), signal);
  }

  async collectArtifacts(handle: ProviderHandle, signal?: AbortSignal): Promise<{ readonly files: readonly ArchiveFile[] }> {
    const keys = this.keysOf(handle);
    if (!keys) return { files: [] };
    const bytes = await this.storageOf(handle).get(keys.outputs, undefined, signal);
    if (!bytes) return { files: [] };
    return { files: await readArchive(bytes, this.options.maxOutputBytes ?? 1024 ** 3) };
  }

  /**
   * New complete lines of stdout then stderr since the cursor (byte offsets into the two log
   * objects, which the script only ever rewrites with a longer copy). A trailing line without its
   * newline is returned once the job has exited.
   */
  async readLogs(handle: ProviderHandle, after: string, signal?: AbortSignal): Promise<{ lines: readonly string[]; cursor: string; streams: readonly ("stdout" | "stderr")[] }> {
    const keys = this.keysOf(handle);
    if (!keys) return { lines: [], cursor: after, streams: [] };
    const storage = this.storageOf(handle);
    let cursor: LogCursor = { o: 0, e: 0 };
    try {
      const c = JSON.parse(after) as LogCursor;
      if (Number.isSafeInteger(c.o) && Number.isSafeInteger(c.e) && c.o >= 0 && c.e >= 0) cursor = c;
    } catch {
      // "" or garbage: from the beginning.
    }
    let finished: boolean | undefined;
    const exited = async () => (finished ??= parseStatusObject(await storage.get(keys.status, undefined, signal))?.state === "exited");
    const lines: string[] = [];
    const streams: ("stdout" | "stderr")[] = [];
    const next = { ...cursor };
    for (const [stream, key, field] of [
      ["stdout", keys.stdout, "o"],
      ["stderr", keys.stderr, "e"],
    ] as const) {
      const bytes = await storage.get(key, { start: cursor[field], maxBytes: LOG_CHUNK_BYTES }, signal);
      if (!bytes || bytes.length === 0) continue;
      let end = bytes.lastIndexOf(0x0a) + 1;
      // A line longer than a whole chunk is cut; an unterminated last line waits for the exit.
      if (end === 0 && bytes.length === LOG_CHUNK_BYTES) end = bytes.length;
      else if (end < bytes.length && bytes.length < LOG_CHUNK_BYTES && (await exited())) end = bytes.length;
      if (end === 0) continue;
      const text = new TextDecoder().decode(bytes.subarray(0, end));
      for (const line of text.replace(/\n$/, "").split("\n")) {
        lines.push(line);
        streams.push(stream);
      }
      next[field] = cursor[field] + end;
    }
    return { lines, cursor: JSON.stringify(next), streams };
  }

  async cleanup(handle: ProviderHandle, signal?: AbortSignal): Promise<void> {
    const ref = this.refOf(handle);
    await this.compute.terminate(ref, signal);
    await this.compute.releaseResources(ref, signal);
    const keys = this.keysOf(handle);
    if (keys) await this.storageOf(handle).deletePrefix(keys.root, signal);
  }

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    const compute = await this.compute.testConnection(signal).catch((e: unknown) => ({ ok: false, message: e instanceof Error ? e.message : String(e) }));
    if (!compute.ok) return compute;
    const storage = await this.storage.check(signal).catch((e: unknown) => ({ ok: false, message: e instanceof Error ? e.message : String(e) }));
    if (!storage.ok) return storage;
    return { ok: true, message: `${compute.message}; ${storage.message}` };
  }
}
