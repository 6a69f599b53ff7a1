import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { TrainingJobSchema, TrainingJobState } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { ABTestService } from "@artenic/gen/artenic/abtest/v1/abtest_service_pb";
import { ABTestState, ComparisonVerdict } from "@artenic/gen/artenic/abtest/v1/ab_test_pb";
import { serveRoutes, type RoutesServer } from "../support/routes-server.js";

// The CLI commands whose services the server does not implement yet (training) or whose results
// need long-running traffic (A/B statistics), against a bare Connect server with fake handlers; and
// the message for a service the server does not offer at all.

const bin = fileURLToPath(new URL("../../../cli/bin/artenic.js", import.meta.url));

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function artenic(args: readonly string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

describe("the artenic CLI on services the server answers with fakes, or not at all", () => {
  let fake: RoutesServer;
  const dispatched: { command: string[]; provider: string; id: string }[] = [];
  const job = (name: string, state: TrainingJobState, extra: { providerJob?: { provider: string; instanceType: string }; stateMessage?: string; outputModelVersion?: string } = {}) =>
    create(TrainingJobSchema, { name, state, updateTime: timestampNow(), ...extra });
  const run = (...args: string[]) => artenic(args, { ARTENIC_URL: fake.baseUrl, ARTENIC_API_KEY: "k" });

  beforeAll(async () => {
    fake = await serveRoutes((router) => {
      router.service(TrainingService, {
        createTrainingJob(req) {
          dispatched.push({ command: req.trainingJob!.spec!.command, provider: req.trainingJob!.spec!.placement!.provider, id: req.trainingJobId });
          return { trainingJob: job(`trainingJobs/${req.trainingJobId || "auto-1"}`, TrainingJobState.QUEUED) };
        },
        async *watchTrainingJob(req) {
          const failing = req.name.endsWith("failing");
          yield { event: { case: "trainingJob", value: job(req.name, TrainingJobState.QUEUED) } };
          yield {
            event: {
              case: "trainingJob",
              value: job(req.name, TrainingJobState.RUNNING, { providerJob: { provider: "providers/local", instanceType: "cpu-2" } }),
            },
          };
          yield { event: { case: "logLines", value: { lines: [{ sequence: 1n, text: "epoch 1", time: timestampNow() }, { sequence: 2n, text: "epoch 2", time: timestampNow() }] } } };
          yield { event: { case: "metricReport", value: { step: 2n, metrics: { loss: 0.25 }, time: timestampNow() } } };
          yield { event: { case: "heartbeat", value: { time: timestampNow() } } };
          yield {
            event: {
              case: "trainingJob",
              value: job(req.name, failing ? TrainingJobState.FAILED : TrainingJobState.SUCCEEDED, failing ? { stateMessage: "exit code 3" } : { outputModelVersion: "models/iris/versions/3" }),
            },
          };
        },
        cancelTrainingJob(req) {
          return { trainingJob: job(req.name, TrainingJobState.CANCELLED) };
        },
      });
      router.service(ABTestService, {
        getABTestResults(req) {
          return {
            results: {
              abTest: req.name,
              state: ABTestState.AB_TEST_STATE_RUNNING,
              confidenceLevel: 0.95,
              minSamplesPerVariant: 100n,
              enoughSamples: true,
              variants: [
                { variantId: "control", control: true, sampleCount: 500n, mean: 0.5, stdDev: 0.1, errorRate: 0.01, latencyP50Ms: 1, latencyP95Ms: 2, latencyP99Ms: 3 },
                {
                  variantId: "candidate",
                  sampleCount: 480n,
                  mean: 0.55,
                  stdDev: 0.1,
                  errorRate: 0.02,
                  latencyP50Ms: 1.1,
                  latencyP95Ms: 2.2,
                  latencyP99Ms: 3.3,
                  comparison: { difference: 0.05, lift: 0.1, liftCiLow: 0.05, liftCiHigh: 0.15, pValue: 0.001, significant: true, verdict: ComparisonVerdict.BETTER },
                },
              ],
            },
          };
        },
      });
    });
  });
  afterAll(async () => fake?.close());

  it("dispatches a training job and watches its states, log lines and metrics to the end", async () => {
    const res = await run("training", "dispatch", "--id", "demo", "--provider", "local", "--watch", "--", "python", "train.py", "--epochs", "2");
    expect(res.code, res.stderr).toBe(0);
    expect(dispatched).toEqual([{ command: ["python", "train.py", "--epochs", "2"], provider: "providers/local", id: "demo" }]);
    const out = lines(res.stdout);
    expect(out[0]).toMatch(/QUEUED\s+trainingJobs\/demo$/);
    expect(out[1]).toMatch(/RUNNING\s+trainingJobs\/demo on local\/cpu-2$/);
    expect(out[2]).toMatch(/\| epoch 1$/);
    expect(out[3]).toMatch(/\| epoch 2$/);
    expect(out[4]).toMatch(/step 2\s+loss=0\.25$/);
    expect(out[5]).toMatch(/SUCCEEDED\s+trainingJobs\/demo$/);
    expect(out[6]).toBe("trainingJobs/demo ended SUCCEEDED, produced models/iris/versions/3");
    const [failing, cancelled] = await Promise.all([run("training", "watch", "failing"), run("training", "cancel", "demo")]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain("FAILED       trainingJobs/failing: exit code 3");
    expect(cancelled.stdout).toBe("trainingJobs/demo is CANCELLED\n");
  });

  it("shows A/B results as a table", async () => {
    const res = await run("ab-tests", "results", "exp");
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("abTests/exp  RUNNING  confidence 95%");
    expect(res.stdout).toMatch(/control\s+control\s+500\s+0\s+0\.5\s+0\.1\s+1\.00%\s+1\/2\/3/);
    expect(res.stdout).toMatch(/candidate\s+480\s+.*10\.00% \[5\.00%, 15\.00%\]\s+0\.001\s+BETTER/);
  });

  it("says clearly when the server does not implement a service yet", async () => {
    const res = await run("budgets", "list");
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `artenic: UNIMPLEMENTED: BudgetService/ListBudgets is not implemented by the server at ${fake.baseUrl} yet (it is part of the contract, and a later server version provides it)\n`,
    );
  });
});
