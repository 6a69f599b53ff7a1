import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { InferenceService } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { fixtureBytes, fixtureExpected } from "../support/fixtures.js";

const run = promisify(execFile);
const root = new URL("../../../", import.meta.url).pathname;

interface OipOutput {
  server_live: boolean;
  server_ready: boolean;
  model_ready: boolean;
  model_metadata: { platform: string; versions: string[]; inputs: { name: string; datatype: string; shape: number[] }[] };
  infer: Record<"typed" | "raw", { model_version: string; outputs: Record<string, { datatype: string; shape: number[]; data: number[] }> }>;
}

describe("Open Inference Protocol v2 with the stock Triton Python client", () => {
  let server: TestServer;
  let python: string;
  let dir: string;

  beforeAll(async () => {
    // The pinned tritonclient lives in a virtualenv the project's script creates from PyPI.
    python = execFileSync("bash", [join(root, "scripts/python-test-env.sh")], { encoding: "utf8" }).trim().split("\n").pop()!;
    server = await startTestServer("sqlite");
    dir = mkdtempSync(join(tmpdir(), "artenic-oip-"));
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] });
    const registry = createClient(RegistryService, transport);
    await registry.createModel({ modelId: "gbr", model: {} });
    async function* upload() {
      yield { content: { case: "metadata" as const, value: { parent: "models/gbr", format: ArtifactFormat.ONNX } } };
      yield { content: { case: "chunk" as const, value: fixtureBytes("diabetes_gbr") } };
    }
    await registry.uploadModelVersion(upload());
    await createClient(InferenceService, transport).createService({ serviceId: "diabetes", service: { target: { target: { case: "modelVersion", value: "models/gbr/versions/1" } } } });
  }, 120_000);
  afterAll(async () => {
    await server?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const client = (model: string, key: string | undefined) => {
    const exp = fixtureExpected("diabetes_gbr");
    const file = join(dir, `${model}.json`);
    writeFileSync(file, JSON.stringify({ inputs: [{ name: "input", datatype: "FP32", shape: [exp.inputs.length, 10], data: exp.inputs }], outputs: ["variable"] }));
    return run(python, [join(root, "server/test/python/oip_client.py"), `127.0.0.1:${server.port}`, model, file], {
      env: { ...process.env, ...(key ? { ARTENIC_API_KEY: key } : { ARTENIC_API_KEY: "" }) },
    });
  };

  it("answers liveness, metadata and ModelInfer with typed and raw contents like Python's onnxruntime", async () => {
    const { stdout } = await client("diabetes", server.adminKey);
    const out = JSON.parse(stdout) as OipOutput;
    expect([out.server_live, out.server_ready, out.model_ready]).toEqual([true, true, true]);
    expect(out.model_metadata.platform).toBe("onnxruntime_onnx");
    expect(out.model_metadata.versions).toEqual(["1"]);
    expect(out.model_metadata.inputs).toEqual([{ name: "input", datatype: "FP32", shape: [-1, 10] }]);
    const expected = fixtureExpected("diabetes_gbr").outputs.values!;
    for (const mode of ["typed", "raw"] as const) {
      const v = out.infer[mode].outputs["variable"]!;
      expect(v.datatype).toBe("FP32");
      expect(v.shape).toEqual([expected.length, 1]);
      v.data.forEach((x, i) => expect(x, `${mode} row ${i}`).toBeCloseTo(expected[i]!, 3));
      expect(out.infer[mode].model_version).toBe("1");
    }
  });

  it("refuses the client without a key, and reports an unknown model as not ready", async () => {
    const denied = await client("diabetes", undefined).then(() => "", (e: { stderr: string }) => e.stderr);
    expect(denied).toMatch(/UNAUTHENTICATED/);
    const unknown = await client("no-such-service", server.adminKey).then((r) => r.stdout, (e: { stdout: string }) => e.stdout);
    expect((JSON.parse(unknown) as OipOutput).model_ready).toBe(false);
  });
});
