import { AppError } from "../../../platform/errors/app-error.js";

/**
 * POSIX shell quoting for values rendered into bootstrap scripts: every value becomes one
 * single-quoted word, inside which nothing is special; a `'` is closed, escaped and reopened. NUL
 * cannot be carried by a shell word at all and is refused.
 */
export function shellQuote(value: string): string {
  if (value.includes("\0")) throw new AppError("invalid_argument", "NUL_IN_SHELL_VALUE", "A value passed to a remote job contains a NUL character.", {});
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws INVALID_ARGUMENT naming the variable when `name` is not a portable environment variable name. */
export function checkEnvName(name: string, field = "spec.env"): void {
  if (!ENV_NAME.test(name)) {
    throw new AppError("invalid_argument", "INVALID_ENV_NAME", `${name} is not a valid environment variable name for a remote job.`, { name }, {
      fieldViolations: [{ field: `${field}.${name}`, description: "must match [A-Za-z_][A-Za-z0-9_]*" }],
    });
  }
}

/** `export K='v'` lines for a shell to source, in key order. */
export function renderEnvFile(env: Readonly<Record<string, string>>): string {
  return Object.keys(env)
    .sort()
    .map((k) => {
      checkEnvName(k);
      return `export ${k}=${shellQuote(env[k]!)}\n`;
    })
    .join("");
}
