import type { Command } from "commander";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { ABTestSchema, ABTestResultsSchema, ABTestState, ComparisonVerdict } from "@artenic/gen/artenic/abtest/v1/ab_test_pb";
import { EnsembleSchema, EnsembleStrategy, EnsembleTask, type Ensemble } from "@artenic/gen/artenic/ensemble/v1/ensemble_pb";
import { BudgetSchema, BudgetEnforcement, BudgetPeriod, BudgetScopeKind } from "@artenic/gen/artenic/budget/v1/budget_pb";
import { TrainingJobSchema, TrainingJobState, PlacementStrategy, type TrainingJob } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { TrainingLogStream, WatchTrainingJobResponseSchema } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { TrainEnsembleMembersResponseSchema } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import { abTestName, ensembleName, modelName, modelVersionName, paginate, terminalTrainingJobStates, trainingJobName } from "@artenic/sdk/node";
import type { Context } from "../context.js";
import { details, duration, enumName, labels, money, num, parseEnum, shortTime, table, time, UsageError } from "../format.js";
import { action, collect, keyValues, limitOption, positiveInt, repeatable } from "../program.js";

export function registerOperationsCommands(program: Command): void {
  registerAbTests(program);
  registerEnsembles(program);
  registerTraining(program);
  registerBudgets(program);
}

function registerAbTests(program: Command): void {
  const abTests = program.command("ab-tests").description("A/B tests and their statistics");

  abTests
    .command("list")
    .description("list A/B tests")
    .option("--filter <expr>", "e.g. 'state = RUNNING'")
    .addOption(limitOption())
    .action(
      action(async (ctx, _args, o: { filter?: string; limit: number }) => {
        const list = await collect(paginate((r) => ctx.artenic.abTests.listABTests(r), { pageSize: Math.min(o.limit, 1000), filter: o.filter ?? "" }), o.limit);
        if (ctx.json) return ctx.printJson(list.map((t) => ctx.messageJson(ABTestSchema, t)));
        ctx.print(
          table(
            ["name", "service", "state", "variants", "winner", "created"],
            list.map((t) => [
              t.name,
              t.service,
              enumName(ABTestState, t.state),
              t.variants.map((v) => `${v.variantId}:${v.weight}${v.control ? "*" : ""}${v.shadow ? "(shadow)" : ""}`).join(" "),
              t.winnerVariantId,
              time(t.createTime),
            ]),
          ),
        );
      }),
    );

  abTests
    .command("results")
    .description("show the statistics of an A/B test per variant, against the control")
    .argument("<ab-test>", "A/B test id or abTests/{ab_test}")
    .action(
      action(async (ctx, [id]) => {
        const { results } = await ctx.artenic.abTests.getABTestResults({ name: abTestName(id!) });
        if (ctx.json) return ctx.printJson(ctx.messageJson(ABTestResultsSchema, results!));
        const r = results!;
        ctx.print(
          `${r.abTest}  ${enumName(ABTestState, r.state)}  confidence ${num(r.confidenceLevel * 100, 3)}%  min samples ${r.minSamplesPerVariant}${r.primaryMetric ? `  metric ${r.primaryMetric.name}` : ""}`,
        );
        ctx.print(
          table(
            ["variant", "role", "samples", "feedback", "mean", "std", "error rate", "p50/p95/p99 ms", "lift [95% CI]", "p-value", "verdict"],
            r.variants.map((v) => {
              const c = v.comparison;
              const lift = c?.lift !== undefined ? `${pct(c.lift)} [${pct(c.liftCiLow ?? 0)}, ${pct(c.liftCiHigh ?? 0)}]` : c ? `${num(c.difference)} [${num(c.differenceCiLow)}, ${num(c.differenceCiHigh)}]` : "";
              return [
                v.variantId,
                v.control ? "control" : v.shadow ? "shadow" : "",
                String(v.sampleCount),
                String(v.feedbackCount),
                num(v.mean),
                num(v.stdDev),
                pct(v.errorRate),
                `${num(v.latencyP50Ms, 3)}/${num(v.latencyP95Ms, 3)}/${num(v.latencyP99Ms, 3)}`,
                lift,
                c ? num(c.pValue, 3) : "",
                c ? enumName(ComparisonVerdict, c.verdict) : "",
              ];
            }),
          ),
        );
        if (!r.enoughSamples) ctx.print(`not enough samples yet: ${r.notEnoughSamplesMessage || r.variantsLackingSamples.join(", ")}`);
      }),
    );
}

