/**
 * The environment variables Lyra's adapter reads (config.ts), and their defaults. Plain constants
 * in a file of their own, like Affirm's: the providers manifest takes the names from here without
 * pulling the config code and its schema library into a bundle.
 *
 * One adapter serves every Lyra brand (PayZen, Systempay, Sogecommerce, Lyra Collect, Scellius,
 * Mi Cuenta Web...): the brand is the base URL (providers/lyra.md section 1).
 */

export const LYRA_ENV = {
  /** The brand's REST API host, e.g. https://api.payzen.eu, https://api.systempay.fr, or the simulator. */
  baseUrl: 'LYRA_BASE_URL',
  /** The host of the embedded form's JavaScript; derived from the base URL when unset. */
  staticUrl: 'LYRA_STATIC_URL',
  /** Secrets Manager id (or ARN) of the LyraSecret. */
  secretId: 'LYRA_SECRET_ID',
  /** Per call to Lyra. */
  timeoutMs: 'LYRA_TIMEOUT_MS',
} as const;

/** PayZen Europe. The password in the secret (test or production) chooses TEST or PRODUCTION, not the host. */
export const LYRA_DEFAULT_BASE_URL = 'https://api.payzen.eu';

export const LYRA_DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The brands whose JavaScript is on a `static.` twin of the `api.` host (lyra/flask-embedded-form-examples
 * `.env.example` [C]); every other brand serves it from the API host itself (Systempay under `/static/`).
 */
const STATIC_TWINS = ['payzen.eu', 'payzen.lat', 'micuentaweb.pe'];

/** The JavaScript host of the brand whose API is at `baseUrl` (no trailing slash). */
export function defaultStaticUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  const twin = STATIC_TWINS.find((domain) => url.hostname === `api.${domain}`);
  if (twin) url.hostname = `static.${twin}`;
  return url.origin;
}

/** The embedded form's script (providers/lyra.md section 6), on the brand's static host. */
export function lyraScriptUrl(staticUrl: string): string {
  return `${staticUrl.replace(/\/+$/, '')}/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js`;
}
