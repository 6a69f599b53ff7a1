import type { CatalogOffering } from "../../catalog/price-catalog.js";
import { AppError } from "../../../platform/errors/app-error.js";
import { HttpApi, isArray, isNumber, isObject, isString } from "../http-api/http-api.js";
import type { NovaFlavor } from "./nova.js";

/**
 * Prices of OpenStack flavors. Nova knows no prices, so each flavor the project can launch is priced
 * from, in order:
 * - the OVHcloud public order catalog (`GET /1.0/order/catalog/public/cloud?ovhSubsidiary=..`, no
 *   credentials), when its URL is configured: each instance add-on `<flavor>.consumption` carries an
 *   hourly consumption price in hundred-millionths of the catalog's currency;
 * - else the shipped, dated snapshot catalog (fixtures/catalog), by flavor name and region.
 * A flavor without a price is not offered: placement must never take an unknown price for free.
 * GPU details come from the snapshot, since Nova's flavors do not describe the GPU model.
 */

export interface LivePrices {
  readonly currency: string;
  /** Flavor name → price per hour in `currency`. */
  readonly hourly: ReadonlyMap<string, number>;
}

/** OVH catalog prices are integers in 10^-8 of the currency unit. */
const OVH_PRICE_UNIT = 1e8;

export function parseOvhCatalog(document: unknown): LivePrices {
  const bad = (what: string) => new AppError("unavailable", "OVH_CATALOG_FORMAT", `ovh: the price catalog is malformed: ${what}`, { field: what });
  if (!isObject(document)) throw bad("the document is not an object");
  const locale = document["locale"];
  if (!isObject(locale) || !isString(locale["currencyCode"])) throw bad("locale.currencyCode");
  if (!isArray(document["addons"])) throw bad("addons");
  const hourly = new Map<string, number>();
  for (const addon of document["addons"]) {
    if (!isObject(addon) || !isString(addon["planCode"]) || !isArray(addon["pricings"])) continue;
    const m = /^([a-z0-9][a-z0-9-]*)\.consumption$/.exec(addon["planCode"]);
    if (!m) continue;
    const pricing = addon["pricings"].find((p) => isObject(p) && isArray(p["capacities"]) && p["capacities"].includes("consumption") && isNumber(p["price"]));
    if (!isObject(pricing)) continue;
    const price = pricing["price"] as number;
    if (price < 0) throw bad(`${addon["planCode"]}: negative price`);
    hourly.set(m[1]!, price / OVH_PRICE_UNIT);
  }
  return { currency: locale["currencyCode"], hourly };
}

export async function fetchOvhCatalog(url: string, signal?: AbortSignal): Promise<LivePrices> {
  const response = await new HttpApi({ provider: "ovh" }).send({ method: "GET", url, action: "read the OVHcloud price catalog", signal });
  return parseOvhCatalog(response.json);
}

export interface FlavorPricing {
  readonly provider: string;
  readonly region: string;
  readonly snapshot: readonly CatalogOffering[];
  /** Units of the platform currency per unit of the provider's (from the snapshot, dated). */
  readonly exchangeRate: number;
  readonly sourceCurrency: string;
  readonly live?: LivePrices | undefined;
  readonly today: string;
}

/** Offerings of the flavors that have a price, in the platform currency. */
export function priceFlavors(flavors: readonly NovaFlavor[], p: FlavorPricing): CatalogOffering[] {
  const out: CatalogOffering[] = [];
  if (p.live && p.live.currency !== p.sourceCurrency) {
    throw new AppError("failed_precondition", "PRICE_CURRENCY_MISMATCH", `${p.provider}: the live catalog is in ${p.live.currency}, the exchange rate is for ${p.sourceCurrency}`, {});
  }
  for (const f of flavors) {
    const snap = p.snapshot.find((o) => o.instanceType === f.name && o.region === p.region) ?? p.snapshot.find((o) => o.instanceType === f.name);
    const liveHourly = p.live?.hourly.get(f.name);
    const base = {
      provider: p.provider,
      region: p.region,
      instanceType: f.name,
      cpus: f.vcpus,
      memoryBytes: f.ramMiB * 1024 ** 2,
      gpuType: snap?.gpuType ?? "",
      gpuCount: snap?.gpuCount ?? 0,
      gpuMemoryBytes: snap?.gpuMemoryBytes ?? 0,
      diskBytes: f.diskGiB * 1024 ** 3,
      architecture: snap?.architecture ?? "x86_64",
      sourceCurrency: p.sourceCurrency,
      exchangeRate: p.exchangeRate,
      available: true,
    };
    if (liveHourly !== undefined) {
      out.push({ ...base, onDemandPerHour: round(liveHourly * p.exchangeRate), priceDate: p.today, priceSource: "live" });
    } else if (snap && snap.region === p.region) {
      out.push({ ...base, onDemandPerHour: snap.onDemandPerHour, priceDate: snap.priceDate, priceSource: "catalog" });
    }
  }
  return out.sort((a, b) => a.onDemandPerHour - b.onDemandPerHour || a.instanceType.localeCompare(b.instanceType));
}

/** Prices to a hundredth of a thousandth: no false precision from the conversion. */
const round = (v: number) => Math.round(v * 1e5) / 1e5;
