// The production server with the probe service registered behind the real request gate and every
// interceptor: unary gRPC through the fast path (on by default) and with it switched off, seen by a
// @grpc/grpc-js client and the connect-node gRPC transport, authenticated with a real API key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { ProbeService, registerProbeService } from "../support/probe-service.js";

interface Probe {
  sum(req: object, options?: { onHeader?: (h: Headers) => void }): Promise<{ sum: number; max: number }>;
}

describe.each([
  ["on", "true"],
  ["off", "false"],
])("unary gRPC on the production server, fast path %s", (_name, flag) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite", { ARTENIC_GRPC_FAST_PATH: flag }, { extraRoutes: (router, secured) => registerProbeService(router, secured) });
  });
  afterAll(() => server.dispose());

  const probe = (key?: string) =>
    createClient(ProbeService, createGrpcTransport({ baseUrl: server.url, interceptors: key ? [apiKeyInterceptor(key)] : [] })) as unknown as Probe;

  it("answers a caller with the admin key, with a request id and an entry in /metrics", async () => {
    let header: Headers | undefined;
    const res = await probe(server.adminKey).sum({ values: [1, 2, 3] }, { onHeader: (h) => (header = h) });
    expect(res).toMatchObject({ sum: 6, max: 3 });
    expect(header?.get("x-request-id")).toBeTruthy();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/artenic_rpc_requests_total\{method="artenic\.testing\.v1\.ProbeService\/Sum",code="ok"\} 1\b/);
  });

  it("refuses a caller without a key with UNAUTHENTICATED and API_KEY_MISSING", async () => {
    const error = await probe()
      .sum({ values: [1] })
      .then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
    expect(error?.code).toBe(Code.Unauthenticated);
    expect(error?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("API_KEY_MISSING");
  });

  it("maps a handler's failure to its code with the ErrorInfo detail", async () => {
    const error = await probe(server.adminKey)
      .sum({ failCode: Code.Aborted })
      .then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
    expect(error?.code).toBe(Code.Aborted);
    expect(error?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("PROBE_FAILURE");
  });
});
