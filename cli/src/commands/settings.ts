import type { Command } from "commander";
import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema, type Value } from "@bufbuild/protobuf/wkt";
import { PluginSchema, PluginState, SettingSchema, SettingSource, SettingsAuditAction, SettingsAuditEntrySchema, SettingsSectionSchema, SettingType } from "@artenic/gen/artenic/admin/v1/setting_pb";
import { paginate } from "@artenic/sdk/node";
import { enumName, table, time, UsageError } from "../format.js";
import { action, collect, limitOption } from "../program.js";

const sectionOf = (scope: string, section: string) => `scopes/${scope}/sections/${section}`;

/** `section.key` (or `section.key=value`) into its parts. */
function splitKey(text: string): { section: string; key: string } {
  const m = /^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$/.exec(text);
  if (!m) throw new UsageError(`"${text}" is not <section>.<key>, e.g. auth.rate_limit_rps`);
  return { section: m[1]!, key: m[2]! };
}

/** A value as typed: JSON when it parses (numbers, true/false, ["a","b"]), else the text itself. */
function parseValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

const shown = (v: Value | undefined) => (v === undefined ? "" : JSON.stringify(toJson(ValueSchema, v)));
const source = (s: SettingSource) => enumName(SettingSource, s).toLowerCase();

export function registerSettingsCommands(program: Command): void {
  const settings = program.command("settings").description("runtime settings (needs an ADMIN key)");
  const scopeOption = ["--scope <scope>", "the settings scope", "global"] as const;

  settings
    .command("schema")
    .description("every section and key, with types, defaults and flags")
    .argument("[section]", "one section only")
    .option(...scopeOption)
    .action(
      action(async (ctx, [section], o: { scope: string }) => {
        const { sections } = await ctx.artenic.admin.getSettingsSchema({ scope: o.scope, section: section ?? "" });
        if (ctx.json) return ctx.printJson(sections.map((s) => ctx.messageJson(SettingsSectionSchema, s)));
        const rows = sections.flatMap((s) =>
          s.settings.map((d) => [`${s.name.split("/").pop()}.${d.key}`, enumName(SettingType, d.type).toLowerCase(), shown(d.defaultValue), d.envVar, d.restartRequired ? "restart" : "live", d.secret ? "secret" : ""]),
        );
        ctx.print(table(["key", "type", "default", "variable", "applies", ""], rows));
      }),
    );

  settings
    .command("list")
    .description("the values in effect and where each comes from (secrets masked)")
    .argument("[section]", "one section only (default: all)")
    .option(...scopeOption)
    .action(
      action(async (ctx, [section], o: { scope: string }) => {
        const res = await ctx.artenic.admin.listSettings({ parent: sectionOf(o.scope, section ?? "-") });
        if (ctx.json) return ctx.printJson(res.settings.map((s) => ctx.messageJson(SettingSchema, s)));
        const rows = res.settings.map((s) => {
          const [, , , sec, , key] = s.name.split("/");
          return [`${sec}.${key}`, shown(s.value), source(s.source), s.restartPending ? "restart pending" : "", time(s.updateTime), s.updater];
        });
        ctx.print(table(["key", "value", "source", "", "updated", "by"], rows));
      }),
    );

  settings
    .command("get")
    .description("one value in effect, where it comes from and whether it awaits a restart (secrets masked)")
    .argument("<key>", "<section>.<key>, e.g. auth.rate_limit_rps")
    .option(...scopeOption)
    .option("--value", "print only the value, as JSON (for scripts)")
    .action(
      action(async (ctx, [key], o: { scope: string; value?: boolean }) => {
        const { section, key: k } = splitKey(key!);
        const { setting } = await ctx.artenic.admin.getSetting({ name: `${sectionOf(o.scope, section)}/settings/${k}` });
        if (ctx.json) return ctx.printJson(ctx.messageJson(SettingSchema, setting!));
        if (o.value) return ctx.print(shown(setting!.value));
        const flags = [setting!.secret ? "secret" : "", setting!.restartRequired ? "applies after a restart" : "live", setting!.restartPending ? "restart pending" : ""];
        const updated = setting!.updateTime ? `, updated ${time(setting!.updateTime)} by ${setting!.updater}` : "";
        ctx.print(`${key} = ${shown(setting!.value)} (${source(setting!.source)}${updated}; ${flags.filter(Boolean).join(", ")})`);
      }),
    );

  settings
    .command("set")
    .description("store values of one section, all or none: artenic settings set auth.rate_limit_rps=500 auth.rate_limit_burst=1000")
    .argument("<assignments...>", "<section>.<key>=<value>; the value is JSON when it parses, else text")
    .option(...scopeOption)
    .option("--etag <etag>", "fail if the section changed since this etag")
    .option("--validate-only", "check and preview without storing")
    .action(
      action(async (ctx, assignments, o: { scope: string; etag?: string; validateOnly?: boolean }) => {
        const parsed = assignments.map((a) => {
          const eq = a.indexOf("=");
          if (eq < 0) throw new UsageError(`"${a}" is not <section>.<key>=<value>`);
          return { ...splitKey(a.slice(0, eq)), value: parseValue(a.slice(eq + 1)) };
        });
        const sections = new Set(parsed.map((p) => p.section));
        if (sections.size !== 1) throw new UsageError("one call changes one section; give keys of a single section");
        const [section] = sections;
        const res = await ctx.artenic.admin.updateSettings({
          parent: sectionOf(o.scope, section!),
          etag: o.etag ?? "",
          validateOnly: o.validateOnly === true,
          settings: parsed.map((p) => ({ key: p.key, value: toValue(p.value) })),
        });
        if (ctx.json) return ctx.printJson({ settings: res.settings.map((s) => ctx.messageJson(SettingSchema, s)), etag: res.etag });
        for (const p of parsed) {
          const s = res.settings.find((x) => x.name.endsWith(`/settings/${p.key}`))!;
          ctx.print(`${o.validateOnly ? "would set" : "set"} ${section}.${p.key} = ${shown(s.value)}${s.restartRequired ? " (applies after a restart)" : ""}`);
        }
      }),
    );

  settings
    .command("reset")
    .description("remove a stored value: back to the environment, file or built-in default")
    .argument("<key>", "<section>.<key>")
    .option(...scopeOption)
    .action(
      action(async (ctx, [key], o: { scope: string }) => {
        const { section, key: k } = splitKey(key!);
        const { setting } = await ctx.artenic.admin.resetSetting({ name: `${sectionOf(o.scope, section)}/settings/${k}` });
        if (ctx.json) return ctx.printJson(ctx.messageJson(SettingSchema, setting!));
        ctx.print(`reset ${key} = ${shown(setting!.value)} (${source(setting!.source)})`);
      }),
    );

  settings
    .command("audit")
    .description("who changed what and when, newest first (secrets masked)")
    .argument("[section]", "one section only (default: all)")
    .option(...scopeOption)
    .option("--filter <expr>", "e.g. 'key = \"level\"'")
    .addOption(limitOption())
    .action(
      action(async (ctx, [section], o: { scope: string; filter?: string; limit: number }) => {
        const parent = sectionOf(o.scope, section ?? "-");
        const entries = await collect(paginate((r) => ctx.artenic.admin.listSettingsAudit(r), { parent, pageSize: Math.min(o.limit, 1000), filter: o.filter ?? "" }), o.limit);
        if (ctx.json) return ctx.printJson(entries.map((e) => ctx.messageJson(SettingsAuditEntrySchema, e)));
        ctx.print(
          table(
            ["time", "key", "action", "old", "new", "by"],
            entries.map((e) => {
              const [, , , sec, , key] = e.setting.split("/");
              return [time(e.createTime), `${sec}.${key}`, enumName(SettingsAuditAction, e.action).toLowerCase(), shown(e.oldValue), shown(e.newValue), e.actor];
            }),
          ),
        );
      }),
    );

  program
    .command("plugins")
    .description("the plugins named in the server's configuration, loaded or skipped (needs an ADMIN key)")
    .command("list")
    .description("list them, with what each registered or why it was skipped")
    .action(
      action(async (ctx) => {
        const { plugins } = await ctx.artenic.admin.listPlugins({});
        if (ctx.json) return ctx.printJson(plugins.map((p) => ctx.messageJson(PluginSchema, p)));
        ctx.print(
          table(
            ["name", "package", "state", "registered", "error"],
            plugins.map((p) => [p.name, p.package, enumName(PluginState, p.state), [...p.providers, ...p.ensembleStrategies].join(", "), p.error]),
          ),
        );
      }),
    );
}

/** The value as a google.protobuf.Value, refusing JSON the settings never take (objects, null, mixed lists). */
function toValue(v: JsonValue): Value {
  const ok = typeof v === "string" || typeof v === "number" || typeof v === "boolean" || (Array.isArray(v) && v.every((i) => typeof i === "string"));
  if (!ok) throw new UsageError(`${JSON.stringify(v)} is not a string, a number, true/false or a list of strings`);
  return fromJson(ValueSchema, v);
}
