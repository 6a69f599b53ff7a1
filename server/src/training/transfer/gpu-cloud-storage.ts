import type { ObjectStore } from "../../platform/object-store/index.js";
import type { JobStorage } from "../providers/remote/index.js";
import { S3JobStorage } from "../providers/remote/s3-job-storage.js";
import { PlatformJobStorage } from "./platform-job-storage.js";
import type { PlatformTransfer } from "./platform-transfer.js";

/** The key prefix, inside the platform's object store, of the GPU clouds' job objects. */
export const GPU_CLOUD_JOBS_PREFIX = "training-jobs/";

/**
 * Where the GPU clouds without an object store of their own (Lambda, RunPod, Vast.ai) keep their
 * jobs' objects: `current` takes new jobs; `former` serves the jobs whose handles name another
 * store (submitted before the platform's store changed), until they are cleaned up.
 */
export interface GpuCloudJobStorage {
  readonly current: JobStorage;
  readonly former: readonly JobStorage[];
}

/**
 * The one place that decides. With the platform's object store (S3: `objects`, already scoped to
 * `training-jobs/`), every replica sees every job's objects, and machines move them with
 * pre-signed URLs; jobs started on the platform transfer before the switch still finish through it.
 * Without one, the objects stay in this server's data dir behind its own signed URLs, which suits a
 * single replica or replicas sharing the data dir.
 */
export function gpuCloudJobStorage(transfer: PlatformTransfer, objects?: ObjectStore): GpuCloudJobStorage {
  const platform = new PlatformJobStorage(transfer);
  if (!objects) return { current: platform, former: [] };
  return { current: new S3JobStorage(objects, "url"), former: [platform] };
}
