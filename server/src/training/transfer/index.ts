// Job transfers through the Artenic server (signed GET/PUT URLs on its one port), for compute
// providers without an object store. See platform-transfer.ts.
export { PlatformTransfer, type PlatformTransferOptions } from "./platform-transfer.js";
export { TransferSigner, TRANSFER_PATH_PREFIX, isTransferKey, type SignedTransfer, type TransferMethod } from "./transfer-signature.js";
export { TransferStore, TransferTooLargeError } from "./transfer-store.js";
export { PlatformJobStorage } from "./platform-job-storage.js";
export { GPU_CLOUD_JOBS_PREFIX, gpuCloudJobStorage, type GpuCloudJobStorage } from "./gpu-cloud-storage.js";
export { objectStoreSpace, startJobObjectSweep, sweepJobObjects, transferStoreSpace, type JobObjectSpace, type JobObjectSweepOptions, type SweepOutcome } from "./job-object-sweep.js";
