/**
 * The browser entry point: everything of `@artenic/sdk`, plus a `createArtenicClient` that talks
 * Connect over `fetch` (HTTP/1.1 or HTTP/2, as the browser negotiates) when no transport is given.
 * Browsers cannot stream requests, so client-streaming and bidirectional methods (`uploadArtifact`,
 * `streamPredict`) need Node; in a page, predict batches with `inference.streamPredictBatch`.
 *
 * @packageDocumentation
 */
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { createArtenicClient as createWithTransport, type ArtenicClient, type ArtenicClientOptions } from "./client.js";

export * from "./index.js";

export interface WebClientOptions extends ArtenicClientOptions {
  /** Default: the page's origin. */
  readonly baseUrl?: string;
  /** Default `connect` (JSON, readable in the network panel); `grpc-web` is binary. */
  readonly protocol?: "connect" | "grpc-web";
  /** Connect only: binary Protobuf instead of JSON. */
  readonly useBinaryFormat?: boolean;
}

/** Builds a fetch-based transport for the server at `baseUrl`. */
export function createWebTransport(options: WebClientOptions = {}): Transport {
  const baseUrl = options.baseUrl ?? globalThis.location.origin;
  return options.protocol === "grpc-web"
    ? createGrpcWebTransport({ baseUrl })
    : createConnectTransport({ baseUrl, useBinaryFormat: options.useBinaryFormat ?? false });
}

/**
 * Creates the clients of every service. Without `transport`, talks Connect to `baseUrl` (default:
 * the page's origin) with `fetch`.
 *
 * @example
 * const artenic = createArtenicClient({ apiKey: sessionStorage.getItem("artenic.apiKey") ?? "" });
 * for await (const event of artenic.subscribeEvents()) render(event);
 */
export function createArtenicClient(options: WebClientOptions = {}): ArtenicClient {
  return createWithTransport({ ...options, transport: options.transport ?? createWebTransport(options) });
}
