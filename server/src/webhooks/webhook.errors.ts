import { AppError, invalidField } from "../platform/errors/app-error.js";

export const webhookNotFound = (name: string) => new AppError("not_found", "WEBHOOK_NOT_FOUND", `Webhook ${name} does not exist.`, { name });

export const webhookAlreadyExists = (name: string) =>
  new AppError("already_exists", "WEBHOOK_ALREADY_EXISTS", `Webhook ${name} already exists.`, { name });

export const deliveryNotFound = (name: string) =>
  new AppError("not_found", "WEBHOOK_DELIVERY_NOT_FOUND", `Webhook delivery ${name} does not exist.`, { name });

export const deliveryNotRetryable = (name: string, why: string) =>
  new AppError("failed_precondition", "WEBHOOK_DELIVERY_NOT_RETRYABLE", `Webhook delivery ${name} cannot be retried: ${why}.`, { name });

export const destinationRefused = (field: string, why: string) => invalidField(field, why, "WEBHOOK_DESTINATION_REFUSED");

export const secretNotUpdatable = () =>
  invalidField("webhook.secret", "cannot be changed by UpdateWebhook; use RotateWebhookSecret", "INVALID_UPDATE_MASK");
