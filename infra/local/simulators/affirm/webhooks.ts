/**
 * The webhooks the Affirm simulator sends (providers/affirm.md §3): a form-encoded checkout event
 * object, POSTed to the URL Affirm support would configure, signed with the merchant's private key.
 *
 * Body (docs.affirm.com the-checkout-event-object; the documented example's spelling):
 *   checkout_token      the checkout id
 *   event               opened | confirmed | not_approved (server.ts says when each is sent)
 *   event_timestamp     when the event happened; created: when the checkout was created. Both in the
 *                       documented example's form: UTC without a zone, microseconds
 *                       (`2020-01-24T21:42:23.849774`), on the simulator's clock
 *   order_id            the checkout's order_id
 *   webhook_session_id  only when the merchant passed one in the checkout, as documented
 *   total               the checkout's total in cents (every event); amount_financed: the same, on
 *                       `confirmed` only (the simulator has no down payment)
 *   email_address, first_name, last_name   from the checkout's billing contact, only when it has them
 *                       (a `full` name is not split)
 *   Loan terms (apr, finance_charge, number_of_payments, first_payment_date, downpayment_amount,
 *   has_downpayment) are never sent: the simulator has no loan, and inventing terms would let the
 *   hub depend on made-up values.
 *
 * Signature: X-Affirm-Signature as signAffirmWebhook computes it, with `t` the simulator's clock at
 * the event. The body is built and signed once, at the event: a delayed delivery carries the
 * signature of its event time (a held-up request), and a duplicate is the same bytes twice.
 *
 * Delivery: asynchronous to the customer's action, one attempt, a timeout (Affirm's is
 * undocumented). Affirm's retry policy contradicts itself (best practices: no retries; the signature
 * page: a retry gets a fresh t and signature), so the simulator never retries. Basic auth embedded in
 * the URL (which Affirm supports) is sent as an Authorization header and masked in the record.
 *
 * Modes (POST /__control/notifications), for the next `times` notifications (default 1), then
 * `deliver` again; a POST replaces the mode in force:
 *   deliver    POST once
 *   drop       send nothing (recorded with status null)
 *   duplicate  POST the same signed body twice, concurrently
 *   delay      wait delayMs (default 1000), then POST
 */

import { performance } from 'node:perf_hooks';
import { type ModeRule, type NotificationMode, notificationTarget } from '../common/notifications.ts';
import type { SimCheckout } from './state.ts';
import { signAffirmWebhook } from './webhook-signature.ts';

export type CheckoutEvent = 'opened' | 'confirmed' | 'not_approved';

/** One HTTP attempt: the receiver's status and answer, or status null and why nothing was answered. */
export interface Delivery {
  status: number | null;
  body?: string;
  error?: string;
  ms: number;
}

/** What GET /__control/notifications lists. */
export interface SentNotification {
  /** The event time on the simulator's clock (ISO). */
  at: string;
  checkoutId: string;
  event: CheckoutEvent;
  /** The webhook URL (a password in it masked), or null when none is configured. */
  url: string | null;
  mode: NotificationMode;
  delayMs?: number;
  /** True until every delivery of this notification has finished. */
  pending: boolean;
  /** The form-encoded body and the X-Affirm-Signature header, exactly as sent (for replay tests). */
  body: string;
  signature: string;
  deliveries: Delivery[];
}

export interface WebhookSenderOptions {
  url(): string | undefined;
  privateKey: string;
  now(): Date;
  timeoutMs: number;
}

const ANSWER_LIMIT = 2_000;

/** `2020-01-24T21:42:23.849774`: the documented example's timestamps (UTC, no zone, microseconds). */
export function affirmTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/** The checkout event object's fields, form-encoded in the documented order. */
export function checkoutEventBody(checkout: SimCheckout, event: CheckoutEvent, at: Date): string {
  const { request } = checkout;
  const name = request.billing.name as { first?: string; last?: string };
  const sessionId = (request as { webhook_session_id?: unknown }).webhook_session_id;
  const fields: [string, string | number | null | undefined][] = [
    ['amount_financed', event === 'confirmed' ? request.total : undefined],
    ['checkout_token', checkout.id],
    ['created', affirmTimestamp(new Date(checkout.created))],
    ['email_address', request.billing.email],
    ['event', event],
    ['event_timestamp', affirmTimestamp(at)],
    ['first_name', name.first],
    ['last_name', name.last],
    ['order_id', request.order_id],
    ['total', request.total],
    ['webhook_session_id', typeof sessionId === 'string' ? sessionId : undefined],
  ];
  const form = new URLSearchParams();
  for (const [key, value] of fields)
    if (value !== undefined && value !== null) form.append(key, String(value));
  return form.toString();
}

