import type { Command } from "commander";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ApiKeySchema, ApiKeyScope, ApiKeyState } from "@artenic/gen/artenic/admin/v1/api_key_pb";
import { apiKeyName, paginate } from "@artenic/sdk/node";
import { enumName, labels, parseEnum, table, time, UsageError } from "../format.js";
import { action, collect, keyValues, limitOption, repeatable } from "../program.js";
import { parseDurationMs } from "./operations.js";

export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("API keys (needs an ADMIN key)");

  keys
    .command("create")
    .description("create an API key; its secret is shown once")
    .requiredOption("--name <display-name>", "what the key is for")
    .option("--scope <scope>", "read, write or admin (repeatable; default read)", repeatable, [])
    .option("--rps <n>", "rate limit in requests per second")
    .option("--burst <n>", "rate limit burst")
    .option("--expires-in <duration>", "e.g. 30d, 12h")
    .option("--label <key=value>", "a label (repeatable)", repeatable, [])
    .action(
      action(async (ctx, _args, o: { name: string; scope: string[]; rps?: string; burst?: string; expiresIn?: string; label: string[] }) => {
        const scopes = (o.scope.length ? o.scope : ["read"]).map((s) => parseEnum(ApiKeyScope, s, "scope"));
        if ((o.rps === undefined) !== (o.burst === undefined)) throw new UsageError("give --rps and --burst together");
        const res = await ctx.artenic.admin.createApiKey({
          apiKey: {
            displayName: o.name,
            scopes,
            labels: keyValues(o.label, "--label"),
            ...(o.rps !== undefined ? { rateLimit: { requestsPerSecond: Number(o.rps), burst: Number(o.burst) } } : {}),
            ...(o.expiresIn ? { expireTime: timestampFromMs(Date.now() + parseDurationMs(o.expiresIn)) } : {}),
          },
        });
        if (ctx.json) return ctx.printJson({ apiKey: ctx.messageJson(ApiKeySchema, res.apiKey!), secret: res.secret });
        ctx.print(`created ${res.apiKey!.name} (${res.apiKey!.scopes.map((s) => enumName(ApiKeyScope, s).toLowerCase()).join(", ")})`);
        ctx.print(`secret (shown only now): ${res.secret}`);
      }),
    );

  keys
    .command("list")
    .description("list API keys (never their secrets)")
    .option("--filter <expr>", "e.g. 'state = ACTIVE'")
    .addOption(limitOption())
    .action(
      action(async (ctx, _args, o: { filter?: string; limit: number }) => {
        const list = await collect(paginate((r) => ctx.artenic.admin.listApiKeys(r), { pageSize: Math.min(o.limit, 1000), filter: o.filter ?? "" }), o.limit);
        if (ctx.json) return ctx.printJson(list.map((k) => ctx.messageJson(ApiKeySchema, k)));
        ctx.print(
          table(
            ["name", "display name", "prefix", "scopes", "state", "last used", "expires", "labels"],
            list.map((k) => [
              k.name,
              k.displayName,
              k.keyPrefix,
              k.scopes.map((s) => enumName(ApiKeyScope, s).toLowerCase()).join(","),
              enumName(ApiKeyState, k.state),
              time(k.lastUseTime),
              time(k.expireTime),
              labels(k.labels),
            ]),
          ),
        );
      }),
    );

  keys
    .command("revoke")
    .description("revoke an API key at once")
    .argument("<key>", "key id or apiKeys/{api_key}")
    .action(
      action(async (ctx, [key]) => {
        const { apiKey } = await ctx.artenic.admin.revokeApiKey({ name: apiKeyName(key!) });
        if (ctx.json) return ctx.printJson(ctx.messageJson(ApiKeySchema, apiKey!));
        ctx.print(`revoked ${apiKey!.name}`);
      }),
    );
}
