import { defineEntity, p } from "@mikro-orm/core";

/**
 * A stored setting value: it overrides the key's environment, file or built-in default. The value is
 * JSON text; a secret's is sealed with AES-256-GCM under the server's secrets key, bound to the
 * setting's name as associated data, so a sealed value cannot be moved to another key.
 */
export const StoredSettingEntitySchema = defineEntity({
  name: "StoredSetting",
  tableName: "setting_value",
  properties: {
    scope: p.string().length(63).primary(),
    section: p.string().length(63).primary(),
    key: p.string().length(63).primary(),
    /** JSON text, or `encryptSecret(JSON text)` for a secret. */
    value: p.text(),
    updateTime: p.datetime(),
    /** `apiKeys/{api_key}` of the last writer. */
    updater: p.string().length(256),
  },
});
export class StoredSettingEntity extends StoredSettingEntitySchema.class {}
StoredSettingEntitySchema.setClass(StoredSettingEntity);

/**
 * One row per section that was ever changed: its revision is the section's etag, and incrementing
 * it is the lock that serialises writers of the section (a row lock on PostgreSQL, the single
 * writer on SQLite), so concurrent batches never interleave and an etag check cannot be raced.
 */
export const SettingsSectionEntitySchema = defineEntity({
  name: "SettingsSection",
  tableName: "setting_section",
  properties: {
    scope: p.string().length(63).primary(),
    section: p.string().length(63).primary(),
    revision: p.integer(),
  },
});
export class SettingsSectionEntity extends SettingsSectionEntitySchema.class {}
SettingsSectionEntitySchema.setClass(SettingsSectionEntity);

/**
 * The audit log of settings changes: who, when, what, the values in effect before and after as
 * JSON text. Secret values are never written here, not even sealed: they read as the mask.
 */
export const SettingsAuditEntitySchema = defineEntity({
  name: "SettingsAudit",
  tableName: "setting_audit",
  properties: {
    id: p.integer().primary().autoincrement(),
    scope: p.string().length(63),
    section: p.string().length(63),
    key: p.string().length(63),
    /** `update` or `reset`. */
    action: p.string().length(16),
    /** JSON text of the (masked) value before; null when there was none. */
    oldValue: p.text().nullable(),
    newValue: p.text().nullable(),
    /** `default`, `env`, `file` or `stored`. */
    oldSource: p.string().length(16),
    newSource: p.string().length(16),
    secret: p.boolean(),
    actor: p.string().length(256),
    requestId: p.string().length(128),
    createTime: p.datetime().index(),
  },
});
export class SettingsAuditEntity extends SettingsAuditEntitySchema.class {}
SettingsAuditEntitySchema.setClass(SettingsAuditEntity);
