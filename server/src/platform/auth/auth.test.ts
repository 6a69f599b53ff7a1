import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limiter.js";
import { apiKeyDisplayPrefix, generateApiKeySecret, hashApiKeySecret, hashesEqual } from "./api-key-secret.js";
import { hasScope, type Principal, type Scope } from "./principal.js";

describe("RateLimiter", () => {
  it("allows a burst, then refuses with the wait until the next token", () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { requestsPerSecond: 2, burst: 3 };
    expect([limiter.take("k", limit), limiter.take("k", limit), limiter.take("k", limit)]).toEqual([0, 0, 0]);
    expect(limiter.take("k", limit)).toBe(500);
    now = 500;
    expect(limiter.take("k", limit)).toBe(0);
    expect(limiter.take("k", limit)).toBe(500);
  });

  it("keeps keys apart and never refills beyond the burst", () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { requestsPerSecond: 1, burst: 1 };
    expect(limiter.take("a", limit)).toBe(0);
    expect(limiter.take("b", limit)).toBe(0);
    now = 60_000;
    expect(limiter.take("a", limit)).toBe(0);
    expect(limiter.take("a", limit)).toBeGreaterThan(0);
  });

  it("drops the least recently used bucket when full", () => {
    const limiter = new RateLimiter(() => 0, 2);
    const limit = { requestsPerSecond: 1, burst: 1 };
    limiter.take("a", limit);
    limiter.take("b", limit);
    limiter.take("c", limit);
    // "a" was evicted, so it starts with a full bucket again.
    expect(limiter.take("a", limit)).toBe(0);
    expect(limiter.take("c", limit)).toBeGreaterThan(0);
  });
});

describe("API key secrets", () => {
  const key = Buffer.alloc(32, 7);

  it("generates distinct prefixed 256-bit secrets", () => {
    const a = generateApiKeySecret();
    expect(a).toMatch(/^artenic_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(generateApiKeySecret());
    expect(apiKeyDisplayPrefix(a)).toBe(a.slice(0, 14));
  });

  it("hashes with the server key: same secret and key give the same hash, another key another", () => {
    expect(hashApiKeySecret(key, "s")).toBe(hashApiKeySecret(key, "s"));
    expect(hashApiKeySecret(key, "s")).not.toBe(hashApiKeySecret(Buffer.alloc(32, 8), "s"));
    expect(hashApiKeySecret(key, "s")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("compares hashes in constant time and rejects different lengths", () => {
    const h = hashApiKeySecret(key, "s");
    expect(hashesEqual(h, h)).toBe(true);
    expect(hashesEqual(h, hashApiKeySecret(key, "t"))).toBe(false);
    expect(hashesEqual(h, h.slice(0, 10))).toBe(false);
  });
});

describe("hasScope", () => {
  const principal = (...scopes: Scope[]): Principal => ({ keyName: "apiKeys/k", keyId: "k", scopes: new Set(scopes), rateLimit: undefined });
  it.each([
    [["read"], "read", true],
    [["read"], "write", false],
    [["write"], "read", true],
    [["write"], "admin", false],
    [["admin"], "write", true],
    [["admin"], "read", true],
  ] as const)("%j grants %s: %s", (scopes, required, expected) => {
    expect(hasScope(principal(...scopes), required)).toBe(expected);
  });
});
