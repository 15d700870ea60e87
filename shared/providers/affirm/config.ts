/**
 * Affirm's configuration: the environment variables its adapter reads (named once here, so
 * that the stack and the local stack set exactly these; see infra/providers.ts), their
 * defaults, and the shape of the Secrets Manager secret holding the merchant's keys.
 */

import * as z from 'zod/mini';
import { optional, positiveInt, required, url } from '../../config.ts';
import { once } from '../../once.ts';

export const AFFIRM_ENV = {
  /** Affirm's API host. */
  baseUrl: 'AFFIRM_BASE_URL',
  /** Secrets Manager id (or ARN) of the AffirmSecret. */
  secretId: 'AFFIRM_SECRET_ID',
  /** Per call to Affirm. */
  timeoutMs: 'AFFIRM_TIMEOUT_MS',
  /** Optional name shown on Affirm's page. */
  merchantName: 'AFFIRM_MERCHANT_NAME',
  /** How long a customer has to accept an in-store checkout. */
  checkoutTtlInStoreSeconds: 'AFFIRM_CHECKOUT_TTL_IN_STORE_SECONDS',
  /** How long a customer has to accept a telesales checkout. */
  checkoutTtlTelesalesSeconds: 'AFFIRM_CHECKOUT_TTL_TELESALES_SECONDS',
} as const;

/** The sandbox: the default host, in AWS as locally; https://api.affirm.com to go live. */
export const AFFIRM_SANDBOX_URL = 'https://sandbox.affirm.com';

export const AFFIRM_DEFAULT_TIMEOUT_MS = 10_000;

/** The secret's JSON value: the merchant's key pair, issued by Affirm. */
export const AffirmSecret = z.object({
  publicApiKey: z.string().check(z.minLength(1)),
  privateApiKey: z.string().check(z.minLength(1)),
});

export type AffirmCredentials = z.infer<typeof AffirmSecret>;

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
