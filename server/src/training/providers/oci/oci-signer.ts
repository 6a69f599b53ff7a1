import { createHash, createPrivateKey, sign, type KeyObject } from "node:crypto";
import { AppError } from "../../../platform/errors/app-error.js";

/**
 * OCI API request signing: the HTTP Signatures draft (draft-cavage-http-signatures-08) as Oracle
 * Cloud Infrastructure profiles it. Every request signs `date`, `(request-target)` and `host`;
 * requests with a body (POST, PUT, PATCH) also sign `x-content-sha256` (base64 SHA-256 of the body),
 * `content-type` and `content-length`, except Object Storage object uploads, whose body is not
 * signed. The signature is RSA-SHA256 (PKCS#1 v1.5) with the API key, and the key id is
 * `<tenancy OCID>/<user OCID>/<key fingerprint>`.
 */

export interface OciCredentials {
  readonly tenancy: string;
  readonly user: string;
  readonly fingerprint: string;
  /** The API signing key, PEM (PKCS#1 or PKCS#8). */
  readonly privateKey: string;
}

export interface SignableRequest {
  readonly method: string;
  readonly url: string;
  readonly body?: Uint8Array | string | undefined;
  /** Headers already chosen (content-type...); the signed ones are added to a copy. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Leave the body out of the signature (Object Storage PutObject). */
  readonly unsignedBody?: boolean;
}

/** The header names signed for a request, in signing order. */
export function signedHeaderNames(method: string, unsignedBody = false): string[] {
  const base = ["date", "(request-target)", "host"];
  const withBody = ["post", "put", "patch"].includes(method.toLowerCase()) && !unsignedBody;
  return withBody ? [...base, "x-content-sha256", "content-type", "content-length"] : base;
}

/** The string that is signed: one `name: value` line per signed header. */
export function signingString(names: readonly string[], method: string, url: URL, headers: Readonly<Record<string, string>>): string {
  return names
    .map((name) => (name === "(request-target)" ? `(request-target): ${method.toLowerCase()} ${url.pathname}${url.search}` : `${name}: ${headers[name] ?? ""}`))
    .join("\n");
}

export class OciSigner {
  private readonly key: KeyObject;
  readonly keyId: string;

  constructor(
    credentials: OciCredentials,
    private readonly now: () => Date = () => new Date(),
  ) {
    try {
      this.key = createPrivateKey(credentials.privateKey);
    } catch {
      throw new AppError("invalid_argument", "OCI_INVALID_PRIVATE_KEY", "oci: credentials.private_key is not a PEM private key", { field: "credentials.private_key" });
    }
    this.keyId = `${credentials.tenancy}/${credentials.user}/${credentials.fingerprint}`;
  }

  /** The request's headers with date, host, the body headers when signed, and Authorization. */
  sign(request: SignableRequest): Record<string, string> {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
    headers["date"] = this.now().toUTCString();
    headers["host"] = url.host;
    const names = signedHeaderNames(request.method, request.unsignedBody);
    if (names.includes("x-content-sha256")) {
      const body = typeof request.body === "string" ? Buffer.from(request.body, "utf8") : Buffer.from(request.body ?? new Uint8Array());
      headers["x-content-sha256"] = createHash("sha256").update(body).digest("base64");
      headers["content-type"] ??= "application/json";
      headers["content-length"] = String(body.length);
    }
    const signature = sign("sha256", Buffer.from(signingString(names, request.method, url, headers), "utf8"), this.key).toString("base64");
    headers["authorization"] = `Signature version="1",keyId="${this.keyId}",algorithm="rsa-sha256",headers="${names.join(" ")}",signature="${signature}"`;
    return headers;
  }
}
