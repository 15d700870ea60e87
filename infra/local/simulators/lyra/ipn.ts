/**
 * The IPNs the Lyra simulator sends at the end of a form payment (providers/lyra.md §4).
 *
 * Body: application/x-www-form-urlencoded, fields in the recorded order: kr-hash, kr-hash-key
 * ("password"), kr-hash-algorithm ("sha256_hmac"), kr-answer-type ("V4/Payment"), kr-answer (the
 * V4/Payment JSON). kr-hash = lowercase hex HMAC-SHA256(REST password, kr-answer). Built once: a
 * retry or a duplicate sends the same bytes ([?] whether Lyra refreshes serverDate on a retry).
 *
 * Target: the payment's ipnTargetUrl, else the shop's IPN URL (the Back Office setting: the
 * `ipnUrl` option). None: recorded as not sent.
 *
 * Delivery: one attempt with a timeout; an answer outside 200-206, 301, 302 (or none) is a failure.
 * Failures are retried when retries are on (Lyra's "automatic retry in case of failure"): up to
 * `retries` more attempts (default 4, [?] whether Lyra's "4 attempts" counts the first), each at the
 * next quarter-hour slot (:00, :15, :30, :45) of the simulator's clock, or `retryDelayMs` after the
 * failure on that clock when set. Moving the clock (POST /__control/clock) makes a due retry go
 * within ~50 ms.
 *
 * Modes (POST /__control/notifications), for the next `times` IPNs (default 1), then deliver:
 *   deliver    POST (and retry on failure)
 *   drop       send nothing, never retry (recorded with status null): a lost IPN
 *   duplicate  POST the same body twice, concurrently (retried only if neither succeeded)
 *   delay      wait delayMs (default 1000) before the first attempt: the browser return overtakes it
 */

import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type ModeRule, type NotificationMode, notificationTarget } from '../common/notifications.ts';

/** One HTTP request: the receiver's status and answer, or status null and why nothing was answered. */
export interface Delivery {
  attempt: number;
  /** When it started, on the simulator's clock. */
  at: string;
  status: number | null;
  body?: string;
  error?: string;
  ms: number;
}

/** What GET /__control/notifications lists. */
export interface SentIpn {
  /** The payment time on the simulator's clock (ISO). */
  at: string;
  formToken: string;
  orderId: string | null;
  /** transactions[0].uuid: the initial (VERIFICATION) transaction for a payment on shipment. */
  transactionUuid: string;
  orderStatus: 'PAID' | 'UNPAID';
  /** Where it goes (a password in it masked), or null when there is no IPN URL. */
  url: string | null;
  mode: NotificationMode;
  delayMs?: number;
  /** True while an attempt is under way or held by mode delay. */
  pending: boolean;
  /** When the next retry is due (simulator clock), or null when none is scheduled. */
  nextAttemptAt: string | null;
  /** True once the hub answered a success status. */
  delivered: boolean;
  /** The form-encoded body and its kr-hash, exactly as sent. */
  body: string;
  hash: string;
  deliveries: Delivery[];
}

export interface IpnSenderOptions {
  now(): Date;
  restPassword: string;
  timeoutMs: number;
  /** Retries after a failed attempt (0: none, as with Lyra's retry option off). */
  retries: number;
  /** Set: a retry is due this long after a failure; unset: at the next quarter-hour slot. */
  retryDelayMs?: number;
}

const ANSWER_LIMIT = 2_000;
const SLOT_MS = 15 * 60_000;
const TICK_MS = 50;
const SUCCESS = (status: number | null) =>
  status !== null && ((status >= 200 && status <= 206) || status === 301 || status === 302);

/** The IPN's form body and its hash (HMAC-SHA256 with the REST password). */
export function ipnBody(krAnswer: string, restPassword: string): { body: string; hash: string } {
  const hash = createHmac('sha256', restPassword).update(krAnswer).digest('hex');
  const form = new URLSearchParams([
    ['kr-hash', hash],
    ['kr-hash-key', 'password'],
    ['kr-hash-algorithm', 'sha256_hmac'],
    ['kr-answer-type', 'V4/Payment'],
    ['kr-answer', krAnswer],
  ]);
  return { body: form.toString(), hash };
}

interface Scheduled {
  notification: SentIpn;
  destination: ReturnType<typeof notificationTarget>;
  dueAt: number;
}

