/** What an API key may do. WRITE implies READ; ADMIN implies both. */
export type Scope = "read" | "write" | "admin";

/** The authenticated caller of one RPC. */
export interface Principal {
  /** `apiKeys/{api_key}`; recorded as the actor of every change the call makes. */
  readonly keyName: string;
  readonly keyId: string;
  readonly scopes: ReadonlySet<Scope>;
  /** Token bucket of this key; undefined means the server default. */
  readonly rateLimit: { readonly requestsPerSecond: number; readonly burst: number } | undefined;
  /**
   * Set for a training job's scoped token (`trainingJobs/{job}`): such a principal may call only the
   * job-facing methods (see `jobTokenMethods`), and only on that job.
   */
  readonly job?: string;
}

/**
 * Resolves a presented bearer token to a principal, or undefined when it is not a live key. A
 * verifier answers synchronously when it can (a cached key): the auth gate runs on every call, and a
 * promise per call was a measurable share of a small RPC's cost.
 */
export interface ApiKeyVerifier {
  verify(token: string): Principal | undefined | Promise<Principal | undefined>;
}

/** Whether `principal` holds `required`, with the implication WRITE ⇒ READ and ADMIN ⇒ everything. */
export function hasScope(principal: Principal, required: Scope): boolean {
  if (principal.scopes.has("admin")) return true;
  if (required === "read") return principal.scopes.has("read") || principal.scopes.has("write");
  return principal.scopes.has(required);
}
