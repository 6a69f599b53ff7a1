import { lstat, readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import { listAll, type ObjectStore } from "../../platform/object-store/index.js";
import { isTerminal } from "../job-state.js";
import { TrainingJobEntity } from "../training-job.entity.js";
import type { TransferStore } from "./transfer-store.js";

/**
 * Removes the job objects that `cleanup` never removed: the server crashed between the end and the
 * cleanup, the job row was deleted, the provider was removed. Each pass lists the jobs that have
 * objects (`<prefix>/jobs/<id>/`, the remote kit's layout) and removes those whose job is terminal
 * and ended more than `retentionMs` ago, or unknown to the database; a live job's objects are never
 * touched. It also removes uploads abandoned mid-way for more than a day (temporary files of the
 * data dir, multipart uploads of the object store); one still being written is fresh and stays.
 *
 * Every removal tolerates what is already gone, so replicas sweeping the same store at once (the
 * object store, a shared data dir) end in the same state; each replica sweeps its own data dir.
 */

/** Where job objects are kept, as the sweep sees it. */
export interface JobObjectSpace {
  /** For logs. */
  readonly location: string;
  /** The ids of the jobs with objects here, each with the key prefix holding them (`artenic/jobs/<id>/`). */
  jobs(): AsyncIterable<{ readonly jobId: string; readonly root: string }>;
  /** Removes every object under a job's root; what is gone already is success. */
  remove(root: string): Promise<void>;
  /** Removes uploads started before `before` and never finished; how many. */
  removeAbandonedUploads(before: Date): Promise<number>;
}

export interface JobObjectSweepOptions {
  readonly em: () => EntityManager;
  readonly spaces: readonly JobObjectSpace[];
  /** How long a terminal job's objects are kept after its end. */
  readonly retentionMs: number;
  /** Uploads older than this are abandoned. @default 24 h */
  readonly abandonedUploadMs?: number;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

export interface SweepOutcome {
  /** Job roots removed, as `<location>: <root>`. */
  readonly removedJobs: readonly string[];
  readonly removedUploads: number;
}

/** The job ids the remote kit writes (job-objects.ts): a directory named otherwise is not a job's. */
const JOB_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** The temporary file of a data dir upload (transfer-store.ts). */
const UPLOAD_TEMP = /\.upload-[0-9a-f]{12}$/;
const BATCH = 200;
const DAY_MS = 24 * 3600_000;

/** One pass over every space. Failures of one space are logged and do not stop the others. */
export async function sweepJobObjects(options: JobObjectSweepOptions): Promise<SweepOutcome> {
  const now = options.now?.() ?? new Date();
  const removedJobs: string[] = [];
  let removedUploads = 0;
  for (const space of options.spaces) {
    try {
      removedUploads += await space.removeAbandonedUploads(new Date(now.getTime() - (options.abandonedUploadMs ?? DAY_MS)));
      let batch: { jobId: string; root: string }[] = [];
      const flush = async () => {
        const doomed = await removableJobs(options.em(), batch.map((b) => b.jobId), new Date(now.getTime() - options.retentionMs));
        for (const { jobId, root } of batch) {
          if (!doomed.has(jobId)) continue;
          await space.remove(root);
          removedJobs.push(`${space.location}: ${root}`);
        }
        batch = [];
      };
      for await (const job of space.jobs()) {
        batch.push(job);
        if (batch.length >= BATCH) await flush();
      }
      if (batch.length > 0) await flush();
    } catch (err) {
      options.logger?.warn({ err, location: space.location }, "could not sweep training job objects");
    }
  }
  if (removedJobs.length > 0 || removedUploads > 0) options.logger?.info({ jobs: removedJobs.length, uploads: removedUploads }, "removed leftover training job objects");
  return { removedJobs, removedUploads };
}

/**
 * Of `ids`, those whose objects may go: unknown to the database, or terminal and ended before
 * `endedBefore`. Read after the listing: a job that exists now is seen, and a job only uploads
 * objects once its row exists.
 */
async function removableJobs(em: EntityManager, ids: readonly string[], endedBefore: Date): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  const rows = await em.find(TrainingJobEntity, { id: { $in: unique } }, { fields: ["id", "state", "endTime", "updateTime"] });
  const known = new Map(rows.map((r) => [r.id, r]));
  const doomed = new Set<string>();
  for (const id of unique) {
    const row = known.get(id);
    if (!row) doomed.add(id);
    else if (isTerminal(row.state) && (row.endTime ?? row.updateTime) < endedBefore) doomed.add(id);
  }
  return doomed;
}

/** Runs a pass now and then every `intervalMs` until stopped; stop waits for a pass in progress. */
export function startJobObjectSweep(options: JobObjectSweepOptions & { readonly intervalMs: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const pass = () => {
    if (stopped) return;
    running = sweepJobObjects(options).catch((err: unknown) => options.logger?.warn({ err }, "the training job object sweep failed"));
  };
  pass();
  const timer = setInterval(pass, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

// ---------------------------------------------------------------- the spaces

const gone = (e: unknown) => (e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR";

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (gone(e)) return [];
    throw e;
  }
}

/** The platform transfer's data dir (`<data dir>/training/transfer`). */
export function transferStoreSpace(store: TransferStore): JobObjectSpace {
  return {
    location: store.root,
    async *jobs() {
      // `jobs/<id>` directories at the root or under a prefix of one or two segments (`artenic/`).
      async function* walk(dir: string, key: string, depth: number): AsyncIterable<{ jobId: string; root: string }> {
        for (const entry of await entries(dir)) {
          if (!entry.isDirectory()) continue;
          if (entry.name === "jobs") {
            for (const job of await entries(join(dir, "jobs"))) {
              if (job.isDirectory() && JOB_ID.test(job.name)) yield { jobId: job.name, root: `${key}jobs/${job.name}/` };
            }
          } else if (depth < 2) {
            yield* walk(join(dir, entry.name), `${key}${entry.name}/`, depth + 1);
          }
        }
      }
      yield* walk(store.root, "", 0);
    },
    remove: (root) => store.deletePrefix(root),
    async removeAbandonedUploads(before) {
      let removed = 0;
      const visit = async (dir: string): Promise<void> => {
        for (const entry of await entries(dir)) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) await visit(path);
          else if (entry.isFile() && UPLOAD_TEMP.test(entry.name)) {
            // A temp file being written is modified as bytes arrive: only one idle for long goes.
            const info = await lstat(path).catch((e: unknown) => (gone(e) ? undefined : Promise.reject(e)));
            // Counted by whoever unlinks it: replicas sharing the dir do not count one file twice.
            if (info && info.mtime < before && (await unlink(path).then(() => true, (e: unknown) => (gone(e) ? false : Promise.reject(e))))) removed++;
          }
        }
      };
      await visit(store.root);
      return removed;
    },
  };
}

/** The platform's object store, scoped to the job objects' prefix (`training-jobs/`). */
export function objectStoreSpace(store: ObjectStore): JobObjectSpace {
  return {
    location: store.location,
    async *jobs() {
      // Keys come in order, so a job's objects are consecutive: one id per root.
      let last = "";
      for await (const object of listAll(store, "")) {
        const m = /^(.*?(?:^|\/)jobs\/([^/]+)\/)/.exec(object.key);
        if (!m || m[1] === last || !JOB_ID.test(m[2]!)) continue;
        last = m[1]!;
        yield { jobId: m[2]!, root: m[1]! };
      }
    },
    async remove(root) {
      const keys: string[] = [];
      for await (const o of listAll(store, root)) keys.push(o.key);
      for (const key of keys) await store.delete(key);
    },
    removeAbandonedUploads: (before) => store.abortIncompleteUploads("", before),
  };
}
