import { isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import type { ComputeProvider } from "../training/compute-provider.js";
import { PLUGIN_API_VERSION, type ArtenicPlugin, type PluginEnsembleStrategy, type PluginHost, type PluginProviderInfo } from "./plugin-api.js";

/** What became of one configured plugin: shown by AdminService.ListPlugins and logged at start. */
export interface PluginReport {
  /** Derived from the package name, e.g. `artenic-plugin-example-provider`. */
  readonly id: string;
  /** The package name or path as configured. */
  readonly spec: string;
  readonly state: "loaded" | "failed";
  /** Why it was skipped; empty when loaded. */
  readonly error: string;
  readonly apiVersion: number;
  readonly providers: readonly string[];
  readonly strategies: readonly string[];
  readonly loadMs: number;
}

export interface PluginProvider {
  readonly pluginId: string;
  readonly provider: ComputeProvider;
  readonly info: PluginProviderInfo;
}

export interface PluginStrategy {
  readonly pluginId: string;
  readonly strategy: PluginEnsembleStrategy;
}

/** Every plugin's contributions, to be wired by app.ts, and the reports. */
export interface LoadedPlugins {
  readonly reports: readonly PluginReport[];
  readonly providers: readonly PluginProvider[];
  readonly strategies: readonly PluginStrategy[];
}

export interface PluginLoaderOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** Provider ids plugins may not take (the built-in ones). */
  readonly reservedProviderIds: readonly string[];
  /** Strategy names plugins may not take (the built-in ones). */
  readonly reservedStrategies: readonly string[];
  /** How long `register` may take. @default 10000 */
  readonly registerTimeoutMs?: number;
}

export const NO_PLUGINS: LoadedPlugins = { reports: [], providers: [], strategies: [] };

const PROVIDER_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const STRATEGY_NAME = /^[A-Z][A-Z0-9_]{0,62}$/;
const PROVIDER_METHODS = ["listOfferings", "submit", "poll", "cancel", "collectArtifacts", "cleanup", "testConnection"] as const;

/** `@acme/artenic-gpu` → `acme-artenic-gpu`; `/opt/plugins/x.mjs` → `x`. */
export function pluginIdOf(spec: string): string {
  const base = isAbsolute(spec) ? (spec.split("/").pop() ?? spec).replace(/\.[cm]?js$/, "") : spec;
  return base.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63) || "plugin";
}

class PluginError extends Error {}

function describe(e: unknown): string {
  if (e instanceof PluginError) return e.message;
  const err = e as { code?: string; message?: string };
  if (err?.code === "ERR_MODULE_NOT_FOUND" || err?.code === "MODULE_NOT_FOUND") return `the package could not be found: ${String(err.message).split("\n")[0]}`;
  return `it threw: ${e instanceof Error ? e.message : String(e)}`.slice(0, 1000);
}

/**
 * Loads the configured plugins one after another, in configuration order. Nothing a plugin does
 * can stop the server: every failure becomes a FAILED report, and a failed plugin contributes
 * nothing (its registrations are staged and dropped).
 */
