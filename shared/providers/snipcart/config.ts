/**
 * Snipcart's configuration: the environment variables its adapter reads (named in env.ts) and
 * the shape of the Secrets Manager secret holding the store's keys.
 */

import * as z from 'zod/mini';
import { positiveInt, required, url } from '../../config.ts';
import { once } from '../../once.ts';
import {
  SNIPCART_DEFAULT_APP_BASE_URL,
  SNIPCART_DEFAULT_PAYMENT_BASE_URL,
  SNIPCART_DEFAULT_TIMEOUT_MS,
  SNIPCART_ENV,
} from './env.ts';

export {
  SNIPCART_DEFAULT_APP_BASE_URL,
  SNIPCART_DEFAULT_PAYMENT_BASE_URL,
  SNIPCART_DEFAULT_TIMEOUT_MS,
  SNIPCART_ENV,
};

/**
 * The secret's JSON value, one mode's keys (Test and Live keys differ; the set in the secret
 * picks the mode, as the session itself carries none):
 *   - `secretKey`: the custom payment gateway's API key, sent as `Authorization: Bearer` on the
 *     confirmation (dashboard: Store configuration > Payment gateway > Custom payment gateway,
 *     the secret API key of the mode; two per mode for rotation, and regenerating one revokes it
 *     at once: providers/snipcart.md section 3, D6);
 *   - `restApiKey`: the store's secret REST API key, the HTTP Basic user (empty password) of
 *     request token validation (dashboard: Account > API keys, secret API key of the mode;
 *     section 5, D8). As a Basic user it cannot hold a colon.
 * Neither is ever logged.
 */
/** Built when the secret is first read (the first call to the provider), not at load. */
export const snipcartSecret = once(() =>
  z.object({
    secretKey: z.string().check(z.regex(/^\S{1,512}$/)),
    restApiKey: z.string().check(z.regex(/^[^:\s]{1,512}$/)),
  }),
);

export type SnipcartCredentials = z.infer<ReturnType<typeof snipcartSecret>>;

export const snipcartConfig = once(() => ({
  /** The custom payment gateway API (validate, payment-session, payment), or the simulator. */
  paymentBaseUrl: url(SNIPCART_ENV.paymentBaseUrl, SNIPCART_DEFAULT_PAYMENT_BASE_URL),
  /** The app API (request token validation), or the simulator. */
  appBaseUrl: url(SNIPCART_ENV.appBaseUrl, SNIPCART_DEFAULT_APP_BASE_URL),
  secretId: required(SNIPCART_ENV.secretId),
  timeoutMs: positiveInt(SNIPCART_ENV.timeoutMs, SNIPCART_DEFAULT_TIMEOUT_MS),
}));
