import { loadConfig, type Config } from "../platform/config/config.js";

/**
 * The declared schema of runtime settings. A setting is a key of a section of a scope; only
 * declared keys exist. Each key says how it is typed and bounded, whether it is secret, whether a
 * change needs a restart, and where its default comes from:
 * - `config`: a path into the parsed {@link Config}, which already holds the environment variable
 *   (or configuration-file) value, validated, or the built-in default. At start a stored value is
 *   written back into that path, so restart-required keys take effect on the next start.
 * - otherwise `env` alone: the raw variable is parsed by the schema (keys with no typed field in
 *   Config, owned by the domain that reads them through the settings port).
 *
 * Keys that need no restart (`restartRequired: false`) must have a running component subscribed to
 * their section (see app.ts); the schema test checks the list against the wired components.
 */

export type SettingKind = "string" | "integer" | "number" | "boolean" | "string_list";

/** The TypeScript type of a kind's values. */
export type KindValue<K extends SettingKind> = K extends "boolean" ? boolean : K extends "integer" | "number" ? number : K extends "string_list" ? readonly string[] : string;

export type SettingValue = string | number | boolean | readonly string[];

export interface SettingSpec<K extends SettingKind = SettingKind> {
  readonly kind: K;
  readonly description: string;
  /** The environment variable (and configuration-file key) that sets the default. */
  readonly env?: string;
  /** Where the parsed configuration holds the value (see the module comment). */
  readonly config?: readonly string[];
  /** The built-in default when there is no `config` path (secrets have none). */
  readonly default?: KindValue<K>;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Values of list items must match it (e.g. origins, provider ids). */
  readonly itemPattern?: RegExp;
  /**
   * Items stored through the API must match this as well: the operator's environment and file may
   * set more than an API key may (plugin files by absolute path, see `plugins.packages`).
   */
  readonly storedItemPattern?: RegExp;
  readonly secret?: boolean;
  readonly restartRequired: boolean;
}

const spec = <K extends SettingKind>(s: SettingSpec<K>): SettingSpec<K> => s;

