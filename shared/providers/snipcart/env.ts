/**
 * The environment variables Snipcart's adapter reads (config.ts), and their defaults. Plain
 * constants in a file of their own, like Lyra's: the providers manifest takes the names from here
 * without pulling the config code and its schema library into a bundle.
 *
 * Two hosts (providers/snipcart.md sections 1-5): the payment API (validate, payment-session and
 * the confirmation) and the app API (request token validation). Test and Live share both hosts:
 * the keys in the secret choose the mode.
 */

export const SNIPCART_ENV = {
  /** The custom payment gateway API, e.g. https://payment.snipcart.com, or the simulator. */
  paymentBaseUrl: 'SNIPCART_PAYMENT_BASE_URL',
  /** The app API (GET /api/requestvalidation/{token}), e.g. https://app.snipcart.com, or the simulator. */
  appBaseUrl: 'SNIPCART_APP_BASE_URL',
  /** Secrets Manager id (or ARN) of the SnipcartSecret. */
  secretId: 'SNIPCART_SECRET_ID',
  /** Per call to Snipcart. */
  timeoutMs: 'SNIPCART_TIMEOUT_MS',
} as const;

export const SNIPCART_DEFAULT_PAYMENT_BASE_URL = 'https://payment.snipcart.com';

export const SNIPCART_DEFAULT_APP_BASE_URL = 'https://app.snipcart.com';

export const SNIPCART_DEFAULT_TIMEOUT_MS = 10_000;
