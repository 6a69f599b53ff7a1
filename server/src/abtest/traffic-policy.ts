import type { EntityManager } from "@mikro-orm/core";
import type { Arm, Route, ServiceEntity, TargetSpec, TrafficPolicy, TrafficPolicyProvider } from "../inference/index.js";
import { AppError } from "../platform/errors/app-error.js";
import { ABTestEntity, CanaryRolloutEntity, type ArmTarget } from "./ab-test.entity.js";
import { assign, mirrored } from "./assignment.js";

function targetSpec(t: ArmTarget): TargetSpec {
  return t.kind === "model_version" ? { kind: "model_version", modelId: t.modelId, number: t.number } : { kind: "ensemble", ensembleId: t.ensembleId };
}

/**
 * Routes services under an A/B test (RUNNING: weighted, sticky by routing key; shadows get
 * mirrored copies) or a canary rollout (the current step's share to the candidate, sticky too). A
 * paused test leaves the service on its own target; a paused canary holds its current share.
 */
export function createSplitPolicyProvider(): TrafficPolicyProvider {
  return {
    async policyFor(em: EntityManager, service: ServiceEntity, main: Route, routeFor: (t: TargetSpec) => Promise<Route>): Promise<TrafficPolicy | undefined> {
      const test = await em.findOne(ABTestEntity, { service: service.id, state: "running" });
      if (test) {
        const name = `abTests/${test.id}`;
        const live: { item: Arm; weight: number }[] = [];
        const shadows: { arm: Arm; percent: number }[] = [];
        for (const v of test.variants) {
          const route = await routeFor(targetSpec(v.target));
          if (v.shadow) shadows.push({ arm: { route, variant: v.variantId }, percent: v.mirrorPercent || 100 });
          else if (v.weight > 0) live.push({ item: { route, variant: v.variantId }, weight: v.weight });
        }
        if (live.length === 0) return undefined;
        return {
          kind: "ab_test",
          name,
          choose: (key) => assign(live, name, key, test.sticky),
          shadows: (key) => shadows.filter((s) => mirrored(s.percent, name, key)).map((s) => s.arm),
        };
      }
      const canary = await em.findOne(CanaryRolloutEntity, { service: service.id, state: { $in: ["progressing", "paused", "awaiting_promotion"] } });
      if (canary && canary.currentTrafficPercent > 0) {
        const name = `canaryRollouts/${canary.id}`;
        let candidate: Route;
        try {
          candidate = await routeFor(targetSpec(canary.candidate));
        } catch (e) {
          // A candidate that cannot be resolved takes no traffic; the controller rolls it back.
          if (e instanceof AppError) return undefined;
          throw e;
        }
        const arms = [
          { item: { route: candidate, variant: "candidate" }, weight: canary.currentTrafficPercent },
          { item: { route: main, variant: "control" }, weight: 100 - canary.currentTrafficPercent },
        ];
        return { kind: "canary", name, choose: (key) => assign(arms, name, key, true), shadows: () => [] };
      }
      return undefined;
    },
  };
}