/** The sections of the `global` scope. */
export const GLOBAL_SETTINGS = {
  auth: {
    description: "Authentication and the default request rate of API keys.",
    settings: {
      rate_limit_rps: spec({ kind: "number", description: "Requests per second allowed to an API key without a rate limit of its own (token bucket refill rate).", env: "ARTENIC_RATE_LIMIT_RPS", config: ["rateLimit", "requestsPerSecond"], min: 0.001, max: 1e9, restartRequired: false }),
      rate_limit_burst: spec({ kind: "integer", description: "Requests an API key without a rate limit of its own may make at once (token bucket size).", env: "ARTENIC_RATE_LIMIT_BURST", config: ["rateLimit", "burst"], min: 1, max: 1e9, restartRequired: false }),
    },
  },
  logging: {
    description: "Server logs (JSON lines on stdout).",
    settings: {
      level: spec({ kind: "string", description: "The least severe level written.", env: "ARTENIC_LOG_LEVEL", config: ["logLevel"], choices: ["fatal", "error", "warn", "info", "debug", "trace", "silent"], restartRequired: false }),
    },
  },
  server: {
    description: "The listener shared by every protocol.",
    settings: {
      cors_origins: spec({ kind: "string_list", description: "Origins allowed by CORS; `*` allows any.", env: "ARTENIC_CORS_ORIGINS", config: ["corsOrigins"], itemPattern: /^(\*|https?:\/\/[^\s,]+)$/, restartRequired: true }),
      max_message_bytes: spec({ kind: "integer", description: "Largest single protocol message, in bytes.", env: "ARTENIC_MAX_MESSAGE_BYTES", config: ["maxMessageBytes"], min: 1024, max: 1024 ** 3, restartRequired: true }),
      max_artifact_bytes: spec({ kind: "integer", description: "Largest model artifact accepted, in bytes.", env: "ARTENIC_MAX_ARTIFACT_BYTES", config: ["maxArtifactBytes"], min: 1, max: Number.MAX_SAFE_INTEGER, restartRequired: true }),
    },
  },
  inference: {
    description: "Model sessions and the prediction buffer.",
    settings: {
      max_loaded_models: spec({ kind: "integer", description: "Model sessions kept loaded at most.", env: "ARTENIC_MAX_LOADED_MODELS", config: ["inference", "maxLoadedModels"], min: 1, max: 10_000, restartRequired: true }),
      max_loaded_bytes: spec({ kind: "integer", description: "Artifact bytes of loaded sessions at most.", env: "ARTENIC_MAX_LOADED_BYTES", config: ["inference", "maxLoadedBytes"], min: 1024, max: Number.MAX_SAFE_INTEGER, restartRequired: true }),
      prediction_buffer: spec({ kind: "integer", description: "Recent predictions kept in memory for health and A/B statistics.", env: "ARTENIC_PREDICTION_BUFFER", config: ["inference", "recorderCapacity"], min: 100, max: 10_000_000, restartRequired: true }),
    },
  },
  events: {
    description: "The event log's retention.",
    settings: {
      retention_days: spec({ kind: "number", description: "Events older than this many days are deleted; 0 keeps events of any age.", env: "ARTENIC_EVENT_RETENTION_DAYS", config: ["events", "retentionDays"], min: 0, max: 36_500, restartRequired: true }),
      retention_count: spec({ kind: "integer", description: "At most this many of the newest events are kept.", env: "ARTENIC_EVENT_RETENTION_COUNT", config: ["events", "retentionCount"], min: 1, max: Number.MAX_SAFE_INTEGER, restartRequired: true }),
    },
  },
  training: {
    description: "Training jobs and their providers.",
    settings: {
      reconcile_interval_ms: spec({ kind: "integer", description: "How often the reconcile loop looks at every unfinished job, in milliseconds.", env: "ARTENIC_TRAINING_RECONCILE_MS", config: ["training", "reconcileIntervalMs"], min: 10, max: 3_600_000, restartRequired: false }),
      providers: spec({ kind: "string_list", description: "Adapters built at start and enabled for new jobs, by provider id.", env: "ARTENIC_TRAINING_PROVIDERS", config: ["training", "providers"], itemPattern: /^[a-z][a-z0-9-]{0,62}$/, restartRequired: true }),
      local_max_concurrent_jobs: spec({ kind: "integer", description: "Local subprocess jobs running at once at most.", env: "ARTENIC_TRAINING_LOCAL_MAX_CONCURRENT", config: ["training", "localMaxConcurrentJobs"], min: 1, max: 1000, restartRequired: true }),
      watch_heartbeat_ms: spec({ kind: "integer", description: "Silence after which WatchTrainingJob sends a heartbeat, in milliseconds.", env: "ARTENIC_TRAINING_WATCH_HEARTBEAT_MS", config: ["training", "watchHeartbeatMs"], min: 50, max: 300_000, restartRequired: true }),
    },
  },
  webhooks: {
    description: "Webhook deliveries.",
    settings: {
      timeout_ms: spec({ kind: "integer", description: "How long one delivery attempt may take, in milliseconds.", env: "ARTENIC_WEBHOOK_TIMEOUT_MS", config: ["webhooks", "timeoutMs"], min: 10, max: 300_000, restartRequired: true }),
      max_attempts: spec({ kind: "integer", description: "Attempts per delivery before it is FAILED.", env: "ARTENIC_WEBHOOK_MAX_ATTEMPTS", config: ["webhooks", "maxAttempts"], min: 1, max: 100, restartRequired: true }),
    },
  },
  plugins: {
    description: "Extension packages loaded at start (docs/plugins.md).",
    settings: {
      // Stored values name installed packages only. A file path set through the API would let an
      // ADMIN key that can also place a file on the host (an uploaded artifact, say) run it as code
      // at the next start, so paths come from the operator's environment or file alone.
      packages: spec({
        kind: "string_list",
        description: "npm package names of the plugins to load (absolute paths from ARTENIC_PLUGINS or the configuration file only).",
        env: "ARTENIC_PLUGINS",
        config: ["plugins"],
        itemPattern: /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$|^\/\S+$/,
        storedItemPattern: /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/,
        restartRequired: true,
      }),
    },
  },
  artifacts: {
    description: "Where model artifacts are stored: the local data directory or an S3-compatible object store.",
    settings: {
      backend: spec({ kind: "string", description: "`local` (under the data directory) or `s3`.", env: "ARTENIC_ARTIFACT_STORE", default: "local", choices: ["local", "s3"], restartRequired: true }),
      s3_bucket: spec({ kind: "string", description: "The bucket, for the s3 backend.", env: "ARTENIC_S3_BUCKET", default: "", restartRequired: true }),
      s3_prefix: spec({ kind: "string", description: "A key prefix under which every artifact is stored.", env: "ARTENIC_S3_PREFIX", default: "", restartRequired: true }),
      s3_endpoint: spec({ kind: "string", description: "The endpoint URL of an S3-compatible store; empty for AWS.", env: "ARTENIC_S3_ENDPOINT", default: "", restartRequired: true }),
      s3_region: spec({ kind: "string", description: "The region of the bucket.", env: "ARTENIC_S3_REGION", default: "us-east-1", restartRequired: true }),
      s3_force_path_style: spec({ kind: "boolean", description: "Address the bucket in the path rather than the host name (most S3-compatible stores need it).", env: "ARTENIC_S3_FORCE_PATH_STYLE", default: false, restartRequired: true }),
      s3_access_key_id: spec({ kind: "string", description: "The access key id; empty uses the default AWS credential chain.", env: "ARTENIC_S3_ACCESS_KEY_ID", default: "", restartRequired: true }),
      s3_secret_access_key: spec({ kind: "string", description: "The secret access key.", env: "ARTENIC_S3_SECRET_ACCESS_KEY", secret: true, restartRequired: true }),
    },
  },
  mlflow: {
    description: "Mirroring training jobs to an MLflow tracking server.",
    settings: {
      tracking_uri: spec({ kind: "string", description: "The tracking server's base URL; empty disables tracking.", env: "ARTENIC_MLFLOW_TRACKING_URI", default: "", restartRequired: true }),
      experiment: spec({ kind: "string", description: "One experiment for every training run; empty records each job under `artenic/<output model>`.", env: "ARTENIC_MLFLOW_EXPERIMENT", default: "", restartRequired: true }),
      token: spec({ kind: "string", description: "A bearer token for the tracking server, when it needs one.", env: "ARTENIC_MLFLOW_TOKEN", secret: true, restartRequired: true }),
    },
  },
} as const;

