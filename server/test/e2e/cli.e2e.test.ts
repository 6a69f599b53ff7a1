import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createArtenicClient, type ArtenicClient } from "@artenic/sdk/node";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { fixtureExpected } from "../support/fixtures.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(repo, "cli", "bin", "artenic.js");
const fixtureModel = join(repo, "fixtures", "models", "iris_logreg.onnx");

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `artenic <args>` as a subprocess, the way a person or a script would. */
function artenic(args: readonly string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

describe("the artenic CLI against a real server", () => {
  let server: TestServer;
  let env: Record<string, string>;
  let sdk: ArtenicClient;
  let dir: string;
  const run = (...args: string[]) => artenic(args, env);

  beforeAll(async () => {
    if (!existsSync(join(repo, "cli", "dist", "main.js"))) throw new Error("the CLI is not built: run `npx tsc -b` first");
    server = await startTestServer("sqlite", { ARTENIC_TRAINING_RECONCILE_MS: "100" });
    env = { ARTENIC_URL: server.url, ARTENIC_API_KEY: server.adminKey };
    sdk = createArtenicClient({ baseUrl: server.url, apiKey: server.adminKey });
    dir = mkdtempSync(join(tmpdir(), "artenic-cli-"));
  });
  afterAll(async () => {
    await server?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints help and exits 0, and exits 2 on usage errors", async () => {
    const [help, missingArg, unknown, badFlag] = await Promise.all([run("--help"), run("models", "create"), run("no-such-command"), run("models", "list", "--limit", "zero")]);
    expect(help.code).toBe(0);
    for (const command of ["models", "versions", "services", "predict", "ab-tests", "canaries", "ensembles", "training", "budgets", "events", "keys", "settings", "plugins"]) expect(help.stdout).toContain(command);
    expect(missingArg.code).toBe(2);
    expect(unknown.code).toBe(2);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("--limit must be a positive integer");
  });

  it("creates, lists and gets models, with --json for scripts and tables for people", async () => {
    const created = await run("models", "create", "iris", "--display-name", "Iris", "--framework", "sklearn", "--label", "team=cli", "--json");
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: "models/iris", displayName: "Iris", framework: "sklearn", labels: { team: "cli" } });
    const [list, table, got] = await Promise.all([run("models", "list", "--json"), run("models", "list"), run("models", "get", "iris")]);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((m) => m.name)).toContain("models/iris");
    expect(lines(table.stdout)[0]).toMatch(/^NAME\s+DISPLAY NAME\s+FRAMEWORK/);
    expect(table.stdout).toMatch(/models\/iris\s+Iris\s+sklearn/);
    expect(got.stdout).toMatch(/labels\s+team=cli/);
  });

  it("explains a bad request in one line with the reason, and exits 1", async () => {
    const [bad, missing, asJson, noKey, down] = await Promise.all([
      run("models", "create", "Bad_Id"),
      run("models", "get", "nope"),
      run("models", "get", "nope", "--json"),
      artenic(["models", "list"], { ARTENIC_URL: server.url, ARTENIC_API_KEY: "" }),
      artenic(["models", "list", "--timeout", "3000"], { ARTENIC_URL: "http://127.0.0.1:1", ARTENIC_API_KEY: "k" }),
    ]);
    expect(bad.code).toBe(1);
    expect(lines(bad.stderr)).toHaveLength(1);
    expect(bad.stderr).toMatch(/^artenic: INVALID_ARGUMENT: model_id: .*regex/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^artenic: NOT_FOUND: .*\[MODEL_NOT_FOUND\]\n$/);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: "NOT_FOUND", reason: "MODEL_NOT_FOUND", method: "artenic.registry.v1.RegistryService/GetModel" } });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/^artenic: UNAUTHENTICATED: .*ARTENIC_API_KEY/);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^artenic: UNAVAILABLE: cannot reach the server at http:\/\/127\.0\.0\.1:1/);
  });

  it("uploads a version with a progress bar, promotes it and sets an alias", async () => {
    const upload = await run("versions", "upload", "iris", fixtureModel, "--metric", "accuracy=0.97", "--progress", "--json");
    expect(upload.code).toBe(0);
    const version = JSON.parse(upload.stdout) as { name: string; metrics: Record<string, number>; artifact: { sha256: string } };
    expect(version.name).toBe("models/iris/versions/1");
    expect(version.metrics).toEqual({ accuracy: 0.97 });
    expect(version.artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(upload.stderr).toMatch(/uploading iris_logreg\.onnx\s+100%/);
    const human = await run("versions", "upload", "iris", fixtureModel, "--no-progress");
    expect(human.stdout).toMatch(/name\s+models\/iris\/versions\/2/);
    expect(human.stdout).toMatch(/inputs\s+input: float32\[\?,4\]/);
    expect(human.stderr).toBe("");
    const [promoted, aliased, missing] = await Promise.all([
      run("versions", "promote", "iris/1"),
      run("versions", "alias", "iris@2", "champion"),
      run("versions", "upload", "iris", join(dir, "absent.onnx")),
    ]);
    expect(promoted.stdout).toContain("models/iris/versions/1 is now PRODUCTION");
    expect(aliased.stdout).toContain("models/iris@champion -> models/iris/versions/2");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file");
    const list = JSON.parse((await run("versions", "list", "iris", "--json")).stdout) as { name: string; stage: string; aliases?: string[] }[];
    expect(list.map((v) => [v.name, v.stage, v.aliases ?? []])).toEqual([
      ["models/iris/versions/2", "MODEL_VERSION_STAGE_NONE", ["champion"]],
      ["models/iris/versions/1", "MODEL_VERSION_STAGE_PRODUCTION", []],
    ]);
  });

  it("creates services and re-points them", async () => {
    const created = await run("services", "create", "iris", "--production", "iris", "--wait", "--json");
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: "services/iris", state: "SERVICE_STATE_SERVING", resolvedModelVersion: "models/iris/versions/1" });
    const moved = await run("services", "set-target", "iris", "--alias", "iris@champion", "--reason", "try v2", "--wait");
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain("services/iris -> models/iris@champion (models/iris/versions/2, SERVING)");
    const [list, twoTargets] = await Promise.all([run("services", "list"), run("services", "create", "x", "--production", "iris", "--model-version", "iris/1")]);
    expect(list.stdout).toMatch(/services\/iris\s+SERVING\s+models\/iris@champion\s+models\/iris\/versions\/2/);
    expect(twoTargets.code).toBe(2);
  });

  it("creates an ensemble and retrains its members, drives a canary rollout, and creates budgets", async () => {
    const created = await run("ensembles", "create", "pair", "--member", "iris/1=2", "--member", "models/iris/versions/2", "--json");
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: "ensembles/pair", task: "ENSEMBLE_TASK_CLASSIFICATION", strategy: "ENSEMBLE_STRATEGY_WEIGHTED_AVERAGE", members: [{ modelVersion: "models/iris/versions/1", weight: 2 }, { modelVersion: "models/iris/versions/2" }] });
    const train = await run("ensembles", "train", "pair", "--member", "iris/1", "--provider", "local", "--replace-members", "--env", `SOURCE_MODEL=${fixtureModel}`, "--command", 'cp "$SOURCE_MODEL" "$ARTENIC_OUTPUT_DIR/model.onnx"', "--json");
    expect(train.code, train.stderr).toBe(0);
    const group = JSON.parse(train.stdout) as { trainingGroup: string; jobs: { modelVersion: string; trainingJob: string }[] };
    expect(group.jobs).toEqual([{ modelVersion: "models/iris/versions/1", trainingJob: expect.stringMatching(/^trainingJobs\//) }]);
    const deadline = Date.now() + 30_000;
    while ((await sdk.ensembles.getEnsemble({ name: "ensembles/pair" })).ensemble!.version !== 2n) {
      if (Date.now() > deadline) throw new Error("the trained member never replaced models/iris/versions/1");
      await new Promise((r) => setTimeout(r, 100));
    }
    const shown = await run("ensembles", "get", "pair");
    expect(shown.stdout).toMatch(/models\/iris\/versions\/3\s+2\b/);

    const canary = await run("canaries", "create", "iris-canary", "--service", "iris", "--model-version", "iris/1", "--step", "10:1m:100", "--step", "50:2m", "--max-error-rate-delta", "0.05", "--manual-promotion", "--json");
    expect(canary.code, canary.stderr).toBe(0);
    expect(JSON.parse(canary.stdout)).toMatchObject({ name: "canaryRollouts/iris-canary", service: "services/iris", candidateModelVersion: "models/iris/versions/1", steps: [{ trafficPercent: 10, minRequests: "100" }, { trafficPercent: 50 }], manualPromotion: true });
    const listed = await run("canaries", "list");
    expect(listed.stdout).toMatch(/canaryRollouts\/iris-canary\s+services\/iris\s+models\/iris\/versions\/1\s+(PENDING|PROGRESSING)/);
    const aborted = await run("canaries", "abort", "iris-canary", "--reason", "cli test");
    expect(aborted.stdout).toBe("canaryRollouts/iris-canary is ABORTED at 0%\n");
    expect((await run("canaries", "get", "iris-canary")).stdout).toMatch(/ABORTED.*cli test/s);

    const budget = await run("budgets", "create", "local-cap", "--amount", "12.5", "--scope", "provider:local", "--period", "weekly", "--enforcement", "warn", "--alert", "80%", "--json");
    expect(budget.code, budget.stderr).toBe(0);
    expect(JSON.parse(budget.stdout)).toMatchObject({ name: "budgets/local-cap", scope: { kind: "BUDGET_SCOPE_KIND_PROVIDER", target: "providers/local" }, period: "BUDGET_PERIOD_WEEKLY", enforcement: "BUDGET_ENFORCEMENT_WARN", amount: { currencyCode: "USD", units: "12", nanos: 500000000 }, alertThresholds: [80] });
    const [badAmount, badScope, noCandidate, noWindow] = await Promise.all([
      run("budgets", "create", "x", "--amount", "lots"),
      run("budgets", "create", "x", "--amount", "5", "--scope", "team:a"),
      run("canaries", "create", "c2", "--service", "iris", "--step", "10:1m"),
      run("canaries", "create", "c2", "--service", "iris", "--model-version", "iris/1", "--step", "10"),
    ]);
    expect([badAmount.code, badScope.code, noCandidate.code, noWindow.code]).toEqual([2, 2, 2, 2]);
    expect(noWindow.stderr).toContain("--step needs a percentage and an evaluation window");
    expect(noCandidate.stderr).toContain("give exactly one of --model-version and --ensemble");
  }, 60_000);

  it("predicts the rows of a CSV file with PredictBatch and with StreamPredict", async () => {
    const expected = fixtureExpected("iris_logreg");
    const rows = expected.inputs.slice(0, 12);
    const csv = join(dir, "rows.csv");
    writeFileSync(csv, `sepal_length,sepal_width,petal_length,petal_width\n${rows.map((r) => r.join(",")).join("\n")}\n`);
    const labels = expected.outputs.labels!.slice(0, 12).map(String);
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, `${rows[0]!.join(",")}\n1,2,3\n`);
    const json = join(dir, "rows.json");
    writeFileSync(json, JSON.stringify(rows.slice(0, 2)));
    const [batch, stream, table, partial, fromJson] = await Promise.all([
      run("predict", "iris", csv, "--json"),
      run("predict", "iris", csv, "--json", "--stream", "--rows-per-message", "5"),
      run("predict", "iris", csv),
      run("predict", "iris", bad),
      run("predict", "iris", json, "--json"),
    ]);
    for (const res of [batch, stream]) {
      expect(res.code, res.stderr).toBe(0);
      const results = JSON.parse(res.stdout) as { index?: string; classification: { label: string }; modelVersion: string }[];
      expect(results.map((r) => r.classification.label)).toEqual(labels);
      expect(results.map((r) => Number(r.index ?? 0))).toEqual(rows.map((_, i) => i));
      expect(new Set(results.map((r) => r.modelVersion))).toEqual(new Set(["models/iris/versions/2"]));
    }
    expect(table.stdout).toMatch(/^ROW\s+PREDICTION\s+CONFIDENCE\s+MODEL VERSION\s+STATUS/);
    expect(table.stdout).toMatch(/12 rows, 0 failed/);
    // A short row fails alone, with its reason; the exit code tells that a row failed.
    expect(partial.code).toBe(1);
    expect(partial.stdout).toMatch(/1\s+INVALID_ARGUMENT: .*expected shape \[4\] per row, given \[3\]/);
    expect(partial.stdout).toContain("2 rows, 1 failed");
    expect(JSON.parse(fromJson.stdout)).toHaveLength(2);
  });

  it("dispatches training jobs on the local provider, watches them live, and cancels one", async () => {
    const ok = await run("training", "dispatch", "--id", "cli-ok", "--watch", "--", "sh", "-c", "echo hello-from-job; echo warn-from-job >&2");
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/SUCCEEDED\s+trainingJobs\/cli-ok on local/);
    expect(ok.stdout).toMatch(/\| hello-from-job/);
    expect(ok.stdout).toMatch(/! warn-from-job/);
    // A job that fails: the watch shows why and the exit code says it did not succeed.
    const failed = await run("training", "dispatch", "--id", "cli-fail", "--command", "exit 3", "--watch");
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAILED\s+trainingJobs\/cli-fail/);
    const sleeper = await run("training", "dispatch", "--id", "cli-sleep", "--json", "--", "sleep", "60");
    expect(sleeper.code, sleeper.stderr).toBe(0);
    expect((JSON.parse(sleeper.stdout) as { name: string }).name).toBe("trainingJobs/cli-sleep");
    const cancelled = await run("training", "cancel", "cli-sleep", "--reason", "not needed");
    expect(cancelled.stdout).toBe("trainingJobs/cli-sleep is CANCELLED\n");
    const list = JSON.parse((await run("training", "list", "--json")).stdout) as { name: string; state: string }[];
    expect(Object.fromEntries(list.map((j) => [j.name, j.state]))).toMatchObject({
      "trainingJobs/cli-ok": "TRAINING_JOB_STATE_SUCCEEDED",
      "trainingJobs/cli-fail": "TRAINING_JOB_STATE_FAILED",
      "trainingJobs/cli-sleep": "TRAINING_JOB_STATE_CANCELLED",
    });
  }, 60_000);

  it("creates a key, uses it within its scope, and revokes it", async () => {
    const created = await run("keys", "create", "--name", "ci reader", "--scope", "read", "--json");
    expect(created.code).toBe(0);
    const { apiKey, secret } = JSON.parse(created.stdout) as { apiKey: { name: string; scopes: string[] }; secret: string };
    expect(apiKey.scopes).toEqual(["API_KEY_SCOPE_READ"]);
    const reader = { ARTENIC_URL: server.url, ARTENIC_API_KEY: secret };
    const [listed, read, denied] = await Promise.all([run("keys", "list"), artenic(["models", "list", "--json"], reader), artenic(["models", "create", "nope"], reader)]);
    expect(listed.stdout).toMatch(new RegExp(`${apiKey.name}\\s+ci reader\\s+\\S+\\s+read\\s+ACTIVE`));
    expect(read.code).toBe(0);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^artenic: PERMISSION_DENIED: .*WRITE scope/);
    const revoked = await run("keys", "revoke", apiKey.name);
    expect(revoked.stdout).toBe(`revoked ${apiKey.name}\n`);
    const after = await artenic(["models", "list"], reader);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/^artenic: UNAUTHENTICATED: .*\[API_KEY_INVALID\]/);
  });

  it("reads and changes runtime settings, masks secrets, shows the audit, and lists plugins", async () => {
    const set = await run("settings", "set", "logging.level=debug");
    expect(set).toMatchObject({ code: 0, stdout: "set logging.level = \"debug\"\n" });
    const secret = await run("settings", "set", "mlflow.token=tok-very-secret-123", "mlflow.experiment=cli");
    expect(secret.stdout).toContain('set mlflow.token = "********" (applies after a restart)');
    expect(secret.stdout).not.toContain("tok-very-secret-123");
    const list = await run("settings", "list", "mlflow");
    expect(list.stdout).toMatch(/mlflow\.experiment\s+"cli"\s+stored\s+restart pending/);
    expect(list.stdout).not.toContain("tok-very-secret-123");
    const level = await run("settings", "get", "logging.level");
    expect(level.stdout).toMatch(/^logging\.level = "debug" \(stored, updated .+ by apiKeys\/\S+; live\)\n$/);
    expect((await run("settings", "get", "logging.level", "--value")).stdout).toBe('"debug"\n');
    const token = await run("settings", "get", "mlflow.token", "--json");
    expect(JSON.parse(token.stdout)).toMatchObject({ value: "********", source: "SETTING_SOURCE_STORED", secret: true, restartPending: true });
    expect((await run("settings", "get", "auth.rate_limit_rps")).stdout).toMatch(/^auth\.rate_limit_rps = \d+ \((default|env)[;,].*live\)\n$/);
    const unknown = await run("settings", "get", "auth.no_such_key");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/NOT_FOUND|INVALID_ARGUMENT/);
    expect((await run("settings", "get", "not-a-key")).code).toBe(2);
    const bad = await run("settings", "set", "inference.max_loaded_models=0");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/INVALID_ARGUMENT: settings\[0\]\.value: max_loaded_models must be between 1 and 10000/);
    expect((await run("settings", "set", "auth.rate_limit_rps=5", "logging.level=info")).code).toBe(2);
    const reset = await run("settings", "reset", "logging.level");
    expect(reset.stdout).toBe('reset logging.level = "info" (default)\n');
    const audit = await run("settings", "audit", "--json");
    const entries = JSON.parse(audit.stdout) as { setting: string; action: string; newValue?: unknown }[];
    expect(entries.map((e) => [e.setting.split("/").pop(), e.action])).toEqual([
      ["level", "SETTINGS_AUDIT_ACTION_RESET"],
      ["experiment", "SETTINGS_AUDIT_ACTION_UPDATE"],
      ["token", "SETTINGS_AUDIT_ACTION_UPDATE"],
      ["level", "SETTINGS_AUDIT_ACTION_UPDATE"],
    ]);
    expect(audit.stdout).not.toContain("tok-very-secret-123");
    const schema = await run("settings", "schema", "auth");
    expect(schema.stdout).toMatch(/auth\.rate_limit_rps\s+number\s+1000\s+ARTENIC_RATE_LIMIT_RPS\s+live/);
    const plugins = await run("plugins", "list", "--json");
    expect(plugins).toMatchObject({ code: 0, stdout: "[]\n" });
  });

  it("tails events: a replay of N events then exit, and live events after a cursor", async () => {
    const replay = await run("events", "tail", "--from-beginning", "--limit", "3", "--json");
    expect(replay.code).toBe(0);
    const replayed = lines(replay.stdout).map((l) => JSON.parse(l) as { cursor: string; type: string });
    expect(replayed).toHaveLength(3);
    expect(replayed[0]!.type).toBe("keys.api_key.created");
    const { events } = await sdk.events.listEvents({ orderBy: "create_time desc", pageSize: 1 });
    const after = events[0]!.cursor;
    // Replay-then-live from the newest cursor: nothing can be missed between start and the changes.
    const child = spawn(process.execPath, [bin, "events", "tail", "--topic", "registry", "--type", "registry.model.*", "--after", after, "--limit", "2"], {
      env: { ...process.env, ...env },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    await sdk.registry.createModel({ modelId: "live-one", model: {} });
    await sdk.registry.createModel({ modelId: "live-two", model: {} });
    expect(await exited).toBe(0);
    const tailed = lines(out);
    expect(tailed).toHaveLength(2);
    expect(tailed[0]).toMatch(/registry\s+registry\.model\.created\s+models\/live-one\s+by apiKeys\//);
    expect(tailed[1]).toContain("models/live-two");
    const badTopic = await run("events", "tail", "--topic", "nope");
    expect(badTopic.code).toBe(2);
    expect(badTopic.stderr).toContain("unknown topic");
  });
});
