import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema, BadRequestSchema, RetryInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { AdminService } from "@artenic/gen/artenic/admin/v1/admin_service_pb";
import { ApiKeyScope } from "@artenic/gen/artenic/admin/v1/api_key_pb";
import { Health, HealthCheckResponse_ServingStatus } from "@artenic/gen/grpc/health/v1/health_pb";
import { ServerReflection } from "@artenic/gen/grpc/reflection/v1/reflection_pb";
import { apiKeyInterceptor, ArtenicError } from "@artenic/sdk";
import { startTestServer, type TestServer } from "../support/test-server.js";

/** A @grpc/grpc-js client for any protobuf-es service: a second, independent gRPC implementation. */
function grpcJsClient(service: DescService, address: string) {
  const definition: grpc.ServiceDefinition = Object.fromEntries(
    service.methods.map((m) => [
      m.localName,
      {
        path: `/${service.typeName}/${m.name}`,
        originalName: m.name,
        requestStream: m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming",
        responseStream: m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming",
        requestSerialize: (x: object) => Buffer.from(toBinary(m.input as DescMessage, create(m.input as DescMessage, x as never))),
        requestDeserialize: (b: Buffer) => fromBinary(m.input as DescMessage, b),
        responseSerialize: (x: object) => Buffer.from(toBinary(m.output as DescMessage, create(m.output as DescMessage, x as never))),
        responseDeserialize: (b: Buffer) => fromBinary(m.output as DescMessage, b),
      },
    ]),
  );
  const Ctor = grpc.makeGenericClientConstructor(definition, service.typeName);
  return new Ctor(address, grpc.credentials.createInsecure()) as unknown as Record<
    string,
    (req: object, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, res: unknown) => void) => void
  > & { close(): void };
}

