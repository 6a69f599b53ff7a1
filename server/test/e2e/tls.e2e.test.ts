import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe("TLS on the same port", () => {
  let server: TestServer;
  let dir: string;
  let ca: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "artenic-tls-"));
    // A throwaway self-signed certificate for 127.0.0.1, made by the system's openssl.
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    ca = readFileSync(join(dir, "cert.pem"));
    server = await startTestServer("sqlite", { ARTENIC_TLS_CERT_FILE: join(dir, "cert.pem"), ARTENIC_TLS_KEY_FILE: join(dir, "key.pem") });
  });
  afterAll(async () => {
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves gRPC over h2 and Connect over HTTP/1.1, chosen by ALPN", async () => {
    expect(server.url).toMatch(/^https:/);
    const grpc = createClient(RegistryService, createGrpcTransport({ baseUrl: server.url, nodeOptions: { ca }, interceptors: [apiKeyInterceptor(server.adminKey)] }));
    await grpc.createModel({ modelId: "over-tls", model: {} });
    const http1 = createClient(RegistryService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions: { ca }, interceptors: [apiKeyInterceptor(server.adminKey)] }));
    expect((await http1.getModel({ name: "models/over-tls" })).model?.name).toBe("models/over-tls");
  });
});