function pct(v: number): string {
  return `${(v * 100).toFixed(2)}%`;
}

function registerEnsembles(program: Command): void {
  const ensembles = program.command("ensembles").description("ensembles of model versions");

  ensembles
    .command("list")
    .description("list ensembles")
    .addOption(limitOption())
    .action(
      action(async (ctx, _args, o: { limit: number }) => {
        const list = await collect(paginate((r) => ctx.artenic.ensembles.listEnsembles(r), { pageSize: Math.min(o.limit, 1000) }), o.limit);
        if (ctx.json) return ctx.printJson(list.map((e) => ctx.messageJson(EnsembleSchema, e)));
        ctx.print(
          table(
            ["name", "task", "strategy", "members", "quorum", "version", "snapshot"],
            list.map((e) => [e.name, enumName(EnsembleTask, e.task), enumName(EnsembleStrategy, e.strategy), String(e.members.length), String(e.quorum), String(e.version), e.currentSnapshot]),
          ),
        );
      }),
    );

  ensembles
    .command("create")
    .description("create an ensemble of model versions")
    .argument("<ensemble>", "the new ensemble's id")
    .requiredOption("--member <version[=weight]>", "a member, e.g. iris/3 or models/iris/versions/3=2 (repeatable)", repeatable, [])
    .option("--task <task>", "classification or regression", "classification")
    .option("--strategy <strategy>", "e.g. weighted-average, majority-vote, stacking, dynamic-weighting", "weighted-average")
    .option("--quorum <n>", "members that must answer (default: all)", positiveInt("--quorum"))
    .option("--display-name <name>")
    .option("--label <key=value>", "a label (repeatable)", repeatable, [])
    .option("--request-id <uuid>", "makes a retried create return the first ensemble")
    .action(
      action(async (ctx, [id], o: { member: string[]; task: string; strategy: string; quorum?: number; displayName?: string; label: string[]; requestId?: string }) => {
        if (o.member.length === 0) throw new UsageError("give at least one --member");
        const members = o.member.map((m) => {
          const i = m.lastIndexOf("=");
          const version = i > 0 ? m.slice(0, i) : m;
          return { modelVersion: modelVersionName(version), weight: i > 0 ? number(m.slice(i + 1), "--member weight") : 0 };
        });
        const { ensemble } = await ctx.artenic.ensembles.createEnsemble({
          ensembleId: id!,
          requestId: o.requestId ?? "",
          ensemble: {
            displayName: o.displayName ?? "",
            labels: keyValues(o.label, "--label"),
            task: parseEnum(EnsembleTask, o.task, "task"),
            strategy: parseEnum(EnsembleStrategy, o.strategy, "strategy"),
            members,
            quorum: o.quorum ?? 0,
          },
        });
        if (ctx.json) return ctx.printJson(ctx.messageJson(EnsembleSchema, ensemble!));
        ctx.print(ensembleDetails(ensemble!));
      }),
    );

  ensembles
    .command("train")
    .description("retrain members as one group of training jobs; the command line goes after '--' (or use --command)")
    .argument("<ensemble>", "ensemble id or ensembles/{ensemble}")
    .argument("[argv...]", "the executable and its arguments, after --")
    .option("--member <version>", "a member to retrain (repeatable; default: every member)", repeatable, [])
    .option("--image <image>", "container image to run")
    .option("--command <line>", "a shell line, run as sh -c '<line>'")
    .option("--env <KEY=VALUE>", "an environment variable (repeatable)", repeatable, [])
    .option("--hp <key=value>", "a hyperparameter (repeatable)", repeatable, [])
    .option("--label <key=value>", "a label on every job (repeatable)", repeatable, [])
    .option("--provider <provider>", "pin a provider, e.g. local")
    .option("--spot", "run on spot/preemptible capacity")
    .option("--max-runtime <duration>", "per job, e.g. 2h, 30m")
    .option("--replace-members", "once every job succeeded, replace the members with the versions they registered")
    .option("--request-id <uuid>", "makes a retried call return the first group")
    .action(
      action(async (ctx, [id, ...argv], o: { member: string[]; image?: string; command?: string; env: string[]; hp: string[]; label: string[]; provider?: string; spot?: boolean; maxRuntime?: string; replaceMembers?: boolean; requestId?: string }) => {
        const command = o.command !== undefined ? ["sh", "-c", o.command] : argv;
        if (command.length === 0 && !o.image) throw new UsageError("give the command after '--', or --command, or --image");
        const response = await ctx.artenic.ensembles.trainEnsembleMembers({
          name: ensembleName(id!),
          modelVersions: o.member.map((m) => modelVersionName(m)),
          replaceMembers: o.replaceMembers === true,
          requestId: o.requestId ?? "",
          template: {
            image: o.image ?? "",
            command,
            env: keyValues(o.env, "--env"),
            hyperparameters: keyValues(o.hp, "--hp"),
            labels: keyValues(o.label, "--label"),
            provider: o.provider ? `providers/${o.provider.replace(/^providers\//, "")}` : "",
            spot: o.spot === true,
            ...(o.maxRuntime ? { maxRuntime: durationFromMs(parseDurationMs(o.maxRuntime)) } : {}),
          },
        });
        if (ctx.json) return ctx.printJson(ctx.messageJson(TrainEnsembleMembersResponseSchema, response));
        ctx.print(`training group ${response.trainingGroup}${o.replaceMembers ? " (members are replaced when every job succeeded)" : ""}`);
        ctx.print(table(["member", "training job"], response.jobs.map((j) => [j.modelVersion, j.trainingJob])));
      }),
    );

  ensembles
    .command("get")
    .description("show an ensemble and its members")
    .argument("<ensemble>", "ensemble id or ensembles/{ensemble}")
    .action(
      action(async (ctx, [id]) => {
        const { ensemble } = await ctx.artenic.ensembles.getEnsemble({ name: ensembleName(id!) });
        if (ctx.json) return ctx.printJson(ctx.messageJson(EnsembleSchema, ensemble!));
        ctx.print(ensembleDetails(ensemble!));
      }),
    );
}