describe("one port, every protocol", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite");
  });
  afterAll(async () => server?.dispose());

  const connectJson = (path: string, body: unknown, key?: string) =>
    fetch(`${server.url}/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });

  it("serves gRPC, gRPC-Web and Connect (binary and JSON) to Connect clients on one port", async () => {
    const transports = {
      grpc: createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] }),
      grpcWeb: createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [apiKeyInterceptor(server.adminKey)] }),
      connectH2: createConnectTransport({ baseUrl: server.url, httpVersion: "2", interceptors: [apiKeyInterceptor(server.adminKey)] }),
      connectJson11: createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: false, interceptors: [apiKeyInterceptor(server.adminKey)] }),
    };
    for (const [label, transport] of Object.entries(transports)) {
      const registry = createClient(RegistryService, transport);
      const { model } = await registry.createModel({ modelId: `via-${label.toLowerCase()}`, model: { displayName: label } });
      expect(model?.name, label).toBe(`models/via-${label.toLowerCase()}`);
    }
    const { models } = await createClient(RegistryService, transports.grpc).listModels({ pageSize: 100 });
    expect(models.map((m) => m.displayName).sort()).toEqual(["connectH2", "connectJson11", "grpc", "grpcWeb"]);
  });

  it("answers a @grpc/grpc-js client, and refuses it without a key", async () => {
    const client = grpcJsClient(RegistryService, `127.0.0.1:${server.port}`);
    try {
      const md = new grpc.Metadata();
      md.set("authorization", `Bearer ${server.adminKey}`);
      const res = await new Promise<unknown>((resolve, reject) => client["listModels"]!({ pageSize: 1 }, md, (e, r) => (e ? reject(e) : resolve(r))));
      expect((res as { $typeName: string }).$typeName).toBe("artenic.registry.v1.ListModelsResponse");
      const err = await new Promise<grpc.ServiceError>((resolve) => client["listModels"]!({}, new grpc.Metadata(), (e) => resolve(e!)));
      expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    } finally {
      client.close();
    }
  });

  it("serves Connect JSON to plain fetch over HTTP/1.1, with 401 without a key", async () => {
    const ok = await connectJson("artenic.registry.v1.RegistryService/ListModels", { pageSize: 2 }, server.adminKey);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { models?: unknown[]; totalSize?: string };
    expect(Number(body.totalSize)).toBeGreaterThanOrEqual(0);
    const denied = await connectJson("artenic.registry.v1.RegistryService/ListModels", {});
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { code: string }).code).toBe("unauthenticated");
  });

  it("gives UNAUTHENTICATED before validation: a malformed request without a key learns nothing", async () => {
    const res = await connectJson("artenic.registry.v1.RegistryService/CreateModel", { modelId: "Not Valid!" });
    expect(res.status).toBe(401);
  });

  it("returns INVALID_ARGUMENT naming the field for malformed requests, and writes nothing", async () => {
    const registry = createClient(RegistryService, createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] }));
    const cases: [Promise<unknown>, string][] = [
      [registry.createModel({ modelId: "Bad_Id", model: {} }), "model_id"],
      [registry.createModel({ modelId: "no-body" }), "model"],
      [registry.getModel({ name: "projects/x" }), "name"],
      [registry.listModels({ pageSize: -1 }), "page_size"],
      [registry.createModel({ modelId: "labels", model: { labels: { "Bad Key": "x" } } }), "model.labels[Bad Key]"],
      [registry.updateModel({ model: { name: "models/x" }, updateMask: { paths: ["create_time"] } }), "update_mask"],
    ];
    for (const [call, field] of cases) {
      const e = ConnectError.from(await call.then(() => new Error(`expected ${field} to be refused`), (x: unknown) => x));
      expect(Code[e.code], field).toBe("InvalidArgument");
      expect(e.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => v.field), field).toContain(field);
      expect(e.rawMessage, field).toContain(field.split("[")[0]);
    }
    const { models } = await registry.listModels({ filter: 'name = "no-body"' });
    expect(models).toHaveLength(0);
  });

  it("lets a READ key read but not write, and answers unimplemented methods after auth", async () => {
    const admin = createClient(AdminService, createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] }));
    const { secret, apiKey } = await admin.createApiKey({ apiKey: { displayName: "reader", scopes: [ApiKeyScope.READ] } });
    expect(apiKey?.keyPrefix && secret.startsWith(apiKey.keyPrefix)).toBe(true);
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(secret)] });
    const registry = createClient(RegistryService, transport);
    await registry.listModels({});
    const denied = ArtenicError.from(await registry.createModel({ modelId: "nope", model: {} }).catch((e: unknown) => e));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(denied.reason).toBe("PERMISSION_DENIED");
    expect(denied.metadata["permission"]).toBe("write");
    const adminDenied = ConnectError.from(await createClient(AdminService, transport).listApiKeys({}).catch((e: unknown) => e));
    expect(adminDenied.code).toBe(Code.PermissionDenied);
    // A READ key may read training jobs (this one does not exist).
    const missing = ConnectError.from(await createClient(TrainingService, transport).getTrainingJob({ name: "trainingJobs/x" }).catch((e: unknown) => e));
    expect(missing.code).toBe(Code.NotFound);
    await admin.revokeApiKey({ name: apiKey!.name });
    const revoked = ConnectError.from(await registry.listModels({}).catch((e: unknown) => e));
    expect(revoked.code).toBe(Code.Unauthenticated);
  });

  it("rate-limits a key with RESOURCE_EXHAUSTED and a retry delay", async () => {
    const admin = createClient(AdminService, createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] }));
    const { secret } = await admin.createApiKey({ apiKey: { scopes: [ApiKeyScope.READ], rateLimit: { requestsPerSecond: 0.01, burst: 2 } } });
    const registry = createClient(RegistryService, createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(secret)] }));
    await registry.listModels({});
    await registry.listModels({});
    const e = ConnectError.from(await registry.listModels({}).catch((x: unknown) => x));
    expect(e.code).toBe(Code.ResourceExhausted);
    expect(e.findDetails(ErrorInfoSchema)[0]?.reason).toBe("RATE_LIMITED");
    expect(Number(e.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBeGreaterThan(0);
  });

  it("answers grpc.health.v1 and the plain probes without a key", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    expect((await health.check({ service: "" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect((await health.check({ service: "artenic.registry.v1.RegistryService" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/artenic_rpc_requests_total\{method="artenic\.registry\.v1\.RegistryService\/ListModels",code="ok"\} \d+/);
  });

  it("lists all nine Artenic services by reflection, without a key", async () => {
    const reflection = createClient(ServerReflection, createGrpcTransport({ baseUrl: server.url }));
    async function* one() {
      yield { messageRequest: { case: "listServices" as const, value: "" } };
    }
    const names: string[] = [];
    for await (const res of reflection.serverReflectionInfo(one())) {
      if (res.messageResponse.case === "listServicesResponse") names.push(...res.messageResponse.value.service.map((s) => s.name));
    }
    for (const s of ["registry.v1.RegistryService", "inference.v1.InferenceService", "abtest.v1.ABTestService", "ensemble.v1.EnsembleService", "health.v1.HealthService", "training.v1.TrainingService", "budget.v1.BudgetService", "events.v1.EventsService", "admin.v1.AdminService"]) {
      expect(names).toContain(`artenic.${s}`);
    }
  });

  it("answers CORS preflights for browsers", async () => {
    const res = await fetch(`${server.url}/artenic.registry.v1.RegistryService/ListModels`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
  });
});
