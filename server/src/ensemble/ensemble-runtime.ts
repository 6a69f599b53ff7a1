/**
 * Serving ensembles and learning from their outcomes.
 *
 * - {@link EnsembleResolver} for the inference domain: `resolve` builds a runner for an ensemble's
 *   current version from the routes of its members; a run calls every member concurrently under
 *   the member timeout, checks the quorum, combines with the strategy or applies the fallback,
 *   and reports who answered.
 * - A bounded memory of recent predictions' member answers, filled by `recordPrediction` once the
 *   predict path has made the prediction id.
 * - A learner that reads new outcomes reported for ensemble predictions, joins them to the
 *   remembered answers, and updates the learned state (then auto-prune and auto-evolution).
 *   Each process joins only the predictions it served itself, so an outcome is learned once even
 *   with several server processes on one database.
 */
import type { EntityManager } from "@mikro-orm/core";
import type { EnsembleMemberOutcome, EnsembleResolver, EnsembleRunner, EnsembleRunResult, Route } from "../inference/index.js";
import { parseVersionName, type ModelSignatureInfo } from "../registry/index.js";
import { AppError } from "../platform/errors/app-error.js";
import {
  EnsembleStrategyError,
  bestMember,
  dynamicWeightsFor,
  majorityVote,
  metaLearnerInput,
  metaLearnerOutput,
  resolveConfiguredWeight,
  stackingCombine,
  weightedAverage,
  type ClassificationOutput,
  type CombinedAnswer,
  type MemberAnswer,
  type CustomStrategy,
} from "./strategies/index.js";
import { effectiveWeights, snapshotName, stackingStateOf, type EnsembleConfig, type EnsembleState } from "./ensemble-state.js";
import { classOrder, requiredQuorum, type JoinedOutcome } from "./ensemble-learning.js";
import { fallbackFailed, metaModelFailed, outputsIncompatible, pluginStrategyFailed, quorumNotMet } from "./ensemble.errors.js";
import { getEnsemble, notifyAfterCommit, recordEnsembleOutcomes, stateOf, type EnsembleChangeListener, type EnsembleDeps, type FailureDelta } from "./ensemble.use-cases.js";
import { ensembleSignature, memberOutputOf, outputsOf, valueOutputName, type OutputValue, type TensorData } from "./member-outputs.js";

// ---------------------------------------------------------------- ports

/** One outcome reported for a prediction an ensemble answered. */
export interface EnsembleFeedback {
  /** Increasing with every report (the feedback row id). */
  readonly id: number;
  readonly predictionId: string;
  readonly row: number;
  /** `ensembles/{e}/snapshots/{s}`. */
  readonly answeredBy: string;
  readonly label: string | null;
  readonly value: number | null;
}

/**
 * Where outcomes come from: the inference domain's feedback, read by increasing id. Implemented by
 * the inference domain (the ensemble domain never reads its tables).
 */
export interface EnsembleFeedbackSource {
  /** The highest id reported so far (0 when none): learning starts after it. */
  latestId(em: EntityManager): Promise<number>;
  /** Reports with an id above `afterId` whose `answeredBy` is an ensemble snapshot, by increasing id, at most `limit`. */
  since(em: EntityManager, afterId: number, limit: number): Promise<EnsembleFeedback[]>;
}

export interface EnsembleRuntimeOptions {
  /** A fresh unit of work for background reads and writes. */
  readonly em: () => EntityManager;
  readonly feedback: EnsembleFeedbackSource;
  /** Reference checkers and listeners (automatic changes tell the listeners too). */
  readonly deps?: EnsembleDeps;
  readonly logger?: { warn(obj: object, msg: string): void };
  /** How long a loaded ensemble is trusted before it is read again. @default 1000 */
  readonly cacheTtlMs?: number;
  /** How often the learner reads new outcomes. @default 5000 */
  readonly learnIntervalMs?: number;
  /** Most prediction rows whose member answers are remembered for learning. @default 100000 */
  readonly memoryRows?: number;
  readonly now?: () => number;
}

