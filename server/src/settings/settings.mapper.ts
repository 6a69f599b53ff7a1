import { create, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate, ValueSchema, type Value } from "@bufbuild/protobuf/wkt";
import {
  SettingDefinitionSchema,
  SettingSchema,
  SettingsAuditAction,
  SettingsAuditEntrySchema,
  SettingsSectionSchema,
  SettingSource,
  SettingType,
  type Setting,
  type SettingsAuditEntry,
  type SettingsSection,
} from "@artenic/gen/artenic/admin/v1/setting_pb";
import { etagOf } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";
import type { SettingsAuditEntity } from "./setting.entity.js";
import { maskValue } from "./setting-values.js";
import { builtInDefault, type SectionDefinition, type SettingKind, type SettingValue } from "./settings-schema.js";
import { sectionName, settingName, type EffectiveSetting, type SettingSourceName } from "./settings.use-cases.js";

const SOURCES: Record<SettingSourceName, SettingSource> = {
  default: SettingSource.DEFAULT,
  env: SettingSource.ENV,
  file: SettingSource.FILE,
  stored: SettingSource.STORED,
};

const TYPES: Record<SettingKind, SettingType> = {
  string: SettingType.STRING,
  integer: SettingType.INTEGER,
  number: SettingType.NUMBER,
  boolean: SettingType.BOOLEAN,
  string_list: SettingType.STRING_LIST,
};

function toValue(v: SettingValue | undefined): Value | undefined {
  return v === undefined ? undefined : fromJson(ValueSchema, v as JsonValue);
}

/** The JSON form of a request's google.protobuf.Value, for checking against the schema. */
export function fromValue(v: Value | undefined): unknown {
  return v === undefined ? undefined : toJson(ValueSchema, v);
}

/** A setting as returned to clients: secrets masked, always. */
export function toSettingProto(s: EffectiveSetting, revision: number, restartPending: boolean): Setting {
  return create(SettingSchema, {
    name: settingName(s.def.scope, s.def.section, s.def.key),
    value: toValue(maskValue(s.def, s.value)),
    source: SOURCES[s.source],
    secret: s.def.secret === true,
    restartRequired: s.def.restartRequired,
    restartPending,
    updateTime: s.updateTime ? timestampFromDate(s.updateTime) : undefined,
    updater: s.updater ?? "",
    etag: etagOf(revision),
  });
}

export function toSectionProto(def: SectionDefinition): SettingsSection {
  return create(SettingsSectionSchema, {
    name: sectionName(def.scope, def.section),
    description: def.description,
    settings: def.settings.map((s) =>
      create(SettingDefinitionSchema, {
        key: s.key,
        type: TYPES[s.kind],
        description: s.description,
        defaultValue: toValue(builtInDefault(s)),
        choices: [...(s.choices ?? [])],
        minimum: s.min,
        maximum: s.max,
        secret: s.secret === true,
        restartRequired: s.restartRequired,
        envVar: s.env ?? "",
      }),
    ),
  });
}

export function toAuditProto(row: SettingsAuditEntity): SettingsAuditEntry {
  const parse = (text: string | null | undefined) => (text === null || text === undefined ? undefined : toValue(JSON.parse(text) as SettingValue));
  return create(SettingsAuditEntrySchema, {
    setting: settingName(row.scope, row.section, row.key),
    action: row.action === "reset" ? SettingsAuditAction.RESET : SettingsAuditAction.UPDATE,
    oldValue: parse(row.oldValue),
    newValue: parse(row.newValue),
    oldSource: SOURCES[row.oldSource as SettingSourceName] ?? SettingSource.UNSPECIFIED,
    newSource: SOURCES[row.newSource as SettingSourceName] ?? SettingSource.UNSPECIFIED,
    actor: row.actor,
    requestId: row.requestId,
    createTime: timestampFromDate(row.createTime),
    secret: row.secret,
  });
}

/** `scopes/{scope}/sections/{section}`, the section allowed to be `-` when `wildcard`. */
export function parseSectionName(name: string, field: string): { scope: string; section: string } {
  const m = /^scopes\/([a-z][a-z0-9_]{0,62})\/sections\/([a-z][a-z0-9_]{0,62}|-)$/.exec(name);
  if (!m) throw invalidField(field, "must be a settings section name (scopes/{scope}/sections/{section})");
  return { scope: m[1]!, section: m[2]! };
}

export function parseSettingName(name: string, field: string): { scope: string; section: string; key: string } {
  const m = /^scopes\/([a-z][a-z0-9_]{0,62})\/sections\/([a-z][a-z0-9_]{0,62})\/settings\/([a-z][a-z0-9_]{0,62})$/.exec(name);
  if (!m) throw invalidField(field, "must be a setting name (scopes/{scope}/sections/{section}/settings/{key})");
  return { scope: m[1]!, section: m[2]!, key: m[3]! };
}