function ensembleDetails(e: Ensemble): string {
  return (
    details([
      ["name", e.name],
      ["display name", e.displayName],
      ["task", enumName(EnsembleTask, e.task)],
      ["strategy", enumName(EnsembleStrategy, e.strategy)],
      ["quorum", String(e.quorum)],
      ["member timeout", duration(e.memberTimeout)],
      ["version", String(e.version)],
      ["snapshot", e.currentSnapshot],
      ["labels", labels(e.labels)],
      ["created", time(e.createTime)],
    ]) +
    "\n" +
    table(
      ["member", "weight", "effective", "observations", "accuracy", "abs error", "failures"],
      e.members.map((m) => [m.modelVersion, num(m.weight), num(m.effectiveWeight), String(m.observationCount), num(m.runningAccuracy), num(m.runningAbsoluteError), String(m.failureCount)]),
    )
  );
}

interface DispatchOptions {
  id?: string;
  displayName?: string;
  image?: string;
  command?: string;
  arg: string[];
  env: string[];
  hp: string[];
  label: string[];
  codeArtifact?: string;
  codePath?: string;
  codeUri?: string;
  provider?: string;
  region?: string;
  instanceType?: string;
  strategy?: string;
  cpus?: string;
  memory?: string;
  gpuType?: string;
  gpuCount?: number;
  spot?: boolean;
  maxRuntime?: string;
  outputModel?: string;
  requestId?: string;
  watch?: boolean;
}

