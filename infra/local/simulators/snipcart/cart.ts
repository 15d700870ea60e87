/**
 * What Snipcart does on its own initiative, with the HTTP calls it makes to the merchant (the hub):
 *   checkout  the cart creates a payment session and POSTs { invoice, publicToken, mode } to the
 *             payment methods URL (snipcart.md §1); a 2xx JSON array's well-formed entries become
 *             the session's availablePaymentMethods
 *   refund    the dashboard POSTs { paymentId, amount } to links.refunds exactly as registered,
 *             query string kept (§4)
 * Every call carries `X-Snipcart-RequestToken` (§5: [?] whether the custom gateway calls do), a
 * token GET /api/requestvalidation/{token} confirms for an hour. One attempt, no retry [?].
 */

import { performance } from 'node:perf_hooks';
import { type Invoice, isObject } from './checks.ts';
import type { OutgoingCall, PaymentMethod, SimSession, SnipcartState } from './state.ts';
import { paymentMethodsBody } from './wire.ts';

/** The hub's route for Snipcart's payment-methods webhook (API.md). */
export const PAYMENT_METHODS_PATH = '/v1/snipcart/payment-methods';
export const REQUEST_TOKEN_HEADER = 'X-Snipcart-RequestToken';
const ANSWER_LIMIT = 4_000;

export interface CartOptions {
  state: SnipcartState;
  now(): Date;
  /** The hub's base URL, asked at each checkout; undefined: no call is made. */
  hubUrl(): string | undefined;
  timeoutMs: number;
}

export interface Checkout {
  session: SimSession;
  publicToken: string;
  call: OutgoingCall;
}

const isMethod = (value: unknown): value is PaymentMethod =>
  isObject(value) &&
  typeof value.id === 'string' &&
  typeof value.name === 'string' &&
  typeof value.checkoutUrl === 'string' &&
  (value.iconUrl === undefined || typeof value.iconUrl === 'string');

export class Cart {
  constructor(private readonly options: CartOptions) {}

  async checkout(invoice: Invoice, mode: string): Promise<Checkout> {
    const { state } = this.options;
    const session = state.createSession(invoice, mode);
    const publicToken = state.issuePublicToken(session.id);
    const hub = this.options.hubUrl();
    const call = hub
      ? await this.post(`${hub}${PAYMENT_METHODS_PATH}`, paymentMethodsBody(session, publicToken))
      : { at: this.options.now().toISOString(), url: '', status: null, body: null, error: 'no hub URL' };
    session.paymentMethodsCall = call;
    const ok = call.status !== null && call.status >= 200 && call.status < 300;
    if (ok && Array.isArray(call.body)) session.availablePaymentMethods = call.body.filter(isMethod);
    return { session, publicToken, call };
  }

  /** The dashboard's refund of `amount` (major units) to the session's registered links.refunds. */
  async refund(session: SimSession, url: string, amount: number): Promise<OutgoingCall> {
    const request = { paymentId: session.paymentId ?? session.id, amount };
    const call = await this.post(url, request);
    session.refunds.push({ ...call, request });
    return call;
  }

  private async post(url: string, body: unknown): Promise<OutgoingCall> {
    const at = this.options.now().toISOString();
    const started = performance.now();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          [REQUEST_TOKEN_HEADER]: this.options.state.issueRequestToken(),
        },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = (await response.text()).slice(0, ANSWER_LIMIT);
      return { at, url, status: response.status, body: parseAnswer(text), ms: elapsed(started) };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return {
        at,
        url,
        status: null,
        body: null,
        error: cause ?? (error as Error).message,
        ms: elapsed(started),
      };
    }
  }
}

const elapsed = (started: number) => Math.round(performance.now() - started);

function parseAnswer(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
