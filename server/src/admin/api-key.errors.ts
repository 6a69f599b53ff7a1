import { AppError } from "../platform/errors/app-error.js";

export const apiKeyNotFound = (name: string) => new AppError("not_found", "API_KEY_NOT_FOUND", `API key ${name} does not exist.`, { name });

export const lastAdminKey = (name: string) =>
  new AppError(
    "failed_precondition",
    "LAST_ADMIN_KEY",
    `${name} is the last active key with the ADMIN scope; create another admin key first.`,
    { name },
  );

export const apiKeyRevoked = (name: string) =>
  new AppError("failed_precondition", "API_KEY_REVOKED", `API key ${name} is revoked and can no longer be changed.`, { name });
