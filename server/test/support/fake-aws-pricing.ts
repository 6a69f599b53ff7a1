// A local AWS Price List API (GetProducts) speaking the documented wire format: POST / with
// `X-Amz-Target: AWSPriceListService.GetProducts`, an `application/x-amz-json-1.1` body, SigV4
// authorization (verified here against the known secret, so a wrong scope, header or body fails),
// pagination by NextToken, and `{"__type","message"}` errors.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface PricingRequest {
  readonly target: string;
  readonly body: Record<string, unknown>;
  readonly authorization: string;
  readonly signatureValid: boolean;
  readonly credentialScope: string;
}

/** A Price List product document as AWS publishes it, for an hourly Linux on-demand price. */
export function priceListProduct(o: { sku: string; instanceType: string; region: string; usd: string; vcpu: string; memory: string; gpu?: string }): string {
  const term = `${o.sku}.JRTCKXETXF`;
  return JSON.stringify({
    product: {
      productFamily: "Compute Instance",
      attributes: {
        instanceType: o.instanceType,
        vcpu: o.vcpu,
        memory: o.memory,
        regionCode: o.region,
        operatingSystem: "Linux",
        tenancy: "Shared",
        preInstalledSw: "NA",
        capacitystatus: "Used",
        licenseModel: "No License required",
        servicecode: "AmazonEC2",
        ...(o.gpu ? { gpu: o.gpu } : {}),
      },
      sku: o.sku,
    },
    serviceCode: "AmazonEC2",
    terms: {
      OnDemand: {
        [term]: {
          priceDimensions: {
            [`${term}.6YS6EN2CT7`]: {
              unit: "Hrs",
              endRange: "Inf",
              description: `$${o.usd} per On Demand Linux ${o.instanceType} Instance Hour`,
              appliesTo: [],
              rateCode: `${term}.6YS6EN2CT7`,
              beginRange: "0",
              pricePerUnit: { USD: o.usd },
            },
          },
          sku: o.sku,
          effectiveDate: "2026-11-01T00:00:00Z",
          offerTermCode: "JRTCKXETXF",
          termAttributes: {},
        },
      },
    },
    version: "20261120000000",
    publicationDate: "2026-11-20T00:00:00Z",
  });
}

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
const sha256hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** Recomputes a SigV4 signature of a request (empty path query, all signed headers as received). */
function verifySigV4(req: IncomingMessage, body: Buffer, secret: string): { valid: boolean; scope: string } {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? "");
  if (!m) return { valid: false, scope: "" };
  const [, , date, region, service, signedHeaders, signature] = m as unknown as string[];
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const canonicalHeaders = signedHeaders!
    .split(";")
    .map((h) => `${h}:${String(req.headers[h] ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const url = new URL(req.url ?? "/", "http://x");
  const canonical = [req.method, url.pathname, url.searchParams.toString(), canonicalHeaders, signedHeaders, sha256hex(body)].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), "aws4_request");
  const want = createHmac("sha256", key).update(toSign).digest();
  const given = Buffer.from(signature!, "hex");
  return { valid: given.length === want.length && timingSafeEqual(given, want), scope };
}

export class FakeAwsPricing {
  private server: Server | undefined;
  readonly requests: PricingRequest[] = [];
  url = "";
  /** Products per region code, served in pages of `pageSize`. */
  products = new Map<string, string[]>();
  pageSize = 2;
  /** Answer every call with this error instead. */
  failWith: { status: number; type: string; message: string } | undefined;

  constructor(private readonly secretAccessKey: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks);
        const { valid, scope } = verifySigV4(req, raw, this.secretAccessKey);
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
        } catch {
          // left empty: refused below
        }
        const target = String(req.headers["x-amz-target"] ?? "");
        this.requests.push({ target, body, authorization: req.headers.authorization ?? "", signatureValid: valid, credentialScope: scope });
        const send = (status: number, doc: unknown) => {
          res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `req-${this.requests.length}` });
          res.end(JSON.stringify(doc));
        };
        if (!valid) return send(403, { __type: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided." });
        if (req.method !== "POST" || req.url !== "/" || req.headers["content-type"] !== "application/x-amz-json-1.1") return send(400, { __type: "SerializationException", message: "bad request shape" });
        if (this.failWith) return send(this.failWith.status, { __type: this.failWith.type, message: this.failWith.message });
        if (target !== "AWSPriceListService.GetProducts") return send(400, { __type: "UnknownOperationException", message: target });
        if (body["ServiceCode"] !== "AmazonEC2" || body["FormatVersion"] !== "aws_v1") return send(400, { __type: "InvalidParameterException", message: "ServiceCode and FormatVersion" });
        const filters = (body["Filters"] as { Type: string; Field: string; Value: string }[] | undefined) ?? [];
        if (!filters.every((f) => f.Type === "TERM_MATCH")) return send(400, { __type: "InvalidParameterException", message: "filter type" });
        const region = filters.find((f) => f.Field === "regionCode")?.Value ?? "";
        const all = this.products.get(region) ?? [];
        const start = body["NextToken"] ? Number(String(body["NextToken"]).replace("page-", "")) : 0;
        if (!Number.isInteger(start) || start < 0) return send(400, { __type: "InvalidNextTokenException", message: "bad token" });
        const size = Math.min(this.pageSize, Number(body["MaxResults"] ?? 100));
        const page = all.slice(start, start + size);
        return send(200, { FormatVersion: "aws_v1", PriceList: page, ...(start + size < all.length ? { NextToken: `page-${start + size}` } : {}) });
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
