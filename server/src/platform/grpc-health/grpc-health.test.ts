import {
  Code,
  ConnectError,
  createClient,
  createRouterTransport,
  type Client,
  type ConnectRouter,
} from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health } from "@artenic/gen/grpc/health/v1/health_pb";
import { afterEach, describe, expect, it } from "vitest";
import { registerGrpcHealth, ServingStatus, ServingStatusRegistry } from "./grpc-health.js";
import { serveRoutes } from "../../../test/support/routes-server.js";

const REGISTRY_SERVICE = "artenic.registry.v1.RegistryService";

function inMemoryClient(statuses: ServingStatusRegistry): Client<typeof Health> {
  return createClient(Health, createRouterTransport((router) => registerGrpcHealth(router, statuses)));
}

// Every test that opens a stream aborts it here, so a failed assertion cannot leave it running.
const openStreams: AbortController[] = [];
function openWatch(client: Client<typeof Health>, service: string): AsyncIterator<{ status: ServingStatus }> {
  const controller = new AbortController();
  openStreams.push(controller);
  return client.watch({ service }, { signal: controller.signal })[Symbol.asyncIterator]();
}
afterEach(() => {
  for (const controller of openStreams.splice(0)) controller.abort();
});


async function nextStatus(stream: AsyncIterator<{ status: ServingStatus }>): Promise<ServingStatus> {
  const result = await stream.next();
  if (result.done === true) throw new Error("the Watch stream ended");
  return result.value.status;
}

describe("grpc.health.v1.Health.Check", () => {
  it("returns SERVING for the whole server when nothing was set", async () => {
    const client = inMemoryClient(new ServingStatusRegistry());

    const response = await client.check({ service: "" });

    expect(response.status).toBe(ServingStatus.SERVING);
  });

  it("returns the status set for a service when the service is known", async () => {
    const statuses = new ServingStatusRegistry();
    statuses.set(REGISTRY_SERVICE, ServingStatus.NOT_SERVING);

    const response = await inMemoryClient(statuses).check({ service: REGISTRY_SERVICE });

    expect(response.status).toBe(ServingStatus.NOT_SERVING);
  });

  it("returns NOT_FOUND when the service was never set", async () => {
    const client = inMemoryClient(new ServingStatusRegistry());

    const error = await client.check({ service: "no.such.v1.Service" }).catch((e: unknown) => e);

    expect(ConnectError.from(error).code).toBe(Code.NotFound);
  });

  it("returns NOT_SERVING for the server and every service when the server shuts down", async () => {
    const statuses = new ServingStatusRegistry();
    statuses.set(REGISTRY_SERVICE, ServingStatus.SERVING);
    const client = inMemoryClient(statuses);

    statuses.shutdown();

    expect((await client.check({ service: "" })).status).toBe(ServingStatus.NOT_SERVING);
    expect((await client.check({ service: REGISTRY_SERVICE })).status).toBe(ServingStatus.NOT_SERVING);
  });
});

describe("grpc.health.v1.Health.List", () => {
  it("returns every known status when services were set", async () => {
    const statuses = new ServingStatusRegistry();
    statuses.set(REGISTRY_SERVICE, ServingStatus.NOT_SERVING);

    const response = await inMemoryClient(statuses).list({});

    expect(Object.keys(response.statuses).sort()).toEqual(["", REGISTRY_SERVICE]);
    expect(response.statuses[""]?.status).toBe(ServingStatus.SERVING);
    expect(response.statuses[REGISTRY_SERVICE]?.status).toBe(ServingStatus.NOT_SERVING);
  });
});

