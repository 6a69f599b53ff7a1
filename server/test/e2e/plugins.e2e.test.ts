import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "@artenic/gen/artenic/admin/v1/admin_service_pb";
import { PluginState } from "@artenic/gen/artenic/admin/v1/setting_pb";
import { ProviderKind } from "@artenic/gen/artenic/training/v1/provider_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { TrainingJobState } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { InferenceService } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { EnsembleService } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import { EnsembleStrategy, EnsembleTask } from "@artenic/gen/artenic/ensemble/v1/ensemble_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { ConnectError } from "@connectrpc/connect";
import { matMulModel } from "../../src/ensemble/testing.js";
import { floatRows } from "../support/fixtures.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const root = new URL("../../../", import.meta.url).pathname;
const exampleDir = join(root, "scripts/training-example");

class LogCapture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
}

/** Broken plugins, each broken in its own way, as absolute module paths. */
function brokenPlugins(dir: string): Record<string, string> {
  const files: Record<string, string> = {
    "throws.mjs": 'export default { apiVersion: 1, register() { throw new Error("boom at registration"); } };',
    "future.mjs": "export default { apiVersion: 99, register() {} };",
    "taken-id.mjs": 'export default { apiVersion: 1, register(host) { host.registerComputeProvider({ id: "local", listOfferings() {}, submit() {}, poll() {}, cancel() {}, collectArtifacts() {}, cleanup() {}, testConnection() {} }); } };',
    // Registers a valid provider, then an invalid one: nothing of it may be used.
    "half-valid.mjs": [
      "const methods = { listOfferings: async () => [], submit() {}, poll() {}, cancel() {}, collectArtifacts() {}, cleanup() {}, testConnection() {} };",
      'export default { apiVersion: 1, register(host) { host.registerComputeProvider({ id: "half", ...methods }); host.registerComputeProvider({ id: "half-two", submit() {} }); } };',
    ].join("\n"),
    "import-fails.mjs": 'throw new Error("cannot even be imported");',
    "no-export.mjs": "export const nothing = 1;",
  };
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    out[name] = join(dir, name);
  }
  return out;
}

describe("plugins: the example provider runs a real training job; broken plugins are reported and skipped", () => {
  let server: TestServer;
  let python: string;
  let training: Client<typeof TrainingService>;
  let admin: Client<typeof AdminService>;
  let registry: Client<typeof RegistryService>;
  let dir: string;
  let broken: Record<string, string>;
  const logs = new LogCapture();

  beforeAll(async () => {
    python = execFileSync("bash", [join(root, "scripts/python-training-env.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").at(-1)!;
    dir = mkdtempSync(join(tmpdir(), "artenic-plugins-"));
    broken = brokenPlugins(dir);
    const plugins = ["@artenic/plugin-example-provider", "@artenic/plugin-that-does-not-exist", ...Object.values(broken)];
    server = await startTestServer(
      "sqlite",
      { ARTENIC_PLUGINS: plugins.join(","), ARTENIC_TRAINING_CODE_ROOTS: exampleDir, ARTENIC_TRAINING_RECONCILE_MS: "100" },
      { logger: pino({ level: "info" }, logs) },
    );
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] });
    training = createClient(TrainingService, transport);
    admin = createClient(AdminService, transport);
    registry = createClient(RegistryService, transport);
  }, 180_000);
  afterAll(async () => {
    await server?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lists every configured plugin with what it registered, or why it was skipped", async () => {
    const { plugins } = await admin.listPlugins({});
    const byPackage = new Map(plugins.map((p) => [p.package, p]));
    expect(byPackage.get("@artenic/plugin-example-provider")).toMatchObject({
      name: "plugins/artenic-plugin-example-provider",
      state: PluginState.LOADED,
      error: "",
      apiVersion: 1,
      providers: ["providers/example"],
      ensembleStrategies: ["MEDIAN"],
    });
    const failed = (spec: string) => byPackage.get(spec)!;
    expect(failed("@artenic/plugin-that-does-not-exist")).toMatchObject({ state: PluginState.FAILED, error: expect.stringMatching(/^the package could not be found/) });
    expect(failed(broken["throws.mjs"]!)).toMatchObject({ state: PluginState.FAILED, error: "it threw: boom at registration", apiVersion: 1 });
    expect(failed(broken["future.mjs"]!)).toMatchObject({ state: PluginState.FAILED, apiVersion: 99, error: expect.stringMatching(/built for plugin API version 99, and this server implements version 1/) });
    expect(failed(broken["taken-id.mjs"]!).error).toMatch(/the provider id "local" is already taken/);
    expect(failed(broken["half-valid.mjs"]!)).toMatchObject({ state: PluginState.FAILED, providers: [], error: expect.stringMatching(/provider "half-two" does not implement listOfferings/) });
    expect(failed(broken["import-fails.mjs"]!).error).toBe("it threw: cannot even be imported");
    expect(failed(broken["no-export.mjs"]!).error).toMatch(/exports no plugin/);
    expect(plugins.map((p) => p.package)).toEqual(["@artenic/plugin-example-provider", "@artenic/plugin-that-does-not-exist", ...Object.values(broken)]);
    // Each failure is logged too, by plugin id.
    const skipped = logs.text.split("\n").filter((l) => l.includes("plugin skipped"));
    expect(skipped).toHaveLength(7);
    expect(skipped.some((l) => l.includes('"plugin":"throws"') && l.includes("boom at registration"))).toBe(true);
  });

  it("shows the plugin provider in the Provider Hub, and none of a skipped plugin's", async () => {
    const { providers } = await training.listProviders({});
    const example = providers.find((p) => p.name === "providers/example");
    expect(example).toMatchObject({ kind: ProviderKind.PLUGIN, displayName: "Example (plugin)", enabled: true });
    expect(providers.some((p) => p.name === "providers/half")).toBe(false);
    const tested = await training.testProviderConnection({ name: "providers/example" });
    expect(tested.success).toBe(true);
  });

  it("runs a Python training job on the plugin's provider through TrainingService, registering its model", async () => {
    await registry.createModel({ modelId: "iris-plugin", model: { framework: "onnx" } });
    const created = await training.createTrainingJob({
      trainingJobId: "iris-on-plugin",
      trainingJob: {
        spec: {
          command: [python, "train_iris.py"],
          code: { source: { case: "localPath", value: exampleDir } },
          hyperparameters: { C: "1.5" },
          placement: { provider: "providers/example" },
          output: { model: "models/iris-plugin" },
        },
      },
    });
    expect(created.trainingJob!.providerJob).toMatchObject({ provider: "providers/example", region: "default", instanceType: "example-1" });
    const states: string[] = [];
    for await (const m of training.watchTrainingJob({ name: "trainingJobs/iris-on-plugin" })) {
      if (m.event.case === "trainingJob") states.push(TrainingJobState[m.event.value.state]!);
    }
    expect(states.at(-1)).toBe("SUCCEEDED");
    expect(states).toContain("RUNNING");
    const job = (await training.getTrainingJob({ name: "trainingJobs/iris-on-plugin" })).trainingJob!;
    expect(job).toMatchObject({ state: TrainingJobState.SUCCEEDED, exitCode: 0, outputModelVersion: "models/iris-plugin/versions/1" });
    expect(job.metrics["accuracy"]).toBeGreaterThan(0.8);
    const logLines = await training.listTrainingJobLogs({ parent: "trainingJobs/iris-on-plugin", pageSize: 1000 });
    expect(logLines.lines.some((l) => l.text.startsWith("training step 3:"))).toBe(true);
    const version = (await registry.getModelVersion({ name: "models/iris-plugin/versions/1" })).modelVersion!;
    expect(version).toMatchObject({ sourceTrainingJob: "trainingJobs/iris-on-plugin", params: { C: "1.5" } });
  }, 120_000);
});