export async function loadPlugins(specs: readonly string[], options: PluginLoaderOptions): Promise<LoadedPlugins> {
  const reports: PluginReport[] = [];
  const providers: PluginProvider[] = [];
  const strategies: PluginStrategy[] = [];
  const takenProviders = new Set(options.reservedProviderIds);
  const takenStrategies = new Set(options.reservedStrategies);
  const seen = new Set<string>();
  for (const spec of specs) {
    const started = performance.now();
    let id = pluginIdOf(spec);
    while (seen.has(id)) id = `${id}-x`;
    seen.add(id);
    const log = options.logger.child({ plugin: id });
    const staged = { providers: [] as PluginProvider[], strategies: [] as PluginStrategy[] };
    let apiVersion = 0;
    try {
      const module = (await import(isAbsolute(spec) ? pathToFileURL(spec).href : spec)) as { default?: unknown; plugin?: unknown };
      const plugin = (module.plugin ?? module.default) as Partial<ArtenicPlugin> | undefined;
      if (typeof plugin !== "object" || plugin === null || typeof plugin.register !== "function") {
        throw new PluginError("its module exports no plugin: a default (or `plugin`) export with apiVersion and register(host) is expected");
      }
      apiVersion = typeof plugin.apiVersion === "number" ? plugin.apiVersion : 0;
      if (apiVersion !== PLUGIN_API_VERSION) throw new PluginError(`it is built for plugin API version ${String(plugin.apiVersion)}, and this server implements version ${PLUGIN_API_VERSION}`);
      const host: PluginHost = {
        apiVersion: PLUGIN_API_VERSION,
        pluginId: id,
        dataDir: join(options.dataDir, "plugins", id),
        logger: {
          info: (message, fields) => log.info(fields ?? {}, message),
          warn: (message, fields) => log.warn(fields ?? {}, message),
          error: (message, fields) => log.error(fields ?? {}, message),
        },
        registerComputeProvider(provider, info = {}) {
          const pid = (provider as Partial<ComputeProvider> | undefined)?.id;
          if (typeof pid !== "string" || !PROVIDER_ID.test(pid)) throw new PluginError(`registerComputeProvider: provider.id ${JSON.stringify(pid)?.slice(0, 70)} is not a provider id ([a-z]([a-z0-9-]*[a-z0-9])?, at most 63)`);
          if (takenProviders.has(pid) || staged.providers.some((p) => p.provider.id === pid)) throw new PluginError(`registerComputeProvider: the provider id "${pid}" is already taken`);
          const missing = PROVIDER_METHODS.filter((m) => typeof (provider as unknown as Record<string, unknown>)[m] !== "function");
          if (missing.length > 0) throw new PluginError(`registerComputeProvider: provider "${pid}" does not implement ${missing.join(", ")}`);
          staged.providers.push({ pluginId: id, provider, info });
        },
        registerEnsembleStrategy(strategy) {
          const name = (strategy as Partial<PluginEnsembleStrategy> | undefined)?.name;
          if (typeof name !== "string" || !STRATEGY_NAME.test(name)) throw new PluginError(`registerEnsembleStrategy: name ${JSON.stringify(name)?.slice(0, 70)} is not UPPER_SNAKE_CASE`);
          if (takenStrategies.has(name) || staged.strategies.some((s) => s.strategy.name === name)) throw new PluginError(`registerEnsembleStrategy: the strategy name "${name}" is already taken`);
          if (typeof strategy.combine !== "function") throw new PluginError(`registerEnsembleStrategy: strategy "${name}" has no combine function`);
          if (!Array.isArray(strategy.tasks) || strategy.tasks.length === 0 || !strategy.tasks.every((t) => t === "classification" || t === "regression")) {
            throw new PluginError(`registerEnsembleStrategy: strategy "${name}" must list its tasks (classification, regression)`);
          }
          staged.strategies.push({ pluginId: id, strategy });
        },
      };
      const timeoutMs = options.registerTimeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.resolve().then(() => plugin.register!(host)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new PluginError(`register(host) did not finish within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      for (const p of staged.providers) takenProviders.add(p.provider.id);
      for (const s of staged.strategies) takenStrategies.add(s.strategy.name);
      providers.push(...staged.providers);
      strategies.push(...staged.strategies);
      const report: PluginReport = {
        id,
        spec,
        state: "loaded",
        error: "",
        apiVersion,
        providers: staged.providers.map((p) => p.provider.id),
        strategies: staged.strategies.map((s) => s.strategy.name),
        loadMs: Math.round(performance.now() - started),
      };
      reports.push(report);
      log.info({ providers: report.providers, strategies: report.strategies }, "plugin loaded");
    } catch (e) {
      const error = describe(e);
      reports.push({ id, spec, state: "failed", error, apiVersion, providers: [], strategies: [], loadMs: Math.round(performance.now() - started) });
      log.error({ spec, error }, "plugin skipped: it could not be loaded");
    }
  }
  return { reports, providers, strategies };
}
