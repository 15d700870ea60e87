/**
 * Transport to Snipcart (providers/snipcart.md sections 1-5): four calls on two hosts.
 *
 *   validate           GET  {payment}/api/public/custom-payment-gateway/validate?publicToken=   no auth
 *   payment-session    GET  {payment}/api/public/custom-payment-gateway/payment-session?publicToken=   no auth
 *   payment            POST {payment}/api/private/custom-payment-gateway/payment   Bearer <secretKey>
 *   requestvalidation  GET  {app}/api/requestvalidation/{token}   Basic <restApiKey>:
 *
 * Retry policy, the hub's one rule: the three GETs change nothing and are retried once on any
 * transport failure or 5xx; the confirmation POST is retried only when the request surely never
 * left (connection refused, host not found). Any other failure of it is an unknown outcome for the
 * caller to settle (re-posting a confirmation is allowed by Snipcart), never re-sent here.
 *
 * The client answers `{status, body}` for every 2xx and 4xx (what a 4xx means depends on the
 * call: the gateway reads it) and throws ProviderUnavailableError for 5xx, 408, 429, a redirect
 * (never followed: it would carry the key elsewhere) and no answer.
 * Nothing logged names a token, a key or a URL (the URL carries the public token).
 */

import { ProviderUnavailableError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { neverSent, READ_RETRIES, transportErrorName, unansweredDetail as unanswered } from '../transport.ts';
import type { SnipcartCredentials } from './config.ts';
import { isUnansweredStatus, snipcartUnavailable } from './errors.ts';

export type SnipcartCall = 'validate' | 'payment-session' | 'payment' | 'requestvalidation';

/** The calls that change nothing at Snipcart: the only ones retried after a failure that may have reached it. */
export const SNIPCART_READ_CALLS: ReadonlySet<SnipcartCall> = new Set([
  'validate',
  'payment-session',
  'requestvalidation',
]);

export interface SnipcartClientOptions {
  /** The custom payment gateway API (no trailing slash). */
  paymentBaseUrl: string;
  /** The app API, for request token validation (no trailing slash). */
  appBaseUrl: string;
  timeoutMs: number;
  credentials: () => Promise<SnipcartCredentials>;
  /** Called when Snipcart answers 401 to a call that sent a key, so that cached keys are re-read. */
  onCredentialsRejected?: () => void;
  log: Logger;
  /** The fetch to use (tests hand in a scripted one); the global fetch by default. */
  fetch?: typeof fetch;
}

/** An answer the caller reads: a 2xx or a 4xx other than 408 and 429. `body` is undefined when not JSON. */
export interface SnipcartAnswer {
  status: number;
  body: unknown;
}

export { transportErrorName };

/** What the caller may be told about a call Snipcart did not answer (shared/providers/transport.ts). */
export const unansweredDetail = (error: unknown, timeoutMs: number): string =>
  unanswered('Snipcart', error, timeoutMs);

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;

export class SnipcartClient {
  constructor(private readonly options: SnipcartClientOptions) {}

  /** GET validate?publicToken=. */
  validate(publicToken: string): Promise<SnipcartAnswer> {
    return this.send('validate', this.publicUrl('validate', publicToken), { method: 'GET' });
  }

  /** GET payment-session?publicToken=. */
  paymentSession(publicToken: string): Promise<SnipcartAnswer> {
    return this.send('payment-session', this.publicUrl('payment-session', publicToken), { method: 'GET' });
  }

  /** POST payment (the confirmation), Bearer the gateway's secret key. */
  async payment(body: object): Promise<SnipcartAnswer> {
    const { secretKey } = await this.options.credentials();
    return this.send('payment', `${this.options.paymentBaseUrl}/api/private/custom-payment-gateway/payment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** GET requestvalidation/{token}, Basic the secret REST key with an empty password. */
  async requestValidation(token: string): Promise<SnipcartAnswer> {
    const { restApiKey } = await this.options.credentials();
    const url = `${this.options.appBaseUrl}/api/requestvalidation/${encodeURIComponent(token)}`;
    return this.send('requestvalidation', url, {
      method: 'GET',
      headers: { authorization: basic(restApiKey) },
    });
  }

  private publicUrl(path: 'validate' | 'payment-session', publicToken: string): string {
    const query = new URLSearchParams({ publicToken });
    return `${this.options.paymentBaseUrl}/api/public/custom-payment-gateway/${path}?${query}`;
  }

  private async send(
    call: SnipcartCall,
    url: string,
    init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  ): Promise<SnipcartAnswer> {
    const read = SNIPCART_READ_CALLS.has(call);
    const fetcher = this.options.fetch ?? fetch;
    const headers = { accept: 'application/json', ...init.headers };
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let status: number;
      let text: string;
      try {
        const response = await fetcher(url, {
          ...init,
          headers,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        const code = transportErrorName(error);
        this.options.log.warn('snipcart call failed', { call, error: code, ms: elapsed(started), attempt });
        if ((read || neverSent(code)) && attempt <= READ_RETRIES) continue;
        throw new ProviderUnavailableError('Snipcart did not answer.', {
          cause: error,
          publicDetail: unansweredDetail(error, this.options.timeoutMs),
        });
      }
      this.options.log.info('snipcart call', { call, status, ms: elapsed(started), attempt });
      if (status >= 500 && read && attempt <= READ_RETRIES) continue;
      if (isUnansweredStatus(status)) throw snipcartUnavailable(status);
      if (status === 401 && init.headers?.authorization) this.options.onCredentialsRejected?.();
      return { status, body: parseJson(text) };
    }
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
