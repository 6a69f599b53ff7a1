import { describe, expect, it } from "vitest";
import type { Offering } from "./compute-provider.js";
import { chooseRetry, estimateCost, rank, retryConstraints, speedScore, type Candidate, type PlacementConstraints } from "./placement.js";

const offering = (provider: string, region: string, instanceType: string, more: Partial<Offering> = {}): Offering => ({
  provider,
  region,
  instanceType,
  cpus: 2,
  memoryBytes: 4 * 1024 ** 3,
  gpuType: "",
  gpuCount: 0,
  onDemandPerHour: 1,
  priceDate: "2026-01-01",
  priceSource: "catalog",
  ...more,
});

const candidate = (o: Offering, price = o.onDemandPerHour): Candidate => ({
  provider: o.provider,
  region: o.region,
  instanceType: o.instanceType,
  spot: false,
  hourlyPrice: price,
  offering: o,
  speedScore: speedScore(o),
});

describe("placement", () => {
  it("ranks cheapest first, the smaller machine breaking ties, and fastest by GPUs then vCPUs", () => {
    const small = candidate(offering("a", "r1", "small", { onDemandPerHour: 1, cpus: 2 }));
    const big = candidate(offering("a", "r1", "big", { onDemandPerHour: 1, cpus: 8 }));
    const gpu = candidate(offering("b", "r1", "gpu", { onDemandPerHour: 3, gpuType: "nvidia-h100", gpuCount: 1 }));
    const t4 = candidate(offering("b", "r1", "t4", { onDemandPerHour: 0.5, gpuType: "nvidia-t4", gpuCount: 1 }));
    expect(rank([gpu, big, small, t4], "cheapest").map((c) => c.instanceType)).toEqual(["t4", "small", "big", "gpu"]);
    expect(rank([small, t4, big, gpu], "fastest").map((c) => c.instanceType)).toEqual(["gpu", "t4", "big", "small"]);
  });

  it("estimates the hourly price times the max runtime, capped at the max cost", () => {
    expect(estimateCost(2, 3 * 3_600_000, null)).toBe(6);
    expect(estimateCost(2, 3 * 3_600_000, 5)).toBe(5);
  });

  it("fails over to another region, then another provider, then the same placement", () => {
    const current = { provider: "a", region: "r1", instanceType: "small" };
    const same = candidate(offering("a", "r1", "small", { onDemandPerHour: 1 }));
    const otherRegion = candidate(offering("a", "r2", "small", { onDemandPerHour: 2 }));
    const otherProvider = candidate(offering("b", "r9", "x", { onDemandPerHour: 1.5 }));
    const ranked = rank([same, otherRegion, otherProvider], "cheapest");
    expect(chooseRetry(ranked, current, "anywhere")).toBe(otherRegion);
    expect(chooseRetry(ranked, current, "next_region")).toBe(otherRegion);
    expect(chooseRetry(ranked, current, "next_provider")).toBe(otherProvider);
    expect(chooseRetry(ranked, current, "same_placement")).toBe(same);
    expect(chooseRetry([same], current, "next_region")).toBe(same);
    expect(chooseRetry(rank([same, otherProvider], "cheapest"), current, "anywhere")).toBe(otherProvider);
  });

  it("lets a retry go of the pins its failover mode allows, keeping the allowed lists", () => {
    const base: PlacementConstraints = {
      provider: "a",
      region: "r1",
      instanceType: "small",
      strategy: "cheapest",
      allowedProviders: ["a", "b"],
      allowedRegions: [],
      resources: { cpus: 1, memoryBytes: 1, gpuType: "", gpuCount: 0, gpuMemoryBytes: 0, diskBytes: 0 },
      spot: true,
    };
    const current = { provider: "a", region: "r1", instanceType: "small" };
    expect(retryConstraints(base, current, "next_region", true)).toMatchObject({ provider: "a", region: "", instanceType: "small" });
    expect(retryConstraints(base, current, "anywhere", false)).toMatchObject({ provider: "", region: "", instanceType: "", spot: false, allowedProviders: ["a", "b"] });
    expect(retryConstraints(base, current, "same_placement", true)).toMatchObject({ provider: "a", region: "r1", instanceType: "small" });
  });
});
