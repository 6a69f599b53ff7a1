import type { EntityManager } from "@mikro-orm/core";
import type { ComputeProvider } from "./compute-provider.js";

/**
 * Every provider id the platform knows (one per adapter, see provider.proto). An id in this list
 * without a registered adapter is a provider that exists but cannot take jobs yet: it answers
 * FAILED_PRECONDITION, never "unknown".
 */
export const KNOWN_PROVIDER_IDS: readonly string[] = [
  "local",
  "kubernetes",
  "aws",
  "gcp",
  "azure",
  "oci",
  "ovh",
  "infomaniak",
  "hetzner",
  "scaleway",
  "lambda-labs",
  "runpod",
  "vastai",
  "coreweave",
  "fake",
];

/** Whether a provider may take new jobs now, and if not, what is missing in words a person can act on. */
export type ProviderUsability =
  | { readonly usable: true }
  | { readonly usable: false; readonly state: "unknown" | "unconfigured" | "disabled" | "error"; readonly message: string };

/**
 * Decides which providers take new jobs (placement, failover). The Provider Hub replaces the default
 * gate with one backed by its stored configuration and enablement; jobs already on a provider are
 * reconciled and cleaned up whatever the gate says.
 */
export interface ProviderGate {
  check(em: EntityManager, providerId: string, registered: boolean): Promise<ProviderUsability>;
}

/**
 * The default gate: providers named in configuration are enabled when their adapter is registered;
 * a known id without an adapter is unconfigured, anything else unknown.
 */
export function createStaticProviderGate(enabled: readonly string[]): ProviderGate {
  const on = new Set(enabled);
  return {
    async check(_em, id, registered) {
      if (!registered) {
        return KNOWN_PROVIDER_IDS.includes(id)
          ? { usable: false, state: "unconfigured", message: `provider ${id} is not configured on this server: its adapter and credentials are missing` }
          : { usable: false, state: "unknown", message: `${id} is not a provider this server knows` };
      }
      return on.has(id) ? { usable: true } : { usable: false, state: "disabled", message: `provider ${id} is disabled; enable it first` };
    },
  };
}

/**
 * Maps provider ids to their adapters. Adapters register at start (local and fake by the training
 * module; Kubernetes and the clouds by their own modules or the Provider Hub), and may be replaced
 * at run time when a provider is reconfigured. Lookups always return the current adapter.
 */
export class ProviderRegistry {
  private readonly providers = new Map<string, ComputeProvider>();
  private gate: ProviderGate;

  constructor(gate: ProviderGate = createStaticProviderGate([])) {
    this.gate = gate;
  }

  /** Adds or replaces the adapter for `provider.id`. */
  register(provider: ComputeProvider): void {
    this.providers.set(provider.id, provider);
  }

  /** Removes an adapter (e.g. when its credentials are cleared); jobs on it then fail as lost. */
  unregister(id: string): void {
    this.providers.delete(id);
  }

  get(id: string): ComputeProvider | undefined {
    return this.providers.get(id);
  }

  /** Registered adapters, in registration order. */
  list(): ComputeProvider[] {
    return [...this.providers.values()];
  }

  /** Replaces the gate that decides which providers take new jobs. */
  setGate(gate: ProviderGate): void {
    this.gate = gate;
  }

  /** Whether `id` may take new jobs now. */
  usability(em: EntityManager, id: string): Promise<ProviderUsability> {
    return this.gate.check(em, id, this.providers.has(id));
  }
}
