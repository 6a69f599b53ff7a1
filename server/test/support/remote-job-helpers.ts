import type { ComputeProvider, ProviderHandle, ProviderStatus } from "../../src/training/compute-provider.js";

/** Polls until the job is terminal (or throws with the last state after `timeoutMs`). */
export async function untilTerminal(p: ComputeProvider, handle: ProviderHandle, timeoutMs = 15_000): Promise<ProviderStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await p.poll(handle);
    if (["succeeded", "failed", "preempted", "gone"].includes(status.state)) return status;
    if (Date.now() > deadline) throw new Error(`still ${status.state}: ${status.message}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The collected outputs as [name, text] pairs, in the order the provider returns them. */
export async function outputsOf(p: ComputeProvider, handle: ProviderHandle): Promise<[string, string][]> {
  const { files } = await p.collectArtifacts(handle);
  return Promise.all(files.map(async (f): Promise<[string, string]> => [f.name, Buffer.from(await f.read()).toString()]));
}
