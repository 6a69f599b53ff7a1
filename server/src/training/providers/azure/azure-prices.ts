import { request as httpRequest } from "node:http";
import { request as httpsRequest, type Agent } from "node:https";
import { livePriceKey, type LivePrice, type LivePriceSheet } from "../../catalog/live-prices.js";

/**
 * The Azure Retail Prices API (https://prices.azure.com/api/retail/prices): public, unauthenticated,
 * filtered with OData `$filter`, paged through `NextPageLink`, quoted in USD (the API's base
 * currency; `currencyCode` would convert without telling the rate, so the platform converts itself
 * with a recorded rate). One request chain per region: `serviceName eq 'Virtual Machines' and
 * armRegionName eq '<region>' and priceType eq 'Consumption'`.
 */

/** The fields of a Retail Prices item read here. */
export interface RetailPriceItem {
  readonly currencyCode?: string;
  readonly retailPrice?: number;
  readonly unitOfMeasure?: string;
  readonly armRegionName?: string;
  readonly armSkuName?: string;
  readonly skuName?: string;
  readonly meterName?: string;
  readonly productName?: string;
  readonly type?: string;
}

/** Pages beyond this are not followed (a region's VM meters fit in far fewer). */
const MAX_PAGES = 50;

export function retailPricesFilter(region: string): string {
  if (!/^[a-z0-9]+$/.test(region)) throw new Error(`azure: "${region}" is not an Azure region name`);
  return `serviceName eq 'Virtual Machines' and armRegionName eq '${region}' and priceType eq 'Consumption'`;
}

/**
 * The Linux pay-as-you-go and Spot hourly prices per VM size in the items, lowest per size: Windows
 * meters (license included), Low Priority meters (retired) and non-hourly units are left out.
 */
export function parseRetailItems(items: readonly RetailPriceItem[], into = new Map<string, LivePrice>()): Map<string, LivePrice> {
  for (const item of items) {
    if (item.type !== "Consumption" || item.unitOfMeasure !== "1 Hour" || item.currencyCode !== "USD") continue;
    if (!item.armSkuName || !item.armRegionName || typeof item.retailPrice !== "number" || !Number.isFinite(item.retailPrice) || item.retailPrice < 0) continue;
    if ((item.productName ?? "").includes("Windows")) continue;
    const sku = item.skuName ?? "";
    if (sku.endsWith(" Low Priority") || (item.meterName ?? "").includes("Low Priority")) continue;
    const spot = sku.endsWith(" Spot") || (item.meterName ?? "").includes("Spot");
    const key = livePriceKey(item.armRegionName, item.armSkuName);
    const current = into.get(key) ?? {};
    const field = spot ? "spot" : "onDemand";
    const previous = current[field];
    if (previous === undefined || item.retailPrice < previous) into.set(key, { ...current, [field]: item.retailPrice });
  }
  return into;
}

/** Fetches the VM prices of `regions`, following NextPageLink; throws on any HTTP or shape error. */
export async function fetchRetailPrices(
  baseUrl: string,
  regions: readonly string[],
  conversion: { readonly rate: number; readonly date: string },
  agent: Agent | undefined,
  signal?: AbortSignal,
): Promise<LivePriceSheet> {
  const prices = new Map<string, LivePrice>();
  for (const region of regions) {
    const first = new URL(baseUrl);
    first.searchParams.set("api-version", "2023-01-01-preview");
    first.searchParams.set("$filter", retailPricesFilter(region));
    let next: string | null = first.toString();
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const { status, body } = await getText(next, agent, signal);
      if (status !== 200) throw new Error(`azure: the Retail Prices API answered ${status} for ${region}: ${body.slice(0, 200)}`);
      const doc = JSON.parse(body) as { Items?: unknown; NextPageLink?: unknown };
      if (!Array.isArray(doc.Items)) throw new Error("azure: the Retail Prices API answered without Items");
      parseRetailItems(doc.Items as RetailPriceItem[], prices);
      next = typeof doc.NextPageLink === "string" && doc.NextPageLink !== "" ? doc.NextPageLink : null;
    }
  }
  return { currency: "USD", fetchedAt: new Date(), prices, exchangeRate: conversion.rate, exchangeRateDate: conversion.date };
}

/** Largest Retail Prices page read (a 1000-item page is about 800 KB). */
const MAX_PAGE_BYTES = 8 * 1024 * 1024;

/** A GET through node's https with the adapter's agent (its CA), bounded in size and time. */
function getText(url: string, agent: Agent | undefined, signal: AbortSignal | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(u, { method: "GET", headers: { accept: "application/json" }, ...(agent && u.protocol === "https:" ? { agent } : {}), signal: signal ?? AbortSignal.timeout(30_000) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_PAGE_BYTES) req.destroy(new Error(`azure: a Retail Prices page is larger than ${MAX_PAGE_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
