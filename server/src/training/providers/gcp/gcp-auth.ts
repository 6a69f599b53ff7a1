import { JWT } from "google-auth-library";
import { AppError } from "../../../platform/errors/app-error.js";

/** The fields of a service-account key document used here. */
export interface ServiceAccountKey {
  readonly client_email: string;
  readonly private_key: string;
  readonly token_uri: string;
  readonly project_id?: string;
}

/** The token endpoint google-auth-library always calls, whatever the key says. */
const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

export function parseServiceAccountKey(json: string): ServiceAccountKey {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new AppError("invalid_argument", "GCP_INVALID_KEY", "gcp: the service account key is not JSON.", {}, { fieldViolations: [{ field: "credentials.credentials_json", description: "must be a service-account key JSON document" }] });
  }
  const missing = ["client_email", "private_key"].filter((k) => typeof doc[k] !== "string" || doc[k] === "");
  if (doc["type"] !== "service_account" || missing.length > 0) {
    throw new AppError("invalid_argument", "GCP_INVALID_KEY", `gcp: the key is not a service-account key${missing.length ? ` (missing ${missing.join(", ")})` : ""}.`, {}, {
      fieldViolations: [{ field: "credentials.credentials_json", description: 'must be a key of "type": "service_account" with client_email and private_key' }],
    });
  }
  return {
    client_email: doc["client_email"] as string,
    private_key: doc["private_key"] as string,
    token_uri: typeof doc["token_uri"] === "string" && doc["token_uri"] !== "" ? doc["token_uri"] : GOOGLE_TOKEN_URL,
    ...(typeof doc["project_id"] === "string" ? { project_id: doc["project_id"] } : {}),
  };
}

/**
 * A JWT-bearer client for the service account (RS256 assertion exchanged for an access token).
 * google-auth-library posts the assertion to Google's token URL whatever the key's `token_uri`
 * says, so a request to that URL is re-addressed to the key's own endpoint (a private or test one).
 */
export function serviceAccountClient(key: ServiceAccountKey): JWT {
  const jwt = new JWT({ email: key.client_email, key: key.private_key, scopes: ["https://www.googleapis.com/auth/cloud-platform"] });
  if (key.token_uri !== GOOGLE_TOKEN_URL) {
    jwt.transporter.interceptors.request.add({
      resolved: async (options) => {
        if (String(options.url) === GOOGLE_TOKEN_URL) options.url = new URL(key.token_uri);
        return options;
      },
    });
  }
  return jwt;
}
