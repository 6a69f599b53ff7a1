import { FeedbackEntity } from "./service.entity.js";
import type { UseCaseContext } from "../platform/context.js";
import { versionName } from "../registry/index.js";
import type { PredictionRef } from "./prediction-id.js";

export interface FeedbackInput {
  readonly row: number;
  readonly label: string | null;
  readonly value: number | null;
  readonly metrics: Readonly<Record<string, number>>;
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
      modelVersion: versionName(ref.modelId, ref.versionNumber),
      label: input.label,
      value: input.value,
      metrics: { ...input.metrics },
      predictTime: ref.time,
      createTime: now,
      updateTime: now,
    },
    { onConflictFields: ["predictionId", "row"], onConflictExcludeFields: ["createTime"] },
  );
}
