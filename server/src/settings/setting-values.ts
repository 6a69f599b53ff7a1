import type { SettingDefinition, SettingValue } from "./settings-schema.js";

/** What every secret value is shown as, whatever its length: nothing of the secret leaks. */
export const SECRET_MASK = "********";

/**
 * Checks a value received as JSON against its definition. Returns the typed value, or the problem
 * in English. Problems never quote the value of a secret. A list may also be given as one
 * comma-separated string, as in the environment. `origin` says who set it: a value stored through
 * the API (the default) or the operator's environment or file, which may set more.
 */
export function checkValue(
  def: SettingDefinition,
  raw: unknown,
  origin: "stored" | "operator" = "stored",
): { ok: true; value: SettingValue } | { ok: false; problem: string } {
  const shown = (v: unknown) => (def.secret ? "the value" : JSON.stringify(v)?.slice(0, 80) ?? "null");
  switch (def.kind) {
    case "string": {
      if (typeof raw !== "string") return { ok: false, problem: `must be a string, got ${typeName(raw)}` };
      if (raw.length > 4096) return { ok: false, problem: "must be at most 4096 characters" };
      if (def.choices && !def.choices.includes(raw)) return { ok: false, problem: `must be one of ${def.choices.join(", ")}; got ${shown(raw)}` };
      return { ok: true, value: raw };
    }
    case "integer":
    case "number": {
      if (typeof raw !== "number" || !Number.isFinite(raw)) return { ok: false, problem: `must be a number, got ${typeName(raw)}` };
      if (def.kind === "integer" && !Number.isSafeInteger(raw)) return { ok: false, problem: `must be a whole number, got ${shown(raw)}` };
      if ((def.min !== undefined && raw < def.min) || (def.max !== undefined && raw > def.max)) {
        return { ok: false, problem: `must be between ${def.min ?? "-∞"} and ${def.max ?? "∞"}, got ${shown(raw)}` };
      }
      return { ok: true, value: raw };
    }
    case "boolean":
      return typeof raw === "boolean" ? { ok: true, value: raw } : { ok: false, problem: `must be true or false, got ${typeName(raw)}` };
    case "string_list": {
      const items = typeof raw === "string" ? splitList(raw) : raw;
      if (!Array.isArray(items) || !items.every((i) => typeof i === "string")) return { ok: false, problem: `must be a list of strings, got ${typeName(raw)}` };
      if (items.length > 256) return { ok: false, problem: "must have at most 256 items" };
      const bad = items.find((i) => i === "" || i.length > 1024 || (def.itemPattern !== undefined && !def.itemPattern.test(i)));
      if (bad !== undefined) return { ok: false, problem: `has an invalid item ${shown(bad)}` };
      const unstorable = origin === "stored" && def.storedItemPattern !== undefined ? items.find((i) => !def.storedItemPattern!.test(i)) : undefined;
      if (unstorable !== undefined) return { ok: false, problem: `has an item ${shown(unstorable)} that only the server's environment or configuration file may set` };
      return { ok: true, value: [...items] };
    }
  }
}

/** Parses the text of an environment variable (or file entry) for a definition, as the environment writes values. */
export function parseVariable(def: SettingDefinition, text: string): { ok: true; value: SettingValue } | { ok: false; problem: string } {
  switch (def.kind) {
    case "integer":
    case "number":
      return checkValue(def, text.trim() === "" ? NaN : Number(text), "operator");
    case "boolean":
      return text === "true" || text === "1" ? { ok: true, value: true } : text === "false" || text === "0" ? { ok: true, value: false } : { ok: false, problem: "must be true or false" };
    default:
      return checkValue(def, text, "operator");
  }
}

function splitList(text: string): string[] {
  return text.split(",").map((v) => v.trim()).filter(Boolean);
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** The value as shown to people: masked for secrets, unset (undefined) for a secret without one. */
export function maskValue(def: Pick<SettingDefinition, "secret">, value: SettingValue | undefined): SettingValue | undefined {
  if (!def.secret) return value;
  return value === undefined || value === "" ? undefined : SECRET_MASK;
}

/** Structural equality of two setting values (lists compared item by item). */
export function sameValue(a: SettingValue | undefined, b: SettingValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
