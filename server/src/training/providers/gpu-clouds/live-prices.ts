import type { Offering } from "../../compute-provider.js";

/** USD (what Lambda, RunPod and Vast.ai quote in) to the platform currency, at a rate valid on a date. */
export interface Exchange {
  readonly currency: string;
  /** Units of `currency` per US dollar. */
  readonly rate: number;
  /** `YYYY-MM-DD`: the day the rate was valid. */
  readonly date: string;
}

/** An offering priced live, with the conversion it went through. */
export interface LiveOffering extends Offering {
  readonly sourceCurrency: "USD";
  readonly exchangeRate: number;
  readonly exchangeRateDate: string;
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** USD per hour → the platform currency per hour, rounded to a millionth. */
export function convertUsd(usdPerHour: number, exchange: Exchange): number {
  return round6(usdPerHour * exchange.rate);
}

/** The price date of a live fetch: today, UTC. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * A vendor GPU name (`NVIDIA GeForce RTX 4090`, `A100 SXM4 80GB`, `H100_PCIe`) in the platform's
 * vocabulary (`nvidia-rtx-4090`, `nvidia-a100-80gb`, `nvidia-h100`): form factors and marketing
 * words dropped, the memory kept only where the catalog tells models apart by it (A100).
 */
export function platformGpuType(vendorName: string): string {
  const words = vendorName
    .toLowerCase()
    .replace(/[_/]+/g, " ")
    .replace(/\b(nvidia|geforce|tesla|quadro|pcie|sxm\d?|sxm|nvl|nvlink|hbm\d?e?|ada|generation|gpu)\b/g, " ")
    .trim()
    .split(/[\s-]+/)
    .filter(Boolean);
  let memory = "";
  const rest: string[] = [];
  for (const w of words) {
    if (/^\d+gb$/.test(w)) memory = w;
    else rest.push(w);
  }
  const model = rest.join("-");
  if (model === "") return "";
  const keepsMemory = /^a100$/.test(model);
  return `nvidia-${model}${keepsMemory ? `-${memory || "40gb"}` : ""}`;
}

/** `1x-rtx-4090`: the instance-type name of `count` GPUs of a platform type, as the catalog names them. */
export function gpuInstanceTypeName(count: number, gpuType: string): string {
  return `${count}x-${gpuType.replace(/^nvidia-/, "")}`;
}

/** An offering priced in USD per hour, converted, with the conversion recorded. */
export function liveOffering(
  base: Omit<Offering, "onDemandPerHour" | "spotPerHour" | "priceDate" | "priceSource">,
  usd: { readonly onDemand: number; readonly spot?: number | null | undefined },
  exchange: Exchange,
  date: string,
): LiveOffering {
  return {
    ...base,
    onDemandPerHour: convertUsd(usd.onDemand, exchange),
    ...(usd.spot !== undefined && usd.spot !== null ? { spotPerHour: convertUsd(usd.spot, exchange) } : {}),
    priceDate: date,
    priceSource: "live",
    sourceCurrency: "USD",
    exchangeRate: exchange.rate,
    exchangeRateDate: exchange.date,
  };
}

/** The cheapest offering of each GPU model, cheapest first: marketplaces list many hosts of one model. */
export function cheapestPerGpuType(offerings: readonly LiveOffering[]): LiveOffering[] {
  const cheapest = new Map<string, LiveOffering>();
  for (const o of offerings) {
    const seen = cheapest.get(o.gpuType);
    if (!seen || o.onDemandPerHour < seen.onDemandPerHour) cheapest.set(o.gpuType, o);
  }
  return [...cheapest.values()].sort((a, b) => a.onDemandPerHour - b.onDemandPerHour || a.instanceType.localeCompare(b.instanceType));
}
