import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../errors/app-error.js";

/**
 * Keys derived from one master secret: one for hashing API keys, one for encrypting secrets at
 * rest. Deriving (HKDF-SHA256) keeps each use cryptographically separate.
 */
export interface ServerKeys {
  /** Key of the HMAC-SHA256 that API keys are stored under. */
  readonly apiKeyHashKey: Buffer;
  /** AES-256-GCM key for provider credentials, webhook secrets and secret settings. */
  readonly secretsKey: Buffer;
}

/**
 * Returns the server keys from `ARTENIC_SECRET_KEY`, or from `<dataDir>/secret.key`, generating that
 * file (mode 0600) on first start. Several replicas on one database must share ARTENIC_SECRET_KEY.
 */
export function loadServerKeys(secretKey: string | undefined, dataDir: string): ServerKeys {
  let master: Buffer;
  if (secretKey !== undefined) {
    if (secretKey.length < 32) {
      throw new AppError("invalid_argument", "INVALID_CONFIGURATION", "ARTENIC_SECRET_KEY must be at least 32 characters.", {
        variable: "ARTENIC_SECRET_KEY",
      });
    }
    master = Buffer.from(secretKey, "utf8");
  } else {
    const file = join(dataDir, "secret.key");
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
    }
    chmodSync(file, 0o600);
    master = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  }
  return {
    apiKeyHashKey: derive(master, "artenic api-key hash v1"),
    secretsKey: derive(master, "artenic secrets at rest v1"),
  };
}

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info, 32));
}

const VERSION = "v1";

/** Encrypts with AES-256-GCM under a fresh 96-bit nonce: `v1.<nonce>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(key: Buffer, plaintext: string, associatedData = ""): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, nonce, cipher.getAuthTag(), body].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

/** Decrypts what `encryptSecret` produced; throws when the data or the associated data was altered. */
export function decryptSecret(key: Buffer, sealed: string, associatedData = ""): string {
  const [version, nonce, tag, body] = sealed.split(".");
  if (version !== VERSION || nonce === undefined || tag === undefined || body === undefined) {
    throw new Error("sealed secret has an unknown format");
  }
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64url"));
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}
