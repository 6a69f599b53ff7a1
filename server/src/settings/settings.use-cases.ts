import type { EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { Config } from "../platform/config/config.js";
import { decryptSecret, encryptSecret } from "../platform/crypto/master-key.js";
import { etagOf, type UseCaseContext } from "../platform/context.js";
import { AppError, type FieldViolation } from "../platform/errors/app-error.js";
import { recordEvent } from "../platform/outbox/outbox.js";
import { listPage, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";
import { SettingsAuditEntity, SettingsSectionEntity, StoredSettingEntity } from "./setting.entity.js";
import { checkValue, maskValue, parseVariable, sameValue } from "./setting-values.js";
import { findSection, listSections, readConfigPath, scopeExists, type SectionDefinition, type SettingDefinition, type SettingValue } from "./settings-schema.js";
import { sectionNotFound, settingNotFound, settingsEtagMismatch } from "./settings.errors.js";

export type SettingSourceName = "default" | "env" | "file" | "stored";

/** A key's value in effect, with where it comes from. */
export interface EffectiveSetting {
  readonly def: SettingDefinition;
  /** Undefined only for a secret without a value. Never shown as is: see `maskValue`. */
  readonly value: SettingValue | undefined;
  readonly source: SettingSourceName;
  readonly updateTime?: Date;
  readonly updater?: string;
}

export interface SectionState {
  readonly def: SectionDefinition;
  readonly settings: readonly EffectiveSetting[];
  /** The section's revision; its etag is `etagOf(revision)`. 0 before any change. */
  readonly revision: number;
}

/** The values below stored ones: from the environment, the configuration file or the schema. */
export type Baseline = ReadonlyMap<string, { readonly value: SettingValue | undefined; readonly source: Exclude<SettingSourceName, "stored"> }>;

export interface SettingsDeps {
  /** AES-256-GCM key sealing secret values at rest (`ServerKeys.secretsKey`). */
  readonly secretsKey: Buffer;
  readonly baseline: Baseline;
  readonly logger?: Logger;
}

export const settingId = (scope: string, section: string, key: string) => `${scope}/${section}/${key}`;
export const sectionName = (scope: string, section: string) => `scopes/${scope}/sections/${section}`;
export const settingName = (scope: string, section: string, key: string) => `${sectionName(scope, section)}/settings/${key}`;

/**
 * The defaults of every key from the configuration as parsed at start (before stored values are
 * applied): a key with a `config` path reads it there, the others parse their variable. Throws an
 * INVALID_CONFIGURATION error naming the variable when one does not fit the schema.
 */
export function computeBaseline(config: Config): Baseline {
  const out = new Map<string, { value: SettingValue | undefined; source: Exclude<SettingSourceName, "stored"> }>();
  for (const section of listSections()) {
    for (const def of section.settings) {
      const origin = def.env ? config.origins[def.env] : undefined;
      let value: SettingValue | undefined;
      if (def.config) {
        value = readConfigPath(config, def.config) as SettingValue;
      } else {
        const text = def.env ? config.variables[def.env] : undefined;
        if (text !== undefined) {
          const parsed = parseVariable(def, text);
          if (!parsed.ok) {
            throw new AppError("invalid_argument", "INVALID_CONFIGURATION", `${def.env} ${parsed.problem}.`, { variable: def.env ?? "" });
          }
          value = parsed.value;
        } else {
          value = def.default;
        }
      }
      out.set(settingId(def.scope, def.section, def.key), { value, source: origin ?? "default" });
    }
  }
  return out;
}

const aad = (def: SettingDefinition) => `setting:${settingName(def.scope, def.section, def.key)}`;

function seal(deps: SettingsDeps, def: SettingDefinition, value: SettingValue): string {
  const json = JSON.stringify(value);
  return def.secret ? encryptSecret(deps.secretsKey, json, aad(def)) : json;
}

/** A stored value, or undefined when it no longer fits the schema (a newer server narrowed it). */
function unseal(deps: SettingsDeps, def: SettingDefinition, row: StoredSettingEntity): SettingValue | undefined {
  try {
    const raw: unknown = JSON.parse(def.secret ? decryptSecret(deps.secretsKey, row.value, aad(def)) : row.value);
    const checked = checkValue(def, raw);
    if (checked.ok) return checked.value;
  } catch {
    // Reported below; the key falls back to its default.
  }
  deps.logger?.warn({ setting: settingName(def.scope, def.section, def.key) }, "a stored setting does not fit the schema and is ignored");
  return undefined;
}

function effective(deps: SettingsDeps, def: SettingDefinition, row: StoredSettingEntity | undefined): EffectiveSetting {
  if (row) {
    const value = unseal(deps, def, row);
    if (value !== undefined) return { def, value, source: "stored", updateTime: row.updateTime, updater: row.updater };
  }
  const base = deps.baseline.get(settingId(def.scope, def.section, def.key));
  return { def, value: base?.value, source: base?.source ?? "default" };
}

function requireSection(scope: string, section: string): SectionDefinition {
  const def = findSection(scope, section);
  if (!def) throw sectionNotFound(sectionName(scope, section));
  return def;
}

async function readState(em: EntityManager, deps: SettingsDeps, def: SectionDefinition): Promise<SectionState> {
  const [rows, head] = await Promise.all([
    em.find(StoredSettingEntity, { scope: def.scope, section: def.section }, { refresh: true }),
    em.findOne(SettingsSectionEntity, { scope: def.scope, section: def.section }, { refresh: true }),
  ]);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return { def, revision: head?.revision ?? 0, settings: def.settings.map((s) => effective(deps, s, byKey.get(s.key))) };
}

/** The settings of one section, or of every section of a scope when `section` is `-`. */
export async function listSettings(em: EntityManager, deps: SettingsDeps, scope: string, section: string): Promise<SectionState[]> {
  if (section !== "-") return [await readState(em, deps, requireSection(scope, section))];
  if (!scopeExists(scope)) throw sectionNotFound(sectionName(scope, section));
  const out: SectionState[] = [];
  for (const def of listSections().filter((s) => s.scope === scope)) out.push(await readState(em, deps, def));
  return out;
}

/** Every section of every scope: the runtime's snapshot at start. */
export async function readAllSettings(em: EntityManager, deps: SettingsDeps): Promise<SectionState[]> {
  const out: SectionState[] = [];
  for (const def of listSections()) out.push(await readState(em, deps, def));
  return out;
}

export async function readSection(em: EntityManager, deps: SettingsDeps, scope: string, section: string): Promise<SectionState> {
  return readState(em, deps, requireSection(scope, section));
}

export async function getSetting(em: EntityManager, deps: SettingsDeps, scope: string, section: string, key: string): Promise<{ setting: EffectiveSetting; revision: number }> {
  const state = await readState(em, deps, requireSection(scope, section));
  const setting = state.settings.find((s) => s.def.key === key);
  if (!setting) throw settingNotFound(settingName(scope, section, key));
  return { setting, revision: state.revision };
}

export interface SettingsChange {
  readonly scope: string;
  readonly section: string;
  readonly updates: readonly { readonly key: string; readonly value: unknown }[];
  readonly etag: string;
  readonly validateOnly: boolean;
}

/**
 * Checks every update against the schema and reports all problems at once, each naming the
 * offending entry (`settings[i].key` or `settings[i].value`).
 */
function validateUpdates(def: SectionDefinition, updates: SettingsChange["updates"]): Map<string, SettingValue> {
  const violations: FieldViolation[] = [];
  const values = new Map<string, SettingValue>();
  updates.forEach((u, i) => {
    const field = def.settings.find((s) => s.key === u.key);
    if (!field) {
      violations.push({ field: `settings[${i}].key`, description: `${sectionName(def.scope, def.section)} has no setting "${u.key}"; it has ${def.settings.map((s) => s.key).join(", ")}` });
    } else if (values.has(u.key)) {
      violations.push({ field: `settings[${i}].key`, description: `"${u.key}" is given more than once` });
    } else {
      const checked = checkValue(field, u.value);
      if (checked.ok) values.set(u.key, checked.value);
      else violations.push({ field: `settings[${i}].value`, description: `${u.key} ${checked.problem}` });
    }
  });
  if (violations.length > 0) {
    throw new AppError(
      "invalid_argument",
      "INVALID_SETTING_VALUE",
      violations.map((v) => `${v.field}: ${v.description}`).join("; "),
      { field: violations[0]!.field, section: sectionName(def.scope, def.section) },
      { fieldViolations: violations },
    );
  }
  return values;
}

/**
 * Takes the section's write lock and returns its row: a no-op update holds PostgreSQL's row lock
 * (SQLite's write lock) to the end of the transaction, so the etag check and the change that follows
 * cannot interleave with another writer's.
 */
async function lockSection(tx: EntityManager, scope: string, section: string): Promise<SettingsSectionEntity> {
  await tx.upsertMany(SettingsSectionEntity, [{ scope, section, revision: 0 }], { onConflictFields: ["scope", "section"], onConflictAction: "ignore" });
  await tx.getConnection().execute("update setting_section set revision = revision where scope = ? and section = ?", [scope, section], "run", tx.getTransactionContext());
  const row = await tx.findOne(SettingsSectionEntity, { scope, section }, { refresh: true });
  if (!row) throw new Error(`the settings section row ${scope}/${section} vanished under its lock`);
  return row;
}

function checkSectionEtag(given: string, revision: number, name: string): void {
  if (given !== "" && given !== etagOf(revision)) throw settingsEtagMismatch(name, etagOf(revision), given);
}

function writeAudit(
  tx: EntityManager,
  ctx: UseCaseContext,
  action: "update" | "reset",
  before: EffectiveSetting,
  after: EffectiveSetting,
): void {
  const shown = (s: EffectiveSetting) => {
    const v = maskValue(s.def, s.value);
    return v === undefined ? null : JSON.stringify(v);
  };
  tx.create(SettingsAuditEntity, {
    scope: before.def.scope,
    section: before.def.section,
    key: before.def.key,
    action,
    oldValue: shown(before),
    newValue: shown(after),
    oldSource: before.source,
    newSource: after.source,
    secret: before.def.secret === true,
    actor: ctx.actor.name,
    requestId: ctx.actor.requestId,
    createTime: ctx.now(),
  });
}

function recordSectionEvent(tx: EntityManager, ctx: UseCaseContext, def: SectionDefinition, type: string, keys: readonly string[], revision: number): void {
  // Names of keys only, never values: the event log is readable by any READ key.
  const restartRequired = keys.filter((k) => def.settings.find((s) => s.key === k)?.restartRequired);
  recordEvent(tx, ctx.actor, { topic: "settings", type, resource: sectionName(def.scope, def.section), data: { keys: [...keys], restartRequired, revision } }, ctx.now());
}

/**
 * Stores new values for keys of one section, all or none (see AdminService.UpdateSettings). Writes
 * one audit row per key whose value in effect or source changes, and one event for the section,
 * in the same transaction. Runs inside `tx`, the caller's transaction (idempotency).
 */
export async function updateSettings(tx: EntityManager, ctx: UseCaseContext, deps: SettingsDeps, change: SettingsChange): Promise<SectionState> {
  const def = requireSection(change.scope, change.section);
  const values = validateUpdates(def, change.updates);
  const name = sectionName(def.scope, def.section);
  const head = await lockSection(tx, def.scope, def.section);
  checkSectionEtag(change.etag, head.revision, name);
  const before = await readState(tx, deps, def);
  if (change.validateOnly) {
    const preview = before.settings.map((s) => (values.has(s.def.key) ? { def: s.def, value: values.get(s.def.key), source: "stored" as const, updateTime: ctx.now(), updater: ctx.actor.name } : s));
    return { def, settings: preview, revision: before.revision };
  }
  const rows = new Map((await tx.find(StoredSettingEntity, { scope: def.scope, section: def.section })).map((r) => [r.key, r]));
  const changed: string[] = [];
  for (const [key, value] of values) {
    const old = before.settings.find((s) => s.def.key === key)!;
    const row = rows.get(key);
    if (row) {
      row.value = seal(deps, old.def, value);
      row.updateTime = ctx.now();
      row.updater = ctx.actor.name;
    } else {
      tx.create(StoredSettingEntity, { scope: def.scope, section: def.section, key, value: seal(deps, old.def, value), updateTime: ctx.now(), updater: ctx.actor.name });
    }
    if (old.source !== "stored" || !sameValue(old.value, value)) {
      writeAudit(tx, ctx, "update", old, { def: old.def, value, source: "stored" });
      changed.push(key);
    }
  }
  head.revision += 1;
  // Rewriting values already in effect changes nothing that a component would apply.
  if (changed.length > 0) recordSectionEvent(tx, ctx, def, "settings.section.updated", changed, head.revision);
  await tx.flush();
  return readState(tx, deps, def);
}

/** Removes a key's stored value (see AdminService.ResetSetting). */
export async function resetSetting(
  tx: EntityManager,
  ctx: UseCaseContext,
  deps: SettingsDeps,
  target: { readonly scope: string; readonly section: string; readonly key: string; readonly etag: string },
): Promise<{ setting: EffectiveSetting; revision: number }> {
  const def = requireSection(target.scope, target.section);
  const field = def.settings.find((s) => s.key === target.key);
  if (!field) throw settingNotFound(settingName(target.scope, target.section, target.key));
  const head = await lockSection(tx, def.scope, def.section);
  checkSectionEtag(target.etag, head.revision, sectionName(def.scope, def.section));
  const row = await tx.findOne(StoredSettingEntity, { scope: def.scope, section: def.section, key: target.key });
  if (!row) return { setting: effective(deps, field, undefined), revision: head.revision };
  const before = effective(deps, field, row);
  tx.remove(row);
  const after = effective(deps, field, undefined);
  writeAudit(tx, ctx, "reset", before, after);
  head.revision += 1;
  recordSectionEvent(tx, ctx, def, "settings.section.reset", [target.key], head.revision);
  await tx.flush();
  return { setting: after, revision: head.revision };
}

const auditListSpec: ListSpec = {
  fields: {
    key: { prop: "key", type: "string" },
    actor: { prop: "actor", type: "string" },
    action: { prop: "action", type: "string", values: { UPDATE: "update", RESET: "reset", SETTINGS_AUDIT_ACTION_UPDATE: "update", SETTINGS_AUDIT_ACTION_RESET: "reset" } },
    create_time: { prop: "createTime", type: "timestamp" },
    id: { prop: "id", type: "number" },
  },
  defaultOrder: "create_time desc, id desc",
  idProp: "id",
};

/** The audit log of a section (or of every section of a scope with `-`), newest first. */
export async function listSettingsAudit(em: EntityManager, scope: string, section: string, request: Omit<ListRequestLike, "orderBy">): Promise<Page<SettingsAuditEntity>> {
  if (section === "-" ? !scopeExists(scope) : !findSection(scope, section)) throw sectionNotFound(sectionName(scope, section));
  return listPage(em, SettingsAuditEntity, auditListSpec, { ...request, orderBy: "" }, section === "-" ? { scope } : { scope, section }, { scopeKey: `${scope}/${section}` });
}
