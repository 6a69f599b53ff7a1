import { AppError } from "../platform/errors/app-error.js";

export const modelNotFound = (name: string) => new AppError("not_found", "MODEL_NOT_FOUND", `Model ${name} does not exist.`, { name });

export const modelAlreadyExists = (name: string) =>
  new AppError("already_exists", "MODEL_ALREADY_EXISTS", `Model ${name} already exists.`, { name });

export const modelVersionNotFound = (name: string) =>
  new AppError("not_found", "MODEL_VERSION_NOT_FOUND", `Model version ${name} does not exist.`, { name });

export const modelHasVersions = (name: string, count: number) =>
  new AppError("failed_precondition", "MODEL_HAS_VERSIONS", `Model ${name} still has ${count} version(s); delete them or pass force.`, {
    name,
    versions: String(count),
  });

export const illegalStageTransition = (name: string, from: string, to: string) =>
  new AppError("failed_precondition", "ILLEGAL_STAGE_TRANSITION", `Model version ${name} cannot move from ${from} to ${to}.`, {
    name,
    from,
    to,
  });

export const versionInProduction = (name: string) =>
  new AppError("failed_precondition", "MODEL_VERSION_IN_PRODUCTION", `Model version ${name} is in PRODUCTION; archive it first.`, { name });

export const versionHasAliases = (name: string, aliases: readonly string[]) =>
  new AppError(
    "failed_precondition",
    "MODEL_VERSION_HAS_ALIASES",
    `Model version ${name} is the target of alias(es) ${aliases.join(", ")}; move or delete them first.`,
    { name, aliases: aliases.join(",") },
  );

export const versionReferenced = (name: string, by: string) =>
  new AppError("failed_precondition", "MODEL_VERSION_REFERENCED", `Model version ${name} is referenced by ${by}.`, { name, referencedBy: by });

export const aliasNotFound = (model: string, alias: string) =>
  new AppError("not_found", "MODEL_ALIAS_NOT_FOUND", `Model ${model} has no alias "${alias}".`, { name: model, alias });

export const noArtifact = (name: string) =>
  new AppError("failed_precondition", "MODEL_VERSION_HAS_NO_ARTIFACT", `Model version ${name} has no artifact stored in the platform.`, { name });

export const artifactTooLarge = (limit: number) =>
  new AppError("resource_exhausted", "ARTIFACT_TOO_LARGE", `The artifact exceeds the server's limit of ${limit} bytes.`, { limit: String(limit) });

export const noVersionWithMetric = (model: string, metric: string) =>
  new AppError("not_found", "NO_VERSION_WITH_METRIC", `No version of ${model} has the metric "${metric}".`, { name: model, metric });

export const noVersionSelected = (model: string, selector: string) =>
  new AppError("not_found", "MODEL_VERSION_NOT_FOUND", `Model ${model} has no version that is ${selector}.`, { name: model, selector });
