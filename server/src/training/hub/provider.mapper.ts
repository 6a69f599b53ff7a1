import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DateSchema } from "@artenic/gen/google/type/date_pb";
import {
  InstanceTypeSchema,
  PriceSource,
  ProviderSchema,
  ProviderState,
  type InstanceType,
  type Provider,
} from "@artenic/gen/artenic/training/v1/provider_pb";
import { PlacementOptionSchema, type PlacementOption } from "@artenic/gen/artenic/training/v1/training_service_pb";
import type { CatalogOffering } from "../catalog/price-catalog.js";
import { toMoney as money } from "../training-job.mapper.js";
import type { PricedOption } from "../catalog/placement.js";
import type { ProviderStateName, ProviderView } from "./provider-hub.js";

const states: Record<ProviderStateName, ProviderState> = {
  UNCONFIGURED: ProviderState.UNCONFIGURED,
  CONFIGURED: ProviderState.CONFIGURED,
  CONNECTED: ProviderState.CONNECTED,
  ERROR: ProviderState.ERROR,
  DISABLED: ProviderState.DISABLED,
};

export function toProviderProto(v: ProviderView): Provider {
  const d = v.definition;
  return create(ProviderSchema, {
    name: `providers/${d.id}`,
    displayName: d.displayName,
    description: d.description,
    websiteUri: d.websiteUri,
    kind: d.kind,
    capabilities: {
      spot: d.capabilities.spot,
      gpu: d.capabilities.gpu,
      objectStorage: d.capabilities.objectStorage,
      livePricing: d.capabilities.livePricing,
      regions: [...v.regions],
      defaultRegion: v.defaultRegion,
      gpuTypes: [...v.gpuTypes],
    },
    state: states[v.state],
    stateMessage: v.stateMessage,
    ...(v.lastCheckTime ? { lastCheckTime: timestampFromDate(v.lastCheckTime) } : {}),
    enabled: v.enabled,
    credentialFields: d.credentialFields.map((f) => ({ ...f, set: v.credentialKeys.includes(f.key) })),
    configFields: d.configFields.map((f) => ({ key: f.key, displayName: f.displayName, description: f.description, required: f.required, defaultValue: f.defaultValue })),
    config: { ...v.config },
    ...(v.updateTime ? { updateTime: timestampFromDate(v.updateTime) } : {}),
    etag: v.etag,
  });
}

export function toInstanceTypeProto(o: CatalogOffering, currency: string): InstanceType {
  const [year, month, day] = o.priceDate.split("-").map(Number) as [number, number, number];
  return create(InstanceTypeSchema, {
    name: o.instanceType,
    provider: `providers/${o.provider}`,
    region: o.region,
    cpus: o.cpus,
    memoryBytes: BigInt(o.memoryBytes),
    gpuType: o.gpuType,
    gpuCount: o.gpuCount,
    gpuMemoryBytes: BigInt(o.gpuMemoryBytes),
    diskBytes: BigInt(o.diskBytes),
    architecture: o.architecture,
    onDemandPrice: money(o.onDemandPerHour, currency),
    ...(o.spotPerHour !== undefined ? { spotPrice: money(o.spotPerHour, currency) } : {}),
    spotAvailable: o.spotPerHour !== undefined,
    priceDate: create(DateSchema, { year, month, day }),
    priceSource: o.priceSource === "live" ? PriceSource.LIVE : PriceSource.CATALOG,
    sourceCurrency: o.sourceCurrency,
    exchangeRate: o.exchangeRate,
    available: o.available,
  });
}

export function toPlacementOptionProto(o: PricedOption, currency: string): PlacementOption {
  return create(PlacementOptionSchema, {
    instanceType: toInstanceTypeProto(o.offering, currency),
    spot: o.spot,
    hourlyPrice: money(o.hourlyPrice, currency),
    expectedDuration: durationFromMs(Math.round(o.expectedMs)),
    estimatedCost: money(o.estimatedCost, currency),
    reservation: money(o.reservation, currency),
    speedScore: o.speedScore,
    withinMaxCost: o.withinMaxCost,
    blockingBudgets: [...o.blockingBudgets],
    notes: [...o.notes, ...(o.blockingBudgets.length > 0 ? [`refused now by ${o.blockingBudgets.join(", ")}`] : [])],
  });
}