function registerTraining(program: Command): void {
  const training = program.command("training").description("training jobs");

  training
    .command("dispatch")
    .description("create a training job; the command line goes after '--' (or use --command for a shell line)")
    .argument("[argv...]", "the executable and its arguments, after --")
    .option("--id <id>", "the job id (default: chosen by the server)")
    .option("--display-name <name>")
    .option("--image <image>", "container image to run")
    .option("--command <line>", "a shell line, run as sh -c '<line>'")
    .option("--arg <arg>", "an argument appended after the command (repeatable)", repeatable, [])
    .option("--env <KEY=VALUE>", "an environment variable (repeatable)", repeatable, [])
    .option("--hp <key=value>", "a hyperparameter (repeatable)", repeatable, [])
    .option("--label <key=value>", "a label (repeatable)", repeatable, [])
    .option("--code-artifact <version>", "code stored in the registry as a model version")
    .option("--code-path <path>", "code in a directory on the server host (under its code roots)")
    .option("--code-uri <uri>", "code in an archive at an https://, s3:// or gs:// URI")
    .option("--provider <provider>", "pin a provider, e.g. local")
    .option("--region <region>")
    .option("--instance-type <type>")
    .option("--strategy <strategy>", "automatic placement: cheapest or fastest")
    .option("--cpus <n>")
    .option("--memory <size>", "e.g. 4GiB, 512MiB")
    .option("--gpu-type <type>")
    .option("--gpu-count <n>", "GPUs", positiveInt("--gpu-count"))
    .option("--spot", "run on spot/preemptible capacity")
    .option("--max-runtime <duration>", "e.g. 2h, 30m")
    .option("--output-model <model>", "register the produced model.onnx as a new version of this model")
    .option("--request-id <uuid>", "makes a retried dispatch return the first job")
    .option("--watch", "follow the job until it ends")
    .action(
      action(async (ctx, argv, o: DispatchOptions) => {
        const command = o.command !== undefined ? ["sh", "-c", o.command] : argv;
        if (command.length === 0 && !o.image) throw new UsageError("give the command after '--', or --command, or --image");
        const codes = [o.codeArtifact, o.codePath, o.codeUri].filter((c) => c !== undefined);
        if (codes.length > 1) throw new UsageError("give at most one of --code-artifact, --code-path, --code-uri");
        const code = o.codeArtifact
          ? { source: { case: "artifact" as const, value: modelVersionName(o.codeArtifact) } }
          : o.codePath
            ? { source: { case: "localPath" as const, value: o.codePath } }
            : o.codeUri
              ? { source: { case: "uri" as const, value: o.codeUri } }
              : undefined;
        const { trainingJob, warnings } = await ctx.artenic.training.createTrainingJob({
          trainingJobId: o.id ?? "",
          requestId: o.requestId ?? "",
          trainingJob: {
            displayName: o.displayName ?? "",
            labels: keyValues(o.label, "--label"),
            spec: {
              image: o.image ?? "",
              command,
              args: o.arg,
              env: keyValues(o.env, "--env"),
              hyperparameters: keyValues(o.hp, "--hp"),
              ...(code ? { code } : {}),
              resources: {
                ...(o.cpus ? { cpus: number(o.cpus, "--cpus") } : {}),
                ...(o.memory ? { memoryBytes: parseBytes(o.memory) } : {}),
                gpuType: o.gpuType ?? "",
                gpuCount: o.gpuCount ?? 0,
              },
              placement: {
                provider: o.provider ? `providers/${o.provider.replace(/^providers\//, "")}` : "",
                region: o.region ?? "",
                instanceType: o.instanceType ?? "",
                strategy: o.strategy ? parseEnum(PlacementStrategy, o.strategy, "strategy") : PlacementStrategy.UNSPECIFIED,
              },
              spot: o.spot === true,
              ...(o.maxRuntime ? { maxRuntime: durationFromMs(parseDurationMs(o.maxRuntime)) } : {}),
              ...(o.outputModel ? { output: { model: modelName(o.outputModel) } } : {}),
            },
          },
        });
        for (const w of warnings) ctx.stderr.write(`warning: ${w}\n`);
        if (o.watch) return watch(ctx, trainingJob!.name);
        if (ctx.json) return ctx.printJson(ctx.messageJson(TrainingJobSchema, trainingJob!));
        ctx.print(`dispatched ${trainingJob!.name} (${enumName(TrainingJobState, trainingJob!.state)}${trainingJob!.estimatedCost ? `, estimate ${money(trainingJob!.estimatedCost)}` : ""})`);
      }),
    );

  training
    .command("watch")
    .description("follow a job live: state changes, metrics and log lines, until it ends (exit 0 only if it SUCCEEDED)")
    .argument("<job>", "job id or trainingJobs/{training_job}")
    .option("--tail <n>", "log lines to show from before now", positiveInt("--tail"))
    .action(action(async (ctx, [job], o: { tail?: number }) => watch(ctx, trainingJobName(job!), o.tail)));

  training
    .command("cancel")
    .description("cancel a job")
    .argument("<job>", "job id or trainingJobs/{training_job}")
    .option("--reason <text>")
    .action(
      action(async (ctx, [job], o: { reason?: string }) => {
        const { trainingJob } = await ctx.artenic.training.cancelTrainingJob({ name: trainingJobName(job!), reason: o.reason ?? "" });
        if (ctx.json) return ctx.printJson(ctx.messageJson(TrainingJobSchema, trainingJob!));
        ctx.print(`${trainingJob!.name} is ${enumName(TrainingJobState, trainingJob!.state)}`);
      }),
    );

  training
    .command("list")
    .description("list training jobs")
    .option("--filter <expr>", "e.g. 'state = RUNNING'")
    .addOption(limitOption())
    .action(
      action(async (ctx, _args, o: { filter?: string; limit: number }) => {
        const list = await collect(paginate((r) => ctx.artenic.training.listTrainingJobs(r), { pageSize: Math.min(o.limit, 1000), filter: o.filter ?? "" }), o.limit);
        if (ctx.json) return ctx.printJson(list.map((j) => ctx.messageJson(TrainingJobSchema, j)));
        ctx.print(
          table(
            ["name", "state", "provider", "instance", "estimate", "actual", "created"],
            list.map((j) => [
              j.name,
              enumName(TrainingJobState, j.state),
              j.providerJob?.provider ?? "",
              j.providerJob?.instanceType ?? "",
              money(j.estimatedCost),
              money(j.actualCost),
              time(j.createTime),
            ]),
          ),
        );
      }),
    );

  training
    .command("get")
    .description("show a training job")
    .argument("<job>", "job id or trainingJobs/{training_job}")
    .action(
      action(async (ctx, [job]) => {
        const { trainingJob } = await ctx.artenic.training.getTrainingJob({ name: trainingJobName(job!) });
        if (ctx.json) return ctx.printJson(ctx.messageJson(TrainingJobSchema, trainingJob!));
        ctx.print(jobDetails(trainingJob!));
      }),
    );
}

