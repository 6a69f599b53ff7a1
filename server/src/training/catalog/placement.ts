import type { Offering } from "../compute-provider.js";
import { gpuTypeMatches, type CatalogOffering, type PriceCatalog } from "./price-catalog.js";

/**
 * Cost arithmetic of placement options, shared by EstimateCost and RecommendPlacements: what each
 * option costs for the expected duration, what admission would reserve, whether it fits the spec's
 * max cost, and how options rank. Candidate selection itself is the training domain's
 * (training/placement.ts), so that estimates consider exactly what CreateTrainingJob would.
 */

const HOUR_MS = 3_600_000;

/** MachineSpec with the server defaults applied (training/placement.ts `effectiveResources`). */
export interface Requirements {
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly gpuType: string;
  readonly gpuCount: number;
  readonly gpuMemoryBytes: number;
  readonly diskBytes: number;
}

/**
 * Whether an offering meets or exceeds every requirement (machine_spec.proto): vCPUs, memory, GPU
 * count and model (`nvidia-a100` accepts `nvidia-a100-80gb`), memory per GPU, and disk (a type
 * without local disk has network storage of any size). A CPU-only spec is never matched with a GPU
 * type, whose GPUs would be paid for and idle. Used for the catalog-only candidates of providers
 * that are not enabled.
 */
export function satisfies(o: CatalogOffering, r: Requirements): boolean {
  if (r.gpuCount === 0 && o.gpuCount > 0) return false;
  return (
    o.cpus >= r.cpus &&
    o.memoryBytes >= r.memoryBytes &&
    o.gpuCount >= r.gpuCount &&
    gpuTypeMatches(r.gpuType, o.gpuType) &&
    (r.gpuMemoryBytes === 0 || o.gpuMemoryBytes >= r.gpuMemoryBytes) &&
    (o.diskBytes === 0 || o.diskBytes >= r.diskBytes)
  );
}

/** One way to run a job, priced. Amounts are in the platform currency. */
export interface PricedOption {
  readonly offering: CatalogOffering;
  readonly spot: boolean;
  readonly hourlyPrice: number;
  readonly expectedMs: number;
  /** hourly × expected duration. */
  readonly estimatedCost: number;
  /** What admission reserves: hourly × max runtime, capped at max cost. */
  readonly reservation: number;
  readonly speedScore: number;
  readonly withinMaxCost: boolean;
  /** Whether CreateTrainingJob could choose it now (its provider takes new jobs). */
  readonly selectable: boolean;
  /** Filled in by the budget preview. */
  blockingBudgets: string[];
  readonly notes: string[];
}

export interface PricingTerms {
  readonly expectedMs: number;
  readonly maxRuntimeMs: number;
  /** The spec's max_cost in the platform currency; null without one. */
  readonly maxCost: number | null;
}

/** Rounds to the nanos of google.type.Money, so that figures add up as displayed. */
export function roundMoney(amount: number): number {
  return Math.round(amount * 1e9) / 1e9;
}

export function priceOption(offering: CatalogOffering, spot: boolean, speedScore: number, terms: PricingTerms, selectable: boolean, notes: readonly string[] = []): PricedOption {
  const hourly = spot ? offering.spotPerHour : offering.onDemandPerHour;
  if (hourly === undefined) throw new Error(`${offering.provider}/${offering.instanceType} has no spot price`);
  const estimatedCost = roundMoney((hourly * terms.expectedMs) / HOUR_MS);
  const fullRun = roundMoney((hourly * terms.maxRuntimeMs) / HOUR_MS);
  const all = [...notes];
  if (offering.priceSource === "catalog") all.push(`price from the catalog dated ${offering.priceDate}`);
  if (spot) all.push("spot capacity can be reclaimed; a preempted job is retried under its preemption policy");
  const withinMaxCost = terms.maxCost === null || estimatedCost <= terms.maxCost;
  if (!withinMaxCost) all.push("the estimate exceeds max_cost: the job would likely be cancelled at its cost ceiling");
  return {
    offering,
    spot,
    hourlyPrice: hourly,
    expectedMs: terms.expectedMs,
    estimatedCost,
    reservation: terms.maxCost === null ? fullRun : Math.min(fullRun, terms.maxCost),
    speedScore,
    withinMaxCost,
    selectable,
    blockingBudgets: [],
    notes: all,
  };
}

function byName(a: PricedOption, b: PricedOption): number {
  return (
    a.offering.provider.localeCompare(b.offering.provider) ||
    a.offering.region.localeCompare(b.offering.region) ||
    a.offering.instanceType.localeCompare(b.offering.instanceType) ||
    Number(a.spot) - Number(b.spot)
  );
}

/** CHEAPEST: lowest estimated cost, then the faster, then by name for a stable order. */
export function compareCheapest(a: PricedOption, b: PricedOption): number {
  return a.estimatedCost - b.estimatedCost || b.speedScore - a.speedScore || byName(a, b);
}

/** FASTEST: highest speed score, cost breaking ties, then by name. */
export function compareFastest(a: PricedOption, b: PricedOption): number {
  return b.speedScore - a.speedScore || a.estimatedCost - b.estimatedCost || byName(a, b);
}

/**
 * Completes a port `Offering` from an adapter (the local host, a live price list) with what the
 * catalog knows about the same type; unknown fields take neutral values (no GPU memory, network disk).
 */
export function enrichOffering(o: Offering, catalog: PriceCatalog): CatalogOffering {
  if ("architecture" in o && "sourceCurrency" in o && "gpuMemoryBytes" in o) return o as CatalogOffering;
  const provider = catalog.provider(o.provider);
  const known = provider?.offerings.find((c) => c.instanceType === o.instanceType);
  return {
    ...o,
    gpuMemoryBytes: known?.gpuMemoryBytes ?? 0,
    diskBytes: known?.diskBytes ?? 0,
    architecture: known?.architecture ?? "x86_64",
    sourceCurrency: provider?.sourceCurrency ?? catalog.currency,
    exchangeRate: provider?.exchangeRate ?? 1,
    available: true,
  };
}
