import type { EntityManager } from "@mikro-orm/core";
import type { Offering } from "./compute-provider.js";
import type { ProviderRegistry } from "./provider-registry.js";
import type { FailoverModeName, PlacementStrategyName, ResourcesRecord } from "./training-job.entity.js";
import { noPlacement, providerNotUsable, unknownProvider } from "./training.errors.js";

/** MachineSpec defaults (machine_spec.proto): 1 vCPU, 2 GiB, no GPU, 50 GiB of disk. */
export const DEFAULT_RESOURCES: ResourcesRecord = { cpus: 1, memoryBytes: 2 * 1024 ** 3, gpuType: "", gpuCount: 0, gpuMemoryBytes: 0, diskBytes: 50 * 1024 ** 3 };

/** Max runtime when the spec leaves it unset: 24 hours. */
export const DEFAULT_MAX_RUNTIME_MS = 24 * 3600 * 1000;

/** The spec's resources with zeros replaced by the defaults. */
export function effectiveResources(r: ResourcesRecord | null): ResourcesRecord {
  return {
    cpus: r?.cpus || DEFAULT_RESOURCES.cpus,
    memoryBytes: r?.memoryBytes || DEFAULT_RESOURCES.memoryBytes,
    gpuType: r?.gpuType ?? "",
    gpuCount: r?.gpuCount ?? 0,
    gpuMemoryBytes: r?.gpuMemoryBytes ?? 0,
    diskBytes: r?.diskBytes || DEFAULT_RESOURCES.diskBytes,
  };
}

/** What a placement decision must honour. Empty strings and lists mean "any". */
export interface PlacementConstraints {
  /** Pinned provider id. */
  readonly provider: string;
  readonly region: string;
  readonly instanceType: string;
  readonly strategy: PlacementStrategyName;
  /** Provider ids. */
  readonly allowedProviders: readonly string[];
  readonly allowedRegions: readonly string[];
  readonly resources: ResourcesRecord;
  readonly spot: boolean;
}

/** One way to run a job: an offering, spot or on-demand, at an hourly price. */
export interface Candidate {
  readonly provider: string;
  readonly region: string;
  readonly instanceType: string;
  readonly spot: boolean;
  readonly hourlyPrice: number;
  readonly offering: Offering;
  readonly speedScore: number;
}

// Relative throughput of accelerator models, for FASTEST ranking only; unknown models count as 2.
const GPU_SPEED: readonly [RegExp, number][] = [
  [/h200|b200/, 14],
  [/h100/, 10],
  [/mi300/, 9],
  [/a100/, 6],
  [/l40/, 5],
  [/a10|l4|a6000|4090/, 3],
  [/v100/, 2.5],
  [/t4/, 1.5],
];

/** Higher is faster: GPUs dominate, then vCPUs. Comparable only within one ranking. */
export function speedScore(o: Pick<Offering, "gpuType" | "gpuCount" | "cpus">): number {
  const gpu = o.gpuCount > 0 ? o.gpuCount * (GPU_SPEED.find(([re]) => re.test(o.gpuType))?.[1] ?? 2) : 0;
  return gpu * 100 + o.cpus;
}

function satisfies(o: Offering, r: ResourcesRecord): boolean {
  if (o.cpus < r.cpus || o.memoryBytes < r.memoryBytes) return false;
  if (o.gpuCount < r.gpuCount) return false;
  if (r.gpuCount > 0 && r.gpuType !== "" && o.gpuType !== r.gpuType) return false;
  return true;
}

/** Orders candidates for a strategy; ties go to the smaller machine, then by name, so the order is stable. */
export function rank(candidates: Candidate[], strategy: PlacementStrategyName): Candidate[] {
  const byName = (a: Candidate, b: Candidate) =>
    a.provider.localeCompare(b.provider) || a.region.localeCompare(b.region) || a.instanceType.localeCompare(b.instanceType);
  const smaller = (a: Candidate, b: Candidate) => a.offering.gpuCount - b.offering.gpuCount || a.offering.cpus - b.offering.cpus || a.offering.memoryBytes - b.offering.memoryBytes;
  return [...candidates].sort((a, b) =>
    strategy === "fastest"
      ? b.speedScore - a.speedScore || a.hourlyPrice - b.hourlyPrice || byName(a, b)
      : a.hourlyPrice - b.hourlyPrice || smaller(a, b) || byName(a, b),
  );
}

/** What admission reserves: the hourly price times the max runtime, capped at the max cost. */
export function estimateCost(hourlyPrice: number, maxRuntimeMs: number, maxCost: number | null): number {
  const full = hourlyPrice * (maxRuntimeMs / 3_600_000);
  return maxCost === null ? full : Math.min(full, maxCost);
}

