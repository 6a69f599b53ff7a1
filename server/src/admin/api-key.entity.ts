import { defineEntity, p } from "@mikro-orm/core";

/**
 * An API key. Only a keyed hash (HMAC-SHA256 under the server's secret) of the secret is stored:
 * keys are 256-bit random strings, so a fast keyed hash is as safe as a slow password hash and keeps
 * the request path cheap.
 */
export const ApiKeyEntitySchema = defineEntity({
  name: "ApiKey",
  tableName: "api_key",
  properties: {
    id: p.string().length(63).primary(),
    displayName: p.string().length(256),
    scopes: p.json<string[]>(),
    keyHash: p.string().length(64).unique(),
    keyPrefix: p.string().length(32),
    rateLimitRps: p.double().runtimeType("number").$type<number>(),
    rateLimitBurst: p.integer(),
    expireTime: p.datetime().nullable(),
    state: p.string().length(16),
    labels: p.json<Record<string, string>>(),
    creator: p.string().length(256),
    createTime: p.datetime().index(),
    updateTime: p.datetime(),
    revokeTime: p.datetime().nullable(),
    lastUseTime: p.datetime().nullable(),
    revision: p.integer().version(),
  },
});
export class ApiKeyEntity extends ApiKeyEntitySchema.class {}
ApiKeyEntitySchema.setClass(ApiKeyEntity);
