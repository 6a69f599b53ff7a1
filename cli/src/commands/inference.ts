import { readFile } from "node:fs/promises";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Command } from "commander";
import { ServiceSchema, ServiceState, type Service, type ServiceTarget, type ServiceTargetSchema } from "@artenic/gen/artenic/inference/v1/service_pb";
import { RowPredictionSchema, type RowPrediction } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import type { InferTensor } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import { modelName, modelVersionName, ensembleName, paginate, serviceName } from "@artenic/sdk/node";
import { Code } from "@connectrpc/connect";
import type { Context } from "../context.js";
import { details, duration, enumName, labels, num, table, time, UsageError } from "../format.js";
import { parseCsv, parseJson, toPredictRows } from "../input.js";
import { action, collect, keyValues, limitOption, positiveInt, repeatable } from "../program.js";

interface TargetOptions {
  modelVersion?: string;
  alias?: string;
  production?: string;
  ensemble?: string;
}

export function registerInferenceCommands(program: Command): void {
  const services = program.command("services").description("services: named deployments that answer predictions");

  services
    .command("list")
    .description("list services")
    .option("--filter <expr>", "e.g. 'state = SERVING'")
    .addOption(limitOption())
    .action(
      action(async (ctx, _args, o: { filter?: string; limit: number }) => {
        const list = await collect(paginate((r) => ctx.artenic.inference.listServices(r), { pageSize: Math.min(o.limit, 1000), filter: o.filter ?? "" }), o.limit);
        if (ctx.json) return ctx.printJson(list.map((s) => ctx.messageJson(ServiceSchema, s)));
        ctx.print(
          table(
            ["name", "state", "target", "resolved", "a/b test", "canary", "updated"],
            list.map((s) => [s.name, enumName(ServiceState, s.state), targetText(s.target), s.resolvedModelVersion || s.resolvedEnsembleSnapshot, s.activeAbTest, s.activeCanaryRollout, time(s.updateTime)]),
          ),
        );
      }),
    );

  services
    .command("get")
    .description("show one service")
    .argument("<service>", "service id or services/{service}")
    .action(
      action(async (ctx, [service]) => {
        const { service: s } = await ctx.artenic.inference.getService({ name: serviceName(service!) });
        if (ctx.json) return ctx.printJson(ctx.messageJson(ServiceSchema, s!));
        ctx.print(serviceDetails(s!));
      }),
    );

  const withTarget = (c: Command) =>
    c
      .option("--model-version <version>", "pin a version: {model}/{n}, {model}@{n} or models/{model}/versions/{n}")
      .option("--alias <model@alias>", "follow an alias, e.g. iris@champion")
      .option("--production <model>", "follow the model's PRODUCTION version")
      .option("--ensemble <ensemble>", "answer with an ensemble")
      .option("--wait", "wait until the service is SERVING (or FAILED)");

  withTarget(
    services
      .command("create")
      .description("create a service bound to a target (exactly one of --model-version, --alias, --production, --ensemble)")
      .argument("<id>", "the new service's id")
      .option("--display-name <name>")
      .option("--description <text>")
      .option("--label <key=value>", "a label (repeatable)", repeatable, []),
  ).action(
    action(async (ctx, [id], o: TargetOptions & { displayName?: string; description?: string; label: string[]; wait?: boolean }) => {
      const target = parseTarget(o);
      let { service } = await ctx.artenic.inference.createService({
        serviceId: id!,
        service: { target, displayName: o.displayName ?? "", description: o.description ?? "", labels: keyValues(o.label, "--label") },
      });
      if (o.wait) service = await waitServing(ctx, service!.name);
      if (ctx.json) return ctx.printJson(ctx.messageJson(ServiceSchema, service!));
      ctx.print(`created ${service!.name} (${enumName(ServiceState, service!.state)})${service!.stateMessage ? `: ${service!.stateMessage}` : ""}`);
      return service!.state === ServiceState.FAILED ? 1 : 0;
    }),
  );

  withTarget(
    services
      .command("set-target")
      .description("re-point a service atomically (exactly one of --model-version, --alias, --production, --ensemble)")
      .argument("<service>", "service id or services/{service}")
      .option("--reason <text>", "kept in the target history"),
  ).action(
    action(async (ctx, [service], o: TargetOptions & { reason?: string; wait?: boolean }) => {
      let { service: s } = await ctx.artenic.inference.setServiceTarget({ name: serviceName(service!), target: parseTarget(o), reason: o.reason ?? "" });
      if (o.wait) s = await waitServing(ctx, s!.name);
      if (ctx.json) return ctx.printJson(ctx.messageJson(ServiceSchema, s!));
      ctx.print(`${s!.name} -> ${targetText(s!.target)} (${s!.resolvedModelVersion || s!.resolvedEnsembleSnapshot}, ${enumName(ServiceState, s!.state)})`);
    }),
  );

  program
    .command("predict")
    .description("predict the rows of a CSV, JSON or JSON Lines file ('-' reads stdin) with PredictBatch, or StreamPredict with --stream")
    .argument("<service>", "service id or services/{service}")
    .argument("<file>", "rows: CSV (header optional), a JSON array, {\"rows\": [...]}, or JSON Lines")
    .option("--format <format>", "csv or json (default: from the file extension)")
    .option("--input <name>", "the model input that row lists feed (default: the model's first input)")
    .option("--stream", "use bidirectional StreamPredict instead of PredictBatch")
    .option("--rows-per-message <n>", "rows per StreamPredict message or per PredictBatch call", positiveInt("--rows-per-message"))
    .option("--routing-key <key>", "sticky A/B assignment key")
    .option("--output <name>", "an output to return (repeatable; default all)", repeatable, [])
    .action(
      action(
        async (ctx, [service, file], o: { format?: string; input?: string; stream?: boolean; rowsPerMessage?: number; routingKey?: string; output: string[] }) => {
          const name = serviceName(service!);
          const text = await readInput(file!);
          const { service: s } = await ctx.artenic.inference.getService({ name });
          const inputs = s?.signature?.inputs ?? [];
          const defaultInput = o.input ?? inputs[0]?.name ?? "input";
          const format = (o.format ?? (/\.csv$/i.test(file!) ? "csv" : /\.(json|jsonl|ndjson)$/i.test(file!) ? "json" : sniff(text))).toLowerCase();
          if (format !== "csv" && format !== "json") throw new UsageError(`--format must be csv or json, got "${o.format}"`);
          const raw = format === "csv" ? parseCsv(text, inputs, defaultInput) : parseJson(text, defaultInput);
          if (raw.length === 0) throw new UsageError(`${file} has no rows`);
          const rows = toPredictRows(raw, inputs);
          const results: RowPrediction[] = [];
          const started = performance.now();
          if (o.stream) {
            for await (const r of ctx.artenic.streamPredict(name, rows, {
              ...(o.rowsPerMessage ? { rowsPerMessage: o.rowsPerMessage } : {}),
              ...(o.routingKey ? { routingKey: o.routingKey } : {}),
              ...(o.output.length ? { outputNames: o.output } : {}),
            })) {
              results.push(r);
            }
          } else {
            const per = Math.min(10_000, o.rowsPerMessage ?? 10_000);
            for (let i = 0; i < rows.length; i += per) {
              const res = await ctx.artenic.inference.predictBatch({ service: name, rows: rows.slice(i, i + per), routingKey: o.routingKey ?? "", outputNames: o.output });
              // Indexes restart with each call: make them positions in the file.
              for (const r of res.results) results.push({ ...r, index: r.index + BigInt(i) });
            }
          }
          const elapsed = performance.now() - started;
          const failed = results.filter((r) => (r.status?.code ?? 0) !== 0).length;
          if (ctx.json) {
            ctx.printJson(results.map((r) => ctx.messageJson(RowPredictionSchema, r)));
          } else {
            ctx.print(
              table(
                ["row", "prediction", "confidence", "model version", "status"],
                results.map((r) => [String(r.index), predictionText(r), r.classification ? num(r.classification.confidence, 3) : "", r.modelVersion || r.ensembleSnapshot, statusText(r)]),
              ),
            );
            ctx.print(`${results.length} rows, ${failed} failed, ${elapsed.toFixed(1)} ms${o.stream ? " (StreamPredict)" : ""}`);
          }
          return failed > 0 ? 1 : 0;
        },
      ),
    );
}

