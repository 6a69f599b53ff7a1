import { livePriceKey, type LivePrice, type LivePriceSheet } from "../../catalog/live-prices.js";
import type { CatalogOffering } from "../../catalog/price-catalog.js";

/**
 * Compute Engine prices from the Cloud Billing Catalog API (`GET /v1/services/6F81-5844-456A/skus`,
 * `pageToken` pages, asked to quote in the platform currency: each SKU then carries the
 * `currencyConversionRate` from USD it was converted with, which is recorded on the offerings). Compute Engine prices machine types by their
 * parts: per vCPU hour ("N2 Instance Core running in Americas"), per GiB of memory hour ("N2 Instance
 * Ram ..."), per GPU hour ("Nvidia L4 GPU ..."); Spot SKUs are the same words after "Spot
 * Preemptible" with usage type Preemptible. An offering's price is vCPUs × core + GiB × RAM + GPUs ×
 * GPU, when every part has a SKU in its region.
 */

export const COMPUTE_ENGINE_SERVICE = "6F81-5844-456A";

interface Money {
  readonly units?: string | number | null;
  readonly nanos?: number | null;
}

export interface BillingSku {
  readonly description?: string;
  readonly category?: { readonly usageType?: string };
  readonly serviceRegions?: readonly string[];
  readonly pricingInfo?: readonly {
    readonly pricingExpression?: { readonly usageUnit?: string; readonly tieredRates?: readonly { readonly startUsageAmount?: number; readonly unitPrice?: Money }[] };
    readonly currencyConversionRate?: number;
  }[];
}

/** The platform's GPU names → the words Billing Catalog SKUs use for them. */
const GPU_SKU_NAMES: Readonly<Record<string, string>> = {
  "nvidia-t4": "Tesla T4",
  "nvidia-v100": "Tesla V100",
  "nvidia-p100": "Tesla P100",
  "nvidia-l4": "L4",
  "nvidia-a100-40gb": "Tesla A100",
  "nvidia-a100-80gb": "A100 80GB",
  "nvidia-h100-80gb": "H100 80GB",
};

const money = (m: Money | undefined) => Number(m?.units ?? 0) + (m?.nanos ?? 0) / 1e9;

/** The hourly rate of a SKU: the first tier with a price (tier 0 of some SKUs is a free allowance). */
function hourlyRate(sku: BillingSku): { rate: number; unit: string; conversion: number } | undefined {
  const info = sku.pricingInfo?.[0];
  const tiers = [...(info?.pricingExpression?.tieredRates ?? [])].sort((a, b) => (a.startUsageAmount ?? 0) - (b.startUsageAmount ?? 0));
  const tier = tiers.find((t) => money(t.unitPrice) > 0) ?? tiers[0];
  if (!tier || !info?.pricingExpression?.usageUnit) return undefined;
  return { rate: money(tier.unitPrice), unit: info.pricingExpression.usageUnit, conversion: info.currencyConversionRate ?? 1 };
}

type Part = "core" | "ram" | `gpu:${string}`;

/** Parts prices per `region|family|part|spot`, from SKUs. */
export function indexSkus(skus: readonly BillingSku[]): { parts: Map<string, number>; conversionRate: number | undefined } {
  const parts = new Map<string, number>();
  let conversionRate: number | undefined;
  for (const sku of skus) {
    const usage = sku.category?.usageType;
    if (usage !== "OnDemand" && usage !== "Preemptible") continue;
    const rate = hourlyRate(sku);
    if (!rate) continue;
    conversionRate ??= rate.conversion;
    const d = (sku.description ?? "").replace(/^Spot Preemptible /, "").replace(/^Preemptible /, "");
    const spot = usage === "Preemptible";
    let family: string;
    let part: Part;
    const instance = /^([A-Z0-9]+) (?:Predefined )?Instance (Core|Ram) running in /.exec(d);
    const gpu = /^Nvidia (.+) GPU running in /.exec(d);
    if (instance && (instance[2] === "Core" ? rate.unit === "h" : rate.unit === "GiBy.h")) {
      family = instance[1]!.toLowerCase();
      part = instance[2] === "Core" ? "core" : "ram";
    } else if (gpu && rate.unit === "h") {
      family = "*";
      part = `gpu:${gpu[1]}`;
    } else continue;
    for (const region of sku.serviceRegions ?? []) {
      const key = `${region}|${family}|${part}|${spot}`;
      const previous = parts.get(key);
      if (previous === undefined || rate.rate < previous) parts.set(key, rate.rate);
    }
  }
  return { parts, conversionRate };
}