describe("grpc.health.v1.Health.Watch", () => {
  it("sends the current status and then every change when the service is known", async () => {
    const statuses = new ServingStatusRegistry();
    statuses.set(REGISTRY_SERVICE, ServingStatus.SERVING);
    const stream = openWatch(inMemoryClient(statuses), REGISTRY_SERVICE);

    expect(await nextStatus(stream)).toBe(ServingStatus.SERVING);
    statuses.set(REGISTRY_SERVICE, ServingStatus.NOT_SERVING);
    expect(await nextStatus(stream)).toBe(ServingStatus.NOT_SERVING);
    statuses.set(REGISTRY_SERVICE, ServingStatus.SERVING);
    expect(await nextStatus(stream)).toBe(ServingStatus.SERVING);
  });

  it("sends SERVICE_UNKNOWN and keeps streaming when the service is unknown", async () => {
    const statuses = new ServingStatusRegistry();
    const stream = openWatch(inMemoryClient(statuses), REGISTRY_SERVICE);

    expect(await nextStatus(stream)).toBe(ServingStatus.SERVICE_UNKNOWN);
    statuses.set(REGISTRY_SERVICE, ServingStatus.SERVING);
    expect(await nextStatus(stream)).toBe(ServingStatus.SERVING);
  });

  it("sends nothing when a status is set to its current value", async () => {
    const statuses = new ServingStatusRegistry();
    statuses.set(REGISTRY_SERVICE, ServingStatus.SERVING);
    const stream = openWatch(inMemoryClient(statuses), REGISTRY_SERVICE);

    expect(await nextStatus(stream)).toBe(ServingStatus.SERVING);
    statuses.set(REGISTRY_SERVICE, ServingStatus.SERVING);
    statuses.set(REGISTRY_SERVICE, ServingStatus.NOT_SERVING);
    expect(await nextStatus(stream)).toBe(ServingStatus.NOT_SERVING);
  });

  it("sends NOT_SERVING when the server shuts down", async () => {
    const statuses = new ServingStatusRegistry();
    const stream = openWatch(inMemoryClient(statuses), "");

    expect(await nextStatus(stream)).toBe(ServingStatus.SERVING);
    statuses.shutdown();
    expect(await nextStatus(stream)).toBe(ServingStatus.NOT_SERVING);
  });

  it("streams changes when called with the gRPC protocol over HTTP/2", async () => {
    const statuses = new ServingStatusRegistry();
    const server = await serveRoutes((router) => registerGrpcHealth(router, statuses));
    try {
      const transport = createGrpcTransport({ baseUrl: server.baseUrl });
      const stream = openWatch(createClient(Health, transport), REGISTRY_SERVICE);

      expect(await nextStatus(stream)).toBe(ServingStatus.SERVICE_UNKNOWN);
      statuses.set(REGISTRY_SERVICE, ServingStatus.NOT_SERVING);
      expect(await nextStatus(stream)).toBe(ServingStatus.NOT_SERVING);
    } finally {
      await server.close();
    }
  });
});

describe("ServingStatusRegistry.watch", () => {
  it("ends when the signal aborts", async () => {
    const controller = new AbortController();
    const stream = new ServingStatusRegistry().watch("", controller.signal);

    expect((await stream.next()).value).toBe(ServingStatus.SERVING);
    const pending = stream.next();
    controller.abort();

    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it("skips older statuses but ends on the latest when the consumer falls behind", async () => {
    const controller = new AbortController();
    const statuses = new ServingStatusRegistry();
    const stream = statuses.watch("", controller.signal);
    expect((await stream.next()).value).toBe(ServingStatus.SERVING);

    for (let i = 0; i < 100; i++) {
      statuses.set("", i % 2 === 0 ? ServingStatus.NOT_SERVING : ServingStatus.SERVING);
    }
    statuses.set("", ServingStatus.UNKNOWN);
    const received: ServingStatus[] = [];
    do {
      received.push((await stream.next()).value as ServingStatus);
    } while (received.at(-1) !== ServingStatus.UNKNOWN);
    controller.abort();

    expect(received.length).toBeLessThanOrEqual(16);
    expect(received.at(-1)).toBe(ServingStatus.UNKNOWN);
  });
});

describe("ServingStatusRegistry.set", () => {
  it("throws RangeError when given SERVICE_UNKNOWN", () => {
    expect(() => new ServingStatusRegistry().set("", ServingStatus.SERVICE_UNKNOWN)).toThrow(RangeError);
  });

  it("is ignored when the server is shutting down", () => {
    const statuses = new ServingStatusRegistry();
    statuses.shutdown();

    statuses.set("", ServingStatus.SERVING);

    expect(statuses.get("")).toBe(ServingStatus.NOT_SERVING);
  });
});