/** Streams WatchTrainingJob to the terminal; the exit code says whether the job succeeded. */
async function watch(ctx: Context, name: string, tail?: number): Promise<number> {
  let last: TrainingJob | undefined;
  for await (const message of ctx.artenic.training.watchTrainingJob({ name, ...(tail ? { logTailLines: tail } : {}) })) {
    if (ctx.json) {
      if (message.event.case !== "heartbeat") ctx.printJsonLine(ctx.messageJson(WatchTrainingJobResponseSchema, message));
      if (message.event.case === "trainingJob") last = message.event.value;
      continue;
    }
    switch (message.event.case) {
      case "trainingJob": {
        const job = message.event.value;
        if (!last || last.state !== job.state || last.stateMessage !== job.stateMessage) {
          const where = job.providerJob ? ` on ${job.providerJob.provider.replace(/^providers\//, "")}${job.providerJob.instanceType ? `/${job.providerJob.instanceType}` : ""}` : "";
          ctx.print(`${shortTime(job.updateTime)}  ${enumName(TrainingJobState, job.state).padEnd(12)} ${job.name}${where}${job.stateMessage ? `: ${job.stateMessage}` : ""}`);
        }
        last = job;
        break;
      }
      case "metricReport": {
        const m = message.event.value;
        ctx.print(`${shortTime(m.time)}  step ${m.step}  ${Object.entries(m.metrics).map(([k, v]) => `${k}=${num(v)}`).join("  ")}`);
        break;
      }
      case "logLines":
        for (const line of message.event.value.lines) ctx.print(`${shortTime(line.time)}  ${line.stream === TrainingLogStream.STDERR ? "!" : "|"} ${line.text}`);
        break;
      default:
        break;
    }
  }
  if (!last) return 1;
  if (!ctx.json) {
    const cost = last.actualCost ? `, cost ${money(last.actualCost)}${last.estimatedCost ? ` (estimate ${money(last.estimatedCost)})` : ""}` : "";
    ctx.print(`${last.name} ended ${enumName(TrainingJobState, last.state)}${last.outputModelVersion ? `, produced ${last.outputModelVersion}` : ""}${cost}`);
  }
  return terminalTrainingJobStates.has(last.state) && last.state === TrainingJobState.SUCCEEDED ? 0 : 1;
}

