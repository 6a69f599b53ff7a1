import type { EntityManager } from "@mikro-orm/core";
import { versionName, type RegistryListener, type VersionReferenceChecker } from "../registry/index.js";
import type { UseCaseContext } from "../platform/context.js";
import type { ModelRouter } from "./model-router.js";
import { ServiceEntity, ServiceTargetChangeEntity } from "./service.entity.js";
import { recordResolutionChange, serviceName, servicesFollowingModel, targetOf } from "./service.use-cases.js";

export { ModelRouter, type Route } from "./model-router.js";
export { PredictionRecorder, type PredictionRecord } from "./prediction-recorder.js";
export { createInferenceServiceHandler } from "./inference-service.handler.js";
export { getService, listAllServiceIds, setServiceTarget, targetOf, serviceName, type TargetSpec } from "./service.use-cases.js";
export type { TrafficPolicy, TrafficPolicyProvider, Arm, Pick } from "./model-router.js";
export type { ServiceEntity } from "./service.entity.js";
export { feedbackOf, ensembleFeedbackSince, latestFeedbackId, type FeedbackRow } from "./feedback.use-cases.js";
export type { EnsembleResolver, EnsembleRunner, EnsembleRunResult, EnsembleMemberOutcome } from "./ensemble-port.js";

/**
 * Keeps services that follow a model's alias or stage in step with the registry: the history gets
 * a line whenever what a service resolves to changes (in the registry's transaction), and after the
 * commit the routes are re-resolved and the new version is loaded.
 */
export function createServiceRoutingListener(router: ModelRouter): RegistryListener {
  return {
    async modelRoutingChanged(em: EntityManager, ctx: UseCaseContext, modelId: string, cause, reason) {
      for (const s of await servicesFollowingModel(em, modelId)) {
        if (s.targetKind === "model_version") continue;
        const last = await em.findOne(ServiceTargetChangeEntity, { service: s.id }, { orderBy: { id: "desc" } });
        const resolved = await router
          .resolve(em, targetOf(s), serviceName(s.id))
          .then((v) => versionName(v.model.id, v.number))
          .catch(() => "");
        const previous = last?.resolvedModelVersion ?? "";
        if (resolved !== previous) await recordResolutionChange(em, ctx, s.id, cause, resolved, previous, reason);
      }
    },
    afterModelRoutingChanged(modelId: string) {
      router.invalidateAll();
      void (async () => {
        // Load the newly resolved versions now rather than on the next request.
        const ids = await router.servicesOfModel(modelId);
        await Promise.all(ids.map((id) => router.prepare(id)));
      })().catch(() => undefined);
    },
  };
}

/** Refuses to delete a model version (or model) that a service pins. */
export function createServiceReferenceChecker(): VersionReferenceChecker {
  return {
    async findReference(em, modelId, versionNumber) {
      const s = await em.findOne(ServiceEntity, versionNumber === undefined ? { targetModel: modelId } : { targetModel: modelId, targetKind: "model_version", targetVersion: versionNumber });
      return s ? serviceName(s.id) : undefined;
    },
  };
}
