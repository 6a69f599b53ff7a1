import { create } from "@bufbuild/protobuf";
import { durationMs, type Duration } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { ProviderKind } from "@artenic/gen/artenic/training/v1/provider_pb";
import { PlacementStrategy } from "@artenic/gen/artenic/training/v1/training_job_pb";
import {
  EstimateCostResponseSchema,
  ListInstanceTypesResponseSchema,
  ListProvidersResponseSchema,
  RecommendPlacementsResponseSchema,
  TestProviderConnectionResponseSchema,
  TrainingService,
} from "@artenic/gen/artenic/training/v1/training_service_pb";
import { durationFromMillis } from "../../platform/duration.js";
import { useCaseContext } from "../../platform/context.js";
import type { ListSpec } from "../../platform/query/list-query.js";
import type { CatalogOffering } from "../catalog/price-catalog.js";
import { listInMemory } from "../catalog/memory-list.js";
import { estimatePlacementCost, recommendPlacements, type BudgetPreview } from "./provider-estimates.js";
import type { ProviderHub, ProviderView } from "./provider-hub.js";
import { toInstanceTypeProto, toPlacementOptionProto, toProviderProto } from "./provider.mapper.js";

export interface ProviderHubHandlerDeps {
  readonly hub: ProviderHub;
  /** Flags options BLOCK budgets would refuse; none are flagged without it. */
  readonly budgets?: BudgetPreview;
}

/** `providers/{id}` → id (the pattern was checked by protovalidate). */
function providerId(name: string): string {
  return name.slice("providers/".length);
}

const enumValues = (names: readonly string[], prefix: string) => Object.fromEntries(names.flatMap((n) => [[n, n], [`${prefix}${n}`, n]]));

const providerListSpec: ListSpec = {
  fields: {
    name: { prop: "name", type: "string" },
    display_name: { prop: "displayName", type: "string" },
    state: { prop: "state", type: "string", values: enumValues(["UNCONFIGURED", "CONFIGURED", "CONNECTED", "ERROR", "DISABLED"], "PROVIDER_STATE_") },
    enabled: { prop: "enabled", type: "bool" },
    kind: { prop: "kind", type: "string", values: enumValues(["LOCAL", "KUBERNETES", "CLOUD", "GPU_CLOUD", "FAKE"], "PROVIDER_KIND_") },
    "capabilities.spot": { prop: "spot", type: "bool" },
    "capabilities.gpu": { prop: "gpu", type: "bool" },
  },
  defaultOrder: "name",
  idProp: "name",
};

const instanceTypeListSpec: ListSpec = {
  fields: {
    name: { prop: "name", type: "string" },
    gpu_type: { prop: "gpuType", type: "string" },
    gpu_count: { prop: "gpuCount", type: "number" },
    gpu_memory_bytes: { prop: "gpuMemoryBytes", type: "number" },
    cpus: { prop: "cpus", type: "number" },
    memory_bytes: { prop: "memoryBytes", type: "number" },
    architecture: { prop: "architecture", type: "string" },
    available: { prop: "available", type: "bool" },
    spot_available: { prop: "spotAvailable", type: "bool" },
    price_source: { prop: "priceSource", type: "string", values: enumValues(["LIVE", "CATALOG"], "PRICE_SOURCE_") },
    on_demand_price: { prop: "onDemandPrice", type: "number" },
    spot_price: { prop: "spotPrice", type: "number" },
  },
  defaultOrder: "on_demand_price",
  idProp: "key",
};

function providerRow(v: ProviderView) {
  return {
    name: `providers/${v.definition.id}`,
    displayName: v.definition.displayName,
    state: v.state,
    enabled: v.enabled,
    kind: ProviderKind[v.definition.kind] ?? "",
    spot: v.definition.capabilities.spot,
    gpu: v.definition.capabilities.gpu,
    view: v,
  };
}

function instanceTypeRow(o: CatalogOffering) {
  return {
    key: `${o.provider}/${o.region}/${o.instanceType}`,
    name: o.instanceType,
    gpuType: o.gpuType,
    gpuCount: o.gpuCount,
    gpuMemoryBytes: o.gpuMemoryBytes,
    cpus: o.cpus,
    memoryBytes: o.memoryBytes,
    architecture: o.architecture,
    available: o.available,
    spotAvailable: o.spotPerHour !== undefined,
    priceSource: o.priceSource === "live" ? "LIVE" : "CATALOG",
    onDemandPrice: o.onDemandPerHour,
    spotPrice: o.spotPerHour,
    offering: o,
  };
}

const strategyName = (s: PlacementStrategy) => (s === PlacementStrategy.FASTEST ? "fastest" : s === PlacementStrategy.CHEAPEST ? "cheapest" : undefined);

