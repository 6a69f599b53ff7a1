import { describe, expect, it } from "vitest";
import { findCatalogFile, gpuTypeMatches, loadPriceCatalog, parsePriceCatalog } from "./price-catalog.js";
import { compareCheapest, compareFastest, enrichOffering, priceOption, satisfies } from "./placement.js";
import { listInMemory } from "./memory-list.js";
import type { ListSpec } from "../../platform/query/list-query.js";

const GIB = 1024 ** 3;

describe("price catalog", () => {
  const catalog = loadPriceCatalog();

  it("loads the newest dated snapshot with one currency, local, kubernetes and clouds, spot and on-demand", () => {
    expect(findCatalogFile()).toMatch(/fixtures\/catalog\/prices-\d{4}-\d{2}-\d{2}\.json$/);
    expect(catalog).toMatchObject({ date: "2025-06-01", currency: "USD" });
    for (const id of ["local", "kubernetes", "aws", "gcp", "azure", "lambda-labs", "runpod", "hetzner", "scaleway"]) expect(catalog.offerings(id).length).toBeGreaterThan(0);
    expect(catalog.offerings("aws").some((o) => o.spotPerHour !== undefined)).toBe(true);
    expect(catalog.offerings("lambda-labs").every((o) => o.spotPerHour === undefined)).toBe(true);
    const g5 = catalog.offerings("aws", { region: "eu-west-1" }).find((o) => o.instanceType === "g5.xlarge")!;
    expect(g5).toMatchObject({ cpus: 4, memoryBytes: 16 * GIB, gpuType: "nvidia-a10g", gpuCount: 1, gpuMemoryBytes: 24 * GIB, diskBytes: 250 * GIB, onDemandPerHour: 1.123, spotPerHour: 0.47, priceDate: "2025-06-01", priceSource: "catalog" });
    expect(catalog.offerings("hetzner")[0]).toMatchObject({ sourceCurrency: "EUR", exchangeRate: 1.08 });
    expect(catalog.offerings("nimbus")).toEqual([]);
    expect(catalog.offerings("aws", { gpuType: "nvidia-a100" }).map((o) => o.instanceType)).toEqual(["p4d.24xlarge"]);
  });

  it("refuses malformed documents naming the field", () => {
    const base = { schema: "artenic.price-catalog/v1", date: "2025-06-01", currency: "USD", providers: {} };
    expect(() => parsePriceCatalog({ ...base, date: "June" }, "x.json")).toThrow("x.json: date: expected a string matching");
    expect(() => parsePriceCatalog({ ...base, schema: "v0" }, "x.json")).toThrow('schema must be "artenic.price-catalog/v1"');
    const provider = { sourceCurrency: "USD", exchangeRate: 1, defaultRegion: "a", regions: ["a"], instanceTypes: [{ name: "t", cpus: 1, memoryGiB: 1, architecture: "x86_64", prices: { b: { onDemand: 1 } } }] };
    expect(() => parsePriceCatalog({ ...base, providers: { p: provider } }, "x.json")).toThrow('x.json: providers.p.instanceTypes[0].prices: "b" is not one of the provider\'s regions');
    const negative = { ...provider, instanceTypes: [{ ...provider.instanceTypes[0], prices: { a: { onDemand: -1 } } }] };
    expect(() => parsePriceCatalog({ ...base, providers: { p: negative } }, "x.json")).toThrow("onDemand: expected a number >= 0");
  });

  it("matches GPU models by name or more specific variant", () => {
    expect(gpuTypeMatches("", "nvidia-t4")).toBe(true);
    expect(gpuTypeMatches("nvidia-a100", "nvidia-a100-80gb")).toBe(true);
    expect(gpuTypeMatches("nvidia-a100-80gb", "nvidia-a100")).toBe(false);
    expect(gpuTypeMatches("nvidia-a10", "nvidia-a100")).toBe(false);
  });
});