/** The ensemble domain's runtime: serving (the resolver), the prediction memory and the learner. */
export interface EnsembleRuntime extends EnsembleResolver {
  /**
   * Remembers what each member answered for a prediction, so a reported outcome can teach the
   * learning strategies. Call it after making the prediction id, with the `EnsembleRunResult` (or
   * just its `outputs`) a runner returned. For calls whose rows get ids of their own
   * (`<predictionId>~<row>`, as PredictBatch gives), pass `rowIndexes`: result row k is the row
   * whose id is `<predictionId>~<rowIndexes[k]>`. Returns false when the result is not one of this
   * runtime's or `snapshotName` is not the runner's.
   */
  recordPrediction(predictionId: string, snapshotName: string, result: EnsembleRunResult | Record<string, OutputValue>, rowIndexes?: readonly number[]): boolean;
  /** Runs one learning pass now; returns the outcomes learned. */
  learnNow(): Promise<number>;
  /** Starts learning in the background, from the outcomes reported after this call. */
  start(): Promise<void>;
  /** Stops the background learner, after a pass in progress. */
  stop(): Promise<void>;
  /** Forgets a loaded ensemble: the next resolve reads it again. */
  invalidate(ensembleId: string): void;
  /** A listener that invalidates this runtime's cache when an ensemble changes; add it to the handler's listeners. */
  readonly listener: EnsembleChangeListener;
}

// ---------------------------------------------------------------- memory

interface RunRecord {
  readonly ensembleId: string;
  readonly version: number;
  readonly answers: readonly MemberAnswer[];
  readonly rows: number;
}

interface Remembered {
  readonly run: RunRecord;
  /** The result row an id stands for; undefined when the id stands for the whole batch. */
  readonly resultRow: number | undefined;
  /** Rows this entry counts against the bound. */
  readonly weight: number;
}

/**
 * An LRU of recent predictions' member answers, bounded by rows. A whole-call id maps to its
 * batch (the reported row picks the result row); a per-row id (`<call>~<row>`) maps to one row.
 * Per-row entries share their batch's arrays.
 */
/** What is wrong with a combined answer for `task` and `rows` rows, or undefined when it is well-formed. */
function combinedProblem(c: CombinedAnswer | undefined, task: EnsembleConfig["task"], rows: number): string | undefined {
  if (!c || typeof c !== "object" || c.kind !== task) return `it returned no ${task} answer`;
  if (c.rows !== rows) return `it returned ${String(c.rows)} rows for ${rows}`;
  if (!Array.isArray(c.answered) || !Array.isArray(c.failed)) return "it did not say which members answered";
  if (c.kind === "regression") return c.values instanceof Float64Array && c.values.length === rows ? undefined : `it returned no Float64Array of ${rows} values`;
  const n = Array.isArray(c.classes) ? c.classes.length : -1;
  if (n <= 0 || !(c.probabilities instanceof Float64Array) || c.probabilities.length !== rows * n) return "its probabilities do not match its classes";
  if (!Array.isArray(c.labels) || c.labels.length !== rows || !(c.confidences instanceof Float64Array) || c.confidences.length !== rows) return "its labels or confidences do not match its rows";
  return undefined;
}

class PredictionMemory {
  private readonly entries = new Map<string, Remembered>();
  private rows = 0;

  constructor(private readonly maxRows: number) {}

  add(id: string, entry: Remembered): void {
    const old = this.entries.get(id);
    if (old) {
      this.entries.delete(id);
      this.rows -= old.weight;
    }
    this.entries.set(id, entry);
    this.rows += entry.weight;
    for (const [key, e] of this.entries) {
      if (this.rows <= this.maxRows || this.entries.size === 1) break;
      this.entries.delete(key);
      this.rows -= e.weight;
    }
  }

  /** The answers a reported outcome is about, and the row of their batch. */
  find(predictionId: string, row: number): { run: RunRecord; row: number } | undefined {
    const entry = this.entries.get(predictionId);
    if (!entry) return undefined;
    const k = entry.resultRow ?? (entry.run.rows === 1 ? 0 : row);
    return k < 0 || k >= entry.run.rows ? undefined : { run: entry.run, row: k };
  }
}

// ---------------------------------------------------------------- runner

class MemberTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // The run itself cannot be cancelled; its late result or error is dropped.
  work.catch(() => undefined);
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new MemberTimeout(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

type Slot = { readonly name: string; readonly route: Route } | { readonly name: string; readonly error: string };

interface Settled {
  readonly answer: MemberAnswer;
  readonly latencyMs: number;
  readonly cause?: unknown;
}

/** The first input's batch size. */
const rowsOf = (inputs: readonly TensorData[]) => inputs[0]?.shape[0] ?? 1;

class Runner implements EnsembleRunner {
  readonly name: string;
  readonly signature: ModelSignatureInfo;
  private readonly valueName: string;

  constructor(
    private readonly runtime: Runtime,
    private readonly state: EnsembleState,
    private readonly members: readonly Slot[],
    private readonly meta: Slot | undefined,
    private readonly fallback: Slot | undefined,
    first: ModelSignatureInfo,
  ) {
    this.name = snapshotName(state.id, state.version);
    this.signature = ensembleSignature(first, state.config.task);
    this.valueName = valueOutputName(first);
  }

  /**
   * Loads every member (and the meta model or fallback version). Fails only when the ensemble
   * could not answer at all: fewer members load than the quorum and no fallback can stand in, or
   * the meta model of META_LEARNER cannot load. A member that fails to load is otherwise reported
   * by each prediction, like any failing member.
   */
  async load(): Promise<void> {
    const { config } = this.state;
    const loads = await Promise.allSettled(this.members.map((m) => ("route" in m ? m.route.load() : Promise.reject(new Error(m.error)))));
    const loaded = loads.filter((l) => l.status === "fulfilled").length;
    if (this.meta) {
      if ("error" in this.meta) throw metaModelFailed(this.name, this.meta.name, this.meta.error);
      await this.meta.route.load();
    }
    let fallbackLoaded = false;
    if (this.fallback && "route" in this.fallback) fallbackLoaded = await this.fallback.route.load().then(() => true, () => false);
    const needed = requiredQuorum(config);
    const standIn = fallbackLoaded || (loaded > 0 && (config.fallback.mode === "available_members" || config.fallback.mode === "best_member"));
    if (loaded < needed && !standIn) {
      const failed = loads.flatMap((l, i) => (l.status === "rejected" ? [{ member: this.members[i]!.name, error: messageOf(l.reason) }] : []));
      const first = loads.find((l) => l.status === "rejected");
      throw loaded === 0 && first?.status === "rejected" && first.reason instanceof AppError ? first.reason : quorumNotMet(this.name, loaded, needed, failed);
    }
  }

  private async runMember(slot: Slot, inputs: readonly TensorData[], rows: number): Promise<Settled> {
    const started = performance.now();
    if ("error" in slot) return { answer: { member: slot.name, result: { kind: "failure", error: slot.error } }, latencyMs: 0 };
    const timeoutMs = this.state.config.memberTimeoutMs;
    try {
      const outputs = await withTimeout(slot.route.run(inputs, rows), timeoutMs);
      const output = memberOutputOf(outputs, rows, this.state.config.task);
      return { answer: { member: slot.name, result: output }, latencyMs: performance.now() - started };
    } catch (e) {
      const timedOut = e instanceof MemberTimeout;
      return { answer: { member: slot.name, result: { kind: "failure", error: messageOf(e) } }, latencyMs: timedOut ? timeoutMs : performance.now() - started, cause: e };
    }
  }

  /** The ensemble's class order for this batch (learned order first, then canonical). */
  private classes(answers: readonly MemberAnswer[]): string[] | undefined {
    if (this.state.config.task !== "classification") return undefined;
    const outputs = answers.flatMap((a) => (a.result.kind === "classification" ? [a.result as ClassificationOutput] : []));
    return classOrder(this.state.learned.classes, outputs);
  }

  private async combine(answers: readonly MemberAnswer[], rows: number): Promise<CombinedAnswer> {
    const { config, learned } = this.state;
    const classes = this.classes(answers);
    const configured = config.members.map((m) => resolveConfiguredWeight(m.weight));
    switch (config.strategy) {
      case "WEIGHTED_AVERAGE":
        return weightedAverage(answers, configured, { classes });
      case "DYNAMIC_WEIGHTING":
        return weightedAverage(answers, dynamicWeightsFor(learned.dynamic, config.members.map((m) => m.modelVersion)), { classes });
      case "MAJORITY_VOTE":
        return majorityVote(answers, config.strategySettings.majorityVote.weighted ? configured : undefined, { classes });
      case "STACKING":
        return learned.stacking?.model
          ? stackingCombine(answers, stackingStateOf(config.task, learned.stacking, []), configured, { classes })
          : weightedAverage(answers, configured, { classes });
      case "META_LEARNER":
        return this.runMeta(answers, rows, classes ?? null);
      case "PLUGIN":
        return this.runPlugin(answers, rows, configured);
    }
  }

  /**
   * A plugin's strategy: its code is not ours, so what it returns is checked before it is served,
   * and anything it throws or gets wrong fails the call as UNAVAILABLE naming the strategy.
   */
  private runPlugin(answers: readonly MemberAnswer[], rows: number, weights: readonly number[]): CombinedAnswer {
    const { config } = this.state;
    const name = config.strategySettings.plugin?.name ?? "";
    const custom = this.runtime.customStrategy(name);
    if (!custom) throw pluginStrategyFailed(this.name, name || "(unnamed)", "no loaded plugin registers it");
    let combined: CombinedAnswer;
    try {
      combined = custom.combine(answers, weights);
    } catch (e) {
      throw pluginStrategyFailed(this.name, name, messageOf(e));
    }
    const problem = combinedProblem(combined, config.task, rows);
    if (problem) throw pluginStrategyFailed(this.name, name, problem);
    return combined;
  }

  private async runMeta(answers: readonly MemberAnswer[], rows: number, classes: readonly string[] | null): Promise<CombinedAnswer> {
    const meta = this.meta;
    if (!meta) throw metaModelFailed(this.name, this.state.config.metaModelVersion, "no meta model is configured");
    if ("error" in meta) throw metaModelFailed(this.name, meta.name, meta.error);
    const input = metaLearnerInput(answers, classes);
    const spec = meta.route.signature.inputs[0];
    const tensor: TensorData = { name: spec?.name ?? "input", dataType: "float32", shape: [input.dims[0], input.dims[1]], data: input.data };
    let outputs: Record<string, OutputValue>;
    try {
      outputs = await withTimeout(meta.route.runDirect([tensor]), this.state.config.memberTimeoutMs);
    } catch (e) {
      throw metaModelFailed(this.name, meta.name, messageOf(e));
    }
    return metaLearnerOutput(answers, metaValues(outputs, rows, classes), classes);
  }

  async run(inputs: readonly TensorData[]): Promise<EnsembleRunResult> {
    const rows = rowsOf(inputs);
    const { config, learned } = this.state;
    const settled = await Promise.all(this.members.map((m) => this.runMember(m, inputs, rows)));
    const answers = settled.map((s) => s.answer);
    const failed = settled.flatMap((s) => (s.answer.result.kind === "failure" ? [{ member: s.answer.member, error: s.answer.result.error }] : []));
    for (const f of failed) this.runtime.noteFailure(this.state.id, f.member, f.error);
    const answered = answers.length - failed.length;
    const needed = requiredQuorum(config);
    const eff = effectiveWeights(config, learned);
    const ok = answers.map((a) => a.result.kind !== "failure");
    const okSum = eff.reduce((s, w, i) => (ok[i] ? s + w : s), 0);
    let weights = eff.map((w, i) => (!ok[i] ? 0 : config.strategy === "STACKING" && learned.stacking?.model ? w : okSum > 0 ? w / okSum : 1 / answered));
    let combined: CombinedAnswer;
    let degraded = false;
    // Every member refused the inputs themselves: the caller's error, not the ensemble's.
    const causes = settled.map((s) => s.cause);
    if (answered === 0 && causes.every((c) => c instanceof AppError && c.kind === "invalid_argument")) throw causes[0];
    try {
      if (answered >= needed) {
        combined = await this.combine(answers, rows);
      } else {
        degraded = true;
        const mode = config.fallback.mode;
        if (mode === "model_version") {
          combined = await this.runFallback(inputs, rows, failed);
          weights = weights.map(() => 0);
        } else if (answered > 0 && mode === "available_members") {
          combined = await this.combine(answers, rows);
        } else if (answered > 0 && mode === "best_member") {
          // The answering member with the highest effective weight (ties: the earliest).
          const best = answers.reduce((b, _, i) => (ok[i] && (b < 0 || eff[i]! > eff[b]!) ? i : b), -1);
          combined = bestMember(answers, eff, { classes: this.classes(answers) });
          weights = weights.map((_, i) => (i === best ? 1 : 0));
        } else {
          throw quorumNotMet(this.name, answered, needed, failed);
        }
      }
    } catch (e) {
      if (e instanceof EnsembleStrategyError) throw outputsIncompatible(this.name, e.message);
      throw e;
    }
    const members: EnsembleMemberOutcome[] = settled.map((s, i) => ({
      modelVersion: s.answer.member,
      ok: ok[i]!,
      error: s.answer.result.kind === "failure" ? s.answer.result.error : "",
      latencyMs: s.latencyMs,
      weight: weights[i] ?? 0,
    }));
    const result: EnsembleRunResult = { outputs: outputsOf(combined, this.valueName), members, degraded };
    this.runtime.noteRun(result, { ensembleId: this.state.id, version: this.state.version, answers, rows });
    return result;
  }

  private async runFallback(inputs: readonly TensorData[], rows: number, failed: readonly { member: string; error: string }[]): Promise<CombinedAnswer> {
    const f = this.fallback;
    const name = this.state.config.fallback.modelVersion;
    if (!f || "error" in f) throw fallbackFailed(this.name, name, f && "error" in f ? f.error : "it is not available", failed);
    try {
      const outputs = await withTimeout(f.route.run(inputs, rows), this.state.config.memberTimeoutMs);
      const answer: MemberAnswer = { member: f.name, result: memberOutputOf(outputs, rows, this.state.config.task) };
      return weightedAverage([answer], [1], { classes: this.classes([answer]) });
    } catch (e) {
      if (e instanceof EnsembleStrategyError) throw e;
      throw fallbackFailed(this.name, name, messageOf(e), failed);
    }
  }
}

/** The meta model's output as row-major numbers: probabilities in `classes` order, or one value per row. */
function metaValues(outputs: Record<string, OutputValue>, rows: number, classes: readonly string[] | null): Float64Array {
  const values = Object.values(outputs);
  if (classes !== null) {
    const maps = values.find((o) => o.kind === "sequence_of_maps");
    if (maps && maps.kind === "sequence_of_maps") {
      const c = classes.length;
      const out = new Float64Array(rows * c);
      maps.maps.forEach((row, r) => {
        for (const [k, p] of row) {
          const j = classes.indexOf(String(k));
          if (j >= 0) out[r * c + j] = p;
        }
      });
      return out;
    }
  }
  const t = values.find((o) => o.kind === "tensor" && (o.tensor.dataType === "float32" || o.tensor.dataType === "float64"));
  if (!t || t.kind !== "tensor") throw new EnsembleStrategyError("SHAPE_MISMATCH", "the meta model returned no real-valued output");
  const data = t.tensor.data as Float32Array | Float64Array;
  if (classes !== null) return Float64Array.from(data);
  const per = rows === 0 ? 0 : data.length / rows;
  return Float64Array.from({ length: rows }, (_, r) => data[r * per]!);
}

// ---------------------------------------------------------------- runtime

class Runtime implements EnsembleRuntime {
  private readonly cache = new Map<string, { expires: number; state: Promise<EnsembleState> }>();
  private readonly runs = new WeakMap<object, RunRecord>();
  private readonly memory: PredictionMemory;
  private readonly failures = new Map<string, Map<string, FailureDelta>>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly deps: EnsembleDeps;
  private highWater = 0;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<number> | undefined;

  readonly listener: EnsembleChangeListener = {
    ensembleChanged: async () => undefined,
    afterEnsembleChanged: (id) => this.invalidate(id),
  };

  constructor(private readonly options: EnsembleRuntimeOptions) {
    this.ttlMs = options.cacheTtlMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.memory = new PredictionMemory(options.memoryRows ?? 100_000);
    this.deps = options.deps ?? { referenceCheckers: [], listeners: [] };
  }

  private load(em: EntityManager, id: string): Promise<EnsembleState> {
    const at = this.now();
    const cached = this.cache.get(id);
    if (cached && cached.expires > at) return cached.state;
    const state = getEnsemble(em, id).then(stateOf);
    state.catch(() => this.cache.delete(id));
    this.cache.set(id, { expires: at + this.ttlMs, state });
    return state;
  }

  async resolve(em: EntityManager, ensembleId: string, memberRoute: (modelId: string, number: number) => Promise<Route>): Promise<EnsembleRunner> {
    const state = await this.load(em, ensembleId);
    const slot = async (name: string): Promise<Slot> => {
      try {
        const { modelId, number } = parseVersionName(name, "model_version");
        return { name, route: await memberRoute(modelId, number) };
      } catch (e) {
        return { name, error: messageOf(e) };
      }
    };
    const { config } = state;
    const members = await Promise.all(config.members.map((m) => slot(m.modelVersion)));
    const meta = config.strategy === "META_LEARNER" && config.metaModelVersion !== "" ? await slot(config.metaModelVersion) : undefined;
    const fallback = config.fallback.mode === "model_version" ? await slot(config.fallback.modelVersion) : undefined;
    const first = members.find((m): m is Extract<Slot, { route: Route }> => "route" in m);
    if (!first) throw quorumNotMet(snapshotName(state.id, state.version), 0, requiredQuorum(config), members.map((m) => ({ member: m.name, error: "error" in m ? m.error : "" })));
    return new Runner(this, state, members, meta, fallback, first.route.signature);
  }

  /** Called by runners: remembers a run so recordPrediction can find its member answers. */
  noteRun(result: EnsembleRunResult, record: RunRecord): void {
    this.runs.set(result, record);
    this.runs.set(result.outputs, record);
  }

  /** A plugin's strategy by name, when one is loaded. */
  customStrategy(name: string): CustomStrategy | undefined {
    return this.deps.customStrategies?.get(name);
  }

  noteFailure(ensembleId: string, member: string, error: string): void {
    let byMember = this.failures.get(ensembleId);
    if (!byMember) this.failures.set(ensembleId, (byMember = new Map()));
    const before = byMember.get(member);
    byMember.set(member, { count: (before?.count ?? 0) + 1, lastError: error, lastErrorTime: new Date(this.now()) });
  }

  recordPrediction(predictionId: string, name: string, result: EnsembleRunResult | Record<string, OutputValue>, rowIndexes?: readonly number[]): boolean {
    const run = this.runs.get(result);
    if (!run || name !== snapshotName(run.ensembleId, run.version)) return false;
    if (rowIndexes) rowIndexes.forEach((p, k) => this.memory.add(`${predictionId}~${p}`, { run, resultRow: k, weight: 1 }));
    else this.memory.add(predictionId, { run, resultRow: undefined, weight: run.rows });
    return true;
  }

  invalidate(ensembleId: string): void {
    this.cache.delete(ensembleId);
  }

  learnNow(): Promise<number> {
    this.pass ??= this.learn().finally(() => (this.pass = undefined));
    return this.pass;
  }

  private async learn(): Promise<number> {
    const em = this.options.em();
    const joined = new Map<string, JoinedOutcome[]>();
    for (;;) {
      const page = await this.options.feedback.since(em, this.highWater, 5000);
      for (const f of page) {
        this.highWater = Math.max(this.highWater, f.id);
        const id = /^ensembles\/([a-z0-9-]+)\/snapshots\/\d+$/.exec(f.answeredBy)?.[1];
        if (!id) continue;
        const found = this.memory.find(f.predictionId, f.row);
        if (!found || found.run.ensembleId !== id) continue;
        const list = joined.get(id) ?? [];
        list.push({ answers: found.run.answers, row: found.row, label: f.label, value: f.value });
        joined.set(id, list);
      }
      if (page.length < 5000) break;
    }
    const failures = new Map(this.failures);
    this.failures.clear();
    let used = 0;
    for (const id of new Set([...joined.keys(), ...failures.keys()])) {
      try {
        const result = await recordEnsembleOutcomes(this.options.em(), this.deps, id, joined.get(id) ?? [], failures.get(id) ?? new Map(), () => new Date(this.now()));
        if (!result) continue;
        used += result.used;
        this.cache.set(id, { expires: this.now() + this.ttlMs, state: Promise.resolve(stateOf(result.ensemble)) });
        if (result.changed) notifyAfterCommit(this.deps, id);
      } catch (e) {
        this.options.logger?.warn({ err: e, ensemble: id }, "ensemble learning failed");
      }
    }
    return used;
  }

  async start(): Promise<void> {
    if (this.timer) return;
    // Outcomes reported before this process started cannot join its (empty) memory: skip them.
    this.highWater = await this.options.feedback.latestId(this.options.em()).catch((e: unknown) => {
      this.options.logger?.warn({ err: e }, "reading the latest feedback id failed; learning starts from the beginning");
      return 0;
    });
    const interval = this.options.learnIntervalMs ?? 5000;
    this.timer = setInterval(() => {
      void this.learnNow().catch((e: unknown) => this.options.logger?.warn({ err: e }, "ensemble learning pass failed"));
    }, interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pass?.catch(() => undefined);
  }
}

/**
 * The ensemble runtime: give it to the model router (`setEnsembleResolver`), call
 * `recordPrediction` from the predict paths, and `start`/`stop` it with the server.
 */
export function createEnsembleRuntime(options: EnsembleRuntimeOptions): EnsembleRuntime {
  return new Runtime(options);
}
