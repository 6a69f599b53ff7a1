import { describe, expect, it } from "vitest";
import { loadConfig } from "../platform/config/config.js";
import { AppError } from "../platform/errors/app-error.js";
import { checkValue, maskValue, parseVariable, SECRET_MASK } from "./setting-values.js";
import { listSections, readConfigPath } from "./settings-schema.js";
import { computeBaseline } from "./settings.use-cases.js";

const all = listSections().flatMap((s) => s.settings);

describe("the settings schema", () => {
  it("hot-reloads exactly the keys that have a running component wired in app.ts (and README lists)", () => {
    expect(all.filter((d) => !d.restartRequired).map((d) => `${d.section}.${d.key}`)).toEqual([
      "auth.rate_limit_rps",
      "auth.rate_limit_burst",
      "logging.level",
      "training.reconcile_interval_ms",
    ]);
  });

  it("accepts only values the configuration parser accepts too, so a stored value can never stop a start", () => {
    for (const def of all.filter((d) => d.config && d.env)) {
      const samples = def.kind === "integer" || def.kind === "number" ? [def.min, def.max].filter((v) => v !== undefined) : (def.choices ?? []);
      for (const sample of samples) {
        expect(checkValue(def, sample).ok, `${def.key}=${sample}`).toBe(true);
        expect(readConfigPath(loadConfig({ [def.env!]: String(sample) }), def.config!), `${def.env}=${sample}`).toEqual(sample);
      }
      // The built-in default fits the schema's own bounds.
      expect(checkValue(def, readConfigPath(loadConfig({}), def.config!)).ok, def.key).toBe(true);
    }
  });

  it("takes defaults from the environment over the file over the schema, and names a variable that does not fit", () => {
    const config = loadConfig({ ARTENIC_S3_FORCE_PATH_STYLE: "true", ARTENIC_LOG_LEVEL: "debug" });
    const baseline = computeBaseline(config);
    expect(baseline.get("global/artifacts/s3_force_path_style")).toEqual({ value: true, source: "env" });
    expect(baseline.get("global/logging/level")).toEqual({ value: "debug", source: "env" });
    expect(baseline.get("global/artifacts/backend")).toEqual({ value: "local", source: "default" });
    expect(baseline.get("global/mlflow/token")).toEqual({ value: undefined, source: "default" });
    try {
      computeBaseline(loadConfig({ ARTENIC_ARTIFACT_STORE: "ftp" }));
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).metadata["variable"]).toBe("ARTENIC_ARTIFACT_STORE");
    }
  });

  it("masks secrets whatever their value, and never quotes them in problems", () => {
    const secret = all.find((d) => d.secret)!;
    expect(maskValue(secret, "hunter2-long-secret")).toBe(SECRET_MASK);
    expect(maskValue(secret, undefined)).toBeUndefined();
    const bad = checkValue({ ...secret, choices: ["a"] }, "hunter2-long-secret");
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).not.toContain("hunter2");
    expect(parseVariable(all.find((d) => d.key === "providers")!, "a, b,,c")).toEqual({ ok: true, value: ["a", "b", "c"] });
  });
});
