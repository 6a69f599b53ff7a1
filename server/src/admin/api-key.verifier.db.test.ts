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