export class IpnSender {
  readonly sent: SentIpn[] = [];
  private rule: ModeRule | undefined;
  private readonly inFlight = new Set<AbortController>();
  private readonly held = new Map<NodeJS.Timeout, SentIpn>();
  private scheduled: Scheduled[] = [];
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly options: IpnSenderOptions) {}

  get mode(): ModeRule {
    return this.rule ?? { mode: 'deliver', times: 1 };
  }

  setMode(rule: ModeRule): void {
    this.rule = rule.mode === 'deliver' ? undefined : { ...rule };
  }

  /**
   * Records the IPN and starts its delivery. `firstAttempt` settles when the first attempt is
   * answered (or failed), at once when dropped or held by mode delay: what the browser return waits for.
   */
  notify(
    url: string | undefined,
    facts: Pick<SentIpn, 'formToken' | 'orderId' | 'transactionUuid' | 'orderStatus'>,
    krAnswer: string,
  ): { notification: SentIpn; firstAttempt: Promise<void> } {
    const rule = this.take();
    const destination = url ? notificationTarget(url) : undefined;
    const { body, hash } = ipnBody(krAnswer, this.options.restPassword);
    const notification: SentIpn = {
      at: this.options.now().toISOString(),
      ...facts,
      url: destination?.shown ?? null,
      mode: rule.mode,
      ...(rule.delayMs !== undefined ? { delayMs: rule.delayMs } : {}),
      pending: true,
      nextAttemptAt: null,
      delivered: false,
      body,
      hash,
      deliveries: [],
    };
    this.sent.push(notification);
    if (!destination || rule.mode === 'drop') {
      notification.deliveries.push({
        attempt: 1,
        at: notification.at,
        status: null,
        error: destination ? 'dropped (mode drop)' : 'not sent: no IPN URL',
        ms: 0,
      });
      notification.pending = false;
      return { notification, firstAttempt: Promise.resolve() };
    }
    if (rule.mode === 'delay') {
      const timer = setTimeout(() => {
        this.held.delete(timer);
        void this.attempt(notification, destination, 1);
      }, rule.delayMs);
      this.held.set(timer, notification);
      return { notification, firstAttempt: Promise.resolve() };
    }
    return {
      notification,
      firstAttempt: this.attempt(notification, destination, rule.mode === 'duplicate' ? 2 : 1),
    };
  }

  /** Stops everything: held and scheduled IPNs are recorded as not sent, in-flight ones abort. */
  close(): void {
    for (const [timer, notification] of this.held) {
      clearTimeout(timer);
      this.stopped(notification);
    }
    this.held.clear();
    for (const { notification } of this.scheduled) this.stopped(notification);
    this.scheduled = [];
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    for (const controller of this.inFlight) controller.abort(new Error('simulator stopped'));
  }

  private stopped(notification: SentIpn): void {
    notification.deliveries.push({
      attempt: notification.deliveries.length + 1,
      at: this.options.now().toISOString(),
      status: null,
      error: 'not sent: simulator stopped',
      ms: 0,
    });
    notification.pending = false;
    notification.nextAttemptAt = null;
  }

  private take(): ModeRule {
    const rule = this.mode;
    if (this.rule) {
      this.rule.times -= 1;
      if (this.rule.times <= 0) this.rule = undefined;
    }
    return rule;
  }

  /** One attempt (`copies` concurrent requests); schedules a retry when none succeeded. */
  private async attempt(
    notification: SentIpn,
    destination: ReturnType<typeof notificationTarget>,
    copies: number,
  ): Promise<void> {
    notification.pending = true;
    notification.nextAttemptAt = null;
    const attempt = new Set(notification.deliveries.map((d) => d.attempt)).size + 1;
    const deliveries = await Promise.all(
      Array.from({ length: copies }, () => this.post(destination, notification, attempt)),
    );
    notification.deliveries.push(...deliveries);
    notification.pending = false;
    if (deliveries.some((d) => SUCCESS(d.status))) {
      notification.delivered = true;
      return;
    }
    if (attempt > this.options.retries) return;
    const failedAt = this.options.now().getTime();
    const dueAt =
      this.options.retryDelayMs !== undefined
        ? failedAt + this.options.retryDelayMs
        : Math.floor(failedAt / SLOT_MS) * SLOT_MS + SLOT_MS;
    notification.nextAttemptAt = new Date(dueAt).toISOString();
    this.scheduled.push({ notification, destination, dueAt });
    this.ticker ??= setInterval(() => this.runDue(), TICK_MS).unref();
  }

  private runDue(): void {
    const now = this.options.now().getTime();
    const due = this.scheduled.filter((s) => s.dueAt <= now);
    this.scheduled = this.scheduled.filter((s) => s.dueAt > now);
    if (this.scheduled.length === 0 && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    for (const { notification, destination } of due) void this.attempt(notification, destination, 1);
  }

  private async post(
    destination: ReturnType<typeof notificationTarget>,
    notification: SentIpn,
    attempt: number,
  ): Promise<Delivery> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(
      () => controller.abort(new Error(`timeout after ${this.options.timeoutMs} ms`)),
      this.options.timeoutMs,
    );
    const at = this.options.now().toISOString();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const response = await fetch(destination.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(destination.authorization ? { authorization: destination.authorization } : {}),
        },
        body: notification.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      const text = await response.text();
      return { attempt, at, status: response.status, body: text.slice(0, ANSWER_LIMIT), ms: elapsed() };
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      const cause = (reason as { cause?: { code?: string } })?.cause?.code;
      return {
        attempt,
        at,
        status: null,
        error: cause ?? (reason as Error)?.message ?? String(reason),
        ms: elapsed(),
      };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }
}
