/**
 * Transport to Lyra REST V4 (providers/lyra.md sections 1-2): every service is
 * `POST {base}/api-payment/V4/{Namespace}/{Service}` with a JSON body and HTTP Basic auth
 * (shop id : REST password), answered with a V4 envelope `{status: SUCCESS|ERROR, answer}`.
 *
 * Retry policy, the same as Affirm's: every V4 call is a POST, so the service decides.
 *   - reads: Transaction/Get and Order/Get change nothing; retried once on any transport
 *     failure or 5xx;
 *   - every other service is a write (CreatePayment included: a second form token moves no
 *     money, but the hub keeps one rule for writes): retried only when the request surely never
 *     left (connection refused, host not found); any other failure is an unknown outcome, settled
 *     by reading, never by re-sending here. Lyra has no idempotency key.
 *
 * The envelope is read tolerantly: an ERROR envelope is read as what its code means whether it
 * came with HTTP 200 (the Java SDK's recordings) or 401 (the PHP SDK reads both as answers; the
 * real status of INT_905 is not confirmed); an unreadable 2xx is an unknown outcome.
 */

import { ProviderUnavailableError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { neverSent, READ_RETRIES, transportErrorName, unansweredDetail as unanswered } from '../transport.ts';
import type { LyraCredentials } from './config.ts';
import { lyraErrorFrom, lyraHttpFailure, unreadableAnswer } from './errors.ts';
import { envelopeWire, errorAnswerWire } from './schemas.ts';

export type LyraService =
  | 'Charge/CreatePayment'
  | 'Charge/CreateShipmentTransaction'
  | 'Transaction/Get'
  | 'Transaction/CancelOrRefund'
  | 'Transaction/Cancel'
  | 'Order/Get';

/** The services that change nothing at Lyra: the only ones retried after a failure that may have reached it. */
export const LYRA_READ_SERVICES: ReadonlySet<LyraService> = new Set(['Transaction/Get', 'Order/Get']);

export interface LyraClientOptions {
  baseUrl: string;
  timeoutMs: number;
  credentials: () => Promise<LyraCredentials>;
  /** Called when Lyra refuses the credentials (HTTP 401 or INT_905), so that cached keys are re-read. */
  onCredentialsRejected?: () => void;
  log: Logger;
  /** The fetch to use (tests hand in a scripted one); the global fetch by default. */
  fetch?: typeof fetch;
}

export { transportErrorName };

/** What the caller may be told about a call Lyra did not answer (shared/providers/transport.ts). */
export const unansweredDetail = (error: unknown, timeoutMs: number): string =>
  unanswered('Lyra', error, timeoutMs);

/** An envelope's `answer` when its status was SUCCESS (still to be read by the caller's schema). */
export interface LyraAnswer {
  status: number;
  answer: unknown;
}

/**
 * Reads an HTTP answer: the SUCCESS envelope's answer, or throws what it means.
 *   5xx, 408, 429                       unknown outcome, whatever the body
 *   ERROR envelope (2xx, 401, other 4xx) the code's reading (errors.ts)
 *   2xx, SUCCESS envelope               the answer
 *   2xx, anything else                  unknown outcome (an unreadable success)
 *   other non-2xx                       lyraHttpFailure (401 credentials, 404 not found, 4xx invalid)
 */
export function readEnvelope(status: number, text: string): LyraAnswer {
  if (status >= 500 || status === 408 || status === 429) throw lyraHttpFailure(status);
  const envelope = envelopeWire().safeParse(parseJson(text));
  const ok = status >= 200 && status <= 299;
  if (envelope.success && envelope.data.status === 'ERROR') {
    const error = errorAnswerWire().safeParse(envelope.data.answer);
    if (error.success) throw lyraErrorFrom(error.data, status);
    throw ok ? unreadableAnswer() : lyraHttpFailure(status);
  }
  if (!ok) throw lyraHttpFailure(status);
  if (!envelope.success) throw unreadableAnswer();
  return { status, answer: envelope.data.answer };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isCredentialsRefusal = (error: unknown) =>
  (error as { reason?: unknown } | null)?.reason === 'credentials';

export class LyraClient {
  constructor(private readonly options: LyraClientOptions) {}

  /** The SUCCESS answer of `service`; throws ProviderRefusal (a refusal) or ProviderUnavailableError (unknown outcome). */
  async call(service: LyraService, body: object): Promise<LyraAnswer> {
    const { shopId, restPassword } = await this.options.credentials();
    const headers = {
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${shopId}:${restPassword}`).toString('base64')}`,
    };
    const payload = JSON.stringify(body);
    const read = LYRA_READ_SERVICES.has(service);
    const send = this.options.fetch ?? fetch;
    const url = `${this.options.baseUrl}/api-payment/V4/${service}`;

    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let status: number;
      let text: string;
      try {
        const response = await send(url, {
          method: 'POST',
          headers,
          body: payload,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        const code = transportErrorName(error);
        this.options.log.warn('lyra call failed', {
          webService: service,
          error: code,
          ms: elapsed(started),
          attempt,
        });
        if ((read || neverSent(code)) && attempt <= READ_RETRIES) continue;
        throw new ProviderUnavailableError('Lyra did not answer.', {
          cause: error,
          publicDetail: unansweredDetail(error, this.options.timeoutMs),
        });
      }
      this.options.log.info('lyra call', { webService: service, status, ms: elapsed(started), attempt });
      if (status >= 500 && read && attempt <= READ_RETRIES) continue;
      try {
        return readEnvelope(status, text);
      } catch (error) {
        if (status === 401 || isCredentialsRefusal(error)) this.options.onCredentialsRejected?.();
        throw error;
      }
    }
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
