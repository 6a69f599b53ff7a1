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

/**
 * A job placed on `provider` through the training service, submitted by one reconciler, then
 * finished by a second reconciler with a fresh adapter sharing only the database (a server
 * restart). Returns the job's handle id once the reconciler has released its compute.
 */
export async function finishAcrossRestart(options: {
  readonly provider: string;
  readonly region: string;
  readonly instanceType: string;
  readonly jobId: string;
  readonly makeProvider: () => ComputeProvider;
}): Promise<{ handleId: string; exitCode: number | null }> {
  const { trainingTestbed } = await import("../../src/training/testing.js");
  const { getTrainingJob } = await import("../../src/training/training-job.use-cases.js");
  const t = await trainingTestbed({ enabledProviders: [options.provider] });
  let t2: Awaited<ReturnType<typeof trainingTestbed>> | undefined;
  try {
    t.registry.register(options.makeProvider());
    const command = ["bash", "-c", 'sleep 1; printf restarted > "$ARTENIC_OUTPUT_DIR/after-restart.txt"'];
    const id = await t.create(options.jobId, {
      command,
      placement: { provider: options.provider, region: options.region, instanceType: options.instanceType, strategy: "cheapest", allowedProviders: [], allowedRegions: [] },
    });
    const r1 = t.reconciler();
    await r1.tick();
    const submitted = await getTrainingJob(t.ctx().em, id);
    if (submitted.state !== "provisioning" || !submitted.handle) throw new Error(`the first reconciler left the job ${submitted.state}: ${submitted.stateMessage}`);
    await r1.stop();

    // "Restart": another process with a fresh adapter, sharing only the database.
    t2 = await trainingTestbed({ orm: t.orm, enabledProviders: [options.provider] });
    t2.registry.register(options.makeProvider());
    const r2 = t2.reconciler();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const job = await getTrainingJob(t2.ctx().em, id);
      if (!["provisioning", "running", "succeeded"].includes(job.state)) throw new Error(`the job went ${job.state}: ${job.stateMessage}`);
      if (job.state === "succeeded" && job.releaseTime !== null) {
        if (job.handle?.id !== submitted.handle.id) throw new Error("the job changed handles across the restart");
        return { handleId: job.handle.id, exitCode: job.exitCode ?? null };
      }
      if (Date.now() > deadline) throw new Error(`still ${job.state} (released: ${job.releaseTime !== null}) after 30 s`);
      await new Promise((r) => setTimeout(r, 100));
      t2.clock.advance(1000);
      await r2.tick();
    }
  } finally {
    await t2?.dispose();
    await t.dispose();
  }
}
