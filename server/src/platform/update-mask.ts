import { invalidField } from "./errors/app-error.js";

/**
 * Resolves an update mask against the updatable paths of a resource (AIP-134): an absent or empty
 * mask means "every updatable field that is set in the request"; `*` means all updatable fields;
 * an unknown or immutable path is INVALID_ARGUMENT naming it.
 */
export function resolveUpdateMask(
  paths: readonly string[] | undefined,
  updatable: readonly string[],
  isSet: (path: string) => boolean,
): Set<string> {
  if (!paths || paths.length === 0) return new Set(updatable.filter(isSet));
  if (paths.length === 1 && paths[0] === "*") return new Set(updatable);
  for (const p of paths) {
    if (!updatable.includes(p)) {
      throw invalidField("update_mask", `"${p}" cannot be updated; updatable paths: ${updatable.join(", ")}`, "INVALID_UPDATE_MASK");
    }
  }
  return new Set(paths);
}