export class WebhookSender {
  readonly sent: SentNotification[] = [];
  private rule: ModeRule | undefined;
  private readonly inFlight = new Set<AbortController>();
  /** Delayed notifications not yet started, by their timer. */
  private readonly held = new Map<NodeJS.Timeout, SentNotification>();

  constructor(private readonly options: WebhookSenderOptions) {}

  /** The mode in force: the last rule set while it has notifications left, else deliver. */
  get mode(): ModeRule {
    return this.rule ?? { mode: 'deliver', times: 1 };
  }

  setMode(rule: ModeRule): void {
    this.rule = rule.mode === 'deliver' ? undefined : { ...rule };
  }

  /** Records the event now and delivers it in the background; the caller never waits for the receiver. */
  notify(checkout: SimCheckout, event: CheckoutEvent): SentNotification {
    const at = this.options.now();
    const body = checkoutEventBody(checkout, event, at);
    const rule = this.take();
    const configured = this.options.url();
    const destination = configured ? notificationTarget(configured) : undefined;
    const notification: SentNotification = {
      at: at.toISOString(),
      checkoutId: checkout.id,
      event,
      url: destination?.shown ?? null,
      mode: rule.mode,
      ...(rule.delayMs !== undefined ? { delayMs: rule.delayMs } : {}),
      pending: true,
      body,
      signature: signAffirmWebhook(this.options.privateKey, body, at),
      deliveries: [],
    };
    this.sent.push(notification);
    if (!destination || rule.mode === 'drop') {
      notification.deliveries.push({
        status: null,
        error: destination ? 'dropped (mode drop)' : 'not sent: no webhook URL configured',
        ms: 0,
      });
      notification.pending = false;
      return notification;
    }
    const copies = rule.mode === 'duplicate' ? 2 : 1;
    const start = () => {
      const attempts = Array.from({ length: copies }, () => this.post(destination, notification));
      void Promise.all(attempts).then((deliveries) => {
        notification.deliveries.push(...deliveries);
        notification.pending = false;
      });
    };
    if (rule.mode === 'delay') {
      const timer = setTimeout(() => {
        this.held.delete(timer);
        start();
      }, rule.delayMs);
      this.held.set(timer, notification);
    } else {
      setImmediate(start);
    }
    return notification;
  }

  /** Stops everything under way: held deliveries are recorded as not sent, in-flight ones abort. */
  close(): void {
    for (const [timer, notification] of this.held) {
      clearTimeout(timer);
      notification.deliveries.push({ status: null, error: 'not sent: simulator stopped', ms: 0 });
      notification.pending = false;
    }
    this.held.clear();
    for (const controller of this.inFlight) controller.abort(new Error('simulator stopped'));
  }

  private take(): ModeRule {
    const rule = this.mode;
    if (this.rule) {
      this.rule.times -= 1;
      if (this.rule.times <= 0) this.rule = undefined;
    }
    return rule;
  }

  private async post(
    destination: ReturnType<typeof notificationTarget>,
    notification: SentNotification,
  ): Promise<Delivery> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(
      () => controller.abort(new Error(`timeout after ${this.options.timeoutMs} ms`)),
      this.options.timeoutMs,
    );
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const response = await fetch(destination.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-affirm-signature': notification.signature,
          ...(destination.authorization ? { authorization: destination.authorization } : {}),
        },
        body: notification.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      const text = await response.text();
      return { status: response.status, body: text.slice(0, ANSWER_LIMIT), ms: elapsed() };
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      const cause = (reason as { cause?: { code?: string } })?.cause?.code;
      return { status: null, error: cause ?? (reason as Error)?.message ?? String(reason), ms: elapsed() };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }
}
