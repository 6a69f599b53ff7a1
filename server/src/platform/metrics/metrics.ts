import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Per-method RPC counters and latency histograms, exported on `/metrics`. */
export interface RpcMetrics {
  observe(method: string, code: string, seconds: number): void;
}

/** The server's Prometheus registry with the process metrics and the RPC metrics registered. */
export function createMetrics(): { registry: Registry; rpc: RpcMetrics } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "artenic_process_" });
  const requests = new Counter({
    name: "artenic_rpc_requests_total",
    help: "RPCs handled, by method and final code.",
    labelNames: ["method", "code"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "artenic_rpc_duration_seconds",
    help: "RPC latency from first byte to last response message, by method.",
    labelNames: ["method"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    rpc: {
      observe(method, code, seconds) {
        requests.inc({ method, code });
        latency.observe({ method }, seconds);
      },
    },
  };
}