/** The declared scopes. Every platform setting is `global`; the API leaves room for others. */
export const SETTINGS_SCHEMA = { global: GLOBAL_SETTINGS } as const;

export type GlobalSectionName = keyof typeof GLOBAL_SETTINGS;

/** The typed values of a `global` section, as the settings port hands them to components. */
export type SectionValues<S extends GlobalSectionName> = {
  readonly [K in keyof (typeof GLOBAL_SETTINGS)[S]["settings"]]: (typeof GLOBAL_SETTINGS)[S]["settings"][K] extends SettingSpec<infer Kind>
    ? // Secrets without a value are undefined.
      (typeof GLOBAL_SETTINGS)[S]["settings"][K] extends { readonly secret: true }
      ? KindValue<Kind> | undefined
      : KindValue<Kind>
    : never;
};

/** One declared key, flattened, in declaration order. */
export interface SettingDefinition extends SettingSpec {
  readonly scope: string;
  readonly section: string;
  readonly key: string;
}

export interface SectionDefinition {
  readonly scope: string;
  readonly section: string;
  readonly description: string;
  readonly settings: readonly SettingDefinition[];
}

/** Every declared section, ordered by scope then declaration. */
export function listSections(): SectionDefinition[] {
  const out: SectionDefinition[] = [];
  for (const [scope, sections] of Object.entries(SETTINGS_SCHEMA)) {
    for (const [section, def] of Object.entries(sections as Record<string, { description: string; settings: Record<string, SettingSpec> }>)) {
      out.push({ scope, section, description: def.description, settings: Object.entries(def.settings).map(([key, s]) => ({ ...s, scope, section, key })) });
    }
  }
  return out;
}

const sectionIndex = new Map(listSections().map((s) => [`${s.scope}/${s.section}`, s]));

export function findSection(scope: string, section: string): SectionDefinition | undefined {
  return sectionIndex.get(`${scope}/${section}`);
}

export function scopeExists(scope: string): boolean {
  return Object.hasOwn(SETTINGS_SCHEMA, scope);
}

let builtIn: Config | undefined;

/** A key's built-in default: the configuration's own default for a `config` key (no environment, no file). */
export function builtInDefault(def: SettingSpec): SettingValue | undefined {
  if (def.secret) return undefined;
  if (!def.config) return def.default;
  builtIn ??= loadConfig({});
  return readConfigPath(builtIn, def.config) as SettingValue;
}

/** Reads the value at a `config` path of the schema. */
export function readConfigPath(config: Config, path: readonly string[]): unknown {
  let v: unknown = config;
  for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p];
  return v;
}

/** A copy of `config` with `value` at `path`: how stored values reach components built at start. */
export function writeConfigPath(config: Config, path: readonly string[], value: unknown): Config {
  const set = (obj: unknown, i: number): unknown => (i === path.length ? value : { ...(obj as object), [path[i]!]: set((obj as Record<string, unknown>)[path[i]!], i + 1) });
  return set(config, 0) as Config;
}