function jobDetails(j: TrainingJob): string {
  return details([
    ["name", j.name],
    ["state", `${enumName(TrainingJobState, j.state)}${j.stateMessage ? ` (${j.stateMessage})` : ""}`],
    ["command", [...(j.spec?.command ?? []), ...(j.spec?.args ?? [])].join(" ")],
    ["image", j.spec?.image ?? ""],
    ["provider", j.providerJob ? `${j.providerJob.provider} ${j.providerJob.region} ${j.providerJob.instanceType}${j.providerJob.spot ? " (spot)" : ""}` : ""],
    ["metrics", Object.entries(j.metrics).map(([k, v]) => `${k}=${num(v)}`).join("  ")],
    ["estimate", money(j.estimatedCost)],
    ["actual cost", money(j.actualCost)],
    ["output", j.outputModelVersion],
    ["attempt", String(j.attempt)],
    ["created", time(j.createTime)],
    ["started", time(j.startTime)],
    ["ended", time(j.endTime)],
  ]);
}

function registerBudgets(program: Command): void {
  const budgets = program.command("budgets").description("spending budgets");
  registerBudgetCreate(budgets);
  budgets
    .command("list")
    .description("list budgets with their spending in the current period")
    .addOption(limitOption())
    .action(
      action(async (ctx, _args, o: { limit: number }) => {
        const list = await collect(paginate((r) => ctx.artenic.budgets.listBudgets(r), { pageSize: Math.min(o.limit, 1000) }), o.limit);
        if (ctx.json) return ctx.printJson(list.map((b) => ctx.messageJson(BudgetSchema, b)));
        ctx.print(
          table(
            ["name", "scope", "period", "amount", "spent", "reserved", "used", "enforcement"],
            list.map((b) => [
              b.name,
              b.scope ? `${enumName(BudgetScopeKind, b.scope.kind).toLowerCase()}${b.scope.target ? ` ${b.scope.target}` : ""}` : "",
              enumName(BudgetPeriod, b.period),
              money(b.amount),
              money(b.spent),
              money(b.reserved),
              `${b.percentUsed.toFixed(1)}%`,
              enumName(BudgetEnforcement, b.enforcement),
            ]),
          ),
        );
      }),
    );
}