function describe(c: PlacementConstraints): string {
  const r = c.resources;
  const parts = [`${r.cpus} vCPU`, `${Math.round((r.memoryBytes / 1024 ** 3) * 100) / 100} GiB`];
  if (r.gpuCount > 0) parts.push(`${r.gpuCount} × ${r.gpuType || "any GPU"}`);
  if (c.spot) parts.push("spot");
  if (c.provider) parts.push(`on providers/${c.provider}`);
  if (c.region) parts.push(`in ${c.region}`);
  if (c.instanceType) parts.push(`as ${c.instanceType}`);
  return parts.join(", ");
}

/**
 * Every placement that satisfies the constraints among providers that may take jobs, best first.
 * A pinned provider that is unknown is INVALID_ARGUMENT; one that exists but is unconfigured or
 * disabled is FAILED_PRECONDITION naming what is missing. Providers whose offerings cannot be
 * listed are skipped (their reasons are returned), and no candidate at all is FAILED_PRECONDITION.
 */
export async function findCandidates(
  em: EntityManager,
  registry: ProviderRegistry,
  c: PlacementConstraints,
  field = "training_job.spec.placement.provider",
): Promise<{ candidates: Candidate[]; skipped: string[] }> {
  const skipped: string[] = [];
  let ids: string[];
  if (c.provider !== "") {
    const usable = await registry.usability(em, c.provider);
    if (!usable.usable) {
      if (usable.state === "unknown") throw unknownProvider(field, `providers/${c.provider}`);
      throw providerNotUsable(`providers/${c.provider}`, usable.state, usable.message);
    }
    ids = [c.provider];
  } else {
    for (const id of c.allowedProviders) {
      const usable = await registry.usability(em, id);
      if (!usable.usable && usable.state === "unknown") throw unknownProvider("training_job.spec.placement.allowed_providers", `providers/${id}`);
    }
    ids = [];
    for (const p of registry.list()) {
      if (c.allowedProviders.length > 0 && !c.allowedProviders.includes(p.id)) continue;
      const usable = await registry.usability(em, p.id);
      if (usable.usable) ids.push(p.id);
    }
  }
  const candidates: Candidate[] = [];
  for (const id of ids) {
    const provider = registry.get(id);
    if (!provider) continue;
    let offerings: Offering[];
    try {
      offerings = await provider.listOfferings(c.region ? { region: c.region } : {});
    } catch (e) {
      skipped.push(`providers/${id}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    for (const o of offerings) {
      if (c.region && o.region !== c.region) continue;
      if (c.allowedRegions.length > 0 && !c.allowedRegions.includes(o.region)) continue;
      if (c.instanceType && o.instanceType !== c.instanceType) continue;
      if (!satisfies(o, c.resources)) continue;
      const price = c.spot ? o.spotPerHour : o.onDemandPerHour;
      if (price === undefined) continue;
      candidates.push({ provider: id, region: o.region, instanceType: o.instanceType, spot: c.spot, hourlyPrice: price, offering: o, speedScore: speedScore(o) });
    }
  }
  if (candidates.length === 0) throw noPlacement(describe(c) + (skipped.length > 0 ? ` (skipped ${skipped.join("; ")})` : ""));
  return { candidates: rank(candidates, c.strategy), skipped };
}

/** Where the preempted attempt ran. */
export interface CurrentPlacement {
  readonly provider: string;
  readonly region: string;
  readonly instanceType: string;
}

/**
 * The constraints of a retry: the spec's, with the pins the failover mode lets go of. Each retry is
 * a new placement decision that still honours the allowed providers and regions.
 */
export function retryConstraints(base: PlacementConstraints, current: CurrentPlacement, mode: FailoverModeName, spot: boolean): PlacementConstraints {
  switch (mode) {
    case "same_placement":
      return { ...base, provider: current.provider, region: current.region, instanceType: current.instanceType, spot };
    case "next_region":
      return { ...base, provider: current.provider, region: "", instanceType: base.provider === current.provider ? base.instanceType : "", spot };
    case "next_provider":
    case "anywhere":
      return { ...base, provider: "", region: "", instanceType: "", spot };
  }
}

/**
 * Picks the retry's placement among ranked candidates (FailoverMode in training_job.proto):
 * another region of the same provider, another provider, or the same placement, in the mode's order
 * of preference, falling back to the same placement when nothing else can run the job.
 */
export function chooseRetry(ranked: readonly Candidate[], current: CurrentPlacement, mode: FailoverModeName): Candidate | undefined {
  const same = (c: Candidate) => c.provider === current.provider && c.region === current.region && c.instanceType === current.instanceType;
  const otherRegion = ranked.find((c) => c.provider === current.provider && c.region !== current.region);
  const otherProvider = ranked.find((c) => c.provider !== current.provider);
  const samePlacement = ranked.find(same) ?? ranked.find((c) => c.provider === current.provider && c.region === current.region);
  const order: (Candidate | undefined)[] =
    mode === "same_placement"
      ? [samePlacement]
      : mode === "next_region"
        ? [otherRegion, samePlacement]
        : mode === "next_provider"
          ? [otherProvider, samePlacement ?? ranked.find((c) => c.provider === current.provider)]
          : [otherRegion, otherProvider, samePlacement];
  return order.find((c) => c !== undefined) ?? ranked[0];
}
