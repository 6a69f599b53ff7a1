import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { backoffCapMs, backoffDelayMs } from "./backoff.js";
import { isNonPublicAddress, refusedDestination } from "./destination.js";
import { generateWebhookSecret, signatureHeader, verifySignature } from "./webhook-signature.js";
import { selectsEventType } from "./webhook-event.js";

describe("webhook signatures", () => {
  const body = '{"type":"budget.budget_alert.created"}';

  it("signs `t.body` with HMAC-SHA256 in lowercase hex, one v1 per secret", () => {
    const header = signatureHeader(["s1-secret-of-24-characters", "s2-secret-of-24-characters"], 1_800_000_000, body);
    const expected = (s: string) => createHmac("sha256", s).update(`1800000000.${body}`).digest("hex");
    expect(header).toBe(`t=1800000000,v1=${expected("s1-secret-of-24-characters")},v1=${expected("s2-secret-of-24-characters")}`);
  });

  it("verifies with either secret, and refuses a changed body, another secret or a stale timestamp", () => {
    const header = signatureHeader(["new-secret-of-24-characters", "old-secret-of-24-characters"], 1_800_000_000, body);
    expect(verifySignature(header, body, "new-secret-of-24-characters", 1_800_000_100)).toBe(true);
    expect(verifySignature(header, body, "old-secret-of-24-characters", 1_800_000_100)).toBe(true);
    expect(verifySignature(header, body + " ", "new-secret-of-24-characters", 1_800_000_100)).toBe(false);
    expect(verifySignature(header, body, "another-secret-of-24-chars", 1_800_000_100)).toBe(false);
    expect(verifySignature(header, body, "new-secret-of-24-characters", 1_800_000_301)).toBe(false);
  });

  it("generates whsec_ secrets of 43 base64url characters", () => {
    expect(generateWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });
});

describe("backoff", () => {
  const policy = { baseMs: 10_000, maxMs: 3_600_000 };

  it("doubles the cap from the base up to the maximum", () => {
    expect([1, 2, 3, 4, 9, 10, 30].map((n) => backoffCapMs(policy, n))).toEqual([10_000, 20_000, 40_000, 80_000, 2_560_000, 3_600_000, 3_600_000]);
  });

  it("draws a full-jitter delay uniformly between 0 and the cap", () => {
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(20_000);
    expect(backoffDelayMs(policy, 3, () => 0.999999)).toBeLessThan(40_000);
  });
});

describe("destinations", () => {
  it("recognizes loopback, private, link-local and mapped addresses", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "0.0.0.0"]) {
      expect(isNonPublicAddress(a), a).toBe(true);
    }
    for (const a of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "example.com"]) expect(isNonPublicAddress(a), a).toBe(false);
  });

  it("refuses private destinations unless configured, and other schemes always", () => {
    expect(refusedDestination("http://127.0.0.1:9/hook", false)).toMatch(/private/);
    expect(refusedDestination("http://localhost/hook", false)).toMatch(/this machine/);
    expect(refusedDestination("http://[::1]/hook", false)).toMatch(/private/);
    expect(refusedDestination("https://hooks.example.com/x", false)).toBeUndefined();
    expect(refusedDestination("http://127.0.0.1:9/hook", true)).toBeUndefined();
    expect(refusedDestination("ftp://example.com/", true)).toMatch(/http/);
  });
});

describe("event type selection", () => {
  it("selects everything when empty, exact types, and prefixes ending in .*", () => {
    expect(selectsEventType([], "training.training_job.failed")).toBe(true);
    expect(selectsEventType(["budget.*"], "budget.budget_alert.created")).toBe(true);
    expect(selectsEventType(["budget.*"], "budgets.x")).toBe(false);
    expect(selectsEventType(["training.training_job.failed"], "training.training_job.failed")).toBe(true);
    expect(selectsEventType(["training.training_job.failed"], "training.training_job.preempted")).toBe(false);
  });
});
