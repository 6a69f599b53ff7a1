import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ApiKeySchema, ApiKeyScope, ApiKeyState, RateLimitSchema, type ApiKey } from "@artenic/gen/artenic/admin/v1/api_key_pb";
import type { ApiKeyEntity } from "./api-key.entity.js";
import { apiKeyName } from "./api-key.use-cases.js";
import type { Scope } from "../platform/auth/principal.js";
import { etagOf } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";

const scopeToProto: Record<Scope, ApiKeyScope> = { read: ApiKeyScope.READ, write: ApiKeyScope.WRITE, admin: ApiKeyScope.ADMIN };

export function scopeFromProto(scope: ApiKeyScope): Scope {
  switch (scope) {
    case ApiKeyScope.READ:
      return "read";
    case ApiKeyScope.WRITE:
      return "write";
    case ApiKeyScope.ADMIN:
      return "admin";
    default:
      throw invalidField("api_key.scopes", `unknown scope ${scope}`);
  }
}

/** Parses `apiKeys/{api_key}` into the id. */
export function parseApiKeyName(name: string, field = "name"): string {
  const m = /^apiKeys\/([a-z]([a-z0-9-]{0,61}[a-z0-9])?)$/.exec(name);
  if (!m) throw invalidField(field, `"${name}" is not an API key name (apiKeys/{api_key})`, "INVALID_RESOURCE_NAME");
  return m[1]!;
}

export function toApiKeyProto(key: ApiKeyEntity): ApiKey {
  return create(ApiKeySchema, {
    name: apiKeyName(key.id),
    displayName: key.displayName,
    scopes: key.scopes.map((s) => scopeToProto[s as Scope]),
    keyPrefix: key.keyPrefix,
    rateLimit: key.rateLimitRps > 0 ? create(RateLimitSchema, { requestsPerSecond: key.rateLimitRps, burst: key.rateLimitBurst }) : undefined,
    expireTime: key.expireTime ? timestampFromDate(key.expireTime) : undefined,
    state: key.state === "active" ? ApiKeyState.ACTIVE : ApiKeyState.REVOKED,
    createTime: timestampFromDate(key.createTime),
    updateTime: timestampFromDate(key.updateTime),
    revokeTime: key.revokeTime ? timestampFromDate(key.revokeTime) : undefined,
    lastUseTime: key.lastUseTime ? timestampFromDate(key.lastUseTime) : undefined,
    creator: key.creator,
    labels: { ...key.labels },
    etag: etagOf(key.revision),
  });
}
