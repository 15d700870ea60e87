/**
 * Transport to Affirm: base URL, HTTP Basic auth with the merchant's key pair, JSON,
 * timeouts, and the one retry policy that is provably safe:
 *   - reads (GET) are retried on any transport failure or 5xx;
 *   - writes (POST) are retried only when the connection was refused, i.e. the request
 *     never left; any other failure is reported as an unknown outcome and resolved by the
 *     domain (same Idempotency-Key, or a read of the transaction), never by re-sending here.
 */

import { ProviderUnavailableError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { neverSent, READ_RETRIES, transportErrorName, unansweredDetail as unanswered } from '../transport.ts';
import type { AffirmCredentials } from './config.ts';
import { failureFrom } from './errors.ts';

export interface AffirmClientOptions {
  baseUrl: string;
  timeoutMs: number;
  credentials: () => Promise<AffirmCredentials>;
  /** Called when Affirm answers 401, so that cached keys are re-read next time. */
  onCredentialsRejected?: () => void;
  log: Logger;
}

export interface AffirmResponse {
  status: number;
  /** Parsed JSON, or undefined when the body was not JSON (e.g. the XML 404 of a wrong auth scheme). */
  body: unknown;
}

export { transportErrorName };

/** What the caller may be told about a call Affirm did not answer (shared/providers/transport.ts). */
export const unansweredDetail = (error: unknown, timeoutMs: number): string =>
  unanswered('Affirm', error, timeoutMs);

export class AffirmClient {
  constructor(private readonly options: AffirmClientOptions) {}

  /** A 2xx answer; throws AffirmFailure for a refusal, ProviderUnavailableError for an unknown outcome. */
  get(path: string): Promise<AffirmResponse> {
    return this.send('GET', path);
  }

  /** A 2xx answer; throws AffirmFailure for a refusal, ProviderUnavailableError for an unknown outcome. */
  post(path: string, body: unknown, idempotencyKey?: string): Promise<AffirmResponse> {
    return this.send('POST', path, body, idempotencyKey);
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<AffirmResponse> {
    const { publicApiKey, privateApiKey } = await this.options.credentials();
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${publicApiKey}:${privateApiKey}`).toString('base64')}`,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const payload = body === undefined ? undefined : JSON.stringify(body);

    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let answer: AffirmResponse;
      try {
        const response = await fetch(`${this.options.baseUrl}${path}`, {
          method,
          headers,
          body: payload,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        const text = await response.text();
        this.options.log.info('affirm call', {
          method,
          path,
          status: response.status,
          ms: elapsed(started),
          attempt,
        });
        if (response.status >= 500 && method === 'GET' && attempt <= READ_RETRIES) continue;
        if (response.status === 401) this.options.onCredentialsRejected?.();
        answer = { status: response.status, body: readBody(text) };
      } catch (error) {
        const code = transportErrorName(error);
        this.options.log.warn('affirm call failed', {
          method,
          path,
          error: code,
          ms: elapsed(started),
          attempt,
        });
        const safeToRetry = method === 'GET' || neverSent(code);
        if (safeToRetry && attempt <= READ_RETRIES) continue;
        throw new ProviderUnavailableError('Affirm did not answer.', {
          cause: error,
          publicDetail: unansweredDetail(error, this.options.timeoutMs),
        });
      }
      // Outside the try: a refusal read from the answer is not a transport failure.
      if (answer.status < 200 || answer.status > 299) throw failureFrom(answer);
      return answer;
    }
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** An answer's body as the adapter reads it: parsed JSON, or undefined when empty or not JSON (the XML 404). */
export function readBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
