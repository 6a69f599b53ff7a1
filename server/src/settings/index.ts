// The settings domain's public surface: the wiring (app.ts, main.ts) and other domains use only this.
export { SettingsRuntime, type SettingsChangeFeed, type SettingsPort } from "./settings-runtime.js";
export { createSettingsHandler } from "./settings-service.handler.js";
export { computeBaseline, type Baseline } from "./settings.use-cases.js";
export { GLOBAL_SETTINGS, listSections, type GlobalSectionName, type SectionValues } from "./settings-schema.js";
export { SECRET_MASK } from "./setting-values.js";
