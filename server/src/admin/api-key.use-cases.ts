import { randomBytes } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { ApiKeyEntity } from "./api-key.entity.js";
import { apiKeyNotFound, apiKeyRevoked, lastAdminKey } from "./api-key.errors.js";
import type { UseCaseContext } from "../platform/context.js";
import { checkEtag } from "../platform/context.js";
import { recordEvent, SYSTEM_ACTOR } from "../platform/outbox/outbox.js";
import { apiKeyDisplayPrefix, generateApiKeySecret, hashApiKeySecret } from "../platform/auth/api-key-secret.js";
import type { Scope } from "../platform/auth/principal.js";
import { invalidField } from "../platform/errors/app-error.js";
import { listPage, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";

export const apiKeyName = (id: string) => `apiKeys/${id}`;

export interface ApiKeyInput {
  readonly displayName: string;
  readonly scopes: readonly Scope[];
  readonly rateLimit: { readonly requestsPerSecond: number; readonly burst: number } | undefined;
  readonly expireTime: Date | undefined;
  readonly labels: Readonly<Record<string, string>>;
}

/** Server-chosen ids: `k` + 16 hex digits, valid under the AIP-122 id rule. */
function newKeyId(): string {
  return "k" + randomBytes(8).toString("hex");
}

function eventData(key: ApiKeyEntity): Record<string, unknown> {
  // Never the hash, never the secret.
  return { displayName: key.displayName, scopes: key.scopes, state: key.state, keyPrefix: key.keyPrefix };
}

/** Creates a key and returns its secret, which is never stored or shown again. */
export async function createApiKey(ctx: UseCaseContext, hashKey: Buffer, input: ApiKeyInput): Promise<{ key: ApiKeyEntity; secret: string }> {
  if (input.scopes.length === 0) throw invalidField("api_key.scopes", "must hold at least one scope");
  if (input.expireTime && input.expireTime.getTime() <= ctx.now().getTime()) {
    throw invalidField("api_key.expire_time", "must be in the future");
  }
  const secret = generateApiKeySecret();
  const key = insertKey(ctx.em, hashKey, secret, input, ctx.actor.name, ctx.now());
  recordEvent(ctx.em, ctx.actor, { topic: "keys", type: "keys.api_key.created", resource: apiKeyName(key.id), data: eventData(key) }, ctx.now());
  await ctx.em.flush();
  return { key, secret };
}

function insertKey(em: EntityManager, hashKey: Buffer, secret: string, input: ApiKeyInput, creator: string, now: Date): ApiKeyEntity {
  return em.create(ApiKeyEntity, {
    id: newKeyId(),
    displayName: input.displayName,
    scopes: [...new Set(input.scopes)],
    keyHash: hashApiKeySecret(hashKey, secret),
    keyPrefix: apiKeyDisplayPrefix(secret),
    rateLimitRps: input.rateLimit?.requestsPerSecond ?? 0,
    rateLimitBurst: input.rateLimit?.burst ?? 0,
    expireTime: input.expireTime ?? null,
    state: "active",
    labels: { ...input.labels },
    creator,
    createTime: now,
    updateTime: now,
    revokeTime: null,
    lastUseTime: null,
  });
}

export async function getApiKey(ctx: UseCaseContext, id: string): Promise<ApiKeyEntity> {
  const key = await ctx.em.findOne(ApiKeyEntity, { id });
  if (!key) throw apiKeyNotFound(apiKeyName(id));
  return key;
}

const listSpec: ListSpec = {
  fields: {
    display_name: { prop: "displayName", type: "string" },
    state: { prop: "state", type: "string", values: { ACTIVE: "active", REVOKED: "revoked", API_KEY_STATE_ACTIVE: "active", API_KEY_STATE_REVOKED: "revoked" } },
    create_time: { prop: "createTime", type: "timestamp" },
    creator: { prop: "creator", type: "string" },
  },
  maps: { labels: { prop: "labels", type: "string" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

export function listApiKeys(ctx: UseCaseContext, request: ListRequestLike): Promise<Page<ApiKeyEntity>> {
  return listPage(ctx.em, ApiKeyEntity, listSpec, request);
}

export interface ApiKeyChanges {
  readonly displayName?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly rateLimit?: { readonly requestsPerSecond: number; readonly burst: number } | undefined;
  readonly expireTime?: Date | undefined;
}

export async function updateApiKey(ctx: UseCaseContext, id: string, changes: ApiKeyChanges, etag: string): Promise<ApiKeyEntity> {
  const key = await getApiKey(ctx, id);
  checkEtag(etag, key.revision, apiKeyName(id));
  if (key.state === "revoked") throw apiKeyRevoked(apiKeyName(id));
  if (changes.displayName !== undefined) key.displayName = changes.displayName;
  if (changes.labels !== undefined) key.labels = { ...changes.labels };
  if ("rateLimit" in changes) {
    key.rateLimitRps = changes.rateLimit?.requestsPerSecond ?? 0;
    key.rateLimitBurst = changes.rateLimit?.burst ?? 0;
  }
  if ("expireTime" in changes) {
    if (changes.expireTime && changes.expireTime.getTime() <= ctx.now().getTime()) throw invalidField("api_key.expire_time", "must be in the future");
    key.expireTime = changes.expireTime ?? null;
  }
  key.updateTime = ctx.now();
  recordEvent(ctx.em, ctx.actor, { topic: "keys", type: "keys.api_key.updated", resource: apiKeyName(id), data: eventData(key) }, ctx.now());
  await ctx.em.flush();
  return key;
}

async function assertNotLastAdmin(em: EntityManager, key: ApiKeyEntity): Promise<void> {
  if (key.state !== "active" || !key.scopes.includes("admin")) return;
  const admins = await em.find(ApiKeyEntity, { state: "active", id: { $ne: key.id } });
  if (!admins.some((k) => k.scopes.includes("admin"))) throw lastAdminKey(apiKeyName(key.id));
}

/** Revokes a key at once; revoking a revoked key returns it unchanged. */
export async function revokeApiKey(ctx: UseCaseContext, id: string): Promise<ApiKeyEntity> {
  return ctx.em.transactional(async (em) => {
    const key = await em.findOne(ApiKeyEntity, { id });
    if (!key) throw apiKeyNotFound(apiKeyName(id));
    if (key.state === "revoked") return key;
    await assertNotLastAdmin(em, key);
    key.state = "revoked";
    key.revokeTime = ctx.now();
    key.updateTime = ctx.now();
    recordEvent(em, ctx.actor, { topic: "keys", type: "keys.api_key.revoked", resource: apiKeyName(id), data: eventData(key) }, ctx.now());
    return key;
  });
}

export async function deleteApiKey(ctx: UseCaseContext, id: string, etag: string): Promise<void> {
  await ctx.em.transactional(async (em) => {
    const key = await em.findOne(ApiKeyEntity, { id });
    if (!key) throw apiKeyNotFound(apiKeyName(id));
    checkEtag(etag, key.revision, apiKeyName(id));
    await assertNotLastAdmin(em, key);
    em.remove(key);
    recordEvent(em, ctx.actor, { topic: "keys", type: "keys.api_key.deleted", resource: apiKeyName(id), data: eventData(key) }, ctx.now());
  });
}

/**
 * Makes sure an admin key exists at start. `ARTENIC_API_KEY`, when set, is stored (hashed) as an
 * admin key if it is not one already. Otherwise, when no active admin key exists, one is generated
 * and its secret returned so that main can print it once.
 */
export async function ensureBootstrapKey(em: EntityManager, hashKey: Buffer, bootstrapSecret: string | undefined, now: Date): Promise<string | undefined> {
  return em.transactional(async (tx) => {
    const input: ApiKeyInput = { displayName: "bootstrap admin", scopes: ["admin"], rateLimit: undefined, expireTime: undefined, labels: {} };
    if (bootstrapSecret !== undefined) {
      const existing = await tx.findOne(ApiKeyEntity, { keyHash: hashApiKeySecret(hashKey, bootstrapSecret) });
      if (existing) return undefined;
      const key = insertKey(tx, hashKey, bootstrapSecret, input, "system", now);
      recordEvent(tx, SYSTEM_ACTOR, { topic: "keys", type: "keys.api_key.created", resource: apiKeyName(key.id), data: eventData(key) }, now);
      return undefined;
    }
    const active = await tx.find(ApiKeyEntity, { state: "active" });
    if (active.some((k) => k.scopes.includes("admin"))) return undefined;
    const secret = generateApiKeySecret();
    const key = insertKey(tx, hashKey, secret, input, "system", now);
    recordEvent(tx, SYSTEM_ACTOR, { topic: "keys", type: "keys.api_key.created", resource: apiKeyName(key.id), data: eventData(key) }, now);
    return secret;
  });
}
