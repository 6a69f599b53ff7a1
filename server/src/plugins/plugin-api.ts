/**
 * The plugin interface, version 1: what a plugin package exports and what the server offers it.
 * docs/plugins.md is the guide; this file is the contract. A change that breaks existing plugins
 * bumps PLUGIN_API_VERSION, and the server refuses plugins built for another version.
 *
 * A plugin is an ES module whose default export (or `plugin` export) is an {@link ArtenicPlugin}.
 * The server imports it at start, checks `apiVersion`, and calls `register(host)` once. What the
 * plugin registers is checked and only takes effect if `register` completes: a plugin that throws,
 * hangs, or registers something invalid is reported (log line and AdminService.ListPlugins) and
 * skipped as a whole; the server starts anyway.
 */
import type { ComputeProvider } from "../training/compute-provider.js";
import type { CustomStrategy } from "../ensemble/strategies/index.js";

/** The plugin API version this server implements. */
export const PLUGIN_API_VERSION = 1;

export interface ArtenicPlugin {
  /** Must equal the server's PLUGIN_API_VERSION. */
  readonly apiVersion: number;
  /** Registers what the plugin provides; may be async (at most 10 s). */
  register(host: PluginHost): void | Promise<void>;
}

/** Descriptive details of a plugin provider, shown by the Provider Hub. */
export interface PluginProviderInfo {
  readonly displayName?: string;
  readonly description?: string;
  readonly websiteUri?: string;
  /** Regions the provider offers; `["default"]` when omitted. */
  readonly regions?: readonly string[];
  readonly capabilities?: { readonly spot?: boolean; readonly gpu?: boolean };
}

/**
 * A combination strategy for ensembles (the ensemble domain's CustomStrategy port): how member
 * answers become the ensemble's answer. Called on the request path, so it must be fast and
 * synchronous; what it returns is checked before it is served. An ensemble uses it with the
 * strategy ENSEMBLE_STRATEGY_PLUGIN and `strategy_config.plugin.name` set to its name.
 */
export type PluginEnsembleStrategy = CustomStrategy;

/** A logger that writes JSON lines tagged with the plugin's id. */
export interface PluginLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What the server offers a plugin while it registers. */
export interface PluginHost {
  readonly apiVersion: number;
  /** The plugin's id (from its package name). */
  readonly pluginId: string;
  /** A directory of its own under the server's data directory, created on demand by the plugin. */
  readonly dataDir: string;
  readonly logger: PluginLogger;
  /**
   * Adds a training compute provider (server/src/training/compute-provider.ts). Its `id` must be a
   * provider id (`[a-z]([a-z0-9-]*[a-z0-9])?`, at most 63) that no built-in or other plugin uses.
   * It is listed by the Provider Hub as a PLUGIN provider, enabled, and takes jobs like any other.
   */
  registerComputeProvider(provider: ComputeProvider, info?: PluginProviderInfo): void;
  /** Adds an ensemble combination strategy. */
  registerEnsembleStrategy(strategy: PluginEnsembleStrategy): void;
}
