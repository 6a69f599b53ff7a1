import { createHash } from "node:crypto";

/** The label every object the adapter creates carries, with the training job's id as value. */
export const JOB_LABEL = "artenic.ai/training-job";
/** The annotation holding the full resource name (`trainingJobs/{id}`). */
export const JOB_ANNOTATION = "artenic.ai/training-job-name";
/** The container that runs the training command; logs and exit codes are read from it. */
export const TRAIN_CONTAINER = "train";

/** Kubernetes names of everything created for one training job, derived from its name alone. */
export interface KubernetesNames {
  /** The training job's id, the value of JOB_LABEL. */
  readonly id: string;
  /** The batch/v1 Job. At most 63 characters: the Job controller copies it into a label. */
  readonly job: string;
  /** The ConfigMap holding the code, when there is code to ship. */
  readonly configMap: string;
  /** The Secret holding the environment. */
  readonly secret: string;
  /** `JOB_LABEL=<id>`: selects the Job's pods (and everything else the adapter created). */
  readonly labelSelector: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

const ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Names for `trainingJobs/{id}` (or a bare id). Deterministic, so a retried submit finds its own objects. */
export function kubernetesNames(trainingJobName: string): KubernetesNames {
  const id = trainingJobName.startsWith("trainingJobs/") ? trainingJobName.slice("trainingJobs/".length) : trainingJobName;
  if (!ID.test(id)) throw new Error(`"${trainingJobName}" is not a training job name`);
  let job = `artenic-${id}`;
  if (job.length > 63) job = `artenic-${id.slice(0, 46)}-${createHash("sha256").update(id).digest("hex").slice(0, 8)}`;
  return {
    id,
    job,
    configMap: `${job}-code`,
    secret: `${job}-env`,
    labelSelector: `${JOB_LABEL}=${id}`,
    labels: { [JOB_LABEL]: id, "app.kubernetes.io/managed-by": "artenic", "app.kubernetes.io/component": "training" },
    annotations: { [JOB_ANNOTATION]: `trainingJobs/${id}` },
  };
}
