import type { EntityManager } from "@mikro-orm/core";
import { FeedbackEntity } from "./service.entity.js";
import type { UseCaseContext } from "../platform/context.js";
import type { PredictionRef } from "./prediction-id.js";

export interface FeedbackInput {
  readonly row: number;
  readonly label: string | null;
  readonly value: number | null;
  readonly metrics: Readonly<Record<string, number>>;
  /** What the prediction record still in the buffer says, if it is. */
  readonly predictedLabel: string | null;
  readonly abTest: string;
  readonly canaryRollout: string;
  readonly variant: string;
}

/**
 * Stores the observed outcome of a prediction. One row per prediction and row, last write wins, so a
 * retried report is counted once.
 */
export async function reportFeedback(ctx: UseCaseContext, predictionId: string, ref: PredictionRef, input: FeedbackInput): Promise<void> {
  const now = ctx.now();
  await ctx.em.upsert(
    FeedbackEntity,
    {
      predictionId,
      row: input.row,
      service: ref.serviceId,
      modelVersion: ref.answeredBy,
      label: input.label,
      value: input.value,
      predictedLabel: input.predictedLabel,
      abTest: input.abTest,
      canaryRollout: input.canaryRollout,
      variant: input.variant,
      metrics: { ...input.metrics },
      predictTime: ref.time,
      createTime: now,
      updateTime: now,
    },
    { onConflictFields: ["predictionId", "row"], onConflictExcludeFields: ["createTime"] },
  );
}

/** What other domains read of feedback: one outcome of one prediction row. */
export interface FeedbackRow {
  readonly predictionId: string;
  readonly row: number;
  readonly service: string;
  /** What answered: a version or an ensemble snapshot name. */
  readonly answeredBy: string;
  readonly label: string | null;
  readonly value: number | null;
  readonly metrics: Readonly<Record<string, number>>;
  readonly predictedLabel: string | null;
  readonly abTest: string;
  readonly variant: string;
  readonly predictTime: Date;
}

/**
 * Feedback of a service reported for predictions made in [from, to), or attributed to an A/B test
 * (by the test's resource name); read in pages so memory stays bounded by the page.
 */
export async function* feedbackOf(em: EntityManager, filter: { service: string; from: Date; to: Date; abTest?: string }): AsyncGenerator<FeedbackRow> {
  let after = 0;
  for (;;) {
    const page = await em.find(
      FeedbackEntity,
      { id: { $gt: after }, service: filter.service, predictTime: { $gte: filter.from, $lt: filter.to } },
      { orderBy: { id: "asc" }, limit: 5000 },
    );
    for (const f of page) {
      yield {
        predictionId: f.predictionId,
        row: f.row,
        service: f.service,
        answeredBy: f.modelVersion,
        label: f.label ?? null,
        value: f.value ?? null,
        metrics: f.metrics,
        predictedLabel: f.predictedLabel ?? null,
        abTest: f.abTest,
        variant: f.variant,
        predictTime: f.predictTime,
      };
    }
    if (page.length < 5000) return;
    after = page[page.length - 1]!.id;
  }
}

/** Outcomes reported for ensemble predictions after `afterId`, by increasing id (the ensemble learner reads these). */
export async function ensembleFeedbackSince(em: EntityManager, afterId: number, limit: number) {
  const rows = await em.fork().find(FeedbackEntity, { id: { $gt: afterId }, modelVersion: { $like: "ensembles/%" } }, { orderBy: { id: "asc" }, limit });
  return rows.map((f) => ({ id: f.id, predictionId: f.predictionId, row: f.row, answeredBy: f.modelVersion, label: f.label ?? null, value: f.value ?? null }));
}

/** The highest feedback id so far (0 when none). */
export async function latestFeedbackId(em: EntityManager): Promise<number> {
  return (await em.fork().findOne(FeedbackEntity, { id: { $gt: 0 } }, { orderBy: { id: "desc" }, fields: ["id"] }))?.id ?? 0;
}
