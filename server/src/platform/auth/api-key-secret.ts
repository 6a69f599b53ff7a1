import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";

/** Prefix of every generated key, so that secret scanners and people recognise one. */
export const API_KEY_PREFIX = "artenic_";

/** A new random key: 32 bytes of entropy, base64url, prefixed. */
export function generateApiKeySecret(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("base64url");
}

// Turning a Buffer into a KeyObject on every HMAC was a visible share of each RPC's CPU; the
// KeyObject of each hashing key is made once.
const keyObjects = new WeakMap<Buffer, KeyObject>();

/** The stored form of a key: hex HMAC-SHA256 under the server's derived hashing key. */
export function hashApiKeySecret(hashKey: Buffer, secret: string): string {
  let key = keyObjects.get(hashKey);
  if (!key) {
    key = createSecretKey(hashKey);
    keyObjects.set(hashKey, key);
  }
  return createHmac("sha256", key).update(secret, "utf8").digest("hex");
}

/** Compares two stored hashes in constant time (lengths are fixed, so length leaks nothing). */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The first characters of a key, shown in listings so that people can tell keys apart. */
export function apiKeyDisplayPrefix(secret: string): string {
  return secret.slice(0, Math.min(secret.length, API_KEY_PREFIX.length + 6));
}
