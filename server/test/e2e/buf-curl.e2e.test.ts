import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startTestServer, type TestServer } from "../support/test-server.js";

const run = promisify(execFile);
// The buf binary the project pins (node_modules/.bin), driven as an operator would from a shell.
const buf = new URL("../../../node_modules/.bin/buf", import.meta.url).pathname;

describe("buf curl against the server, by reflection", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite");
  });
  afterAll(async () => server?.dispose());

  it.each(["grpc", "grpcweb", "connect"])("lists the Artenic services and calls ListModels with a key over %s", async (protocol) => {
    const { stdout: services } = await run(buf, ["curl", "--protocol", protocol, "--http2-prior-knowledge", "--list-services", server.url]);
    for (const s of ["RegistryService", "InferenceService", "ABTestService", "EnsembleService", "HealthService", "TrainingService", "BudgetService", "EventsService", "AdminService"]) {
      expect(services).toMatch(new RegExp(`^artenic\\.[a-z]+\\.v1\\.${s}$`, "m"));
    }
    const call = (method: string, body: object) =>
      run(buf, ["curl", "--protocol", protocol, "--http2-prior-knowledge", "-H", `Authorization: Bearer ${server.adminKey}`, "-d", JSON.stringify(body), `${server.url}/artenic.registry.v1.RegistryService/${method}`]);
    const created = JSON.parse((await call("CreateModel", { modelId: `by-${protocol}`, model: { displayName: protocol } })).stdout) as { model: { name: string } };
    expect(created.model.name).toBe(`models/by-${protocol}`);
    const listed = JSON.parse((await call("ListModels", { pageSize: 50 })).stdout) as { models: { name: string }[] };
    expect(listed.models.map((m) => m.name)).toContain(`models/by-${protocol}`);
    const denied = await run(buf, ["curl", "--protocol", protocol, "--http2-prior-knowledge", "-d", "{}", `${server.url}/artenic.registry.v1.RegistryService/ListModels`]).then(
      () => "",
      (e: { stderr: string }) => e.stderr,
    );
    expect(denied).toMatch(/unauthenticated/i);
  });
});
