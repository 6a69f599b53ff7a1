import type { CatalogOffering } from "./price-catalog.js";

/**
 * Prices fetched from a provider's own pricing API (Azure Retail Prices, the Cloud Billing
 * Catalog...) laid over the shipped catalog's offerings: the catalog says which instance types and
 * regions are offered and what they are made of; the live sheet refreshes what they cost, converted
 * into the platform currency with the exchange rate and its date recorded on each offering. When the
 * API cannot be reached the catalog's dated prices stand, marked as such.
 */

export interface LivePrice {
  readonly onDemand?: number;
  readonly spot?: number;
}

export interface LivePriceSheet {
  /** The currency the API quoted in (ISO 4217). */
  readonly currency: string;
  readonly fetchedAt: Date;
  /** Per-hour prices in `currency`, by `livePriceKey(region, instanceType)`. */
  readonly prices: ReadonlyMap<string, LivePrice>;
  /** Units of the platform currency per unit of `currency`, and the day that rate was valid. */
  readonly exchangeRate: number;
  readonly exchangeRateDate: string;
}

/** A catalog offering whose prices may come from the live sheet, with the conversion recorded. */
export interface PricedOffering extends CatalogOffering {
  /** The day `exchangeRate` was valid. */
  readonly exchangeRateDate: string;
}

export const livePriceKey = (region: string, instanceType: string): string => `${region}|${instanceType}`;

const day = (d: Date) => d.toISOString().slice(0, 10);
/** Converted prices are rounded to 1/10000 of a unit, finer than any provider quotes. */
const convert = (price: number, rate: number) => Math.round(price * rate * 10_000) / 10_000;

/** The offerings with their live prices where the sheet has an on-demand price for them. */
export function applyLivePrices(offerings: readonly CatalogOffering[], sheet: LivePriceSheet | undefined, catalogDate: string): PricedOffering[] {
  return offerings.map((o) => {
    const live = sheet?.prices.get(livePriceKey(o.region, o.instanceType));
    if (!sheet || live?.onDemand === undefined) return { ...o, exchangeRateDate: catalogDate };
    const { spotPerHour: _catalogSpot, ...rest } = o; // eslint-disable-line @typescript-eslint/no-unused-vars
    return {
      ...rest,
      onDemandPerHour: convert(live.onDemand, sheet.exchangeRate),
      ...(live.spot !== undefined ? { spotPerHour: convert(live.spot, sheet.exchangeRate) } : {}),
      priceDate: day(sheet.fetchedAt),
      priceSource: "live" as const,
      sourceCurrency: sheet.currency,
      exchangeRate: sheet.exchangeRate,
      exchangeRateDate: sheet.exchangeRateDate,
    };
  });
}

/**
 * One live sheet at a time, refetched after `ttlMs`; a failed fetch keeps the previous sheet (or
 * none) and is retried after `retryMs`, so listing offerings never fails because a pricing API did.
 */
export class LivePriceCache {
  private sheet: LivePriceSheet | undefined;
  private fetchedAt = 0;
  private failedAt = 0;
  private inflight: Promise<LivePriceSheet | undefined> | undefined;
  /** Why the last fetch failed, for the connection test and logs; "" after a success. */
  lastError = "";

  constructor(
    private readonly fetchSheet: (signal?: AbortSignal) => Promise<LivePriceSheet>,
    private readonly options: { readonly ttlMs?: number; readonly retryMs?: number; readonly now?: () => number } = {},
  ) {}

  async get(signal?: AbortSignal): Promise<LivePriceSheet | undefined> {
    const now = this.options.now?.() ?? Date.now();
    if (this.sheet && now - this.fetchedAt < (this.options.ttlMs ?? 6 * 3600_000)) return this.sheet;
    if (this.failedAt && now - this.failedAt < (this.options.retryMs ?? 10 * 60_000)) return this.sheet;
    this.inflight ??= this.fetchSheet(signal)
      .then((sheet) => {
        this.sheet = sheet;
        this.fetchedAt = this.options.now?.() ?? Date.now();
        this.failedAt = 0;
        this.lastError = "";
        return sheet;
      })
      .catch((e: unknown) => {
        this.failedAt = this.options.now?.() ?? Date.now();
        this.lastError = e instanceof Error ? e.message : String(e);
        return this.sheet;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
