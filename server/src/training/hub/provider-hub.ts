import { createHash } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { ComputeProvider } from "../compute-provider.js";
import type { ProviderGate, ProviderRegistry, ProviderUsability } from "../provider-registry.js";
import type { CatalogOffering, PriceCatalog } from "../catalog/price-catalog.js";
import { enrichOffering } from "../catalog/placement.js";
import { decryptSecret, encryptSecret } from "../../platform/crypto/master-key.js";
import { checkEtag, etagOf, type UseCaseContext } from "../../platform/context.js";
import { recordEvent, SYSTEM_ACTOR, type Actor } from "../../platform/outbox/outbox.js";
import { builtinProviderDefinitions, type ProviderDefinition, type ProviderServices, type ProviderSettings } from "./provider-definitions.js";
import { ProviderSettingsEntity } from "./provider-settings.entity.js";
import {
  connectionTestFailed,
  invalidConfigValue,
  providerHasLiveJobs,
  providerNotFound,
  providerUnconfigured,
  unknownConfigKey,
  unknownCredentialKey,
} from "./provider-hub.errors.js";

/**
 * The port through which ClearProviderCredentials learns whether a provider still has jobs that
 * need its credentials: jobs not in a terminal state, or whose compute is not released yet. The
 * training domain implements it over its job table.
 */
export interface LiveJobsQuery {
  countLiveJobs(em: EntityManager, providerId: string): Promise<number>;
}

export type ProviderStateName = "UNCONFIGURED" | "CONFIGURED" | "CONNECTED" | "ERROR" | "DISABLED";

/** A provider as the hub sees it: its definition, stored settings and derived state. */
export interface ProviderView {
  readonly definition: ProviderDefinition;
  readonly state: ProviderStateName;
  readonly stateMessage: string;
  readonly enabled: boolean;
  /** Explicit settings only. */
  readonly config: Readonly<Record<string, string>>;
  readonly credentialKeys: readonly string[];
  readonly lastCheckTime: Date | undefined;
  readonly updateTime: Date | undefined;
  readonly etag: string;
  readonly regions: readonly string[];
  readonly defaultRegion: string;
  readonly gpuTypes: readonly string[];
}

export interface ConnectionTestOutcome {
  readonly success: boolean;
  readonly message: string;
  readonly latencyMs: number;
  readonly checks: readonly { readonly name: string; readonly success: boolean; readonly message: string }[];
  readonly provider: ProviderView;
}

export interface ProviderHubDeps {
  /** AES-256-GCM key for credentials at rest (`ServerKeys.secretsKey`). */
  readonly secretsKey: Buffer;
  readonly catalog: PriceCatalog;
  /** The training module's registry: the hub registers the adapters it builds and gates new jobs. */
  readonly registry: ProviderRegistry;
  readonly liveJobs: LiveJobsQuery;
  /** The platform currency; the catalog must be in it (prices are not converted). @default the catalog's */
  readonly currency?: string;
  /** Replaces built-in definitions with the same id, adds others. */
  readonly definitions?: readonly ProviderDefinition[];
  /** How long a connection test may take. @default 20000 */
  readonly testTimeoutMs?: number;
  readonly logger?: Logger;
  /** Server facilities adapters may need (job transfers through the server), handed to `create`. */
  readonly services?: ProviderServices;
}

const providerName = (id: string) => `providers/${id}`;

/**
 * The Provider Hub: which providers exist, their credentials (sealed at rest, never returned),
 * settings, connection tests and enablement. It owns the adapters of `hub` providers (building
 * them from the stored settings, rebuilding them when the settings change, registering them with
 * the training registry) and is the registry's gate: a provider takes new jobs only when it is
 * configured, enabled and not failing its connection test.
 */
export class ProviderHub {
  readonly catalog: PriceCatalog;
  readonly currency: string;
  readonly registry: ProviderRegistry;
  private readonly definitions: Map<string, ProviderDefinition>;
  private readonly built = new Map<string, { fingerprint: string; adapter: ComputeProvider }>();
  private rowsEnsured: Promise<void> | undefined;

