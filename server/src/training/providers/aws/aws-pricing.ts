import { DescribeSpotPriceHistoryCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import type { Offering } from "../../compute-provider.js";
import { gpuTypeMatches, type CatalogOffering } from "../../catalog/price-catalog.js";
import { sdkCredentials, type AwsProviderConfig } from "./aws-config.js";
import { translateAwsError } from "./aws-errors.js";

/**
 * Prices of the instance types the catalog knows, per region: on-demand from the AWS Price List
 * API (GetProducts: Linux, shared tenancy, no pre-installed software, used capacity), spot from
 * EC2's spot price history (the lowest current price across the region's zones), both in USD and
 * converted to the platform currency at the configured rate, whose date is recorded with each
 * offering. Live lists are cached; when live pricing is off or fails, the shipped dated catalog
 * answers.
 */

export interface AwsPrices {
  offerings(filter?: { region?: string; gpuType?: string }, signal?: AbortSignal): Promise<Offering[]>;
}

/** An offering with the conversion that produced its prices. */
export interface AwsOffering extends CatalogOffering {
  /** The day the exchange rate was valid. */
  readonly exchangeRateDate: string;
}

/** The Price List filters that select plain Linux on-demand hours. */
export function onDemandFilters(region: string): { Type: "TERM_MATCH"; Field: string; Value: string }[] {
  return [
    { Type: "TERM_MATCH", Field: "regionCode", Value: region },
    { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
    { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
    { Type: "TERM_MATCH", Field: "preInstalledSw", Value: "NA" },
    { Type: "TERM_MATCH", Field: "capacitystatus", Value: "Used" },
    { Type: "TERM_MATCH", Field: "licenseModel", Value: "No License required" },
  ];
}

export interface OnDemandPrice {
  readonly instanceType: string;
  readonly usdPerHour: number;
  readonly cpus: number;
  readonly memoryGiB: number;
}

/**
 * One Price List product document (a JSON string of GetProducts' PriceList) → the hourly USD price
 * and specs; undefined when it is not an hourly on-demand price of an instance type.
 */
export function parsePriceListProduct(document: string): OnDemandPrice | undefined {
  let doc: { product?: { attributes?: Record<string, string> }; terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: Record<string, string> }> }> } };
  try {
    doc = JSON.parse(document) as typeof doc;
  } catch {
    return undefined;
  }
  const attributes = doc.product?.attributes ?? {};
  const instanceType = attributes["instanceType"];
  if (!instanceType) return undefined;
  const prices: number[] = [];
  for (const term of Object.values(doc.terms?.OnDemand ?? {})) {
    for (const dimension of Object.values(term.priceDimensions ?? {})) {
      const usd = Number(dimension.pricePerUnit?.["USD"]);
      if ((dimension.unit === "Hrs" || dimension.unit === "Hours") && Number.isFinite(usd) && usd > 0) prices.push(usd);
    }
  }
  if (prices.length === 0) return undefined;
  const memory = /^([\d.,]+)\s*GiB$/i.exec(attributes["memory"] ?? "");
  return {
    instanceType,
    usdPerHour: Math.min(...prices),
    cpus: Number(attributes["vcpu"]) || 0,
    memoryGiB: memory ? Number(memory[1]!.replace(/,/g, "")) : 0,
  };
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

export class AwsPriceList implements AwsPrices {
  private readonly cache = new Map<string, { at: number; offerings: AwsOffering[] }>();
  private pricing: PricingClient | undefined;

  constructor(
    private readonly config: AwsProviderConfig,
    private readonly ec2: (region: string) => EC2Client,
  ) {}

  private now(): Date {
    return this.config.now?.() ?? new Date();
  }

  private catalog(filter: { region?: string; gpuType?: string }): Offering[] {
    return this.config.offerings.filter((o) => (!filter.region || o.region === filter.region) && (!filter.gpuType || gpuTypeMatches(filter.gpuType, o.gpuType)));
  }

  /** Live offerings when enabled (the catalog for a region whose live fetch fails), else the catalog. */
  async offerings(filter: { region?: string; gpuType?: string } = {}, signal?: AbortSignal): Promise<Offering[]> {
    if (!this.config.livePricing) return this.catalog(filter);
    const regions = [...new Set(this.config.offerings.map((o) => o.region))].filter((r) => !filter.region || r === filter.region);
    const out: Offering[] = [];
    for (const region of regions) {
      const live = await this.liveRegion(region, signal).catch(() => undefined);
      out.push(...(live ?? this.catalog({ region })).filter((o) => !filter.gpuType || gpuTypeMatches(filter.gpuType, o.gpuType)));
    }
    return out;
  }

  /** Live offerings of one region (cached), throwing when the APIs fail. */
  async liveRegion(region: string, signal?: AbortSignal): Promise<AwsOffering[]> {
    const cached = this.cache.get(region);
    const now = this.now();
    if (cached && now.getTime() - cached.at < (this.config.priceCacheMs ?? 6 * 3600_000)) return cached.offerings;
    const known = this.config.offerings.filter((o) => o.region === region);
    const types = [...new Set(known.map((o) => o.instanceType))];
    const onDemand = await this.onDemandPrices(region, new Set(types), signal);
    const spot = await this.spotPrices(region, types, signal);
    const { rate, date } = this.config.exchange;
    const offerings: AwsOffering[] = [];
    for (const base of known) {
      const price = onDemand.get(base.instanceType);
      if (!price) continue;
      const spotUsd = spot.get(base.instanceType);
      const { spotPerHour: _catalogSpot, ...rest } = base;
      offerings.push({
        ...rest,
        cpus: price.cpus || base.cpus,
        memoryBytes: price.memoryGiB ? Math.round(price.memoryGiB * 1024 ** 3) : base.memoryBytes,
        onDemandPerHour: round6(price.usdPerHour * rate),
        ...(spotUsd !== undefined ? { spotPerHour: round6(spotUsd * rate) } : {}),
        priceDate: now.toISOString().slice(0, 10),
        priceSource: "live",
        sourceCurrency: "USD",
        exchangeRate: rate,
        exchangeRateDate: date,
      });
    }
    this.cache.set(region, { at: now.getTime(), offerings });
    return offerings;
  }

  private pricingClient(): PricingClient {
    return (this.pricing ??= new PricingClient({
      // The Price List API answers from us-east-1 (also eu-central-1 and ap-south-1) for every region.
      region: "us-east-1",
      ...(this.config.pricingEndpoint ? { endpoint: this.config.pricingEndpoint } : {}),
      ...sdkCredentials(this.config),
      requestHandler: { connectionTimeout: 10_000, requestTimeout: this.config.requestTimeoutMs ?? 30_000 },
      maxAttempts: 3,
    }));
  }

  /** Hourly on-demand USD prices of `types` in `region`, page after page. */
  async onDemandPrices(region: string, types: ReadonlySet<string>, signal?: AbortSignal): Promise<Map<string, OnDemandPrice>> {
    const out = new Map<string, OnDemandPrice>();
    let NextToken: string | undefined;
    do {
      const page = await this.pricingClient()
        .send(new GetProductsCommand({ ServiceCode: "AmazonEC2", FormatVersion: "aws_v1", Filters: onDemandFilters(region), MaxResults: 100, ...(NextToken ? { NextToken } : {}) }), signal ? { abortSignal: signal } : {})
        .catch((e: unknown) => {
          throw translateAwsError(e, "GetProducts AmazonEC2", region, signal);
        });
      for (const item of page.PriceList ?? []) {
        const price = parsePriceListProduct(String(item));
        if (!price || !types.has(price.instanceType)) continue;
        const seen = out.get(price.instanceType);
        if (!seen || price.usdPerHour < seen.usdPerHour) out.set(price.instanceType, price);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  /** The lowest current spot price (USD per hour) of each type across the region's zones. */
  async spotPrices(region: string, types: readonly string[], signal?: AbortSignal): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (types.length === 0) return out;
    let NextToken: string | undefined;
    do {
      const page = await this.ec2(region)
        .send(
          new DescribeSpotPriceHistoryCommand({
            InstanceTypes: types as never,
            ProductDescriptions: ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
            // A start time of now returns the price in effect in each zone now.
            StartTime: this.now(),
            MaxResults: 1000,
            ...(NextToken ? { NextToken } : {}),
          }),
          signal ? { abortSignal: signal } : {},
        )
        .catch((e: unknown) => {
          throw translateAwsError(e, "DescribeSpotPriceHistory", region, signal);
        });
      for (const p of page.SpotPriceHistory ?? []) {
        const usd = Number(p.SpotPrice);
        if (!p.InstanceType || !Number.isFinite(usd) || usd < 0) continue;
        const seen = out.get(p.InstanceType);
        if (seen === undefined || usd < seen) out.set(p.InstanceType, usd);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }
}
