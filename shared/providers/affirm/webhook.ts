/**
 * Affirm's checkout event webhook on the wire (providers/affirm.md, section 3): a form-encoded
 * POST signed by verify.ts. What the hub reads of it, and the event it becomes.
 */

import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { CheckoutEvent } from '../../domain/affirm/checkout-events.ts';
import { CHECKOUT_ID } from '../../http/path-params.ts';
import { once } from '../../once.ts';

const optionalText = (max: number) => z.optional(z.string().check(z.maxLength(max)));

/**
 * The fields the hub reads; the others (amounts, customer data) are not kept. Built on first use,
 * not at import (cold load: docs/performance.md).
 */
export const affirmWebhookBody = once(() =>
  z.object({
    checkout_token: z.string().check(z.regex(CHECKOUT_ID)),
    event: z.string().check(z.minLength(1), z.maxLength(64)),
    event_timestamp: optionalText(64),
    created: optionalText(64),
    order_id: optionalText(128),
    webhook_session_id: optionalText(128),
  }),
);
export type AffirmWebhookBody = z.infer<ReturnType<typeof affirmWebhookBody>>;

/**
 * Affirm's documented example times are UTC without a zone and with microseconds
 * (`2020-01-24T21:42:23.849000`): read as UTC (never the machine's zone), to the millisecond.
 */
export function isoOrUndefined(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!match) return undefined;
  const fraction = (match[2] ?? '').slice(0, 4);
  const ms = Date.parse(`${match[1]}${fraction}${match[3] ?? 'Z'}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * The event, with the id that makes a redelivery a duplicate. Affirm documents no event id:
 * the checkout, the event's name and the time Affirm gives it identify one event; a retry is
 * re-signed (a fresh `t` in the header) but carries the same body. Without a time, the body's
 * own hash stands in, so that the same body is still one event.
 */
export function toCheckoutEvent(body: AffirmWebhookBody, rawBody: string): CheckoutEvent {
  const occurredAt = isoOrUndefined(body.event_timestamp) ?? isoOrUndefined(body.created);
  const identity = occurredAt ?? createHash('sha256').update(rawBody).digest('hex');
  return {
    checkoutId: body.checkout_token,
    type: body.event,
    ...(occurredAt ? { occurredAt } : {}),
    eventId: `${body.checkout_token}:${body.event}:${identity}`,
    source: 'webhook',
  };
}