  constructor(private readonly deps: ProviderHubDeps) {
    this.catalog = deps.catalog;
    this.registry = deps.registry;
    this.currency = deps.currency ?? deps.catalog.currency;
    if (this.currency !== deps.catalog.currency) {
      throw new Error(`the price catalog ${deps.catalog.source} is in ${deps.catalog.currency}, not the platform currency ${this.currency}`);
    }
    this.definitions = new Map(builtinProviderDefinitions().map((d) => [d.id, d]));
    for (const d of deps.definitions ?? []) this.definitions.set(d.id, d);
  }

  /** Gates new jobs in the training registry by the hub's state (see ProviderGate). */
  readonly gate: ProviderGate = {
    check: async (em, id): Promise<ProviderUsability> => {
      const def = this.definitions.get(id);
      if (!def || !this.listed(def)) return { usable: false, state: "unknown", message: `${providerName(id)} is not a provider this server knows` };
      const row = await this.row(em, id);
      await this.syncAdapter(def, row).catch(() => undefined);
      const view = this.view(def, row);
      switch (view.state) {
        case "UNCONFIGURED":
          return { usable: false, state: "unconfigured", message: view.stateMessage };
        case "DISABLED":
          return { usable: false, state: "disabled", message: `${providerName(id)} is disabled; enable it first` };
        case "ERROR":
          return { usable: false, state: "error", message: `its last connection test failed: ${view.stateMessage}` };
        default:
          return { usable: true };
      }
    },
  };

  /** At start: stored rows for every provider, and the adapters of configured `hub` providers registered. */
  async start(em: EntityManager): Promise<void> {
    await this.ensureRows(em);
    await this.syncAll(em);
  }

  /** Rebuilds adapters whose settings changed (on another replica too); run with the periodic check. */
  async syncAll(em: EntityManager): Promise<void> {
    const rows = new Map((await em.find(ProviderSettingsEntity, {}, { refresh: true })).map((r) => [r.id, r]));
    for (const def of this.definitions.values()) {
      await this.syncAdapter(def, rows.get(def.id)).catch((e: unknown) => this.deps.logger?.warn({ err: e, provider: def.id }, "provider adapter could not be built"));
    }
  }

  // ------------------------------------------------------------------------------- reading

  /** Providers shown to clients: all but `fake`, which appears only when a fake adapter is registered. */
  private listed(def: ProviderDefinition): boolean {
    return def.id !== "fake" || this.registry.get("fake") !== undefined;
  }

  definition(id: string): ProviderDefinition {
    const def = this.definitions.get(id);
    if (!def || !this.listed(def)) throw providerNotFound(providerName(id));
    return def;
  }

  private ensureRows(em: EntityManager): Promise<void> {
    this.rowsEnsured ??= (async () => {
      const now = new Date();
      const rows = [...this.definitions.values()].map((d) => ({
        id: d.id,
        enabled: d.enabledByDefault,
        config: {},
        sealedCredentials: "",
        credentialKeys: [],
        lastCheckTime: null,
        lastCheckOk: null,
        lastCheckMessage: "",
        createTime: now,
        updateTime: now,
        revision: 1,
      }));
      await em.fork().upsertMany(ProviderSettingsEntity, rows, { onConflictFields: ["id"], onConflictAction: "ignore" });
    })().catch((e: unknown) => {
      this.rowsEnsured = undefined;
      throw e;
    });
    return this.rowsEnsured;
  }

  private async row(em: EntityManager, id: string): Promise<ProviderSettingsEntity | undefined> {
    await this.ensureRows(em);
    return (await em.findOne(ProviderSettingsEntity, { id })) ?? undefined;
  }

  /** The row for a change, created when missing (a provider added to the build after start). */
  private async rowForUpdate(em: EntityManager, id: string): Promise<ProviderSettingsEntity> {
    const existing = await this.row(em, id);
    if (existing) return existing;
    this.rowsEnsured = undefined;
    await this.ensureRows(em);
    const row = await em.findOne(ProviderSettingsEntity, { id });
    if (!row) throw providerNotFound(providerName(id));
    return row;
  }

