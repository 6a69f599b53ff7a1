import type { Command } from "commander";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { CanaryDecisionAction, CanaryRolloutSchema, CanaryRolloutState, type CanaryRollout, type CanaryWindowMetrics } from "@artenic/gen/artenic/abtest/v1/canary_rollout_pb";
import { canaryRolloutName, ensembleName, modelVersionName, paginate, serviceName } from "@artenic/sdk/node";
import type { Context } from "../context.js";
import { details, enumName, labels, num, table, time, UsageError } from "../format.js";
import { action, collect, keyValues, limitOption, repeatable } from "../program.js";
import { parseDurationMs } from "./operations.js";

/** `canaries`: progressive rollouts of a new model version or ensemble behind a service. */
export function registerCanaryCommands(program: Command): void {
  const canaries = program.command("canaries").description("canary rollouts: a new target takes a growing share of a service's traffic");

  canaries
    .command("create")
    .description("start a canary rollout on a service")
    .argument("<canary>", "the new rollout's id")
    .requiredOption("--service <service>", "the service whose traffic moves")
    .option("--model-version <version>", "the candidate model version, e.g. iris/4")
    .option("--ensemble <ensemble>", "the candidate ensemble")
    .requiredOption("--step <percent:window[:min-requests]>", "a step: traffic share, evaluation window, requests needed, e.g. 10:5m:200 (repeatable, increasing percentages)", repeatable, [])
    .option("--max-error-rate-delta <x>", "roll back when the candidate's error rate exceeds the control's by more than this")
    .option("--max-p99-latency-ratio <x>", "roll back when the candidate's p99 latency exceeds the control's times this")
    .option("--max-drift-score <x>", "roll back when the candidate's drift score exceeds this")
    .option("--manual-promotion", "wait for `canaries promote` after the last step")
    .option("--label <key=value>", "a label (repeatable)", repeatable, [])
    .option("--request-id <uuid>", "makes a retried create return the first rollout")
    .action(
      action(async (ctx, [id], o: CreateOptions) => {
        if ((o.modelVersion === undefined) === (o.ensemble === undefined)) throw new UsageError("give exactly one of --model-version and --ensemble");
        const threshold = (text: string | undefined, flag: string) => {
          if (text === undefined) return undefined;
          const n = Number(text);
          if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a non-negative number, got "${text}"`);
          return n;
        };
        const { canaryRollout } = await ctx.artenic.abTests.createCanaryRollout({
          canaryRolloutId: id!,
          requestId: o.requestId ?? "",
          canaryRollout: {
            service: serviceName(o.service),
            candidate: o.modelVersion !== undefined ? { case: "candidateModelVersion", value: modelVersionName(o.modelVersion) } : { case: "candidateEnsemble", value: ensembleName(o.ensemble!) },
            steps: o.step.map(parseStep),
            thresholds: {
              maxErrorRateDelta: threshold(o.maxErrorRateDelta, "--max-error-rate-delta"),
              maxP99LatencyRatio: threshold(o.maxP99LatencyRatio, "--max-p99-latency-ratio"),
              maxDriftScore: threshold(o.maxDriftScore, "--max-drift-score"),
            },
            manualPromotion: o.manualPromotion === true,
            labels: keyValues(o.label, "--label"),
          },
        });
        if (ctx.json) return ctx.printJson(ctx.messageJson(CanaryRolloutSchema, canaryRollout!));
        ctx.print(canaryDetails(canaryRollout!));
      }),
    );

  canaries
    .command("list")
    .description("list canary rollouts")
    .option("--filter <expr>", "e.g. 'state = PROGRESSING'")
    .addOption(limitOption())
    .action(
      action(async (ctx, _args, o: { filter?: string; limit: number }) => {
        const list = await collect(paginate((r) => ctx.artenic.abTests.listCanaryRollouts(r), { pageSize: Math.min(o.limit, 1000), filter: o.filter ?? "" }), o.limit);
        if (ctx.json) return ctx.printJson(list.map((c) => ctx.messageJson(CanaryRolloutSchema, c)));
        ctx.print(
          table(
            ["name", "service", "candidate", "state", "step", "traffic", "created"],
            list.map((c) => [c.name, c.service, candidateOf(c), enumName(CanaryRolloutState, c.state), `${c.currentStepIndex + 1}/${c.steps.length}`, `${c.currentTrafficPercent}%`, time(c.createTime)]),
          ),
        );
      }),
    );

  canaries
    .command("get")
    .description("show a canary rollout with its decisions")
    .argument("<canary>", "rollout id or canaryRollouts/{canary_rollout}")
    .action(
      action(async (ctx, [id]) => {
        const { canaryRollout } = await ctx.artenic.abTests.getCanaryRollout({ name: canaryRolloutName(id!) });
        if (ctx.json) return ctx.printJson(ctx.messageJson(CanaryRolloutSchema, canaryRollout!));
        ctx.print(canaryDetails(canaryRollout!));
      }),
    );

  const transitions = {
    pause: (ctx: Context, name: string, reason: string) => ctx.artenic.abTests.pauseCanaryRollout({ name, reason }),
    resume: (ctx: Context, name: string, reason: string) => ctx.artenic.abTests.resumeCanaryRollout({ name, reason }),
    advance: (ctx: Context, name: string, reason: string) => ctx.artenic.abTests.advanceCanaryRollout({ name, reason }),
    promote: (ctx: Context, name: string, reason: string) => ctx.artenic.abTests.promoteCanaryRollout({ name, reason }),
    abort: (ctx: Context, name: string, reason: string) => ctx.artenic.abTests.abortCanaryRollout({ name, reason }),
  } as const;
  const descriptions: Record<keyof typeof transitions, string> = {
    pause: "hold the current traffic share (a breach still rolls back)",
    resume: "continue a paused rollout",
    advance: "move to the next step now, without waiting for the evaluation window",
    promote: "make the candidate the service's target",
    abort: "give all traffic back to the control",
  };
  for (const verb of Object.keys(transitions) as (keyof typeof transitions)[]) {
    canaries
      .command(verb)
      .description(descriptions[verb])
      .argument("<canary>", "rollout id or canaryRollouts/{canary_rollout}")
      .option("--reason <text>", "recorded with the decision", "")
      .action(
        action(async (ctx, [id], o: { reason: string }) => {
          const { canaryRollout } = await transitions[verb](ctx, canaryRolloutName(id!), o.reason);
          if (ctx.json) return ctx.printJson(ctx.messageJson(CanaryRolloutSchema, canaryRollout!));
          ctx.print(`${canaryRollout!.name} is ${enumName(CanaryRolloutState, canaryRollout!.state)} at ${canaryRollout!.currentTrafficPercent}%`);
        }),
      );
  }
}

interface CreateOptions {
  service: string;
  modelVersion?: string;
  ensemble?: string;
  step: string[];
  maxErrorRateDelta?: string;
  maxP99LatencyRatio?: string;
  maxDriftScore?: string;
  manualPromotion?: boolean;
  label: string[];
  requestId?: string;
}

/** `10:5m` or `10:5m:200` → a step (the minimum requests default on the server). */
export function parseStep(text: string): { trafficPercent: number; evaluationWindow: ReturnType<typeof durationFromMs>; minRequests: bigint } {
  const [percent, window, minRequests] = text.split(":");
  if (!window) throw new UsageError(`--step needs a percentage and an evaluation window, e.g. 10:5m, got "${text}"`);
  const p = Number(percent);
  if (!Number.isInteger(p) || p < 1 || p > 100) throw new UsageError(`--step must start with a percentage from 1 to 100, got "${text}"`);
  if (minRequests !== undefined && !/^\d+$/.test(minRequests)) throw new UsageError(`--step minimum requests must be a whole number, got "${text}"`);
  return { trafficPercent: p, evaluationWindow: durationFromMs(parseDurationMs(window)), minRequests: BigInt(minRequests ?? 0) };
}

function candidateOf(c: CanaryRollout): string {
  return c.candidate.case ? c.candidate.value : "";
}

function canaryDetails(c: CanaryRollout): string {
  return (
    details([
      ["name", c.name],
      ["service", c.service],
      ["candidate", candidateOf(c)],
      ["control", c.control],
      ["state", enumName(CanaryRolloutState, c.state)],
      ["step", `${c.currentStepIndex + 1} of ${c.steps.length} (${c.currentTrafficPercent}% of traffic)`],
      ["steps", c.steps.map((s) => `${s.trafficPercent}%`).join(" → ")],
      ["manual promotion", c.manualPromotion ? "yes" : "no"],
      ["labels", labels(c.labels)],
      ["created", time(c.createTime)],
    ]) +
    (c.decisions.length > 0
      ? "\n" + table(["time", "step", "decision", "traffic", "by", "reason"], c.decisions.map((d) => [time(d.decideTime), String(d.stepIndex + 1), enumName(CanaryDecisionAction, d.action), `${d.trafficPercent}%`, d.actor, d.reason]))
      : "") +
    (c.lastObservation ? `\nlast observation: candidate ${windowText(c.lastObservation.candidate)}; control ${windowText(c.lastObservation.control)}` : "")
  );
}

function windowText(m: CanaryWindowMetrics | undefined): string {
  return m ? `${m.requestCount} requests, error rate ${num(m.errorRate)}, p99 ${num(m.latencyP99Ms, 3)} ms` : "no data";
}
