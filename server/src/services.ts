import type { DescService } from "@bufbuild/protobuf";
import { ABTestService } from "@artenic/gen/artenic/abtest/v1/abtest_service_pb";
import { AdminService } from "@artenic/gen/artenic/admin/v1/admin_service_pb";
import { EnsembleService } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import { EventsService } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { HealthService } from "@artenic/gen/artenic/health/v1/health_service_pb";
import { InferenceService } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { BudgetService } from "@artenic/gen/artenic/budget/v1/budget_service_pb";

/** Every Artenic API service, in the order reflection lists them. */
export const artenicServices: readonly DescService[] = [
  RegistryService,
  InferenceService,
  ABTestService,
  EnsembleService,
  HealthService,
  TrainingService,
  BudgetService,
  EventsService,
  AdminService,
];

export {
  ABTestService,
  AdminService,
  BudgetService,
  EnsembleService,
  EventsService,
  HealthService,
  InferenceService,
  RegistryService,
  TrainingService,
};
