/**
 * Affirm's configuration: the environment variables its adapter reads (named in env.ts, so
 * that the stack and the local stack set exactly these; see infra/providers.ts), and the shape
 * of the Secrets Manager secret holding the merchant's keys.
 */

import * as z from 'zod/mini';
import { optional, positiveInt, required, url } from '../../config.ts';
import { once } from '../../once.ts';
import { AFFIRM_DEFAULT_TIMEOUT_MS, AFFIRM_ENV, AFFIRM_SANDBOX_URL } from './env.ts';

export { AFFIRM_DEFAULT_TIMEOUT_MS, AFFIRM_ENV, AFFIRM_SANDBOX_URL };

/**
 * The secret's JSON value: the merchant's key pair, issued by Affirm. Built when the secret is
 * first read (the first call to Affirm), not at import: no function builds it at cold start.
 */
export const affirmSecret = once(() =>
  z.object({
    publicApiKey: z.string().check(z.minLength(1)),
    privateApiKey: z.string().check(z.minLength(1)),
  }),
);

export type AffirmCredentials = z.infer<ReturnType<typeof affirmSecret>>;

export const affirmConfig = once(() => ({
  /** https://sandbox.affirm.com, https://api.affirm.com, their .ca twins, or the local simulator. */
  baseUrl: url(AFFIRM_ENV.baseUrl, AFFIRM_SANDBOX_URL),
  secretId: required(AFFIRM_ENV.secretId),
  timeoutMs: positiveInt(AFFIRM_ENV.timeoutMs, AFFIRM_DEFAULT_TIMEOUT_MS),
  merchantName: optional(AFFIRM_ENV.merchantName),
  checkoutTtlSeconds: {
    in_store: positiveInt(AFFIRM_ENV.checkoutTtlInStoreSeconds, 3_600),
    telesales: positiveInt(AFFIRM_ENV.checkoutTtlTelesalesSeconds, 86_400),
  },
}));
