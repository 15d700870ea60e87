/**
 * The environment variables Affirm's adapter reads (config.ts), and their defaults. Plain
 * constants in a file of their own: the providers manifest (infra/providers.ts), which every
 * function bundle reads through the route manifest, takes the names from here without
 * pulling the config code and its schema library into the bundle.
 */

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
