import { AppError } from "../../../platform/errors/app-error.js";
import { HttpApi, isArray, isHttpStatus, isObject, isString, type HttpRequest, type HttpResponse } from "../http-api/http-api.js";

/**
 * Keystone v3 password authentication (POST /v3/auth/tokens, project-scoped): the token comes back
 * in the X-Subject-Token header and the body's service catalog names the Nova and Swift endpoints of
 * each region. The token is reused until shortly before it expires, and renewed once when an API
 * answers 401 (revoked or expired early).
 */

export interface KeystoneCredentials {
  /** The identity endpoint, ending in /v3. */
  readonly authUrl: string;
  readonly username: string;
  readonly password: string;
  readonly userDomainName: string;
  readonly projectId: string;
  readonly region: string;
}

export interface KeystoneEndpoints {
  readonly compute: string;
  readonly objectStore: string;
}

interface Token {
  readonly value: string;
  readonly expiresAt: number;
  readonly endpoints: KeystoneEndpoints;
}

/** Renew this long before the token's expiry, so a call never starts with a token about to lapse. */
const RENEW_MARGIN_MS = 5 * 60_000;

/** Error bodies of OpenStack services: {"error": {"message"}} (Keystone), {"itemNotFound": {"message"}} (Nova) and friends. */
export function openstackErrorMessage(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  for (const value of Object.values(body)) {
    if (isObject(value) && isString(value["message"])) return value["message"];
  }
  return undefined;
}

/** The public endpoint of a service type in a region, from a v3 catalog. */
export function catalogEndpoint(catalog: unknown, type: string, region: string): string | undefined {
  if (!isArray(catalog)) return undefined;
  for (const service of catalog) {
    if (!isObject(service) || service["type"] !== type || !isArray(service["endpoints"])) continue;
    for (const e of service["endpoints"]) {
      if (isObject(e) && e["interface"] === "public" && (e["region_id"] === region || e["region"] === region) && isString(e["url"])) return e["url"].replace(/\/+$/, "");
    }
  }
  return undefined;
}

export class KeystoneSession {
  private token: Token | undefined;
  private pending: Promise<Token> | undefined;

  constructor(
    private readonly credentials: KeystoneCredentials,
    private readonly http: HttpApi,
    private readonly provider: string,
    private readonly now: () => number = Date.now,
  ) {}

  private async authenticate(signal: AbortSignal | undefined): Promise<Token> {
    const c = this.credentials;
    const response = await this.http.send({
      method: "POST",
      url: `${c.authUrl.replace(/\/+$/, "")}/auth/tokens`,
      action: "authenticate with Keystone",
      signal,
      json: {
        auth: {
          identity: { methods: ["password"], password: { user: { name: c.username, domain: { name: c.userDomainName }, password: c.password } } },
          scope: { project: { id: c.projectId } },
        },
      },
    });
    const value = response.headers.get("x-subject-token");
    const body = response.json;
    const token = isObject(body) && isObject(body["token"]) ? body["token"] : undefined;
    if (!value || !token) throw new AppError("unavailable", "OPENSTACK_BAD_RESPONSE", `${this.provider}: Keystone answered without a token`, {});
    const expiresAt = isString(token["expires_at"]) ? Date.parse(token["expires_at"]) : NaN;
    const compute = catalogEndpoint(token["catalog"], "compute", c.region);
    const objectStore = catalogEndpoint(token["catalog"], "object-store", c.region);
    const missing = [!compute ? "compute (Nova)" : "", !objectStore ? "object-store (Swift)" : ""].filter(Boolean);
    if (missing.length > 0) {
      throw new AppError("failed_precondition", "OPENSTACK_NO_ENDPOINT", `${this.provider}: the service catalog has no public ${missing.join(" or ")} endpoint in region ${c.region}`, { region: c.region });
    }
    return { value, expiresAt: Number.isNaN(expiresAt) ? this.now() + 3_600_000 : expiresAt, endpoints: { compute: compute!, objectStore: objectStore! } };
  }

  private async current(signal: AbortSignal | undefined, renew = false): Promise<Token> {
    if (!renew && this.token && this.token.expiresAt - RENEW_MARGIN_MS > this.now()) return this.token;
    // Concurrent callers share one authentication.
    this.pending ??= this.authenticate(signal).finally(() => (this.pending = undefined));
    this.token = await this.pending;
    return this.token;
  }

  async endpoints(signal?: AbortSignal): Promise<KeystoneEndpoints> {
    return (await this.current(signal)).endpoints;
  }

  /**
   * Sends a request to a service with the token; `url` receives the region's endpoints. A 401 renews
   * the token and retries once.
   */
  async send(build: (endpoints: KeystoneEndpoints) => HttpRequest, api: HttpApi): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.current(undefined, attempt > 0);
      const request = build(token.endpoints);
      try {
        return await api.send({ ...request, headers: { ...request.headers, "x-auth-token": token.value } });
      } catch (e) {
        if (attempt === 0 && isHttpStatus(e, 401)) continue;
        throw e;
      }
    }
  }

  /** Like `send`, but a 404 is undefined (reads) or success (deletes). */
  async sendAllowingNotFound(build: (endpoints: KeystoneEndpoints) => HttpRequest, api: HttpApi): Promise<HttpResponse | undefined> {
    try {
      return await this.send(build, api);
    } catch (e) {
      if (isHttpStatus(e, 404)) return undefined;
      throw e;
    }
  }
}
