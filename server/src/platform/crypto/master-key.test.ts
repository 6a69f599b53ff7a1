import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decryptSecret, encryptSecret, loadServerKeys } from "./master-key.js";

describe("loadServerKeys", () => {
  it("generates a 0600 key file once and derives the same keys from it on the next start", () => {
    const dir = mkdtempSync(join(tmpdir(), "artenic-keys-"));
    const first = loadServerKeys(undefined, dir);
    expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    const again = loadServerKeys(undefined, dir);
    expect(again.apiKeyHashKey.equals(first.apiKeyHashKey)).toBe(true);
    expect(first.apiKeyHashKey.equals(first.secretsKey)).toBe(false);
    expect(readFileSync(join(dir, "secret.key"), "utf8").trim()).toMatch(/^[A-Za-z0-9+/=]{44}$/);
  });

  it("derives from ARTENIC_SECRET_KEY when given, and refuses a short one", () => {
    const a = loadServerKeys("x".repeat(32), "/nonexistent");
    expect(a.secretsKey.equals(loadServerKeys("x".repeat(32), "/elsewhere").secretsKey)).toBe(true);
    expect(() => loadServerKeys("short", "/nonexistent")).toThrow(/at least 32/);
  });
});

describe("encryptSecret", () => {
  const key = Buffer.alloc(32, 1);

  it("round-trips and never repeats a ciphertext", () => {
    const a = encryptSecret(key, "hunter2", "providers/aws");
    expect(a).not.toContain("hunter2");
    expect(a).not.toBe(encryptSecret(key, "hunter2", "providers/aws"));
    expect(decryptSecret(key, a, "providers/aws")).toBe("hunter2");
  });

  it("refuses a tampered ciphertext, the wrong key, or other associated data", () => {
    const sealed = encryptSecret(key, "hunter2", "a");
    const parts = sealed.split(".");
    parts[3] = Buffer.from("x" + Buffer.from(parts[3]!, "base64url").toString("latin1").slice(1), "latin1").toString("base64url");
    expect(() => decryptSecret(key, parts.join("."), "a")).toThrow();
    expect(() => decryptSecret(Buffer.alloc(32, 2), sealed, "a")).toThrow();
    expect(() => decryptSecret(key, sealed, "b")).toThrow();
  });
});
