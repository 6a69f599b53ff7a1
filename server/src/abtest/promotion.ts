import type { EntityManager } from "@mikro-orm/core";
import { setAlias, transitionStage, versionName, type RegistryListener } from "../registry/index.js";
import { setServiceTarget, targetOf, type ModelRouter, type ServiceEntity } from "../inference/index.js";
import type { UseCaseContext } from "../platform/context.js";
import type { ArmTarget, PromotionRecord } from "./ab-test.entity.js";

function armName(t: ArmTarget): string {
  return t.kind === "model_version" ? versionName(t.modelId, t.number) : `ensembles/${t.ensembleId}`;
}

/**
 * Makes a winner (an A/B winner or a canary candidate) what the service serves, in the caller's
 * transaction: if the service follows an alias of the winner's model, the alias moves; if it
 * follows the model's PRODUCTION stage, the winner is promoted (the old version archived);
 * otherwise the service is re-pointed at the winner.
 */
export async function promoteWinner(
  ctx: UseCaseContext,
  em: EntityManager,
  service: ServiceEntity,
  winner: ArmTarget,
  previous: string,
  reason: string,
  listeners: readonly RegistryListener[],
  router: ModelRouter,
): Promise<PromotionRecord> {
  const target = targetOf(service);
  const now = ctx.now().toISOString();
  const inTx = { ...ctx, em };
  if (winner.kind === "model_version" && target.kind === "model_alias" && target.modelId === winner.modelId) {
    await setAlias(inTx, winner.modelId, target.alias, winner.number, reason, listeners);
    return { target: armName(winner), previousTarget: previous, action: "alias_moved", alias: target.alias, promoteTime: now };
  }
  if (winner.kind === "model_version" && target.kind === "model_stage" && target.modelId === winner.modelId) {
    await transitionStage(inTx, winner.modelId, winner.number, "production", reason, false, "", listeners).catch(async (e: unknown) => {
      // Already in PRODUCTION (e.g. promoted by hand meanwhile): nothing to move.
      if ((e as { reason?: string }).reason !== "ILLEGAL_STAGE_TRANSITION") throw e;
    });
    return { target: armName(winner), previousTarget: previous, action: "stage_transitioned", alias: "", promoteTime: now };
  }
  const spec = winner.kind === "model_version" ? { kind: "model_version" as const, modelId: winner.modelId, number: winner.number } : { kind: "ensemble" as const, ensembleId: winner.ensembleId };
  await setServiceTarget(inTx, service.id, spec, armName(winner), previous, reason, "");
  router.invalidate(service.id);
  return { target: armName(winner), previousTarget: previous, action: "service_repointed", alias: "", promoteTime: now };
}

export { armName };
