import { writeFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { ModelSchema, type Model } from "@artenic/gen/artenic/registry/v1/model_pb";
import { ArtifactFormat, ModelVersionSchema, ModelVersionStage, type ModelVersion } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { DataType, type TensorSpec } from "@artenic/gen/artenic/type/v1/tensor_pb";
import { modelName, modelVersionName, openArtifactFile, paginate } from "@artenic/sdk/node";
import { bytes, details, enumName, labels, parseEnum, ProgressBar, table, time, UsageError } from "../format.js";
import { action, collect, keyValues, limitOption, repeatable } from "../program.js";

export function registerRegistryCommands(program: Command): void {
  const models = program.command("models").description("registered models");

  models
    .command("list")
    .description("list models")
    .option("--filter <expr>", 'AIP-160 filter, e.g. \'framework = "sklearn"\'')
    .option("--order-by <fields>", "e.g. 'name' or 'create_time desc'")
    .addOption(limitOption())
    .action(
      action(async (ctx, _args, o: { filter?: string; orderBy?: string; limit: number }) => {
        const list = await collect(
          paginate((r) => ctx.artenic.registry.listModels(r), { pageSize: Math.min(o.limit, 1000), filter: o.filter ?? "", orderBy: o.orderBy ?? "" }),
          o.limit,
        );
        if (ctx.json) return ctx.printJson(list.map((m) => ctx.messageJson(ModelSchema, m)));
        ctx.print(
          table(
            ["name", "display name", "framework", "versions", "latest", "production", "created"],
            list.map((m) => [m.name, m.displayName, m.framework, String(m.versionCount), tail(m.latestVersion), tail(m.productionVersion), time(m.createTime)]),
          ),
        );
      }),
    );

  models
    .command("get")
    .description("show one model")
    .argument("<model>", "model id or models/{model}")
    .action(
      action(async (ctx, [model]) => {
        const { model: m } = await ctx.artenic.registry.getModel({ name: modelName(model!) });
        if (ctx.json) return ctx.printJson(ctx.messageJson(ModelSchema, m!));
        ctx.print(modelDetails(m!));
      }),
    );

  models
    .command("create")
    .description("register a model")
    .argument("<id>", "the new model's id: lowercase letters, digits and hyphens")
    .option("--display-name <name>")
    .option("--description <text>")
    .option("--framework <name>", "e.g. sklearn, pytorch")
    .option("--label <key=value>", "a label (repeatable)", repeatable, [])
    .action(
      action(async (ctx, [id], o: { displayName?: string; description?: string; framework?: string; label: string[] }) => {
        const { model } = await ctx.artenic.registry.createModel({
          modelId: id!,
          model: { displayName: o.displayName ?? "", description: o.description ?? "", framework: o.framework ?? "", labels: keyValues(o.label, "--label") },
        });
        if (ctx.json) return ctx.printJson(ctx.messageJson(ModelSchema, model!));
        ctx.print(`created ${model!.name}`);
      }),
    );

  models
    .command("delete")
    .description("delete a model")
    .argument("<model>", "model id or models/{model}")
    .option("--force", "also delete its versions and their artifacts")
    .action(
      action(async (ctx, [model], o: { force?: boolean }) => {
        const name = modelName(model!);
        await ctx.artenic.registry.deleteModel({ name, force: o.force === true });
        if (ctx.json) return ctx.printJson({ deleted: name });
        ctx.print(`deleted ${name}`);
      }),
    );

  const versions = program.command("versions").description("model versions and their artifacts");

  versions
    .command("list")
    .description("list the versions of a model (or of every model with '-')")
    .argument("<model>", "model id, models/{model}, or - for all models")
    .option("--filter <expr>", "e.g. 'stage = PRODUCTION'")
    .addOption(limitOption())
    .action(
      action(async (ctx, [model], o: { filter?: string; limit: number }) => {
        const list = await collect(
          paginate((r) => ctx.artenic.registry.listModelVersions(r), { parent: modelName(model!), pageSize: Math.min(o.limit, 1000), filter: o.filter ?? "" }),
          o.limit,
        );
        if (ctx.json) return ctx.printJson(list.map((v) => ctx.messageJson(ModelVersionSchema, v)));
        ctx.print(
          table(
            ["name", "stage", "aliases", "format", "size", "sha256", "created"],
            list.map((v) => [
              v.name,
              enumName(ModelVersionStage, v.stage),
              v.aliases.join(","),
              v.artifact ? enumName(ArtifactFormat, v.artifact.format) : "",
              v.artifact ? bytes(v.artifact.sizeBytes) : "",
              v.artifact?.sha256.slice(0, 12) ?? "",
              time(v.createTime),
            ]),
          ),
        );
      }),
    );

  versions
    .command("upload")
    .description("upload an artifact as a new version, streaming it with a progress bar")
    .argument("<model>", "model id or models/{model}")
    .argument("<file>", "the artifact, e.g. model.onnx")
    .option("--format <format>", "onnx or other (default: onnx for .onnx files, other otherwise)")
    .option("--description <text>")
    .option("--label <key=value>", "a label (repeatable)", repeatable, [])
    .option("--metric <name=value>", "a metric such as accuracy=0.93 (repeatable)", repeatable, [])
    .option("--param <key=value>", "a training parameter (repeatable)", repeatable, [])
    .option("--content-type <type>", "the media type")
    .option("--request-id <uuid>", "makes a retried upload return the first version")
    .option("--progress", "show progress even when stderr is not a terminal")
    .option("--no-progress", "never show progress")
    .action(
      action(
        async (
          ctx,
          [model, file],
          o: { format?: string; description?: string; label: string[]; metric: string[]; param: string[]; contentType?: string; requestId?: string; progress?: boolean },
        ) => {
          const source = await openArtifactFile(file!).catch((e: NodeJS.ErrnoException) => {
            throw new UsageError(`cannot read ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
          });
          const format = o.format ? parseEnum(ArtifactFormat, o.format, "format") : file!.toLowerCase().endsWith(".onnx") ? ArtifactFormat.ONNX : ArtifactFormat.OTHER;
          const metrics = Object.fromEntries(
            Object.entries(keyValues(o.metric, "--metric")).map(([k, v]) => {
              const n = Number(v);
              if (Number.isNaN(n)) throw new UsageError(`--metric ${k}=${v}: the value must be a number`);
              return [k, n];
            }),
          );
          const show = o.progress ?? (ctx.stderr.isTTY === true && !ctx.json);
          const bar = show ? new ProgressBar(ctx.stderr, `uploading ${basename(file!)}`) : undefined;
          const version = await ctx.artenic.uploadArtifact(modelName(model!), source, {
            format,
            sizeBytes: source.size,
            modelVersion: { description: o.description ?? "", labels: keyValues(o.label, "--label"), metrics, params: keyValues(o.param, "--param") },
            ...(o.contentType ? { contentType: o.contentType } : {}),
            ...(o.requestId ? { requestId: o.requestId } : {}),
            ...(bar ? { onProgress: (p) => bar.update(p.sentBytes, p.totalBytes) } : {}),
          });
          bar?.finish();
          if (ctx.json) return ctx.printJson(ctx.messageJson(ModelVersionSchema, version));
          ctx.print(versionDetails(version));
        },
      ),
    );

  versions
    .command("download")
    .description("download a version's artifact, checking its SHA-256")
    .argument("<version>", "models/{model}/versions/{n}, {model}/{n} or {model}@{n}")
    .argument("<file>", "where to write it")
    .option("--progress", "show progress even when stderr is not a terminal")
    .option("--no-progress", "never show progress")
    .action(
      action(async (ctx, [version, file], o: { progress?: boolean }) => {
        const name = versionArg(version!);
        const show = o.progress ?? (ctx.stderr.isTTY === true && !ctx.json);
        const bar = show ? new ProgressBar(ctx.stderr, `downloading ${name}`) : undefined;
        const { metadata, bytes: data } = await ctx.artenic.downloadArtifact(name, bar ? { onProgress: (p) => bar.update(p.receivedBytes, p.totalBytes) } : {});
        bar?.finish();
        await writeFile(file!, data);
        if (ctx.json) return ctx.printJson({ name, file, sizeBytes: String(metadata.sizeBytes), sha256: metadata.sha256 });
        ctx.print(`wrote ${file} (${bytes(metadata.sizeBytes)}, sha256 ${metadata.sha256})`);
      }),
    );

  versions
    .command("promote")
    .description("move a version to a stage (production by default)")
    .argument("<version>", "models/{model}/versions/{n}, {model}/{n} or {model}@{n}")
    .option("--stage <stage>", "none, staging, production or archived", "production")
    .option("--reason <text>", "recorded in the promotion history")
    .option("--keep-existing-production", "do not archive the model's other PRODUCTION versions")
    .action(
      action(async (ctx, [version], o: { stage: string; reason?: string; keepExistingProduction?: boolean }) => {
        const res = await ctx.artenic.registry.transitionModelVersionStage({
          name: versionArg(version!),
          stage: parseEnum(ModelVersionStage, o.stage, "stage"),
          reason: o.reason ?? "",
          keepExistingProduction: o.keepExistingProduction === true,
        });
        if (ctx.json) return ctx.printJson(ctx.messageJson(ModelVersionSchema, res.modelVersion!));
        ctx.print(`${res.modelVersion!.name} is now ${enumName(ModelVersionStage, res.modelVersion!.stage)}`);
      }),
    );

  versions
    .command("alias")
    .description("point an alias of a model at a version")
    .argument("<version>", "models/{model}/versions/{n}, {model}/{n} or {model}@{n}")
    .argument("<alias>", "e.g. champion")
    .option("--reason <text>", "recorded in the promotion history")
    .action(
      action(async (ctx, [version, alias], o: { reason?: string }) => {
        const name = versionArg(version!);
        const model = name.replace(/\/versions\/\d+$/, "");
        const res = await ctx.artenic.registry.setModelAlias({ name: model, alias: alias!, modelVersion: name, reason: o.reason ?? "" });
        if (ctx.json) return ctx.printJson(ctx.messageJson(ModelSchema, res.model!));
        ctx.print(`${model}@${alias} -> ${name}`);
      }),
    );
}

function versionArg(text: string): string {
  try {
    return modelVersionName(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function tail(name: string): string {
  return name.replace(/^models\/[^/]+\/versions\//, "v");
}

function modelDetails(m: Model): string {
  return details([
    ["name", m.name],
    ["display name", m.displayName],
    ["description", m.description],
    ["framework", m.framework],
    ["labels", labels(m.labels)],
    ["versions", String(m.versionCount)],
    ["latest", m.latestVersion],
    ["production", m.productionVersion],
    ["aliases", Object.entries(m.aliases).map(([a, v]) => `${a} -> ${v}`).join(", ")],
    ["created", time(m.createTime)],
    ["updated", time(m.updateTime)],
  ]);
}

function versionDetails(v: ModelVersion): string {
  const sig = v.signature;
  const tensors = (specs: readonly TensorSpec[]) =>
    specs.map((s) => `${s.name}: ${enumName(DataType, s.dataType).toLowerCase()}[${s.shape.map((d) => (d < 0n ? "?" : String(d))).join(",")}]`).join(", ");
  return details([
    ["name", v.name],
    ["stage", enumName(ModelVersionStage, v.stage)],
    ["format", v.artifact ? enumName(ArtifactFormat, v.artifact.format) : ""],
    ["size", v.artifact ? bytes(v.artifact.sizeBytes) : ""],
    ["sha256", v.artifact?.sha256 ?? ""],
    ["inputs", sig ? tensors(sig.inputs) : ""],
    ["outputs", sig ? tensors(sig.outputs) : ""],
    ["created", time(v.createTime)],
  ]);
}