describe("placement pricing", () => {
  const catalog = loadPriceCatalog();
  const req = { cpus: 4, memoryBytes: 16 * GIB, gpuType: "", gpuCount: 1, gpuMemoryBytes: 20 * GIB, diskBytes: 50 * GIB };

  it("satisfies: resources met or exceeded, GPU memory honoured, CPU-only jobs kept off GPU types, network disk accepted", () => {
    const aws = catalog.offerings("aws", { region: "us-east-1" });
    expect(aws.filter((o) => satisfies(o, req)).map((o) => o.instanceType)).toEqual(["g5.xlarge", "g5.12xlarge", "p4d.24xlarge", "p5.48xlarge"]);
    expect(aws.filter((o) => satisfies(o, { ...req, gpuCount: 0, gpuMemoryBytes: 0 })).map((o) => o.instanceType)).toEqual(["m6i.2xlarge", "m7g.xlarge", "c6i.8xlarge"]);
    const hetzner = catalog.offerings("hetzner", { region: "fsn1" });
    expect(hetzner.filter((o) => satisfies(o, { ...req, gpuCount: 0, gpuMemoryBytes: 0, diskBytes: 200 * GIB })).map((o) => o.instanceType)).toEqual(["ccx33", "ccx63"]);
  });

  it("prices an option: estimate for the expected duration, reservation for the max runtime capped at max cost", () => {
    const g4 = catalog.offerings("aws", { region: "us-east-1" }).find((o) => o.instanceType === "g4dn.xlarge")!;
    const onDemand = priceOption(g4, false, 1, { expectedMs: 2 * 3_600_000, maxRuntimeMs: 10 * 3_600_000, maxCost: 3 }, true);
    expect(onDemand).toMatchObject({ hourlyPrice: 0.526, estimatedCost: 1.052, reservation: 3, withinMaxCost: true });
    expect(onDemand.notes).toEqual(["price from the catalog dated 2025-06-01"]);
    const spot = priceOption(g4, true, 1, { expectedMs: 90 * 60_000, maxRuntimeMs: 3_600_000, maxCost: 0.2 }, true);
    expect(spot).toMatchObject({ hourlyPrice: 0.2, estimatedCost: 0.3, reservation: 0.2, withinMaxCost: false });
    expect(spot.notes).toHaveLength(3);
    expect(() => priceOption(catalog.offerings("hetzner")[0]!, true, 1, { expectedMs: 1, maxRuntimeMs: 1, maxCost: null }, true)).toThrow("no spot price");
  });

  it("ranks cheapest by cost then speed, fastest by speed then cost", () => {
    const [a, b] = catalog.offerings("gcp", { region: "us-central1" });
    const terms = { expectedMs: 3_600_000, maxRuntimeMs: 3_600_000, maxCost: null };
    const slowCheap = priceOption(a!, false, 1, terms, true);
    const fastDear = priceOption(b!, false, 5, terms, true);
    expect([fastDear, slowCheap].sort(compareCheapest)).toEqual([slowCheap, fastDear]);
    expect([slowCheap, fastDear].sort(compareFastest)).toEqual([fastDear, slowCheap]);
  });

  it("completes an adapter's offering from the catalog", () => {
    const plain = { provider: "aws", region: "us-east-1", instanceType: "g5.xlarge", cpus: 4, memoryBytes: 16 * GIB, gpuType: "nvidia-a10g", gpuCount: 1, onDemandPerHour: 0.9, priceDate: "2026-11-26", priceSource: "live" as const };
    expect(enrichOffering(plain, catalog)).toMatchObject({ ...plain, gpuMemoryBytes: 24 * GIB, diskBytes: 250 * GIB, architecture: "x86_64", sourceCurrency: "USD", exchangeRate: 1 });
    expect(enrichOffering({ ...plain, provider: "local", instanceType: "big-host" }, catalog)).toMatchObject({ gpuMemoryBytes: 0, diskBytes: 0, architecture: "x86_64" });
  });
});

describe("in-memory lists", () => {
  const spec: ListSpec = { fields: { name: { prop: "name", type: "string" }, price: { prop: "price", type: "number" }, ok: { prop: "ok", type: "bool" } }, defaultOrder: "price", idProp: "name" };
  const rows = [
    { name: "a", price: 3, ok: true },
    { name: "b", price: undefined, ok: false },
    { name: "c", price: 1, ok: true },
    { name: "d", price: 2, ok: false },
  ];

  it("filters, orders (missing prices last either way) and pages with tokens bound to the query", () => {
    expect(listInMemory(rows, spec, { pageSize: 0, pageToken: "", filter: "", orderBy: "" }, { nullsLast: ["price"] }).items.map((r) => r.name)).toEqual(["c", "d", "a", "b"]);
    expect(listInMemory(rows, spec, { pageSize: 0, pageToken: "", filter: "", orderBy: "price desc" }, { nullsLast: ["price"] }).items.map((r) => r.name)).toEqual(["a", "d", "c", "b"]);
    expect(listInMemory(rows, spec, { pageSize: 0, pageToken: "", filter: "ok = true AND price >= 2", orderBy: "" }).items.map((r) => r.name)).toEqual(["a"]);
    const first = listInMemory(rows, spec, { pageSize: 3, pageToken: "", filter: "", orderBy: "name desc" });
    expect(first).toMatchObject({ totalSize: 4, items: [{ name: "d" }, { name: "c" }, { name: "b" }] });
    const second = listInMemory(rows, spec, { pageSize: 3, pageToken: first.nextPageToken, filter: "", orderBy: "name desc" });
    expect(second).toMatchObject({ nextPageToken: "", items: [{ name: "a" }] });
    expect(() => listInMemory(rows, spec, { pageSize: 3, pageToken: first.nextPageToken, filter: "", orderBy: "name" })).toThrow("page_token");
    expect(() => listInMemory(rows, spec, { pageSize: -1, pageToken: "", filter: "", orderBy: "" })).toThrow("page_size");
  });
});
