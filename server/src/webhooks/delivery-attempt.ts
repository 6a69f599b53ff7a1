import { decryptSecret } from "../platform/crypto/master-key.js";
import type { WebhookEntity } from "./webhook.entity.js";
import { signatureHeader } from "./webhook-signature.js";
import { postWebhook, type AttemptOutcome, type SendOptions } from "./webhook-sender.js";

export const webhookName = (id: string) => `webhooks/${id}`;
export const deliveryName = (webhookId: string, deliveryId: string) => `webhooks/${webhookId}/deliveries/${deliveryId}`;

/** The secrets a delivery is signed with now: the current one, then a rotated-out one still valid. */
export function signingSecrets(secretsKey: Buffer, webhook: WebhookEntity, now: Date): string[] {
  const name = webhookName(webhook.id);
  const secrets = [decryptSecret(secretsKey, webhook.secretSealed, name)];
  if (webhook.previousSecretSealed !== "" && webhook.previousSecretExpireTime && webhook.previousSecretExpireTime > now) {
    secrets.push(decryptSecret(secretsKey, webhook.previousSecretSealed, name));
  }
  return secrets;
}

/** What one attempt sends. */
export interface DeliveryRequest {
  readonly id: string;
  readonly url: string;
  readonly eventType: string;
  readonly body: string;
}

/** Signs (at the time of the attempt) and POSTs one delivery. */
export function attemptDelivery(secrets: readonly string[], delivery: DeliveryRequest, now: Date, options: SendOptions): Promise<AttemptOutcome> {
  const t = Math.floor(now.getTime() / 1000);
  return postWebhook(
    delivery.url,
    delivery.body,
    {
      "Artenic-Event-Type": delivery.eventType,
      "Artenic-Delivery": delivery.id,
      "Artenic-Signature": signatureHeader(secrets, t, delivery.body),
    },
    options,
  );
}
