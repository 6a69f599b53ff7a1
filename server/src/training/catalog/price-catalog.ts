import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Offering } from "../compute-provider.js";

/**
 * The shipped, dated price catalog: per provider, instance type and region, the on-demand and spot
 * price per hour in one currency, with the date the prices were valid. Estimates, recommendations
 * and ListInstanceTypes fall back to it whenever a provider has no live pricing (all of them, in
 * this build). The file format is `fixtures/catalog/prices-YYYY-MM-DD.json` (schema
 * `artenic.price-catalog/v1`); the newest file wins.
 */

const GIB = 1024 ** 3;

/** An offering with what MachineSpec matching and InstanceType need beyond the port's `Offering`. */
export interface CatalogOffering extends Offering {
  /** Memory per GPU in bytes; 0 when unknown or without GPUs. */
  readonly gpuMemoryBytes: number;
  /** Local disk in bytes; 0 when the type has only network-attached storage (any size). */
  readonly diskBytes: number;
  readonly architecture: string;
  /** The currency the provider quotes in, and units of the catalog currency per unit of it. */
  readonly sourceCurrency: string;
  readonly exchangeRate: number;
  readonly available: boolean;
}

export interface CatalogProvider {
  readonly id: string;
  readonly regions: readonly string[];
  readonly defaultRegion: string;
  readonly sourceCurrency: string;
  readonly exchangeRate: number;
  readonly offerings: readonly CatalogOffering[];
}

export interface PriceCatalog {
  /** `YYYY-MM-DD`: the day the prices were valid. */
  readonly date: string;
  /** ISO 4217 code every price is in (the platform currency). */
  readonly currency: string;
  /** Where the catalog was read from, for messages. */
  readonly source: string;
  provider(id: string): CatalogProvider | undefined;
  /** Offerings of one provider, optionally in one region or with one GPU model; [] for an unknown provider. */
  offerings(providerId: string, filter?: { region?: string | undefined; gpuType?: string | undefined }): CatalogOffering[];
}

class CatalogFormatError extends Error {
  override name = "CatalogFormatError";
}

type Json = Record<string, unknown>;

function obj(v: unknown, where: string): Json {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new CatalogFormatError(`${where}: expected an object`);
  return v as Json;
}
function str(v: unknown, where: string, pattern?: RegExp): string {
  if (typeof v !== "string" || v === "" || (pattern && !pattern.test(v))) throw new CatalogFormatError(`${where}: expected a string${pattern ? ` matching ${pattern}` : ""}`);
  return v;
}
function num(v: unknown, where: string, min = 0): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) throw new CatalogFormatError(`${where}: expected a number >= ${min}`);
  return v;
}
function optNum(v: unknown, where: string): number | undefined {
  return v === undefined ? undefined : num(v, where);
}

