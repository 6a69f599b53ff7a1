import { hash as sha256Of } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { ApiKeyEntity } from "./api-key.entity.js";
import { apiKeyName } from "./api-key.use-cases.js";
import { hashApiKeySecret, hashesEqual } from "../platform/auth/api-key-secret.js";
import type { ApiKeyVerifier, Principal, Scope } from "../platform/auth/principal.js";

const sha256 = (text: string, encoding: "base64url") => sha256Of("sha256", text, encoding);

export interface CachingVerifier extends ApiKeyVerifier {
  /** Drops every cached principal, e.g. after a key was revoked or changed in this process. */
  invalidate(): void;
}

/**
 * Verifies bearer tokens against stored key hashes. Verified principals are cached for `ttlMs` so
 * that the request path does not query the database each time; a revocation in this process clears
 * the cache at once, and one made by another replica takes effect within `ttlMs`.
 */
export function createApiKeyVerifier(
  em: EntityManager,
  hashKey: Buffer,
  options: { ttlMs?: number; now?: () => number; maxEntries?: number } = {},
): CachingVerifier {
  const ttlMs = options.ttlMs ?? 2000;
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { principal: Principal | undefined; expires: number; expireTime: number | undefined }>();
  const lastUseWrites = new Map<string, number>();

  const touch = (id: string, at: number) => {
    // last_use_time is advisory: written at most once a minute per key, off the request path.
    if ((lastUseWrites.get(id) ?? 0) > at - 60_000) return;
    lastUseWrites.set(id, at);
    if (lastUseWrites.size > maxEntries) lastUseWrites.clear();
    void em
      .fork()
      .nativeUpdate(ApiKeyEntity, { id }, { lastUseTime: new Date(at) })
      .catch(() => undefined);
  };

  // Lookups in flight, by cache key: when a busy key's entry expires, the calls that arrive before
  // the database answers share one lookup instead of each running its own.
  const inFlight = new Map<string, Promise<Principal | undefined>>();
  // Bumped by invalidate(): a lookup that started before it must not cache what it read.
  let generation = 0;

  const lookUp = (token: string, cacheKey: string, at: number): Promise<Principal | undefined> => {
    const shared = inFlight.get(cacheKey);
    if (shared) return shared;
    const pending: Promise<Principal | undefined> = readKey(token, cacheKey, at).finally(() => {
      if (inFlight.get(cacheKey) === pending) inFlight.delete(cacheKey);
    });
    inFlight.set(cacheKey, pending);
    return pending;
  };

  const readKey = async (token: string, cacheKey: string, at: number): Promise<Principal | undefined> => {
    const started = generation;
    const hash = hashApiKeySecret(hashKey, token);
    const row = await em.fork().findOne(ApiKeyEntity, { keyHash: hash });
    // The lookup is by keyed hash; the comparison below is constant-time all the same.
    const live = row && hashesEqual(row.keyHash, hash) && row.state === "active" && (!row.expireTime || row.expireTime.getTime() > at);
    const principal: Principal | undefined = live
      ? {
          keyName: apiKeyName(row.id),
          keyId: row.id,
          scopes: new Set(row.scopes as Scope[]),
          rateLimit: row.rateLimitRps > 0 ? { requestsPerSecond: row.rateLimitRps, burst: Math.max(1, row.rateLimitBurst || Math.ceil(row.rateLimitRps)) } : undefined,
        }
      : undefined;
    if (started === generation) {
      if (cache.size >= maxEntries) cache.clear();
      cache.set(cacheKey, { principal, expires: at + ttlMs, expireTime: row?.expireTime?.getTime() });
    }
    if (principal) touch(principal.keyId, at);
    return principal;
  };

  return {
    verify(token) {
      if (token.length < 16 || token.length > 512) return undefined;
      // The cache is keyed by a plain SHA-256 of the token: a fifth of the keyed HMAC's cost on every
      // call, and as safe in memory (the HMAC's key lives in the same process). The HMAC is only
      // needed to look the key up in the database.
      const cacheKey = sha256(token, "base64url");
      const at = now();
      const cached = cache.get(cacheKey);
      if (cached && cached.expires > at && (cached.expireTime === undefined || cached.expireTime > at)) {
        if (cached.principal) touch(cached.principal.keyId, at);
        return cached.principal;
      }
      return lookUp(token, cacheKey, at);
    },
    invalidate() {
      generation += 1;
      cache.clear();
      inFlight.clear();
    },
  };
}
