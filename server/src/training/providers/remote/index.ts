/**
 * The remote kit: what every VM-style cloud adapter (aws, gcp, azure, oci, ovh, infomaniak,
 * hetzner, scaleway, lambda-labs...) shares, so that an adapter is a compute client plus a storage
 * client. Stable API: changes are additive only.
 *
 * How an adapter uses it:
 *
 * ```ts
 * const storage: JobStorage = new MyBucketStorage(...);   // put/get(range)/deletePrefix/transfer/check
 * const compute: VmCompute = new MyVmCompute(...);       // offerings, find/create by job id, describe, terminate, releaseResources
 * const provider: ComputeProvider = new VmJobProvider({ id: "mycloud", storage, compute,
 *   bootstrap: { toolEnv: { MYCLOUD_REGION: region }, stopCommand: ["shutdown", "-h", "now"] } });
 * ```
 *
 * - `VmJobProvider` (vm-job-provider.ts): the ComputeProvider. submit = pack and upload the code
 *   (tar.gz + manifest + sha256), upload env.sh and the checkpoint, render the bootstrap script, then
 *   `compute.createInstance({ jobId, userData, spec, tags })`; poll = `compute.describe` THEN
 *   status.json → `decideRemoteStatus`; cancel writes cancelled.json and terminates; collectArtifacts
 *   unpacks outputs.tar.gz; readLogs reads logs/stdout.log and logs/stderr.log from a byte cursor;
 *   cleanup = terminate + releaseResources + delete the job's objects. The handle's data holds the
 *   VmRef data plus jobId, prefix, instanceId, region and storage (keys the adapter may not use).
 * - Options worth knowing: `maxUserDataBytes` (the provider's user-data limit, checked before any
 *   upload), `runsInImage` (the machine is the job's container: no docker), `bootstrap` (tool env,
 *   prepare lines, stop command), `spotPreemptionNotice` (`aws` | `azure` | `gcp`: spot jobs' scripts
 *   watch that metadata service and SIGTERM the command at a preemption notice). A submit the cloud
 *   refuses for good (any AppError but UNAVAILABLE from createInstance) deletes the objects it
 *   uploaded. `formerStorages`: stores older handles may name (by `location`), so a job keeps its
 *   objects where it started after the adapter's storage changes.
 * - `VmCompute.describe` maps the provider's states to a `ComputeObservation` { state: pending |
 *   running | stopping | stopped | gone, preempted?, message, launchedAt? }: set `preempted` for spot
 *   interruptions/preemptions; never decide success there.
 * - `JobStorage.transfer(key, "read" | "write", expiresAt)` returns how the machine moves an object:
 *   `{ kind: "url", url, headers? }` (curl with a pre-signed URL) or `{ kind: "cli", argv }` (the
 *   provider's CLI; the single argument "{file}" is the local file).
 * - `jobObjectKeys(prefix, jobId)`: the object layout (job-objects.ts).
 * - `renderBootstrapScript(options)`: the script (bootstrap-script.ts); `shellQuote`, `renderEnvFile`.
 * - `packCode`, `readArchive`: the code package and the outputs archive (code-package.ts).
 * - `parseStatusObject`, `decideRemoteStatus`: status.json and the state decision (status-object.ts).
 *
 * Tests: remote-testing.ts has `SandboxMachines` (runs a rendered script with bash in a sandbox
 * directory, ARTENIC_BOOTSTRAP_ROOT / ARTENIC_BOOTSTRAP_STOP set; `kill` = the machine vanishing),
 * `commandWorkloads()` (the contract suite's workloads as commands), `FakeMetadataService` (a spot
 * machine's metadata service per cloud, with a preemption notice on cue), `processesOf` (what a
 * sandboxed machine left running) and `DirectoryJobStorage` (a
 * JobStorage over a directory, with `cp` transfers or HMAC-signed URLs after `serve()`). Import it
 * from "./remote/remote-testing.js" in tests only.
 */
export { PREEMPTION_FILE_ENV, renderBootstrapScript, type BootstrapObjects, type BootstrapOptions, type PreemptionNoticeSource } from "./bootstrap-script.js";
export { DEFAULT_MAX_CODE_BYTES, MANIFEST_NAME, packCode, readArchive, type ArchiveFile, type CodeManifest, type CodePackage } from "./code-package.js";
export { jobObjectKeys, remoteJobId, type JobObjectKeys, type JobStorage, type ObjectTransfer } from "./job-objects.js";
export { checkEnvName, renderEnvFile, shellQuote } from "./shell.js";
export { decideRemoteStatus, parseStatusObject, type ComputeObservation, type PreemptionNotice, type StatusObject } from "./status-object.js";
export { VmJobProvider, type VmCompute, type VmCreateRequest, type VmJobProviderOptions, type VmRef } from "./vm-job-provider.js";