/** The live price of each offering whose parts all have SKUs, in the quoted currency. */
export function priceOfferings(offerings: readonly CatalogOffering[], parts: ReadonlyMap<string, number>): Map<string, LivePrice> {
  const out = new Map<string, LivePrice>();
  for (const o of offerings) {
    const family = o.instanceType.split("-")[0]!;
    const gpuWords = o.gpuCount > 0 ? GPU_SKU_NAMES[o.gpuType] : "";
    if (gpuWords === undefined) continue;
    const price = (spot: boolean): number | undefined => {
      const core = parts.get(`${o.region}|${family}|core|${spot}`);
      const ram = parts.get(`${o.region}|${family}|ram|${spot}`);
      const gpu = o.gpuCount > 0 ? parts.get(`${o.region}|*|gpu:${gpuWords}|${spot}`) : 0;
      if (core === undefined || ram === undefined || gpu === undefined) return undefined;
      return o.cpus * core + (o.memoryBytes / 1024 ** 3) * ram + o.gpuCount * gpu;
    };
    const onDemand = price(false);
    const spot = price(true);
    if (onDemand !== undefined) out.set(livePriceKey(o.region, o.instanceType), { onDemand, ...(spot !== undefined ? { spot } : {}) });
  }
  return out;
}

/** Pages beyond this are not followed (Compute Engine has a few thousand SKUs, 5000 per page). */
const MAX_PAGES = 20;

export async function fetchBillingPrices(
  billingEndpoint: string,
  currency: string,
  offerings: readonly CatalogOffering[],
  accessToken: () => Promise<string>,
  signal?: AbortSignal,
): Promise<LivePriceSheet> {
  const skus: BillingSku[] = [];
  let pageToken = "";
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = new URL(`${billingEndpoint.replace(/\/$/, "")}/v1/services/${COMPUTE_ENGINE_SERVICE}/skus`);
    url.searchParams.set("currencyCode", currency);
    url.searchParams.set("pageSize", "5000");
    if (pageToken) url.searchParams.set("pageToken", pageToken);
    const res = await fetch(url, { headers: { authorization: `Bearer ${await accessToken()}`, accept: "application/json" }, signal: signal ?? AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`gcp: the Cloud Billing Catalog answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const doc = (await res.json()) as { skus?: BillingSku[]; nextPageToken?: string };
    skus.push(...(doc.skus ?? []));
    pageToken = doc.nextPageToken ?? "";
    if (!pageToken) break;
  }
  const { parts, conversionRate } = indexSkus(skus);
  const rate = conversionRate ?? 1;
  const fetchedAt = new Date();
  // Google converted from USD with `currencyConversionRate`: the sheet keeps USD prices and that
  // rate, so each offering records what it was converted from and with.
  const usd = new Map([...priceOfferings(offerings, parts)].map(([k, p]) => [k, { ...(p.onDemand !== undefined ? { onDemand: p.onDemand / rate } : {}), ...(p.spot !== undefined ? { spot: p.spot / rate } : {}) }]));
  return { currency: "USD", fetchedAt, prices: usd, exchangeRate: rate, exchangeRateDate: fetchedAt.toISOString().slice(0, 10) };
}