function sniff(text: string): string {
  const t = text.trimStart();
  return t.startsWith("[") || t.startsWith("{") ? "json" : "csv";
}

async function readInput(file: string): Promise<string> {
  try {
    if (file === "-") {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    }
    return await readFile(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${file}: ${err.code === "ENOENT" ? "no such file" : err.message}`);
  }
}

function parseTarget(o: TargetOptions): MessageInitShape<typeof ServiceTargetSchema> {
  const given = [o.modelVersion, o.alias, o.production, o.ensemble].filter((v) => v !== undefined);
  if (given.length !== 1) throw new UsageError("give exactly one target: --model-version, --alias, --production or --ensemble");
  if (o.modelVersion !== undefined) {
    try {
      return { target: { case: "modelVersion", value: modelVersionName(o.modelVersion) } };
    } catch (e) {
      throw new UsageError(`--model-version: ${(e as Error).message}`);
    }
  }
  if (o.alias !== undefined) {
    const m = /^(.+)@([a-z][a-z0-9_-]*)$/.exec(o.alias);
    if (!m) throw new UsageError(`--alias expects model@alias, got "${o.alias}"`);
    return { target: { case: "modelAlias", value: { model: modelName(m[1]!), alias: m[2]! } } };
  }
  if (o.production !== undefined) return { target: { case: "modelStage", value: { model: modelName(o.production) } } };
  return { target: { case: "ensemble", value: ensembleName(o.ensemble!) } };
}

async function waitServing(ctx: Context, name: string): Promise<Service> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { service } = await ctx.artenic.inference.getService({ name });
    if (service!.state !== ServiceState.LOADING || Date.now() > deadline) return service!;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function targetText(t: ServiceTarget | undefined): string {
  switch (t?.target.case) {
    case "modelVersion":
      return t.target.value;
    case "modelAlias":
      return `${t.target.value.model}@${t.target.value.alias}`;
    case "modelStage":
      return `${t.target.value.model} (production)`;
    case "ensemble":
      return t.target.value;
    default:
      return "";
  }
}

function serviceDetails(s: Service): string {
  const sig = s.signature;
  return details([
    ["name", s.name],
    ["state", `${enumName(ServiceState, s.state)}${s.stateMessage ? ` (${s.stateMessage})` : ""}`],
    ["target", targetText(s.target)],
    ["resolved", s.resolvedModelVersion || s.resolvedEnsembleSnapshot],
    ["inputs", sig ? sig.inputs.map((i) => i.name).join(", ") : ""],
    ["outputs", sig ? sig.outputs.map((i) => i.name).join(", ") : ""],
    ["a/b test", s.activeAbTest],
    ["canary", s.activeCanaryRollout],
    ["batching", s.batching ? `${s.batching.enabled ? "on" : "off"}, max ${s.batching.maxBatchSize}, wait ${duration(s.batching.maxWait)}` : ""],
    ["labels", labels(s.labels)],
    ["created", time(s.createTime)],
    ["target since", time(s.targetUpdateTime)],
  ]);
}

function statusText(r: RowPrediction): string {
  const code = r.status?.code ?? 0;
  if (code === 0) return "OK";
  return `${(Code[code] ?? String(code)).replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}: ${r.status?.message ?? ""}`;
}

function predictionText(r: RowPrediction): string {
  if ((r.status?.code ?? 0) !== 0) return "";
  if (r.classification) return r.classification.label;
  return r.outputs.map((t) => `${r.outputs.length > 1 ? `${t.name}=` : ""}${tensorText(t)}`).join(" ");
}

function tensorText(t: InferTensor): string {
  const c = t.contents;
  if (c.case === undefined || c.case === "rawContents") return c.case ? `<${c.value.byteLength} bytes>` : "";
  const values = (c.value as { values: readonly unknown[] }).values.map((v) => (typeof v === "number" ? num(v) : String(v)));
  return values.length === 1 ? values[0]! : `[${values.slice(0, 6).join(", ")}${values.length > 6 ? ", …" : ""}]`;
}
