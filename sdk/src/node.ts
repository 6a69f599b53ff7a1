/**
 * The Node.js entry point: everything of `@artenic/sdk`, plus a `createArtenicClient` that builds a
 * transport from `baseUrl` when none is given (gRPC over HTTP/2 by default), and
 * `openArtifactFile` to upload a file from disk.
 *
 * @packageDocumentation
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { createArtenicClient as createWithTransport, type ArtenicClient, type ArtenicClientOptions } from "./client.js";

export * from "./index.js";

/** The wire protocols the server speaks on its one port. */
export type Protocol = "grpc" | "connect" | "grpc-web";

export interface NodeClientOptions extends ArtenicClientOptions {
  /** Default `http://127.0.0.1:8080`. */
  readonly baseUrl?: string;
  /** Default `grpc`. `connect` uses binary Protobuf unless `useJson` is set. */
  readonly protocol?: Protocol;
  /** Default `2` (h2c or TLS with ALPN). `1.1` cannot stream requests (no StreamPredict or upload). */
  readonly httpVersion?: "1.1" | "2";
  /** Connect protocol only: JSON instead of binary Protobuf. */
  readonly useJson?: boolean;
}

/** Builds a Node transport for the server at `baseUrl`. */
export function createNodeTransport(options: NodeClientOptions = {}): Transport {
  const baseUrl = options.baseUrl ?? "http://127.0.0.1:8080";
  const httpVersion = options.httpVersion ?? "2";
  switch (options.protocol ?? "grpc") {
    case "grpc":
      return createGrpcTransport({ baseUrl });
    case "grpc-web":
      return createGrpcWebTransport({ baseUrl, httpVersion });
    case "connect":
      return createConnectTransport({ baseUrl, httpVersion, useBinaryFormat: !options.useJson });
  }
}

/**
 * Creates the clients of every service. Without `transport`, connects to `baseUrl` with gRPC over
 * HTTP/2.
 *
 * @example
 * const artenic = createArtenicClient({ baseUrl: "http://127.0.0.1:8080", apiKey: process.env.ARTENIC_API_KEY });
 * const version = await artenic.uploadArtifact("models/iris", await openArtifactFile("iris.onnx"));
 */
export function createArtenicClient(options: NodeClientOptions = {}): ArtenicClient {
  return createWithTransport({ ...options, transport: options.transport ?? createNodeTransport(options) });
}

/**
 * Opens a file for `uploadArtifact`: a stream of its bytes, with its size so that the server can
 * refuse an oversized artifact before it is sent.
 */
export async function openArtifactFile(path: string): Promise<AsyncIterable<Uint8Array> & { readonly size: number }> {
  const { size } = await stat(path);
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
  return Object.assign(stream, { size }) as unknown as AsyncIterable<Uint8Array> & { readonly size: number };
}
