import type { EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import { parseArtifactStore, parseMlflow, type Config } from "../platform/config/config.js";
import { sameValue } from "./setting-values.js";
import { writeConfigPath, type GlobalSectionName, type SectionValues, type SettingValue } from "./settings-schema.js";
import { readAllSettings, readSection, settingId, type EffectiveSetting, type SectionState, type SettingsDeps } from "./settings.use-cases.js";

/**
 * The port through which running components read settings and follow their changes. Values are
 * typed from the schema; secrets come in clear (they are for the component, never for logs).
 *
 * ```ts
 * const limit = settings.section("auth").rate_limit_rps;
 * settings.subscribe("training", (s) => reconciler.setInterval(s.reconcile_interval_ms));
 * ```
 */
export interface SettingsPort {
  /** The values in effect of a `global` section. */
  section<S extends GlobalSectionName>(name: S): SectionValues<S>;
  /**
   * Calls `listener` with the section's new values and the changed keys whenever a change is
   * committed, by this server or another one on the same database. Returns the unsubscribe.
   */
  subscribe<S extends GlobalSectionName>(name: S, listener: (values: SectionValues<S>, changed: readonly string[]) => void): () => void;
}

type Listener = (values: never, changed: readonly string[]) => void;

/** Follows committed changes: the events domain's log, narrowed to the settings topic. */
export interface SettingsChangeFeed {
  follow(onSection: (scope: string, section: string) => void, onGap: () => void): { stop(): void };
}

/**
 * The settings of one server process: the snapshot read at start (with which the configuration was
 * completed), kept current from the event log. Each settings event names a section; the runtime
 * re-reads that section from the database (the source of truth, so an event is never trusted for
 * values and a missed one is repaired by the next) and tells the section's subscribers what changed.
 */
export class SettingsRuntime implements SettingsPort {
  private readonly current = new Map<string, Map<string, EffectiveSetting>>();
  /** The values this process started with, for `restart_pending`. */
  private readonly startup = new Map<string, SettingValue | undefined>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private follower: { stop(): void } | undefined;
  private reloads: Promise<void> = Promise.resolve();

  private constructor(
    /** What the settings use cases need (the RPC handler shares it). */
    readonly deps: SettingsDeps & { readonly em: () => EntityManager; readonly logger: Logger },
    sections: readonly SectionState[],
  ) {
    for (const state of sections) {
      this.current.set(`${state.def.scope}/${state.def.section}`, new Map(state.settings.map((s) => [s.def.key, s])));
      for (const s of state.settings) this.startup.set(settingId(s.def.scope, s.def.section, s.def.key), s.value);
    }
  }

  /** Reads every section once, before the server is built. */
  static async load(deps: SettingsDeps & { readonly em: () => EntityManager; readonly logger: Logger }): Promise<SettingsRuntime> {
    return new SettingsRuntime(deps, await readAllSettings(deps.em(), deps));
  }

  /**
   * The configuration completed with the stored values of keys that Config holds: components built
   * at start from Config (the restart-required keys) see them.
   */
  applyTo(config: Config): Config {
    let out = config;
    // Keys whose Config form is built from several variables at once (the artifact store, MLflow)
    // are applied by parsing the variables again with the stored values in place, so that stored
    // values are checked exactly like the environment's.
    const variables: Record<string, string> = {};
    for (const section of this.current.values()) {
      for (const s of section.values()) {
        if (s.source !== "stored") continue;
        if (s.def.config) out = writeConfigPath(out, s.def.config, s.value);
        else if (s.def.env && s.value !== undefined) variables[s.def.env] = Array.isArray(s.value) ? s.value.join(",") : String(s.value);
      }
    }
    if (Object.keys(variables).length === 0) return out;
    const env = { ...config.variables, ...variables };
    try {
      return { ...out, artifacts: parseArtifactStore(env), mlflow: parseMlflow(env) };
    } catch (e) {
      // A combination of stored values the configuration refuses (e.g. the s3 backend without a
      // bucket) must not keep the server from starting: it keeps the environment's values.
      this.deps.logger.error({ err: e }, "stored artifacts/mlflow settings are inconsistent; using the environment's");
      return out;
    }
  }

  section<S extends GlobalSectionName>(name: S): SectionValues<S> {
    return this.valuesOf("global", name) as SectionValues<S>;
  }

  subscribe<S extends GlobalSectionName>(name: S, listener: (values: SectionValues<S>, changed: readonly string[]) => void): () => void {
    const key = `global/${name}`;
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  /** Whether a `global` key has a stored value (rather than a default from the environment, the file or the schema). */
  isStored(section: GlobalSectionName, key: string): boolean {
    return this.current.get(`global/${section}`)?.get(key)?.source === "stored";
  }

  /** Whether a restart-required key's value in effect differs from the one this process started with. */
  restartPending(s: EffectiveSetting): boolean {
    return s.def.restartRequired && !sameValue(this.startup.get(settingId(s.def.scope, s.def.section, s.def.key)), s.value);
  }

  /** Starts following changes; re-reads everything once, to cover changes made since `load`. */
  start(feed: SettingsChangeFeed): void {
    this.follower = feed.follow(
      (scope, section) => this.enqueue(() => this.reload(scope, section)),
      () => this.enqueue(() => this.reloadAll()),
    );
    this.enqueue(() => this.reloadAll());
  }

  stop(): Promise<void> {
    this.follower?.stop();
    return this.reloads;
  }

  /** Resolves once every change seen so far has been applied (tests, shutdown). */
  settled(): Promise<void> {
    return this.reloads;
  }

  private valuesOf(scope: string, section: string): Record<string, SettingValue | undefined> {
    const entries = this.current.get(`${scope}/${section}`);
    if (!entries) throw new Error(`no settings section ${scope}/${section}`);
    return Object.fromEntries([...entries].map(([k, s]) => [k, s.value]));
  }

  // Reloads run one at a time, in the order the events came, so listeners see changes in order.
  private enqueue(work: () => Promise<void>): void {
    this.reloads = this.reloads.then(work).catch((e: unknown) => this.deps.logger.warn({ err: e }, "reloading settings failed; the next change or restart applies them"));
  }

  private async reloadAll(): Promise<void> {
    for (const key of [...this.current.keys()]) {
      const [scope, section] = key.split("/") as [string, string];
      await this.reload(scope, section);
    }
  }

  private async reload(scope: string, section: string): Promise<void> {
    const key = `${scope}/${section}`;
    const old = this.current.get(key);
    if (!old) return;
    const state = await readSection(this.deps.em(), this.deps, scope, section);
    const changed = state.settings.filter((s) => !sameValue(old.get(s.def.key)?.value, s.value)).map((s) => s.def.key);
    this.current.set(key, new Map(state.settings.map((s) => [s.def.key, s])));
    if (changed.length === 0) return;
    // Key names only: values may be secrets.
    this.deps.logger.info({ section: key, keys: changed }, "settings changed");
    const values = this.valuesOf(scope, section);
    for (const listener of this.listeners.get(key) ?? []) {
      try {
        listener(values as never, changed);
      } catch (e) {
        this.deps.logger.warn({ err: e, section: key }, "a component failed to apply changed settings");
      }
    }
  }
}
