/**
 * Resource-name helpers. Each builder accepts a bare id (`iris`) or an already qualified name
 * (`models/iris`) and returns the qualified name, so user input can go through it either way.
 */

function qualify(collection: string, idOrName: string): string {
  return idOrName.startsWith(`${collection}/`) ? idOrName : `${collection}/${idOrName}`;
}

/** `models/{model}`. */
export const modelName = (model: string): string => qualify("models", model);
/** `services/{service}`. */
export const serviceName = (service: string): string => qualify("services", service);
/** `abTests/{ab_test}`. */
export const abTestName = (abTest: string): string => qualify("abTests", abTest);
/** `ensembles/{ensemble}`. */
export const canaryRolloutName = (rollout: string): string => qualify("canaryRollouts", rollout);

export const ensembleName = (ensemble: string): string => qualify("ensembles", ensemble);
/** `trainingJobs/{training_job}`. */
export const trainingJobName = (job: string): string => qualify("trainingJobs", job);
/** `budgets/{budget}`. */
export const budgetName = (budget: string): string => qualify("budgets", budget);
/** `apiKeys/{api_key}`. */
export const apiKeyName = (key: string): string => qualify("apiKeys", key);

/**
 * `models/{model}/versions/{version}`, from a model and a number, or from one string written
 * `models/iris/versions/3`, `iris/versions/3`, `iris/3` or `iris@3`.
 */
export function modelVersionName(model: string, version?: number | bigint | string): string {
  if (version === undefined) {
    const full = /^(?:models\/)?([^/@]+)(?:\/versions\/|\/|@)(\d+)$/.exec(model);
    if (!full) throw new TypeError(`not a model version: ${model} (expected models/{model}/versions/{n}, {model}/{n} or {model}@{n})`);
    return `models/${full[1]}/versions/${full[2]}`;
  }
  return `${modelName(model)}/versions/${String(version)}`;
}

/** Splits `models/{model}/versions/{version}` into its parts; undefined if it is not one. */
export function parseModelVersionName(name: string): { model: string; version: bigint } | undefined {
  const m = /^models\/([^/]+)\/versions\/(\d+)$/.exec(name);
  return m ? { model: m[1]!, version: BigInt(m[2]!) } : undefined;
}
