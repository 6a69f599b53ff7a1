import type { ComputeProvider, ProviderHandle, ProviderStatus } from "../../src/training/compute-provider.js";

/** Polls until the job reaches a terminal state; fails naming the last state after `ms`. */
export async function untilTerminal(p: ComputeProvider, h: ProviderHandle, ms = 15_000): Promise<ProviderStatus> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await p.poll(h);
    if (["succeeded", "failed", "preempted", "gone"].includes(s.state)) return s;
    if (Date.now() > deadline) throw new Error(`still ${s.state}: ${s.message}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The collected outputs as [name, text] pairs, in the order the adapter returned them. */
export async function outputsAsText(p: ComputeProvider, h: ProviderHandle): Promise<[string, string][]> {
  const { files } = await p.collectArtifacts(h);
  return Promise.all(files.map(async (f) => [f.name, Buffer.from(await f.read()).toString()] as [string, string]));
}
