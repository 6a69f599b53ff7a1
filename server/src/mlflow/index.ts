// The optional MLflow mirror of training jobs (ARTENIC_MLFLOW_TRACKING_URI). It reads jobs through
// the TrackedJobSource port, which app.ts adapts from the training domain.
export { createMlflowClient, MlflowError, type MlflowClient } from "./mlflow-client.js";
export { MlflowMirror, JOB_TAG, type MlflowMirrorOptions } from "./mlflow-mirror.js";
export { MlflowCursorEntitySchema, MlflowRunEntitySchema, MlflowRunEntity } from "./mlflow.entity.js";
export type { TrackedJob, TrackedJobSource, TrackedJobState, TrackedMetricReport } from "./tracked-jobs.js";
