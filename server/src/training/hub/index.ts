/**
 * The Provider Hub: the providers the server knows, their credentials (sealed at rest, never
 * returned), settings, connection tests and enablement; the kubernetes adapter's lifecycle; the
 * provider RPCs of TrainingService, with instance types, cost estimates and recommendations.
 */
export { createProviderHub, ProviderHub, type LiveJobsQuery, type ProviderHubDeps, type ProviderView, type ConnectionTestOutcome } from "./provider-hub.js";
export { createProviderHubHandler, type ProviderHubHandlerDeps } from "./provider-hub.handler.js";
export { budgetPreviewFromGate, estimatePlacementCost, recommendPlacements, type BudgetPreview } from "./provider-estimates.js";
export { builtinProviderDefinitions, pluginProviderDefinition, type ProviderDefinition, type ProviderSettings } from "./provider-definitions.js";
export { ProviderSettingsEntity, ProviderSettingsEntitySchema } from "./provider-settings.entity.js";
