import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EventTopic, type Event } from "@artenic/gen/artenic/events/v1/event_pb";
import { ServiceState } from "@artenic/gen/artenic/inference/v1/service_pb";
import {
  createArtenicClient,
  InvalidArgumentError,
  ModelNotFoundError,
  openArtifactFile,
  paginate,
  UnauthenticatedError,
  UnimplementedError,
  type ArtenicClient,
  type Protocol,
} from "@artenic/sdk/node";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { fixtureExpected, floatRow } from "../support/fixtures.js";

const modelFile = fileURLToPath(new URL("../../../fixtures/models/iris_logreg.onnx", import.meta.url));

describe("the SDK's Node entry point against a real server", () => {
  let server: TestServer;
  let artenic: ArtenicClient;

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    artenic = createArtenicClient({ baseUrl: server.url, apiKey: server.adminKey });
  });
  afterAll(async () => server?.dispose());

  it("uploads a file with progress, downloads it back verified, and pages through versions", async () => {
    await artenic.registry.createModel({ modelId: "sdk", model: { framework: "sklearn" } });
    const sent: number[] = [];
    const file = await openArtifactFile(modelFile);
    const version = await artenic.uploadArtifact("sdk", file, { sizeBytes: file.size, chunkSize: 128, onProgress: (p) => sent.push(p.sentBytes) });
    expect(version.name).toBe("models/sdk/versions/1");
    expect(sent.at(-1)).toBe(file.size);
    expect(sent.length).toBe(Math.ceil(file.size / 128));
    const received: number[] = [];
    const { metadata, bytes } = await artenic.downloadArtifact(version.name, { chunkSize: 200, onProgress: (p) => received.push(p.receivedBytes) });
    expect(Buffer.from(bytes).equals(readFileSync(modelFile))).toBe(true);
    expect(metadata.sha256).toBe(version.artifact!.sha256);
    expect(received.length).toBe(Math.ceil(file.size / 200));
    for (let i = 2; i <= 5; i++) await artenic.uploadArtifact("models/sdk", readFileSync(modelFile));
    const names: string[] = [];
    for await (const v of paginate((r) => artenic.registry.listModelVersions(r), { parent: "models/sdk", pageSize: 2, orderBy: "version_number" })) names.push(v.name);
    expect(names).toEqual([1, 2, 3, 4, 5].map((n) => `models/sdk/versions/${n}`));
  });

  it("throws typed errors with reasons and field violations", async () => {
    await expect(artenic.registry.getModel({ name: "models/absent" })).rejects.toBeInstanceOf(ModelNotFoundError);
    const invalid = await artenic.registry.createModel({ modelId: "Not Valid", model: {} }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(InvalidArgumentError);
    expect((invalid as InvalidArgumentError).fieldViolations.map((v) => v.field)).toContain("model_id");
    const anonymous = createArtenicClient({ baseUrl: server.url });
    await expect(anonymous.registry.listModels({})).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(artenic.training.getTrainingJob({ name: "trainingJobs/x" })).rejects.toSatisfy(
      (e: unknown) => e instanceof UnimplementedError || (e as { codeName?: string }).codeName === "NOT_FOUND",
    );
  });

  it("predicts streamed rows, and sees its own actions in the event stream", async () => {
    const seen: Event[] = [];
    const controller = new AbortController();
    const { events } = await artenic.events.listEvents({ orderBy: "create_time desc", pageSize: 1 });
    const subscription = (async () => {
      for await (const e of artenic.subscribeEvents({ topics: [EventTopic.INFERENCE], afterCursor: events[0]!.cursor }, { signal: controller.signal })) {
        seen.push(e);
        if (e.type === "inference.service.created") controller.abort();
      }
    })();
    await artenic.inference.createService({ serviceId: "sdk", service: { target: { target: { case: "modelVersion", value: "models/sdk/versions/1" } } } });
    await subscription;
    expect(seen.map((e) => [e.type, e.resource])).toContainEqual(["inference.service.created", "services/sdk"]);
    for (let i = 0; i < 100 && (await artenic.inference.getService({ name: "services/sdk" })).service!.state === ServiceState.LOADING; i++) await new Promise((r) => setTimeout(r, 50));
    const expected = fixtureExpected("iris_logreg");
    const labels: string[] = [];
    for await (const r of artenic.streamPredict("sdk", expected.inputs.map((row) => ({ inputs: [floatRow(row)] })), { rowsPerMessage: 7 })) labels.push(r.classification!.label);
    expect(labels).toEqual(expected.outputs.labels!.map(String));
  });

  it.each(["grpc", "connect", "grpc-web"] as Protocol[])("works over %s", async (protocol) => {
    const client = createArtenicClient({ baseUrl: server.url, apiKey: server.adminKey, protocol, httpVersion: protocol === "grpc" ? "2" : "1.1" });
    const { models } = await client.registry.listModels({});
    expect(models.map((m) => m.name)).toContain("models/sdk");
    await expect(client.registry.getModel({ name: "models/absent" })).rejects.toBeInstanceOf(ModelNotFoundError);
  });
});
