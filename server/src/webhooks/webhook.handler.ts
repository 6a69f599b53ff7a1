import { create, toBinary } from "@bufbuild/protobuf";
import { durationMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  CreateWebhookRequestSchema,
  CreateWebhookResponseSchema,
  ListWebhookDeliveriesResponseSchema,
  ListWebhooksResponseSchema,
  type BudgetService,
} from "@artenic/gen/artenic/budget/v1/budget_service_pb";
import {
  createWebhook,
  deleteWebhook,
  findWebhook,
  listWebhookDeliveries,
  listWebhooks,
  retryWebhookDelivery,
  rotateWebhookSecret,
  testWebhook,
  updateWebhook,
  type WebhookChanges,
  type WebhookDeps,
} from "./webhook.use-cases.js";
import { parseDeliveryName, parseWebhookName, toDeliveryProto, toWebhookProto } from "./webhook.mapper.js";
import { secretNotUpdatable } from "./webhook.errors.js";
import { useCaseContext } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";
import { runIdempotent } from "../platform/idempotency/idempotency.js";
import { resolveUpdateMask } from "../platform/update-mask.js";

export interface WebhookHandlerDeps extends WebhookDeps {
  /** Called after a change that makes deliveries due now (a manual retry). */
  readonly onDeliveriesQueued?: () => void;
}

type WebhookMethods =
  | "createWebhook"
  | "getWebhook"
  | "listWebhooks"
  | "updateWebhook"
  | "deleteWebhook"
  | "rotateWebhookSecret"
  | "testWebhook"
  | "listWebhookDeliveries"
  | "retryWebhookDelivery";

const updatable = ["display_name", "description", "labels", "url", "event_types", "enabled"];

/** The webhook half of `artenic.budget.v1.BudgetService`. */
export function createWebhookHandler(deps: WebhookHandlerDeps): Pick<ServiceImpl<typeof BudgetService>, WebhookMethods> {
  return {
    async createWebhook(req, ctx) {
      const uc = useCaseContext(ctx);
      const w = req.webhook!;
      return runIdempotent(
        uc.em,
        // The response carries the secret: its replay copy is sealed like the secret itself.
        { scope: `${uc.actor.name}/CreateWebhook`, requestId: req.requestId, request: toBinary(CreateWebhookRequestSchema, req), sealKey: deps.secretsKey },
        CreateWebhookResponseSchema,
        async (em) => {
          const { webhook, secret } = await createWebhook(
            { ...uc, em },
            deps,
            req.webhookId,
            { displayName: w.displayName, description: w.description, labels: w.labels, url: w.url, eventTypes: w.eventTypes, enabled: w.enabled ?? true },
            w.secret,
          );
          return create(CreateWebhookResponseSchema, { webhook: toWebhookProto(webhook), secret });
        },
      );
    },

    async getWebhook(req, ctx) {
      const { em } = useCaseContext(ctx);
      return { webhook: toWebhookProto(await findWebhook(em, parseWebhookName(req.name, "name")!)) };
    },

    async listWebhooks(req, ctx) {
      const page = await listWebhooks(useCaseContext(ctx), req);
      return create(ListWebhooksResponseSchema, { webhooks: page.items.map(toWebhookProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) });
    },

    async updateWebhook(req, ctx) {
      const w = req.webhook!;
      const id = parseWebhookName(w.name, "webhook.name")!;
      if (w.secret !== "" || req.updateMask?.paths.includes("secret")) throw secretNotUpdatable();
      const paths = resolveUpdateMask(req.updateMask?.paths, updatable, (p) => {
        switch (p) {
          case "labels":
            return Object.keys(w.labels).length > 0;
          case "event_types":
            return w.eventTypes.length > 0;
          case "enabled":
            return w.enabled !== undefined;
          case "display_name":
            return w.displayName !== "";
          case "description":
            return w.description !== "";
          default:
            return w.url !== "";
        }
      });
      const changes: { -readonly [K in keyof WebhookChanges]: WebhookChanges[K] } = {};
      if (paths.has("display_name")) changes.displayName = w.displayName;
      if (paths.has("description")) changes.description = w.description;
      if (paths.has("labels")) changes.labels = w.labels;
      if (paths.has("url")) {
        if (w.url === "") throw invalidField("webhook.url", "must not be empty");
        changes.url = w.url;
      }
      if (paths.has("event_types")) changes.eventTypes = w.eventTypes;
      if (paths.has("enabled")) changes.enabled = w.enabled ?? true;
      return { webhook: toWebhookProto(await updateWebhook(useCaseContext(ctx), deps, id, changes, w.etag)) };
    },

    async deleteWebhook(req, ctx) {
      await deleteWebhook(useCaseContext(ctx), parseWebhookName(req.name, "name")!, req.etag);
      return {};
    },

    async rotateWebhookSecret(req, ctx) {
      const validityMs = req.previousSecretValidity ? durationMs(req.previousSecretValidity) : 0;
      const { webhook, secret } = await rotateWebhookSecret(useCaseContext(ctx), deps, parseWebhookName(req.name, "name")!, req.secret, validityMs, req.etag);
      return { webhook: toWebhookProto(webhook), secret };
    },

    async testWebhook(req, ctx) {
      return { delivery: toDeliveryProto(await testWebhook(useCaseContext(ctx), deps, parseWebhookName(req.name, "name")!)) };
    },

    async listWebhookDeliveries(req, ctx) {
      const page = await listWebhookDeliveries(useCaseContext(ctx), parseWebhookName(req.parent, "parent", true), req);
      return create(ListWebhookDeliveriesResponseSchema, { deliveries: page.items.map(toDeliveryProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) });
    },

    async retryWebhookDelivery(req, ctx) {
      const { webhookId, deliveryId } = parseDeliveryName(req.name, "name");
      const delivery = await retryWebhookDelivery(useCaseContext(ctx), webhookId, deliveryId);
      deps.onDeliveriesQueued?.();
      return { delivery: toDeliveryProto(delivery) };
    },
  };
}