function registerBudgetCreate(budgets: Command): void {
  budgets
    .command("create")
    .description("create a budget on training spending")
    .argument("<budget>", "the new budget's id")
    .requiredOption("--amount <amount>", "the limit per period in the platform currency, e.g. 500 or 500.50EUR (default currency USD)")
    .option("--scope <scope>", "global, provider:<id>, service:<id> or api-key:<id>", "global")
    .option("--period <period>", "daily, weekly or monthly", "monthly")
    .option("--enforcement <mode>", "block (refuse jobs past the limit) or warn", "block")
    .option("--alert <percent>", "alert at this percentage of the amount (repeatable)", repeatable, [])
    .option("--display-name <name>")
    .option("--request-id <uuid>", "makes a retried create return the first budget")
    .action(
      action(async (ctx, [id], o: { amount: string; scope: string; period: string; enforcement: string; alert: string[]; displayName?: string; requestId?: string }) => {
        const m = /^(\d+(?:\.\d{1,9})?)\s*([A-Za-z]{3})?$/.exec(o.amount.trim());
        if (!m) throw new UsageError(`--amount must be a positive amount such as 500 or 500.50EUR, got "${o.amount}"`);
        const [units, fraction = ""] = m[1]!.split(".");
        const { budget } = await ctx.artenic.budgets.createBudget({
          budgetId: id!,
          requestId: o.requestId ?? "",
          budget: {
            displayName: o.displayName ?? "",
            scope: budgetScope(o.scope),
            period: parseEnum(BudgetPeriod, o.period, "period"),
            enforcement: parseEnum(BudgetEnforcement, o.enforcement, "enforcement"),
            // Without a currency, USD (the server's default); the server refuses any other than its own.
            amount: { currencyCode: (m[2] ?? "USD").toUpperCase(), units: BigInt(units!), nanos: Number(fraction.padEnd(9, "0")) },
            alertThresholds: o.alert.map((a) => number(a.replace(/%$/, ""), "--alert")),
          },
        });
        if (ctx.json) return ctx.printJson(ctx.messageJson(BudgetSchema, budget!));
        ctx.print(`created ${budget!.name}: ${money(budget!.amount)} ${enumName(BudgetPeriod, budget!.period).toLowerCase()}, ${enumName(BudgetEnforcement, budget!.enforcement).toLowerCase()}`);
      }),
    );
}

/** `global`, `provider:aws`, `service:fraud`, `api-key:ci` → a BudgetScope. */
function budgetScope(text: string): { kind: BudgetScopeKind; target: string } {
  const [kind, target = ""] = text.split(/:(.*)/s);
  switch (kind) {
    case "global":
      return { kind: BudgetScopeKind.GLOBAL, target: "" };
    case "provider":
      return { kind: BudgetScopeKind.PROVIDER, target: `providers/${target.replace(/^providers\//, "")}` };
    case "service":
      return { kind: BudgetScopeKind.SERVICE, target: `services/${target.replace(/^services\//, "")}` };
    case "api-key":
      return { kind: BudgetScopeKind.API_KEY, target: `apiKeys/${target.replace(/^apiKeys\//, "")}` };
    default:
      throw new UsageError(`--scope must be global, provider:<id>, service:<id> or api-key:<id>, got "${text}"`);
  }
}

function number(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got "${text}"`);
  return n;
}

/** `4GiB`, `512MiB`, `2G`, `1000000` → bytes. */
export function parseBytes(text: string): bigint {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`not a size: "${text}" (e.g. 4GiB, 512MiB)`);
  const unit = (m[2] ?? "b").toLowerCase();
  const power = { b: 0, k: 1, m: 2, g: 3, t: 4 }[unit[0] as "b" | "k" | "m" | "g" | "t"];
  const base = unit.includes("i") || unit.length === 1 ? 1024 : 1000;
  return BigInt(Math.round(Number(m[1]) * base ** power));
}

/** `90s`, `30m`, `2h`, `1h30m`, `1d` → milliseconds. */
export function parseDurationMs(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text.trim()) throw new UsageError(`not a duration: "${text}" (e.g. 90s, 30m, 2h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}
