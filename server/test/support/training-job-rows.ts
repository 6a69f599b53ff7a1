import type { EntityManager } from "@mikro-orm/core";
import { baseSpec } from "../../src/training/testing.js";
import { TrainingJobEntity } from "../../src/training/training-job.entity.js";

/**
 * Stores a training job row in a given state, as the use cases would have left it, for suites that
 * need jobs in the database without running them (sweeps, listings). `endTime` is set for terminal
 * states.
 */
export async function insertTrainingJobRow(em: EntityManager, id: string, state: string, times: { createTime: Date; endTime?: Date }): Promise<void> {
  const end = times.endTime ?? null;
  em.create(TrainingJobEntity, {
    id,
    displayName: id,
    description: "",
    labels: {},
    service: "",
    spec: { ...baseSpec, image: "python:3.12-slim", command: ["python", "train.py"] },
    secretEnv: "",
    creator: "apiKeys/test",
    state,
    stateMessage: "",
    exitCode: null,
    attempt: 1,
    retryOf: "",
    retriedBy: "",
    originalJob: `trainingJobs/${id}`,
    provider: "providers/runpod",
    region: "any",
    instanceType: "1x-a100-80gb",
    spotPlacement: false,
    hourlyPrice: 1,
    handle: null,
    providerState: "",
    logCursor: "",
    logCount: 0,
    dispatchFailures: 0,
    submitTime: times.createTime,
    lastPollTime: null,
    billingStartTime: null,
    releaseTime: end,
    estimatedCost: 1,
    actualCost: 0,
    currency: "USD",
    metrics: {},
    metricsStep: 0,
    lastCheckpoint: null,
    artifactsUri: "",
    outputModel: "",
    outputModelVersion: "",
    createTime: times.createTime,
    startTime: times.createTime,
    endTime: end,
    updateTime: end ?? times.createTime,
  });
  await em.flush();
}
