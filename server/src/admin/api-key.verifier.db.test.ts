import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { initOrm, migrate, type Orm } from "../platform/db/orm.js";
import { createApiKey, revokeApiKey } from "./api-key.use-cases.js";
import { createApiKeyVerifier } from "./api-key.verifier.js";

describe("the API key verifier on an in-memory database", () => {
  let orm: Orm;
  const hashKey = randomBytes(32);
  let clock = 1_000_000;
  const ctx = () => ({ em: orm.em.fork(), actor: { name: "apiKeys/admin", requestId: "r" }, now: () => new Date(clock) });

  beforeAll(async () => {
    orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    await migrate(orm);
  });
  afterAll(async () => orm?.close());

  it("looks a key up once, then answers synchronously from its cache until the entry expires", async () => {
    const { key, secret } = await createApiKey(ctx(), hashKey, { displayName: "reader", scopes: ["read"], rateLimit: undefined, expireTime: undefined, labels: {} });
    const verifier = createApiKeyVerifier(orm.em.fork(), hashKey, { ttlMs: 1000, now: () => clock });
    const first = verifier.verify(secret);
    expect(first).toBeInstanceOf(Promise);
    expect((await first)?.keyId).toBe(key.id);
    // Cached: no promise, the same principal.
    const cached = verifier.verify(secret);
    expect(cached).not.toBeInstanceOf(Promise);
    expect(cached).toEqual(await first);
    // Revoked by another replica: this one still trusts its cache for at most ttlMs, then looks again.
    await revokeApiKey(ctx(), key.id);
    expect(verifier.verify(secret)).not.toBeInstanceOf(Promise);
    clock += 1001;
    const again = verifier.verify(secret);
    expect(again).toBeInstanceOf(Promise);
    expect(await again).toBeUndefined();
    // An unknown key is cached as unknown too, so guessing costs one lookup per ttl per guess.
    expect(verifier.verify(secret)).toBeUndefined();
  });

  it("shares one database lookup among the calls that arrive while it runs, and caches nothing read before an invalidation", async () => {
    const { key, secret } = await createApiKey(ctx(), hashKey, { displayName: "busy", scopes: ["read"], rateLimit: undefined, expireTime: undefined, labels: {} });
    let lookups = 0;
    const fork = orm.em.fork();
    // Counts the key lookups (findOne) made on the forks the verifier takes.
    const counting = new Proxy(fork, {
      get(target, prop, receiver) {
        if (prop !== "fork") return Reflect.get(target, prop, receiver) as unknown;
        return () => {
          const em = target.fork();
          const findOne = em.findOne.bind(em);
          em.findOne = ((...args: Parameters<typeof findOne>) => ((lookups += 1), findOne(...args))) as typeof em.findOne;
          return em;
        };
      },
    });
    const verifier = createApiKeyVerifier(counting, hashKey, { now: () => clock });
    const calls = Array.from({ length: 20 }, () => verifier.verify(secret));
    expect(calls.every((c) => c instanceof Promise)).toBe(true);
    const principals = await Promise.all(calls);
    expect(principals.every((p) => p?.keyId === key.id)).toBe(true);
    expect(lookups).toBe(1);
    // Invalidated while a lookup runs (a revocation in this process): its answer is not cached.
    verifier.invalidate();
    const pending = verifier.verify(secret);
    verifier.invalidate();
    await pending;
    expect(verifier.verify(secret)).toBeInstanceOf(Promise);
  });

  it("refuses tokens of implausible length without a lookup", () => {
    const verifier = createApiKeyVerifier(orm.em.fork(), hashKey);
    expect(verifier.verify("short")).toBeUndefined();
    expect(verifier.verify("x".repeat(513))).toBeUndefined();
  });

  it("stops answering from its cache once invalidated", async () => {
    const { secret } = await createApiKey(ctx(), hashKey, { displayName: "writer", scopes: ["write"], rateLimit: undefined, expireTime: undefined, labels: {} });
    const verifier = createApiKeyVerifier(orm.em.fork(), hashKey, { now: () => clock });
    await verifier.verify(secret);
    expect(verifier.verify(secret)).not.toBeInstanceOf(Promise);
    verifier.invalidate();
    expect(verifier.verify(secret)).toBeInstanceOf(Promise);
  });
});
