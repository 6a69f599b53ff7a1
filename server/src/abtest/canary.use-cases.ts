import type { EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import { CanaryRolloutEntity, type ArmTarget, type CanaryDecisionRecord, type CanaryObservationRecord, type CanaryStepSpec, type CanaryThresholdSpec } from "./ab-test.entity.js";
import { canaryAlreadyExists, canaryNotFound, illegalCanaryTransition } from "./abtest.errors.js";
import { assertServiceFree, lockService } from "./ab-test.use-cases.js";
import { armName, promoteWinner } from "./promotion.js";
import { decideCanary } from "./canary-decision.js";
import { checkEtag, type UseCaseContext } from "../platform/context.js";
import { recordEvent, SYSTEM_ACTOR } from "../platform/outbox/outbox.js";
import { AppError, invalidField } from "../platform/errors/app-error.js";
import { listPage, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";
import { getService, targetOf, type ModelRouter, type PredictionRecorder } from "../inference/index.js";
import { getModelVersion, notifyAfterCommit, versionName, type RegistryListener } from "../registry/index.js";

export const canaryName = (id: string) => `canaryRollouts/${id}`;

export const DEFAULT_CANARY_THRESHOLDS: CanaryThresholdSpec = { maxErrorRateDelta: 0.01, maxP99LatencyRatio: 1.5, maxDriftScore: 0.2 };

export interface CanaryInput {
  readonly displayName: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceId: string;
  readonly candidate: ArmTarget;
  readonly steps: readonly CanaryStepSpec[];
  readonly thresholds: CanaryThresholdSpec;
  readonly manualPromotion: boolean;
}

export interface CanaryDeps {
  readonly router: ModelRouter;
  readonly listeners: readonly RegistryListener[];
}

function decision(rollout: CanaryRolloutEntity, action: CanaryDecisionRecord["action"], reason: string, actor: string, now: Date, observation: CanaryObservationRecord | null = null): CanaryDecisionRecord {
  return { stepIndex: rollout.currentStepIndex, action, reason, observation, trafficPercent: rollout.currentTrafficPercent, actor, decideTime: now.toISOString() };
}

function addDecision(em: EntityManager, ctx: Pick<UseCaseContext, "actor">, rollout: CanaryRolloutEntity, d: CanaryDecisionRecord, now: Date): void {
  rollout.decisions = [...rollout.decisions, d];
  rollout.updateTime = now;
  recordEvent(
    em,
    ctx.actor,
    { topic: "abtest", type: `abtest.canary_rollout.${d.action}`, resource: canaryName(rollout.id), data: { service: `services/${rollout.service}`, step: d.stepIndex, trafficPercent: d.trafficPercent, reason: d.reason } },
    now,
  );
}

export async function createCanary(ctx: UseCaseContext, deps: CanaryDeps, id: string, input: CanaryInput): Promise<CanaryRolloutEntity> {
  if (input.steps.length === 0) throw invalidField("canary_rollout.steps", "at least one step is required");
  for (let i = 1; i < input.steps.length; i++) {
    if (!(input.steps[i]!.trafficPercent > input.steps[i - 1]!.trafficPercent)) throw invalidField(`canary_rollout.steps[${i}].traffic_percent`, "step percentages must increase strictly");
  }
  return ctx.em.transactional(async (em) => {
    await lockService(em, input.serviceId);
    if (await em.count(CanaryRolloutEntity, { id })) throw canaryAlreadyExists(canaryName(id));
    await assertServiceFree(em, input.serviceId);
    // Resolved with this transaction's `em`: on SQLite another EntityManager would wait forever for
    // the connection the transaction holds.
    const service = await getService(em, input.serviceId);
    const control = (await deps.router.resolveTargetName(em, targetOf(service), "canary_rollout.service", service).catch(() => undefined))?.name ?? "";
    if (input.candidate.kind === "model_version") {
      await getModelVersion(em, input.candidate.modelId, input.candidate.number);
      if (control === versionName(input.candidate.modelId, input.candidate.number)) {
        throw new AppError("failed_precondition", "CANDIDATE_ALREADY_SERVING", `The candidate ${control} is what services/${input.serviceId} already serves.`, { name: control });
      }
    }
    const now = ctx.now();
    const rollout = em.create(CanaryRolloutEntity, {
      id,
      displayName: input.displayName,
      description: input.description,
      labels: { ...input.labels },
      service: input.serviceId,
      candidate: input.candidate,
      control,
      steps: [...input.steps],
      thresholds: input.thresholds,
      manualPromotion: input.manualPromotion,
      state: "pending",
      currentStepIndex: 0,
      currentTrafficPercent: 0,
      stepStartTime: null,
      lastObservation: null,
      decisions: [],
      promotion: null,
      createTime: now,
      updateTime: now,
      startTime: null,
      endTime: null,
    });
    recordEvent(em, ctx.actor, { topic: "abtest", type: "abtest.canary_rollout.created", resource: canaryName(id), data: { service: `services/${input.serviceId}`, candidate: armName(input.candidate), control } }, now);
    return rollout;
  });
}

export async function getCanary(em: EntityManager, id: string): Promise<CanaryRolloutEntity> {
  const r = await em.findOne(CanaryRolloutEntity, { id });
  if (!r) throw canaryNotFound(canaryName(id));
  return r;
}

const listSpec: ListSpec = {
  fields: {
    service: { prop: "service", type: "string" },
    state: {
      prop: "state",
      type: "string",
      values: Object.fromEntries(
        ["pending", "progressing", "paused", "awaiting_promotion", "promoted", "rolled_back", "aborted"].flatMap((s) => [
          [s.toUpperCase(), s],
          [`CANARY_ROLLOUT_STATE_${s.toUpperCase()}`, s],
        ]),
      ),
    },
    create_time: { prop: "createTime", type: "timestamp" },
  },
  maps: { labels: { prop: "labels", type: "string" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

export function listCanaries(ctx: UseCaseContext, request: ListRequestLike): Promise<Page<CanaryRolloutEntity>> {
  return listPage(ctx.em, CanaryRolloutEntity, listSpec, { ...request, filter: request.filter.replace(/service\s*=\s*"?services\/([a-z0-9-]+)"?/g, 'service = "$1"') });
}

export async function updateCanary(
  ctx: UseCaseContext,
  id: string,
  changes: { displayName?: string; description?: string; labels?: Readonly<Record<string, string>>; thresholds?: CanaryThresholdSpec },
  etag: string,
): Promise<CanaryRolloutEntity> {
  return ctx.em.transactional(async (em) => {
    const r = await getCanary(em, id);
    checkEtag(etag, r.revision, canaryName(id));
    if (changes.displayName !== undefined) r.displayName = changes.displayName;
    if (changes.description !== undefined) r.description = changes.description;
    if (changes.labels !== undefined) r.labels = { ...changes.labels };
    if (changes.thresholds !== undefined) r.thresholds = changes.thresholds;
    r.updateTime = ctx.now();
    recordEvent(em, ctx.actor, { topic: "abtest", type: "abtest.canary_rollout.updated", resource: canaryName(id), data: { ...changes } }, ctx.now());
    return r;
  });
}

type ManualAction = "pause" | "resume" | "advance" | "promote" | "abort";

const allowedFrom: Record<ManualAction, readonly string[]> = {
  pause: ["progressing"],
  resume: ["paused"],
  advance: ["progressing", "paused"],
  promote: ["progressing", "paused", "awaiting_promotion"],
  abort: ["pending", "progressing", "paused", "awaiting_promotion"],
};

const pastTense: Record<ManualAction, string> = { pause: "paused", resume: "resumed", advance: "advanced", promote: "promoted", abort: "aborted" };

/** Applies a person's decision (pause, resume, advance, promote, abort), recorded like the controller's. */
export async function actOnCanary(ctx: UseCaseContext, deps: CanaryDeps, id: string, action: ManualAction, reason: string, etag: string): Promise<CanaryRolloutEntity> {
  const rollout = await ctx.em.transactional(async (em) => {
    const r = await getCanary(em, id);
    checkEtag(etag, r.revision, canaryName(id));
    if (!allowedFrom[action].includes(r.state)) throw illegalCanaryTransition(canaryName(id), r.state, pastTense[action]);
    const now = ctx.now();
    switch (action) {
      case "pause":
        r.state = "paused";
        break;
      case "resume":
        r.state = "progressing";
        // A resumed step is observed afresh: the pause may have skewed its window.
        r.stepStartTime = now;
        break;
      case "advance":
        if (r.currentStepIndex >= r.steps.length - 1) throw illegalCanaryTransition(canaryName(id), r.state, "advanced past its last step");
        r.currentStepIndex += 1;
        r.currentTrafficPercent = r.steps[r.currentStepIndex]!.trafficPercent;
        r.stepStartTime = now;
        break;
      case "promote":
        await finishPromotion(em, ctx, deps, r, reason || "promoted by hand", now);
        break;
      case "abort":
        r.state = "aborted";
        r.currentTrafficPercent = 0;
        r.endTime = now;
        break;
    }
    if (action !== "promote") addDecision(em, ctx, r, decision(r, action === "abort" ? "abort" : action, reason, ctx.actor.name, now), now);
    return r;
  });
  afterPromotion(deps, rollout);
  return rollout;
}

/** After a commit: the service re-resolves, and services following a moved alias or stage too. */
function afterPromotion(deps: CanaryDeps, r: CanaryRolloutEntity): void {
  deps.router.invalidate(r.service);
  if (r.state === "promoted" && r.candidate.kind === "model_version") notifyAfterCommit(deps.listeners, r.candidate.modelId);
}

async function finishPromotion(em: EntityManager, ctx: Pick<UseCaseContext, "actor" | "now" | "em">, deps: CanaryDeps, r: CanaryRolloutEntity, reason: string, now: Date) {
  const service = await getService(em, r.service);
  r.promotion = await promoteWinner({ ...ctx, em }, em, service, r.candidate, r.control, reason, deps.listeners, deps.router);
  r.state = "promoted";
  r.currentTrafficPercent = 100;
  r.endTime = now;
  addDecision(em, ctx, r, decision(r, "promote", reason, ctx.actor.name, now), now);
}

/**
 * The canary controller: every tick, starts pending rollouts whose candidate loads, and applies
 * `decideCanary` to active ones — advancing, promoting or rolling back on its own, each decision
 * recorded with its observation. Optimistic locking makes concurrent controllers in several
 * processes harmless: one commits each decision, the others skip it.
 */
export class CanaryController {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly em: () => EntityManager,
    private readonly deps: CanaryDeps,
    private readonly recorder: PredictionRecorder,
    private readonly logger: Logger,
    private readonly tickMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async tick(): Promise<void> {
    const active = await this.em().find(CanaryRolloutEntity, { state: { $in: ["pending", "progressing", "paused", "awaiting_promotion"] } });
    for (const snapshot of active) {
      try {
        await this.step(snapshot.id);
      } catch (e) {
        if ((e as { constructor?: { name?: string } }).constructor?.name === "OptimisticLockError") continue;
        this.logger.warn({ err: e, rollout: canaryName(snapshot.id) }, "canary decision failed");
      }
    }
  }

  private async step(id: string): Promise<void> {
    const ctx = { actor: SYSTEM_ACTOR, now: this.now };
    let touched: CanaryRolloutEntity | undefined;
    await this.em().transactional(async (em) => {
      const r = await getCanary(em, id);
      const now = this.now();
      if (r.state === "pending") {
        // Start once the candidate loads; a candidate that cannot load is rolled back at once.
        try {
          if (r.candidate.kind === "model_version") {
            const version = await getModelVersion(em, r.candidate.modelId, r.candidate.number);
            const service = await getService(em, r.service);
            await this.deps.router.warm(version, service);
          }
        } catch (e) {
          r.state = "rolled_back";
          r.endTime = now;
          addDecision(em, ctx, r, decision(r, "roll_back", `the candidate cannot be served: ${e instanceof AppError ? e.message : "load failed"}`, ctx.actor.name, now), now);
          touched = r;
          return;
        }
        r.state = "progressing";
        r.startTime = now;
        r.stepStartTime = now;
        r.currentTrafficPercent = r.steps[0]!.trafficPercent;
        addDecision(em, ctx, r, decision(r, "start", `candidate loaded; step 1 sends ${r.currentTrafficPercent}% of traffic to it`, ctx.actor.name, now), now);
        touched = r;
        return;
      }
      const since = r.stepStartTime?.getTime() ?? now.getTime();
      const verdict = decideCanary(r, this.recorder.since(since, r.service), now.getTime());
      if (verdict.observation) r.lastObservation = verdict.observation;
      switch (verdict.action) {
        case "none":
          return;
        case "roll_back":
          r.state = "rolled_back";
          r.currentTrafficPercent = 0;
          r.endTime = now;
          addDecision(em, ctx, r, decision(r, "roll_back", verdict.reason, ctx.actor.name, now, verdict.observation), now);
          break;
        case "advance":
          r.currentStepIndex += 1;
          r.currentTrafficPercent = r.steps[r.currentStepIndex]!.trafficPercent;
          r.stepStartTime = now;
          addDecision(em, ctx, r, decision(r, "advance", verdict.reason, ctx.actor.name, now, verdict.observation), now);
          break;
        case "await_promotion":
          r.state = "awaiting_promotion";
          addDecision(em, ctx, r, decision(r, "await_promotion", verdict.reason, ctx.actor.name, now, verdict.observation), now);
          break;
        case "promote":
          await finishPromotion(em, { ...ctx, em }, this.deps, r, verdict.reason, now);
          break;
      }
      touched = r;
    });
    if (touched) afterPromotion(this.deps, touched);
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.tick()
        .catch((e: unknown) => this.logger.warn({ err: e }, "canary controller tick failed"))
        .finally(() => (this.running = undefined));
    }, this.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
