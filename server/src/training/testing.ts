// Test support for the training domain: an in-memory database with the fake provider, a recording
// budget gate and a hand-driven clock. Imported by tests only.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { AdmissionResult, BudgetGate, SpendRequest } from "../budget/budget-gate.js";
import { AppError } from "../platform/errors/app-error.js";
import { initOrm, migrate, type Orm } from "../platform/db/orm.js";
import type { UseCaseContext } from "../platform/context.js";
import { createLocalArtifactStore } from "../registry/artifacts/local-artifact-store.js";
import type { ArtifactStore } from "../registry/index.js";
import { JobSignals } from "./job-signals.js";
import { createStaticProviderGate, ProviderRegistry } from "./provider-registry.js";
import { FakeComputeProvider } from "./providers/fake/index.js";
import { TrainingReconciler } from "./reconciler.js";
import { planPlacement, createTrainingJob, type NewJobInput, type TrainingDeps } from "./training-job.use-cases.js";
import type { JobSpecRecord } from "./training-job.entity.js";

/** A budget gate that admits everything (or refuses what `refuse` says) and records every call. */
export interface RecordingBudgetGate extends BudgetGate {
  readonly admitted: SpendRequest[];
  readonly settled: { job: string; actual: number }[];
  refuse: ((request: SpendRequest) => boolean) | undefined;
}

export function recordingBudgetGate(): RecordingBudgetGate {
  const gate: RecordingBudgetGate = {
    admitted: [],
    settled: [],
    refuse: undefined,
    async admit(_em, request): Promise<AdmissionResult> {
      if (gate.refuse?.(request)) {
        throw new AppError("resource_exhausted", "BUDGET_EXCEEDED", `Budget budgets/test refuses ${request.amount} for ${request.provider}.`, { budget: "budgets/test" });
      }
      gate.admitted.push(request);
      return { warnings: [] };
    },
    async settle(_em, job, actual) {
      gate.settled.push({ job, actual });
    },
  };
  return gate;
}

/** A clock that moves only when told. */
export class TestClock {
  constructor(private t = new Date("2026-11-26T12:00:00Z").getTime()) {}
  readonly now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TrainingTestbed {
  readonly orm: Orm;
  readonly fake: FakeComputeProvider;
  readonly registry: ProviderRegistry;
  readonly budget: RecordingBudgetGate;
  readonly clock: TestClock;
  readonly deps: TrainingDeps;
  readonly store: ArtifactStore;
  readonly dataDir: string;
  ctx(actor?: string): UseCaseContext;
  /** A reconcile loop over the same database (not started: drive it with `tick`). */
  reconciler(options?: { leaseMs?: number }): TrainingReconciler;
  /** Creates a job as CreateTrainingJob does (placement, then admission in one transaction). */
  create(id: string, spec: Partial<JobSpecRecord>, more?: Partial<NewJobInput>): Promise<string>;
  dispose(): Promise<void>;
}

export const baseSpec: JobSpecRecord = {
  image: "",
  command: ["fake"],
  args: [],
  code: null,
  env: {},
  secretEnvKeys: [],
  hyperparameters: {},
  resources: null,
  placement: null,
  spot: false,
  preemption: null,
  maxRuntimeMs: null,
  maxCost: null,
  output: null,
};

export async function trainingTestbed(options: { fake?: FakeComputeProvider; orm?: Orm; /** Providers the gate enables besides fake (register their adapters on `registry`). */ enabledProviders?: readonly string[] } = {}): Promise<TrainingTestbed> {
  const orm = options.orm ?? (await initOrm({ kind: "sqlite", path: ":memory:" }));
  if (!options.orm) await migrate(orm);
  const dataDir = mkdtempSync(join(tmpdir(), "artenic-training-test-"));
  const fake = options.fake ?? new FakeComputeProvider();
  const registry = new ProviderRegistry(createStaticProviderGate(["fake", ...(options.enabledProviders ?? [])]));
  registry.register(fake);
  const budget = recordingBudgetGate();
  const clock = new TestClock();
  const signals = new JobSignals();
  const store = createLocalArtifactStore(join(dataDir, "artifacts"));
  const reconcilers: TrainingReconciler[] = [];
  const deps: TrainingDeps = {
    registry,
    budget,
    secretsKey: Buffer.alloc(32, 7),
    currency: "USD",
    codeRoots: [],
    dataDir,
    signals,
    nudge: () => undefined,
  };
  const ctx = (actor = "apiKeys/tester"): UseCaseContext => ({ em: orm.em.fork(), actor: { name: actor, requestId: "" }, now: clock.now });
  return {
    orm,
    fake,
    registry,
    budget,
    clock,
    deps,
    store,
    dataDir,
    ctx,
    reconciler(o = {}) {
      const r = new TrainingReconciler({
        ...deps,
        em: () => orm.em.fork(),
        hashKey: Buffer.alloc(32, 9),
        store,
        logger: pino({ level: process.env["ARTENIC_TEST_LOG_LEVEL"] ?? "silent" }),
        intervalMs: 60_000,
        leaseMs: o.leaseMs ?? 15_000,
        endpoint: "http://127.0.0.1:1",
        now: clock.now,
      });
      reconcilers.push(r);
      return r;
    },
    async create(id, spec, more = {}) {
      const full: JobSpecRecord = { ...baseSpec, ...spec };
      const c = ctx();
      const { candidates } = await planPlacement(c.em, deps, full);
      const { job } = await c.em.transactional((em) =>
        createTrainingJob({ ...c, em }, deps, { id, displayName: "", description: "", labels: {}, service: "", spec: full, secretEnv: {}, ...more }, candidates),
      );
      return job.id;
    },
    async dispose() {
      for (const r of reconcilers) await r.stop();
      if (!options.orm) await orm.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
