import { defineEntity, p } from "@mikro-orm/core";

/**
 * How far one training job is mirrored to MLflow. A row is created (pending) when the event log says
 * the job changed, and the mirror brings MLflow level with the job: each field records what MLflow
 * already has, so a sync interrupted by an MLflow outage or a restart carries on where it stopped,
 * and one repeated after a crash sends nothing twice that MLflow would keep twice.
 */
export const MlflowRunEntitySchema = defineEntity({
  name: "MlflowRun",
  tableName: "mlflow_run",
  properties: {
    /** The training job id (without `trainingJobs/`). */
    job: p.string().length(63).primary(),
    experimentId: p.string().length(64),
    /** "" until the run exists in MLflow. */
    runId: p.string().length(64),
    paramsLogged: p.boolean(),
    /** The last TrainingMetricReport id whose metrics MLflow has. */
    metricReportId: p.integer(),
    /** The terminal run status MLflow has ("" while the run is open). */
    endStatus: p.string().length(16),
    /** The Artenic model version MLflow has as a registered model version ("" for none yet). */
    modelVersion: p.string().length(256),
    /** Whether the job has something MLflow does not have yet; cleared once a finished job is level. */
    pending: p.boolean().index(),
    /** Consecutive failed syncs; the next one waits a backoff that grows with it. */
    attempts: p.integer(),
    nextAttemptTime: p.datetime(),
    lastError: p.text(),
    updateTime: p.datetime(),
  },
});
export class MlflowRunEntity extends MlflowRunEntitySchema.class {}
MlflowRunEntitySchema.setClass(MlflowRunEntity);

/**
 * The mirror's place in the event log (the last event id turned into pending rows), and the lease
 * that makes one server process among several the one that talks to MLflow.
 */
export const MlflowCursorEntitySchema = defineEntity({
  name: "MlflowCursor",
  tableName: "mlflow_cursor",
  properties: {
    name: p.string().length(63).primary(),
    eventId: p.integer(),
    leaseHolder: p.string().length(128),
    leaseUntil: p.datetime(),
  },
});
export class MlflowCursorEntity extends MlflowCursorEntitySchema.class {}
MlflowCursorEntitySchema.setClass(MlflowCursorEntity);
