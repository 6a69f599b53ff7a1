import { create, toBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  CreateBudgetRequestSchema,
  CreateBudgetResponseSchema,
  ListBudgetAlertsResponseSchema,
  ListBudgetsResponseSchema,
  type BudgetService,
} from "@artenic/gen/artenic/budget/v1/budget_service_pb";
import {
  createBudget,
  deleteBudget,
  getBudget,
  getSpendingSummary,
  listBudgetAlerts,
  listBudgets,
  updateBudget,
  type BudgetChanges,
  type BudgetDeps,
} from "./budget.use-cases.js";
import {
  budgetInputFromProto,
  enforcementFromProto,
  moneyFromProto,
  parseBudgetName,
  periodFromProto,
  toBudgetAlertProto,
  toBudgetProto,
  toSpendingSummaryProto,
} from "./budget.mapper.js";
import { createWebhookHandler } from "../webhooks/index.js";
import { useCaseContext } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";
import { runIdempotent } from "../platform/idempotency/idempotency.js";
import { resolveUpdateMask } from "../platform/update-mask.js";

export interface BudgetHandlerDeps extends BudgetDeps {
  /** The webhook RPCs of the same proto service. */
  readonly webhooks: ReturnType<typeof createWebhookHandler>;
}

const updatable = ["display_name", "description", "labels", "period", "rolling", "time_zone", "amount", "enforcement", "alert_thresholds", "enabled"];

/** `artenic.budget.v1.BudgetService`: budgets, their spending and alerts, and webhooks. */
export function createBudgetServiceHandler(deps: BudgetHandlerDeps): ServiceImpl<typeof BudgetService> {
  return {
    ...deps.webhooks,

    async createBudget(req, ctx) {
      const uc = useCaseContext(ctx);
      const input = budgetInputFromProto(req.budget!);
      return runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/CreateBudget`, requestId: req.requestId, request: toBinary(CreateBudgetRequestSchema, req) },
        CreateBudgetResponseSchema,
        async (em) => create(CreateBudgetResponseSchema, { budget: toBudgetProto(await createBudget({ ...uc, em }, deps, req.budgetId, input)) }),
      );
    },

    async getBudget(req, ctx) {
      return { budget: toBudgetProto(await getBudget(useCaseContext(ctx), parseBudgetName(req.name, "name")!)) };
    },

    async listBudgets(req, ctx) {
      const page = await listBudgets(useCaseContext(ctx), req);
      return create(ListBudgetsResponseSchema, { budgets: page.items.map(toBudgetProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) });
    },

    async updateBudget(req, ctx) {
      const b = req.budget!;
      const id = parseBudgetName(b.name, "budget.name")!;
      const paths = resolveUpdateMask(req.updateMask?.paths, updatable, (p) => {
        switch (p) {
          case "display_name":
            return b.displayName !== "";
          case "description":
            return b.description !== "";
          case "labels":
            return Object.keys(b.labels).length > 0;
          case "period":
            return b.period !== 0;
          case "rolling":
            return b.rolling;
          case "time_zone":
            return b.timeZone !== "";
          case "amount":
            return b.amount !== undefined;
          case "enforcement":
            return b.enforcement !== 0;
          case "alert_thresholds":
            return b.alertThresholds.length > 0;
          default:
            return b.enabled !== undefined;
        }
      });
      const changes: { -readonly [K in keyof BudgetChanges]: BudgetChanges[K] } = {};
      if (paths.has("display_name")) changes.displayName = b.displayName;
      if (paths.has("description")) changes.description = b.description;
      if (paths.has("labels")) changes.labels = b.labels;
      if (paths.has("period")) changes.period = periodFromProto(b.period, "budget.period");
      if (paths.has("rolling")) changes.rolling = b.rolling;
      if (paths.has("time_zone")) changes.timeZone = b.timeZone;
      if (paths.has("amount")) {
        if (!b.amount) throw invalidField("budget.amount", "is required when named in update_mask");
        const money = moneyFromProto(b.amount);
        changes.amountMicros = money.amountMicros;
        changes.currency = money.currency;
      }
      if (paths.has("enforcement")) changes.enforcement = enforcementFromProto(b.enforcement, "budget.enforcement");
      if (paths.has("alert_thresholds")) changes.alertThresholds = b.alertThresholds;
      if (paths.has("enabled")) changes.enabled = b.enabled ?? true;
      return { budget: toBudgetProto(await updateBudget(useCaseContext(ctx), deps, id, changes, b.etag)) };
    },

    async deleteBudget(req, ctx) {
      await deleteBudget(useCaseContext(ctx), parseBudgetName(req.name, "name")!, req.etag);
      return {};
    },

    async getSpendingSummary(req, ctx) {
      const summary = await getSpendingSummary(
        useCaseContext(ctx),
        parseBudgetName(req.budget, "budget")!,
        req.periodTime ? timestampDate(req.periodTime) : undefined,
        req.entryLimit,
      );
      return { summary: toSpendingSummaryProto(summary) };
    },

    async listBudgetAlerts(req, ctx) {
      const page = await listBudgetAlerts(useCaseContext(ctx), parseBudgetName(req.parent, "parent", true), req);
      return create(ListBudgetAlertsResponseSchema, { budgetAlerts: page.items.map(toBudgetAlertProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) });
    },
  };
}