/** Validates and indexes a catalog document. Throws naming the first malformed field. */
export function parsePriceCatalog(document: unknown, source: string): PriceCatalog {
  const root = obj(document, source);
  if (root["schema"] !== "artenic.price-catalog/v1") throw new CatalogFormatError(`${source}: schema must be "artenic.price-catalog/v1"`);
  const date = str(root["date"], `${source}: date`, /^\d{4}-\d{2}-\d{2}$/);
  const currency = str(root["currency"], `${source}: currency`, /^[A-Z]{3}$/);
  const providers = new Map<string, CatalogProvider>();
  for (const [id, raw] of Object.entries(obj(root["providers"], `${source}: providers`))) {
    const where = `${source}: providers.${id}`;
    const p = obj(raw, where);
    const regions = (Array.isArray(p["regions"]) ? p["regions"] : []).map((r, i) => str(r, `${where}.regions[${i}]`));
    if (regions.length === 0) throw new CatalogFormatError(`${where}.regions: expected at least one region`);
    const defaultRegion = str(p["defaultRegion"], `${where}.defaultRegion`);
    if (!regions.includes(defaultRegion)) throw new CatalogFormatError(`${where}.defaultRegion: "${defaultRegion}" is not one of its regions`);
    const sourceCurrency = str(p["sourceCurrency"], `${where}.sourceCurrency`, /^[A-Z]{3}$/);
    const exchangeRate = num(p["exchangeRate"], `${where}.exchangeRate`, Number.MIN_VALUE);
    const offerings: CatalogOffering[] = [];
    const types = Array.isArray(p["instanceTypes"]) ? p["instanceTypes"] : [];
    types.forEach((rawType, i) => {
      const w = `${where}.instanceTypes[${i}]`;
      const t = obj(rawType, w);
      const gpu = t["gpu"] === undefined ? undefined : obj(t["gpu"], `${w}.gpu`);
      const base = {
        provider: id,
        instanceType: str(t["name"], `${w}.name`),
        cpus: num(t["cpus"], `${w}.cpus`, Number.MIN_VALUE),
        memoryBytes: Math.round(num(t["memoryGiB"], `${w}.memoryGiB`, Number.MIN_VALUE) * GIB),
        gpuType: gpu ? str(gpu["type"], `${w}.gpu.type`, /^[a-z0-9][a-z0-9-]{0,62}$/) : "",
        gpuCount: gpu ? num(gpu["count"], `${w}.gpu.count`, 1) : 0,
        gpuMemoryBytes: gpu ? Math.round((optNum(gpu["memoryGiB"], `${w}.gpu.memoryGiB`) ?? 0) * GIB) : 0,
        diskBytes: Math.round((optNum(t["diskGiB"], `${w}.diskGiB`) ?? 0) * GIB),
        architecture: str(t["architecture"], `${w}.architecture`, /^(x86_64|arm64)$/),
        priceDate: date,
        priceSource: "catalog" as const,
        sourceCurrency,
        exchangeRate,
        available: true,
      };
      for (const [region, rawPrice] of Object.entries(obj(t["prices"], `${w}.prices`))) {
        if (!regions.includes(region)) throw new CatalogFormatError(`${w}.prices: "${region}" is not one of the provider's regions`);
        const price = obj(rawPrice, `${w}.prices.${region}`);
        const spot = optNum(price["spot"], `${w}.prices.${region}.spot`);
        offerings.push({
          ...base,
          region,
          onDemandPerHour: num(price["onDemand"], `${w}.prices.${region}.onDemand`),
          ...(spot === undefined ? {} : { spotPerHour: spot }),
        });
      }
    });
    providers.set(id, { id, regions, defaultRegion, sourceCurrency, exchangeRate, offerings });
  }
  return {
    date,
    currency,
    source,
    provider: (id) => providers.get(id),
    offerings(providerId, filter = {}) {
      return (providers.get(providerId)?.offerings ?? []).filter(
        (o) => (!filter.region || o.region === filter.region) && (!filter.gpuType || gpuTypeMatches(filter.gpuType, o.gpuType)),
      );
    },
  };
}

/**
 * Whether an offered GPU model satisfies a requested one: the same name, or a more specific variant
 * of it (`nvidia-a100` accepts `nvidia-a100-40gb` and `nvidia-a100-80gb`). Empty accepts any.
 */
export function gpuTypeMatches(requested: string, offered: string): boolean {
  return requested === "" || offered === requested || offered.startsWith(`${requested}-`);
}

/** Reads a catalog file. */
export function readPriceCatalog(path: string): PriceCatalog {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CatalogFormatError(`${path}: ${(e as Error).message}`);
  }
  return parsePriceCatalog(document, path);
}

/**
 * The newest `prices-*.json` in `fixtures/catalog` of the repository holding this file, found by
 * walking up (the server runs from `server/src` in tests and `server/dist/src` after a build).
 */
export function findCatalogFile(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const folder = join(dir, "fixtures", "catalog");
    if (existsSync(folder)) {
      const files = readdirSync(folder).filter((f) => /^prices-\d{4}-\d{2}-\d{2}\.json$/.test(f)).sort();
      const newest = files[files.length - 1];
      if (newest) return join(folder, newest);
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** The shipped catalog (`path` overrides where it is read from). */
export function loadPriceCatalog(path: string | undefined = findCatalogFile()): PriceCatalog {
  if (!path) throw new CatalogFormatError("no price catalog found: expected fixtures/catalog/prices-YYYY-MM-DD.json");
  return readPriceCatalog(path);
}