describe("plugins: an ensemble combines its members with a plugin's strategy", () => {
  let server: TestServer;

  async function* upload(parent: string, bytes: Uint8Array) {
    yield { content: { case: "metadata" as const, value: { parent, format: ArtifactFormat.ONNX } } };
    yield { content: { case: "chunk" as const, value: bytes } };
  }
  const reason = (e: unknown) => ConnectError.from(e).findDetails(ErrorInfoSchema)[0]?.reason;

  beforeAll(async () => {
    server = await startTestServer("sqlite", { ARTENIC_PLUGINS: "@artenic/plugin-example-provider" });
  }, 60_000);
  afterAll(async () => server?.dispose());

  it("serves MEDIAN from the example plugin, and refuses a strategy no plugin registers", async () => {
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] });
    const registry = createClient(RegistryService, transport);
    const ensembles = createClient(EnsembleService, transport);
    const inference = createClient(InferenceService, transport);
    // Three regression members over 3 features: y = k · (x1 + x2 + x3) for k = 1, 2 and 100.
    for (const [id, k] of [["sum-one", 1], ["sum-two", 2], ["sum-hundred", 100]] as const) {
      await registry.createModel({ modelId: id, model: {} });
      await registry.uploadModelVersion(upload(`models/${id}`, matMulModel([[k], [k], [k]])));
    }
    const members = ["sum-one", "sum-two", "sum-hundred"].map((id) => ({ modelVersion: `models/${id}/versions/1` }));
    const median = { task: EnsembleTask.REGRESSION, strategy: EnsembleStrategy.PLUGIN, strategyConfig: { plugin: { name: "MEDIAN" } }, members };
    await ensembles.createEnsemble({ ensembleId: "median", ensemble: median });
    await inference.createService({ serviceId: "median", service: { target: { target: { case: "ensemble", value: "ensembles/median" } } } });
    const rows = [[1, 2, 3], [0.5, 0.25, 0.25], [-1, 0, 4]];
    const res = await inference.predict({ service: "services/median", inputs: [floatRows(rows, "x")] });
    const values = (res.outputs[0]!.contents.value as { values: number[] }).values;
    // The median member is the k = 2 one: the outlier (k = 100) does not move it.
    rows.forEach((r, i) => expect(values[i]).toBeCloseTo(2 * (r[0]! + r[1]! + r[2]!), 5));
    const got = (await ensembles.getEnsemble({ name: "ensembles/median" })).ensemble!;
    expect(got.strategy).toBe(EnsembleStrategy.PLUGIN);
    expect(got.strategyConfig?.plugin?.name).toBe("MEDIAN");

    const missing = await ensembles.createEnsemble({ ensembleId: "nope", ensemble: { ...median, strategyConfig: { plugin: { name: "NOT_LOADED" } } } }).catch((e: unknown) => e);
    expect(reason(missing)).toBe("ENSEMBLE_PLUGIN_STRATEGY_NOT_LOADED");
    const unnamed = ConnectError.from(await ensembles.createEnsemble({ ensembleId: "unnamed", ensemble: { ...median, strategyConfig: {} } }).catch((e: unknown) => e));
    expect(unnamed.rawMessage).toMatch(/ensemble.strategy_config.plugin.name: is required for the PLUGIN strategy/);
    const classification = await ensembles.createEnsemble({ ensembleId: "cls", ensemble: { ...median, task: EnsembleTask.CLASSIFICATION } }).catch((e: unknown) => e);
    expect(reason(classification)).toBe("ENSEMBLE_STRATEGY_NOT_FOR_TASK");
  });
});
