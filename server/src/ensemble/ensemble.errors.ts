import { AppError } from "../platform/errors/app-error.js";

export const ensembleNotFound = (name: string) => new AppError("not_found", "ENSEMBLE_NOT_FOUND", `Ensemble ${name} does not exist.`, { name });

export const ensembleAlreadyExists = (name: string) =>
  new AppError("already_exists", "ENSEMBLE_ALREADY_EXISTS", `Ensemble ${name} already exists.`, { name });

export const snapshotNotFound = (name: string) =>
  new AppError("not_found", "ENSEMBLE_SNAPSHOT_NOT_FOUND", `Ensemble snapshot ${name} does not exist.`, { name });

export const memberNotFound = (ensemble: string, modelVersion: string) =>
  new AppError("not_found", "ENSEMBLE_MEMBER_NOT_FOUND", `${modelVersion} is not a member of ${ensemble}.`, { name: ensemble, modelVersion });

export const memberAlreadyExists = (ensemble: string, modelVersion: string) =>
  new AppError("already_exists", "ENSEMBLE_MEMBER_ALREADY_EXISTS", `${modelVersion} is already a member of ${ensemble}.`, { name: ensemble, modelVersion });

export const tooManyMembers = (ensemble: string, max: number) =>
  new AppError("failed_precondition", "ENSEMBLE_TOO_MANY_MEMBERS", `${ensemble} already has ${max} members, the most an ensemble can have.`, {
    name: ensemble,
    max: String(max),
  });

export const lastMember = (ensemble: string, modelVersion: string) =>
  new AppError("failed_precondition", "ENSEMBLE_LAST_MEMBER", `${modelVersion} is the last member of ${ensemble}; an ensemble needs at least one member.`, {
    name: ensemble,
    modelVersion,
  });

export const quorumAboveMembers = (ensemble: string, quorum: number, members: number) =>
  new AppError(
    "failed_precondition",
    "ENSEMBLE_QUORUM_ABOVE_MEMBERS",
    `${ensemble} would have a quorum of ${quorum} with only ${members} member(s); lower the quorum first.`,
    { name: ensemble, quorum: String(quorum), members: String(members), field: "quorum" },
  );

export const memberNotServable = (modelVersion: string, why: string) =>
  new AppError("failed_precondition", "ENSEMBLE_MEMBER_NOT_SERVABLE", `${modelVersion} cannot be part of an ensemble: ${why}.`, { modelVersion });

export const membersIncompatible = (modelVersion: string, other: string, why: string) =>
  new AppError("failed_precondition", "ENSEMBLE_MEMBERS_INCOMPATIBLE", `${modelVersion} is not compatible with ${other}: ${why}.`, {
    modelVersion,
    other,
  });

export const memberTaskMismatch = (modelVersion: string, task: string, why: string) =>
  new AppError("failed_precondition", "ENSEMBLE_MEMBER_TASK_MISMATCH", `${modelVersion} cannot be a member of a ${task} ensemble: ${why}.`, {
    modelVersion,
    task,
  });

export const strategyNotForTask = (strategy: string, task: string) =>
  new AppError("failed_precondition", "ENSEMBLE_STRATEGY_NOT_FOR_TASK", `The ${strategy} strategy cannot combine ${task} outputs.`, { strategy, task });

export const pluginStrategyNotLoaded = (strategy: string) =>
  new AppError("failed_precondition", "ENSEMBLE_PLUGIN_STRATEGY_NOT_LOADED", `No loaded plugin registers the ensemble strategy ${strategy}; AdminService.ListPlugins lists the loaded ones.`, { strategy });

export const pluginStrategyFailed = (name: string, strategy: string, why: string) =>
  new AppError("unavailable", "ENSEMBLE_PLUGIN_STRATEGY_FAILED", `${name}: the plugin strategy ${strategy} failed: ${why}.`, { name, strategy });

export const metaModelIncompatible = (modelVersion: string, why: string) =>
  new AppError("failed_precondition", "ENSEMBLE_META_MODEL_INCOMPATIBLE", `Meta model ${modelVersion} does not fit the ensemble: ${why}.`, { modelVersion });

export const ensembleReferenced = (name: string, by: string) =>
  new AppError("failed_precondition", "ENSEMBLE_REFERENCED", `Ensemble ${name} is used by ${by}; point it elsewhere first.`, { name, referencedBy: by });

export const snapshotNotRestorable = (name: string, modelVersion: string) =>
  new AppError(
    "failed_precondition",
    "ENSEMBLE_SNAPSHOT_NOT_RESTORABLE",
    `Snapshot ${name} cannot be restored: model version ${modelVersion} no longer exists.`,
    { name, modelVersion },
  );

/**
 * TrainEnsembleMembers needs the training service (jobs, providers, budgets), which arrives with the
 * training issue; until then the method refuses plainly instead of faking a dispatch.
 */
export const trainingNotAvailable = (name: string) =>
  new AppError(
    "failed_precondition",
    "TRAINING_NOT_AVAILABLE",
    `Training is not available on this server yet, so the members of ${name} cannot be retrained; no job was created.`,
    { name },
  );

export const quorumNotMet = (name: string, answered: number, needed: number, failed: readonly { member: string; error: string }[]) =>
  new AppError(
    "unavailable",
    "ENSEMBLE_QUORUM_NOT_MET",
    `${name}: ${answered} member(s) answered, ${needed} needed; failed: ${failed.map((f) => `${f.member} (${f.error})`).join("; ") || "none"}.`,
    { name, answered: String(answered), needed: String(needed), failed: failed.map((f) => f.member).join(",") },
  );

export const fallbackFailed = (name: string, modelVersion: string, why: string, failed: readonly { member: string; error: string }[]) =>
  new AppError(
    "unavailable",
    "ENSEMBLE_FALLBACK_FAILED",
    `${name}: the quorum was not met and the fallback ${modelVersion} failed too (${why}); failed members: ${failed.map((f) => `${f.member} (${f.error})`).join("; ")}.`,
    { name, fallback: modelVersion, failed: failed.map((f) => f.member).join(",") },
  );

export const outputsIncompatible = (name: string, why: string) =>
  new AppError("failed_precondition", "ENSEMBLE_OUTPUTS_INCOMPATIBLE", `${name}: the members' outputs cannot be combined: ${why}.`, { name });

export const metaModelFailed = (name: string, modelVersion: string, why: string) =>
  new AppError("unavailable", "ENSEMBLE_META_MODEL_FAILED", `${name}: the meta model ${modelVersion} failed: ${why}.`, { name, modelVersion });