/**
 * The Provider Hub's part of `artenic.training.v1.TrainingService`: providers, their credentials,
 * connection tests and enablement, instance types with prices, cost estimates and placement
 * recommendations. The rest of the service (jobs) comes from the training module's handler.
 */
export function createProviderHubHandler(deps: ProviderHubHandlerDeps): Partial<ServiceImpl<typeof TrainingService>> {
  const { hub } = deps;
  return {
    async listProviders(req, ctx) {
      const uc = useCaseContext(ctx);
      const page = listInMemory((await hub.list(uc.em)).map(providerRow), providerListSpec, req);
      return create(ListProvidersResponseSchema, { providers: page.items.map((r) => toProviderProto(r.view)), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) });
    },
    async getProvider(req, ctx) {
      return { provider: toProviderProto(await hub.get(useCaseContext(ctx).em, providerId(req.name))) };
    },
    async configureProvider(req, ctx) {
      const view = await hub.configure(useCaseContext(ctx), providerId(req.name), { credentials: req.credentials, config: req.config, etag: req.etag, testConnection: req.testConnection }, ctx.signal);
      return { provider: toProviderProto(view) };
    },
    async clearProviderCredentials(req, ctx) {
      return { provider: toProviderProto(await hub.clear(useCaseContext(ctx), providerId(req.name), req.etag)) };
    },
    async testProviderConnection(req, ctx) {
      const outcome = await hub.test(useCaseContext(ctx), providerId(req.name), ctx.signal);
      return create(TestProviderConnectionResponseSchema, {
        success: outcome.success,
        message: outcome.message,
        latency: durationFromMillis(outcome.latencyMs),
        checks: outcome.checks.map((c) => ({ ...c })),
        provider: toProviderProto(outcome.provider),
      });
    },
    async enableProvider(req, ctx) {
      return { provider: toProviderProto(await hub.enable(useCaseContext(ctx), providerId(req.name), req.etag, req.skipConnectionTest, ctx.signal)) };
    },
    async disableProvider(req, ctx) {
      return { provider: toProviderProto(await hub.disable(useCaseContext(ctx), providerId(req.name), req.etag)) };
    },
    async listInstanceTypes(req, ctx) {
      const uc = useCaseContext(ctx);
      let ids: string[];
      if (req.provider !== "") {
        const id = providerId(req.provider);
        hub.definition(id);
        ids = [id];
      } else {
        ids = (await hub.list(uc.em)).map((v) => v.definition.id);
      }
      const offerings: CatalogOffering[] = [];
      for (const id of ids) offerings.push(...(await hub.offerings(uc.em, id)).filter((o) => req.region === "" || o.region === req.region));
      const page = listInMemory(offerings.map(instanceTypeRow), instanceTypeListSpec, req, {
        scopeKey: `${req.provider}\u0000${req.region}`,
        nullsLast: ["onDemandPrice", "spotPrice"],
      });
      return create(ListInstanceTypesResponseSchema, {
        instanceTypes: page.items.map((r) => toInstanceTypeProto(r.offering, hub.currency)),
        nextPageToken: page.nextPageToken,
        totalSize: BigInt(page.totalSize),
      });
    },
    async estimateCost(req, ctx) {
      const uc = useCaseContext(ctx);
      const result = await estimatePlacementCost(uc.em, { hub, budgets: deps.budgets }, {
        spec: req.spec!,
        expectedMs: req.expectedDuration ? durationMs(req.expectedDuration as Duration) : undefined,
        service: req.service,
        maxOptions: req.maxOptions,
        apiKey: uc.actor.name,
        now: uc.now(),
      });
      return create(EstimateCostResponseSchema, {
        ...(result.selected ? { selected: toPlacementOptionProto(result.selected, hub.currency) } : {}),
        options: result.options.map((o) => toPlacementOptionProto(o, hub.currency)),
      });
    },
    async recommendPlacements(req, ctx) {
      const uc = useCaseContext(ctx);
      const result = await recommendPlacements(uc.em, { hub, budgets: deps.budgets }, {
        spec: req.spec!,
        expectedMs: req.expectedDuration ? durationMs(req.expectedDuration as Duration) : undefined,
        strategy: strategyName(req.strategy),
        includeDisabledProviders: req.includeDisabledProviders,
        maxRecommendations: req.maxRecommendations,
        service: req.service,
        apiKey: uc.actor.name,
        now: uc.now(),
      });
      return create(RecommendPlacementsResponseSchema, {
        recommendations: result.recommendations.map((o) => toPlacementOptionProto(o, hub.currency)),
        ...(result.cheapest ? { cheapest: toPlacementOptionProto(result.cheapest, hub.currency) } : {}),
        ...(result.fastest ? { fastest: toPlacementOptionProto(result.fastest, hub.currency) } : {}),
      });
    },
  };
}
