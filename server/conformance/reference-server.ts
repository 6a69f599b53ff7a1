/**
 * The server under test for the Connect conformance suite (`connectconformance --mode server`).
 *
 * It serves `connectrpc.conformance.v1.ConformanceService` through the production stack, not a
 * lookalike: the same one-port listener (HTTP/2 preface sniffing, or TLS with ALPN), the same
 * plain-HTTP front (CORS, probes, metrics), the same Connect adapter settings (with the gRPC-unary
 * fast path in front, as in production) and the same
 * interceptor chain (logging and metrics, error mapping, validation, unit of work on an in-memory
 * SQLite database), with the production defaults from `loadConfig`.
 *
 * One deliberate difference: the conformance service is registered without the API-key gate. The
 * suite's reference client cannot send our key, so here — and only here — the service is public,
 * like health and reflection are in production.
 *
 * Protocol with the runner: a `ServerCompatRequest` on stdin and a `ServerCompatResponse` (host,
 * port, certificate) on stdout, each preceded by its length as a big-endian 32-bit integer. The
 * process serves until SIGTERM, then drains like the platform does. Logs go to stderr.
 */
import { create, createRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { loadConfig } from "../src/platform/config/config.js";
import { createLogger } from "../src/platform/logging/logger.js";
import { initOrm } from "../src/platform/db/orm.js";
import { createMetrics } from "../src/platform/metrics/metrics.js";
import { createPlatformInterceptors } from "../src/platform/interceptors/interceptors.js";
import { createRpcAdapter } from "../src/platform/http/rpc-adapter.js";
import { createHttpHandler } from "../src/platform/http/http-handler.js";
import { listen } from "../src/platform/http/listener.js";
import { ServerCompatRequestSchema, ServerCompatResponseSchema } from "./gen/connectrpc/conformance/v1/server_compat_pb.js";
import { ConformanceService, file_connectrpc_conformance_v1_service } from "./gen/connectrpc/conformance/v1/service_pb.js";
import { createConformanceServiceHandler } from "./conformance-service.js";

async function main(): Promise<void> {
  const request = fromBinary(ServerCompatRequestSchema, await readLengthPrefixed(process.stdin));
  if (request.clientTlsCert.length > 0) throw new Error("TLS client certificates are not supported (supports_tls_client_certs is false)");
  // Production defaults for everything the environment does not set.
  const config = loadConfig();
  const logger = createLogger(config.logLevel, pino.destination(2));
  const orm = await initOrm({ kind: "sqlite", path: ":memory:" });
  const metrics = createMetrics();
  const interceptors = createPlatformInterceptors({ logger, metrics: metrics.rpc, orm });
  const rpc = createRpcAdapter({
    // Deliberately public (no requestGate): see the module comment.
    routes: (router) => router.service(ConformanceService, createConformanceServiceHandler(), { interceptors }),
    // The suite's receive limit stands in for ARTENIC_MAX_MESSAGE_BYTES on reads when it sets one.
    readMaxBytes: request.messageReceiveLimit > 0 ? request.messageReceiveLimit : config.maxMessageBytes,
    writeMaxBytes: config.maxMessageBytes,
    // Every payload echoes the requests as Any.
    jsonRegistry: createRegistry(file_connectrpc_conformance_v1_service),
    // Production's default: unary gRPC on the fast path, so the suite checks it as clients see it.
    grpcFastPath: config.grpcFastPath,
  });
  const handler = createHttpHandler({ rpc: rpc.handler, ready: () => true, metrics: metrics.registry, corsOrigins: config.corsOrigins });

  // The listener takes PEM files, as ARTENIC_TLS_CERT_FILE / _KEY_FILE do in production.
  let tlsDir: string | undefined;
  let tls: { certFile: string; keyFile: string } | undefined;
  if (request.useTls) {
    const creds = request.serverCreds;
    if (!creds) throw new Error("use_tls is set but server_creds is missing");
    tlsDir = mkdtempSync(join(tmpdir(), "artenic-conformance-"));
    tls = { certFile: join(tlsDir, "cert.pem"), keyFile: join(tlsDir, "key.pem") };
    writeFileSync(tls.certFile, creds.cert);
    writeFileSync(tls.keyFile, creds.key, { mode: 0o600 });
  }
  const listener = await listen(handler, { host: "127.0.0.1", port: 0, tls, claimStream: rpc.claimStream });
  const response = create(ServerCompatResponseSchema, {
    host: "127.0.0.1",
    port: listener.address.port,
    pemCert: request.serverCreds?.cert ?? new Uint8Array(0),
  });
  process.stdout.write(lengthPrefixed(toBinary(ServerCompatResponseSchema, response)));

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void listener
      .close(config.shutdownGraceMs)
      .then(() => orm.close())
      .finally(() => {
        if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
        process.exit(0);
      });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

/** Reads one message preceded by its big-endian 32-bit length. */
async function readLengthPrefixed(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    length += chunks[chunks.length - 1]!.length;
    if (length >= 4) {
      const all = Buffer.concat(chunks);
      const size = all.readUInt32BE(0);
      if (all.length >= 4 + size) return all.subarray(4, 4 + size);
    }
  }
  throw new Error("stdin ended before a complete ServerCompatRequest");
}

function lengthPrefixed(message: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(message.length, 0);
  return Buffer.concat([head, message]);
}

main().catch((e: unknown) => {
  process.stderr.write(`conformance reference server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