  async list(em: EntityManager): Promise<ProviderView[]> {
    await this.ensureRows(em);
    const rows = new Map((await em.find(ProviderSettingsEntity, {})).map((r) => [r.id, r]));
    return [...this.definitions.values()].filter((d) => this.listed(d)).map((d) => this.view(d, rows.get(d.id)));
  }

  async get(em: EntityManager, id: string): Promise<ProviderView> {
    const def = this.definition(id);
    return this.view(def, await this.row(em, id));
  }

  private effectiveConfig(def: ProviderDefinition, row: ProviderSettingsEntity | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of def.configFields) if (f.defaultValue !== "") out[f.key] = f.defaultValue;
    return { ...out, ...(row?.config ?? {}) };
  }

  /** What is missing before the provider can work, as phrases; empty when complete. */
  private missing(def: ProviderDefinition, row: ProviderSettingsEntity | undefined): string[] {
    const keys = row?.credentialKeys ?? [];
    const config = this.effectiveConfig(def, row);
    const creds = [...def.credentialFields.filter((f) => f.required && !keys.includes(f.key)).map((f) => f.key), ...(def.missingCredentials?.(keys) ?? [])];
    const settings = def.configFields.filter((f) => f.required && !config[f.key]).map((f) => f.key);
    return [...(creds.length > 0 ? [`missing credentials: ${creds.join(", ")}`] : []), ...(settings.length > 0 ? [`missing settings: ${settings.join(", ")}`] : [])];
  }

  private view(def: ProviderDefinition, row: ProviderSettingsEntity | undefined): ProviderView {
    const missing = this.missing(def, row);
    const enabled = row ? row.enabled : def.enabledByDefault;
    let state: ProviderStateName;
    let message: string;
    if (def.adapter === "later") {
      state = "UNCONFIGURED";
      message = [`the ${def.displayName} adapter is not part of this build and ships in a later release; credentials can be stored now`, ...missing].join("; ");
    } else if (def.adapter === "registry" && !this.registry.get(def.id)) {
      state = "UNCONFIGURED";
      message = `the ${def.id} adapter is not registered on this server`;
    } else if (missing.length > 0) {
      state = "UNCONFIGURED";
      message = missing.join("; ");
    } else if (!enabled) {
      state = "DISABLED";
      message = row?.lastCheckMessage ?? "";
    } else if (row?.lastCheckOk === null || row?.lastCheckOk === undefined) {
      state = "CONFIGURED";
      message = "not tested since the configuration last changed";
    } else {
      state = row.lastCheckOk ? "CONNECTED" : "ERROR";
      message = row.lastCheckMessage;
    }
    const catalogProvider = this.catalog.provider(def.id);
    const regions = catalogProvider?.regions ?? def.regions ?? [];
    const configured = this.effectiveConfig(def, row);
    const regionSetting = configured["region"] ?? configured["zone"] ?? configured["location"] ?? "";
    return {
      definition: def,
      state,
      stateMessage: message,
      enabled,
      config: { ...(row?.config ?? {}) },
      credentialKeys: [...(row?.credentialKeys ?? [])],
      lastCheckTime: row?.lastCheckTime ?? undefined,
      updateTime: row?.updateTime,
      etag: etagOf(row?.revision ?? 0),
      regions,
      defaultRegion: regionSetting !== "" ? regionSetting : (catalogProvider?.defaultRegion ?? regions[0] ?? ""),
      gpuTypes: [...new Set((catalogProvider?.offerings ?? []).map((o) => o.gpuType).filter(Boolean))].sort(),
    };
  }

  // ------------------------------------------------------------------------------- adapters

  private settingsOf(def: ProviderDefinition, row: ProviderSettingsEntity): ProviderSettings {
    const credentials = row.sealedCredentials === "" ? {} : (JSON.parse(decryptSecret(this.deps.secretsKey, row.sealedCredentials, providerName(def.id))) as Record<string, string>);
    return { config: this.effectiveConfig(def, row), credentials };
  }

  /**
   * The current adapter of a `hub` provider, (re)built when its settings changed since the last
   * build and registered with the training registry. Incomplete settings keep the previous adapter
   * registered (jobs already on it keep being reconciled) but build nothing new.
   */
  private async syncAdapter(def: ProviderDefinition, row: ProviderSettingsEntity | undefined): Promise<ComputeProvider | undefined> {
    if (def.adapter === "registry") return this.registry.get(def.id);
    if (def.adapter !== "hub" || !def.create) return undefined;
    const current = this.built.get(def.id);
    if (!row || this.missing(def, row).length > 0) return current?.adapter;
    const fingerprint = createHash("sha256").update(JSON.stringify(this.effectiveConfig(def, row))).update("\u0000").update(row.sealedCredentials).digest("hex");
    if (current?.fingerprint === fingerprint) return current.adapter;
    const adapter = await def.create(this.settingsOf(def, row), this.catalog, this.deps.services ?? {});
    this.built.set(def.id, { fingerprint, adapter });
    this.registry.register(adapter);
    return adapter;
  }

  /**
   * The adapter of a provider, for dispatch and reconciliation: built from the stored settings when
   * the hub owns it, else the one the training module registered. Undefined when there is none.
   */
  async adapterFor(em: EntityManager, id: string): Promise<ComputeProvider | undefined> {
    const def = this.definitions.get(id);
    if (!def) return this.registry.get(id);
    return this.syncAdapter(def, await this.row(em, id));
  }

  /**
   * What a provider offers: its adapter's list (live or its own) when it has an adapter, else or
   * when that fails the shipped catalog. Completed with the catalog's GPU memory, disk and
   * architecture for the same types.
   */
  async offerings(em: EntityManager, id: string): Promise<CatalogOffering[]> {
    const def = this.definition(id);
    if (def.adapter !== "later") {
      const adapter = await this.adapterFor(em, id).catch(() => undefined);
      if (adapter) {
        try {
          return (await adapter.listOfferings()).map((o) => enrichOffering(o, this.catalog));
        } catch (e) {
          this.deps.logger?.warn({ err: e, provider: id }, "listing offerings failed; using the catalog");
        }
      }
    }
    return this.catalog.offerings(id);
  }

  /** Whether the provider takes new jobs now, and why not (the gate's answer). */
  usability(em: EntityManager, id: string): Promise<ProviderUsability> {
    return this.gate.check(em, id, this.registry.get(id) !== undefined);
  }

  // ------------------------------------------------------------------------------- changes

  /**
   * Merges credentials and settings: a key with a value replaces, an empty value removes, absent
   * keys stay. Unknown keys and malformed settings are INVALID_ARGUMENT. Any change resets the
   * connection-test outcome (CONFIGURED until tested again).
   */
  async configure(
    ctx: UseCaseContext,
    id: string,
    input: { credentials: Readonly<Record<string, string>>; config: Readonly<Record<string, string>>; etag: string; testConnection: boolean },
    signal?: AbortSignal,
  ): Promise<ProviderView> {
    const def = this.definition(id);
    const credentialKeys = def.credentialFields.map((f) => f.key);
    const configFields = new Map(def.configFields.map((f) => [f.key, f]));
    for (const key of Object.keys(input.credentials).sort()) if (!credentialKeys.includes(key)) throw unknownCredentialKey(providerName(id), key, credentialKeys);
    for (const [key, value] of Object.entries(input.config).sort()) {
      const field = configFields.get(key);
      if (!field) throw unknownConfigKey(providerName(id), key, [...configFields.keys()]);
      const problem = value === "" ? undefined : field.validate?.(value);
      if (problem) throw invalidConfigValue(key, problem);
    }
    const row = await this.rowForUpdate(ctx.em, id);
    checkEtag(input.etag, row.revision, providerName(id));
    const credentials = { ...this.settingsOf(def, row).credentials };
    for (const [key, value] of Object.entries(input.credentials)) {
      if (value === "") delete credentials[key];
      else credentials[key] = value;
    }
    const config = { ...row.config };
    for (const [key, value] of Object.entries(input.config)) {
      if (value === "") delete config[key];
      else config[key] = value;
    }
    const keys = Object.keys(credentials).sort();
    row.sealedCredentials = keys.length === 0 ? "" : encryptSecret(this.deps.secretsKey, JSON.stringify(credentials), providerName(id));
    row.credentialKeys = keys;
    row.config = config;
    row.lastCheckOk = null;
    row.lastCheckMessage = "";
    row.updateTime = ctx.now();
    recordEvent(
      ctx.em,
      ctx.actor,
      { topic: "training", type: "training.provider.configured", resource: providerName(id), data: { credentialKeys: keys, config, changedCredentials: Object.keys(input.credentials).sort() } },
      ctx.now(),
    );
    await ctx.em.flush();
    await this.syncAdapter(def, row).catch((e: unknown) => this.deps.logger?.warn({ err: e, provider: id }, "provider adapter could not be built"));
    if (input.testConnection && this.view(def, row).state !== "UNCONFIGURED") return (await this.test(ctx, id, signal)).provider;
    return this.view(def, row);
  }

  /** Deletes every credential and setting and disables the provider, unless jobs still need them. */
  async clear(ctx: UseCaseContext, id: string, etag: string): Promise<ProviderView> {
    const def = this.definition(id);
    const row = await this.rowForUpdate(ctx.em, id);
    checkEtag(etag, row.revision, providerName(id));
    const live = await this.deps.liveJobs.countLiveJobs(ctx.em, id);
    if (live > 0) throw providerHasLiveJobs(providerName(id), live);
    row.sealedCredentials = "";
    row.credentialKeys = [];
    row.config = {};
    row.enabled = false;
    row.lastCheckOk = null;
    row.lastCheckMessage = "";
    row.updateTime = ctx.now();
    recordEvent(ctx.em, ctx.actor, { topic: "training", type: "training.provider.credentials_cleared", resource: providerName(id), data: {} }, ctx.now());
    await ctx.em.flush();
    if (def.adapter === "hub" && this.built.has(id)) {
      this.built.delete(id);
      this.registry.unregister(id);
    }
    return this.view(def, row);
  }

  /**
   * Runs the adapter's connection test (bounded by the test timeout and the caller's signal) and
   * records its outcome, unless the settings changed while it ran. A failing provider is an outcome,
   * not an error; an UNCONFIGURED one is FAILED_PRECONDITION.
   */
  async test(ctx: UseCaseContext, id: string, signal?: AbortSignal): Promise<ConnectionTestOutcome> {
    const def = this.definition(id);
    const row = await this.rowForUpdate(ctx.em, id);
    const before = this.view(def, row);
    if (before.state === "UNCONFIGURED") throw providerUnconfigured(providerName(id), before.stateMessage);
    const tested = row.revision;
    const started = performance.now();
    const result = await this.runTest(def, row, signal);
    const latencyMs = performance.now() - started;
    const after = await this.recordCheck(ctx.em, ctx.actor, def, tested, result, ctx.now());
    return { success: result.ok, message: result.message, latencyMs, checks: [{ name: def.checkName ?? "connection", success: result.ok, message: result.message }], provider: after };
  }

  private async runTest(def: ProviderDefinition, row: ProviderSettingsEntity, signal: AbortSignal | undefined): Promise<{ ok: boolean; message: string }> {
    const timeoutMs = this.deps.testTimeoutMs ?? 20_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const adapter = await this.syncAdapter(def, row);
      if (!adapter) return { ok: false, message: `the ${def.id} adapter is not available` };
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<{ ok: boolean; message: string }>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, message: `no answer within ${timeoutMs} ms` }), timeoutMs);
      });
      try {
        return await Promise.race([adapter.testConnection(combined), expired]);
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }

  private async recordCheck(em: EntityManager, actor: Actor, def: ProviderDefinition, testedRevision: number, result: { ok: boolean; message: string }, now: Date): Promise<ProviderView> {
    const row = await em.findOne(ProviderSettingsEntity, { id: def.id }, { refresh: true });
    // The settings changed while the test ran: its outcome is about settings no longer in effect.
    if (!row || row.revision !== testedRevision) return this.view(def, row ?? undefined);
    if (row.lastCheckOk !== result.ok) row.updateTime = now;
    row.lastCheckTime = now;
    row.lastCheckOk = result.ok;
    row.lastCheckMessage = result.message.slice(0, 4096);
    recordEvent(em, actor, { topic: "training", type: "training.provider.tested", resource: providerName(def.id), data: { success: result.ok, message: row.lastCheckMessage } }, now);
    await em.flush();
    return this.view(def, row);
  }

  /** Lets new jobs use the provider, after a connection test unless `skipTest`. */
  async enable(ctx: UseCaseContext, id: string, etag: string, skipTest: boolean, signal?: AbortSignal): Promise<ProviderView> {
    const def = this.definition(id);
    const row = await this.rowForUpdate(ctx.em, id);
    checkEtag(etag, row.revision, providerName(id));
    const before = this.view(def, row);
    if (before.state === "UNCONFIGURED") throw providerUnconfigured(providerName(id), before.stateMessage);
    if (row.enabled) return before;
    if (!skipTest) {
      const outcome = await this.test(ctx, id, signal);
      if (!outcome.success) throw connectionTestFailed(providerName(id), outcome.message);
    }
    const fresh = await ctx.em.findOne(ProviderSettingsEntity, { id }, { refresh: true });
    if (!fresh) throw providerNotFound(providerName(id));
    fresh.enabled = true;
    fresh.updateTime = ctx.now();
    recordEvent(ctx.em, ctx.actor, { topic: "training", type: "training.provider.enabled", resource: providerName(id), data: { connectionTested: !skipTest } }, ctx.now());
    await ctx.em.flush();
    return this.view(def, fresh);
  }

  /** Stops new jobs from using the provider; jobs on it keep being reconciled. */
  async disable(ctx: UseCaseContext, id: string, etag: string): Promise<ProviderView> {
    const def = this.definition(id);
    const row = await this.rowForUpdate(ctx.em, id);
    checkEtag(etag, row.revision, providerName(id));
    if (!row.enabled) return this.view(def, row);
    row.enabled = false;
    row.updateTime = ctx.now();
    recordEvent(ctx.em, ctx.actor, { topic: "training", type: "training.provider.disabled", resource: providerName(id), data: {} }, ctx.now());
    await ctx.em.flush();
    return this.view(def, row);
  }

  /**
   * The periodic check: tests every enabled, configured provider and records the outcomes, so that
   * automatic placement skips providers that stopped answering. Also picks up settings changed on
   * other replicas.
   */
  async checkEnabledProviders(em: EntityManager, signal?: AbortSignal): Promise<void> {
    await this.syncAll(em);
    for (const view of await this.list(em)) {
      if (!view.enabled || view.state === "UNCONFIGURED" || signal?.aborted) continue;
      const def = view.definition;
      const row = await em.findOne(ProviderSettingsEntity, { id: def.id });
      if (!row) continue;
      const result = await this.runTest(def, row, signal);
      await this.recordCheck(em, SYSTEM_ACTOR, def, row.revision, result, new Date());
    }
  }

  /** Runs `checkEnabledProviders` every `intervalMs` on a fresh EntityManager; errors are logged. */
  startPeriodicChecks(em: () => EntityManager, intervalMs: number): { stop(): Promise<void> } {
    const controller = new AbortController();
    let running: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      running = running
        .then(() => this.checkEnabledProviders(em(), controller.signal))
        .catch((e: unknown) => this.deps.logger?.warn({ err: e }, "periodic provider check failed"));
    }, intervalMs);
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        controller.abort();
        await running;
      },
    };
  }
}

export function createProviderHub(deps: ProviderHubDeps): ProviderHub {
  return new ProviderHub(deps);
}
