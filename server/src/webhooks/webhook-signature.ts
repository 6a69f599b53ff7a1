import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** A new server-generated signing secret: `whsec_` and 43 base64url characters (256 bits). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** The lowercase hex HMAC-SHA256, keyed with the secret's UTF-8 bytes, of `<t>.<body>`. */
export function signPayload(secret: string, timestampSeconds: number, body: string): string {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(`${timestampSeconds}.`).update(body).digest("hex");
}

/**
 * The `Artenic-Signature` header: `t=<unix seconds>,v1=<hex>`, with one more `v1=` per extra secret
 * (a rotated-out secret that is still valid).
 */
export function signatureHeader(secrets: readonly string[], timestampSeconds: number, body: string): string {
  return [`t=${timestampSeconds}`, ...secrets.map((s) => `v1=${signPayload(s, timestampSeconds, body)}`)].join(",");
}

/**
 * Checks a received `Artenic-Signature` the way receivers should: the timestamp within `toleranceSeconds`
 * of `nowSeconds`, and any `v1` equal, in constant time, to the HMAC recomputed over the raw body.
 */
export function verifySignature(header: string, body: string, secret: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && value !== undefined && /^\d+$/.test(value)) t = Number(value);
    else if (key === "v1" && value !== undefined) candidates.push(value);
  }
  if (t === undefined || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, t, body), "utf8");
  return candidates.some((c) => {
    const given = Buffer.from(c, "utf8");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
