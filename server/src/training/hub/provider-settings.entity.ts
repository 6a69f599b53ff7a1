import { defineEntity, p } from "@mikro-orm/core";

/**
 * What the Provider Hub stores about one provider: its enablement, non-secret settings,
 * credentials sealed with AES-256-GCM under the server's secrets key (bound to the provider's name
 * as associated data, so a sealed blob cannot be moved to another provider), which credential keys
 * are set, and the outcome of the last connection test. A provider without a row has its defaults.
 */
export const ProviderSettingsEntitySchema = defineEntity({
  name: "ProviderSettings",
  tableName: "provider_settings",
  properties: {
    /** The provider id (`kubernetes`, `aws`, ...). */
    id: p.string().length(63).primary(),
    enabled: p.boolean(),
    /** Explicitly set non-secret settings; defaults are not stored. */
    config: p.json<Record<string, string>>(),
    /** `encryptSecret` of the credentials as a JSON object, or "" when none is set. */
    sealedCredentials: p.text(),
    /** The keys present in `sealedCredentials`, sorted; readable without decrypting. */
    credentialKeys: p.json<string[]>(),
    lastCheckTime: p.datetime().nullable(),
    /** null: not tested since the configuration last changed. */
    lastCheckOk: p.boolean().nullable(),
    lastCheckMessage: p.text(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
    revision: p.integer().version(),
  },
});
export class ProviderSettingsEntity extends ProviderSettingsEntitySchema.class {}
ProviderSettingsEntitySchema.setClass(ProviderSettingsEntity);
