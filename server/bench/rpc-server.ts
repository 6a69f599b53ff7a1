// A server process for `npm run bench:rpc`: `artenic` runs the production stack (sniffer, adapter,
// request gate with a real API key, every interceptor) with the probe service registered; `grpcjs`
// runs a @grpc/grpc-js server with the same probe logic. Prints one JSON line with its address and
// serves until stdin closes, so the benchmark measures this process's CPU alone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary, type Message } from "@bufbuild/protobuf";
import { pino } from "pino";
import { startServer } from "../src/main.js";
import type { SecuredServiceOptions } from "../src/app.js";
import { loadConfig } from "../src/platform/config/config.js";
import {
  CountEventSchema,
  CountRequestSchema,
  probeCount,
  probeSum,
  registerProbeService,
  SumRequestSchema,
  SumResponseSchema,
  type SumRequest,
} from "../test/support/probe-service.js";

const mode = process.argv[2];
const key = process.env["BENCH_API_KEY"] ?? "";

/**
 * BENCH_RPC_WITHOUT=gate,0,2 serves the probe without the auth gate and without the platform
 * interceptors at those indexes (createPlatformInterceptors' order), to measure what each costs.
 */
function ablate(secured: SecuredServiceOptions): SecuredServiceOptions {
  const without = new Set(process.env["BENCH_RPC_WITHOUT"]?.split(",") ?? []);
  return {
    ...secured,
    interceptors: secured.interceptors.filter((_, i) => !without.has(String(i))),
    ...(without.has("gate") ? { requestGate: async () => undefined } : {}),
  };
}

async function serveArtenic(): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "artenic-bench-rpc-"));
  const server = await startServer(
    loadConfig({ ARTENIC_PORT: "0", ARTENIC_DATA_DIR: dir, ARTENIC_API_KEY: key, ARTENIC_RATE_LIMIT_RPS: "100000000", ARTENIC_RATE_LIMIT_BURST: "100000000", ARTENIC_GRPC_FAST_PATH: process.env["ARTENIC_GRPC_FAST_PATH"] ?? "true" }),
    pino({ level: "silent" }),
    { extraRoutes: (router, secured) => registerProbeService(router, ablate(secured)) },
  );
  return {
    port: server.port,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function serveGrpcJs(): Promise<{ port: number; stop(): Promise<void> }> {
  const server = new grpc.Server();
  const definition: grpc.ServiceDefinition = {
    sum: {
      path: "/artenic.testing.v1.ProbeService/Sum",
      requestStream: false,
      responseStream: false,
      requestDeserialize: (b: Buffer) => fromBinary(SumRequestSchema, b),
      requestSerialize: (m: Message) => Buffer.from(toBinary(SumRequestSchema, m)),
      responseSerialize: (m: Message) => Buffer.from(toBinary(SumResponseSchema, m)),
      responseDeserialize: (b: Buffer) => fromBinary(SumResponseSchema, b),
    },
    count: {
      path: "/artenic.testing.v1.ProbeService/Count",
      requestStream: false,
      responseStream: true,
      requestDeserialize: (b: Buffer) => fromBinary(CountRequestSchema, b),
      requestSerialize: (m: Message) => Buffer.from(toBinary(CountRequestSchema, m)),
      responseSerialize: (m: Message) => Buffer.from(toBinary(CountEventSchema, m)),
      responseDeserialize: (b: Buffer) => fromBinary(CountEventSchema, b),
    },
  };
  server.addService(definition, {
    sum: (call: grpc.ServerUnaryCall<SumRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const abort = new AbortController();
      call.once("cancelled", () => abort.abort());
      probeSum(call.request, abort.signal).then(
        (res) => callback(null, create(SumResponseSchema, res as never)),
        (e: Error) => callback({ code: grpc.status.INTERNAL, details: e.message }),
      );
    },
    count: (call: grpc.ServerWritableStream<{ count: number }, unknown>) => {
      const events = probeCount(call.request.count);
      const pump = () => {
        for (;;) {
          const next = events.next();
          if (next.done) return call.end();
          if (!call.write(create(CountEventSchema, next.value as never))) return void call.once("drain", pump);
        }
      };
      pump();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port, stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}

const running = mode === "artenic" ? await serveArtenic() : mode === "grpcjs" ? await serveGrpcJs() : undefined;
if (!running) throw new Error(`usage: rpc-server.js artenic|grpcjs (got ${mode})`);
process.stdout.write(`${JSON.stringify({ port: running.port })}\n`);
process.stdin.resume();
process.stdin.once("end", () => {
  void running.stop().then(() => process.exit(0));
});
