import { ApiKeyEntitySchema } from "./admin/api-key.entity.js";
import { BudgetAlertEntitySchema, BudgetEntitySchema, SpendingEntryEntitySchema } from "./budget/budget.entity.js";
import { WebhookDeliveryEntitySchema, WebhookEntitySchema } from "./webhooks/webhook.entity.js";
import {
  TrainingJobEntitySchema,
  TrainingJobTokenEntitySchema,
  TrainingLeaseEntitySchema,
  TrainingLogLineEntitySchema,
  TrainingMetricReportEntitySchema,
} from "./training/training-job.entity.js";
import { SettingsAuditEntitySchema, SettingsSectionEntitySchema, StoredSettingEntitySchema } from "./settings/setting.entity.js";
import { ProviderSettingsEntitySchema } from "./training/hub/provider-settings.entity.js";
import { MlflowCursorEntitySchema, MlflowRunEntitySchema } from "./mlflow/mlflow.entity.js";
import { ABTestEntitySchema, ABVariantStatsEntitySchema, CanaryRolloutEntitySchema } from "./abtest/ab-test.entity.js";
import { EnsembleEntitySchema, EnsembleSnapshotEntitySchema, EnsembleTrainingGroupEntitySchema } from "./ensemble/ensemble.entity.js";
import { HealthBaselineEntitySchema, HealthSnapshotEntitySchema, HealthThresholdsEntitySchema } from "./health/health.entity.js";
import { FeedbackEntitySchema, ServiceEntitySchema, ServiceTargetChangeEntitySchema } from "./inference/service.entity.js";
import { IdempotencyRecordEntitySchema } from "./platform/idempotency/idempotency-record.entity.js";
import { OutboxEventEntitySchema } from "./platform/outbox/outbox-event.entity.js";
import {
  ModelAliasEntitySchema,
  ModelEntitySchema,
  ModelTransitionEntitySchema,
  ModelVersionEntitySchema,
} from "./registry/model.entity.js";

/** Every persisted entity. Migrations are generated from this list (`npm run migration:create`). */
export const entities = [
  OutboxEventEntitySchema,
  IdempotencyRecordEntitySchema,
  ApiKeyEntitySchema,
  ModelEntitySchema,
  ModelVersionEntitySchema,
  ModelAliasEntitySchema,
  ModelTransitionEntitySchema,
  ServiceEntitySchema,
  ServiceTargetChangeEntitySchema,
  FeedbackEntitySchema,
  HealthThresholdsEntitySchema,
  HealthBaselineEntitySchema,
  HealthSnapshotEntitySchema,
  ABTestEntitySchema,
  ABVariantStatsEntitySchema,
  CanaryRolloutEntitySchema,
  EnsembleEntitySchema,
  EnsembleSnapshotEntitySchema,
  EnsembleTrainingGroupEntitySchema,
  BudgetEntitySchema,
  SpendingEntryEntitySchema,
  BudgetAlertEntitySchema,
  WebhookEntitySchema,
  WebhookDeliveryEntitySchema,
  TrainingJobEntitySchema,
  TrainingLogLineEntitySchema,
  TrainingMetricReportEntitySchema,
  TrainingJobTokenEntitySchema,
  TrainingLeaseEntitySchema,
  ProviderSettingsEntitySchema,
  StoredSettingEntitySchema,
  SettingsSectionEntitySchema,
  SettingsAuditEntitySchema,
  MlflowRunEntitySchema,
  MlflowCursorEntitySchema,
];
