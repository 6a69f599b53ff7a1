import { expect } from "vitest";
import type { ComputeProvider } from "../../src/training/compute-provider.js";
import { trainingTestbed, type TrainingTestbed } from "../../src/training/testing.js";
import type { TrainingJobEntity } from "../../src/training/training-job.entity.js";
import { getTrainingJob } from "../../src/training/training-job.use-cases.js";

export interface RestartScenario {
  readonly provider: string;
  readonly region: string;
  readonly instanceType: string;
  /** The training job id. */
  readonly jobId: string;
  readonly command: readonly string[];
  /** A new adapter instance with the same settings (each "process" builds its own). */
  readonly makeProvider: () => ComputeProvider;
}

/**
 * A server restart in the middle of a remote job: one testbed's reconciler submits the job, stops;
 * a second testbed on the same database, with a fresh adapter, drives it to SUCCEEDED from the
 * persisted handle alone and releases its compute. Returns the job as submitted and as finished.
 */
export async function runAcrossRestart(s: RestartScenario): Promise<{ submitted: TrainingJobEntity; finished: TrainingJobEntity }> {
  let t: TrainingTestbed | undefined;
  let t2: TrainingTestbed | undefined;
  try {
    t = await trainingTestbed({ enabledProviders: [s.provider] });
    t.registry.register(s.makeProvider());
    const id = await t.create(s.jobId, {
      command: [...s.command],
      placement: { provider: s.provider, region: s.region, instanceType: s.instanceType, strategy: "cheapest", allowedProviders: [], allowedRegions: [] },
    });
    const r1 = t.reconciler();
    await r1.tick();
    const submitted = await getTrainingJob(t.ctx().em, id);
    expect(submitted.state).toBe("provisioning");
    await r1.stop();

    // "Restart": another process with a fresh adapter, sharing only the database.
    t2 = await trainingTestbed({ orm: t.orm, enabledProviders: [s.provider] });
    t2.registry.register(s.makeProvider());
    const r2 = t2.reconciler();
    const tick = async () => {
      await new Promise((r) => setTimeout(r, 100));
      t2!.clock.advance(1000);
      await r2.tick();
      return getTrainingJob(t2!.ctx().em, id);
    };
    const deadline = Date.now() + 30_000;
    let job = await getTrainingJob(t2.ctx().em, id);
    while (job.releaseTime === null && Date.now() < deadline) {
      job = await tick();
      expect(["provisioning", "running", "succeeded"]).toContain(job.state);
    }
    await r2.stop();
    return { submitted, finished: job };
  } finally {
    await t2?.dispose();
    await t?.dispose();
  }
}
