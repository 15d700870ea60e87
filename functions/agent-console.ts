import { APP_CSS, APP_JS, CONSOLE_VERSION, INDEX_HTML } from '#shared/console/assets.ts';
import { NotFoundError } from '#shared/errors.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import type { HttpEvent, HttpResult } from '#shared/http/types.ts';

/**
 * The page's policy: its own script and style only (no inline script or style, no eval), API calls
 * to this origin only, no framing, no form posting anywhere (the forms are handled by the script:
 * were it missing, the API key would never leave in a URL), and no HTML built from strings.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const NO_CACHE = 'no-cache';
/** An asset asked for by the version the page names never changes: cache it for good. */
const FOREVER = 'public, max-age=31536000, immutable';

const ASSETS: Record<string, { type: string; body: string; versioned: boolean }> = {
  '/console': { type: 'text/html; charset=utf-8', body: INDEX_HTML, versioned: false },
  '/console/app.css': { type: 'text/css; charset=utf-8', body: APP_CSS, versioned: true },
  '/console/app.js': { type: 'text/javascript; charset=utf-8', body: APP_JS, versioned: true },
};

function serveAsset(event: Pick<HttpEvent, 'routeKey' | 'queryStringParameters'>): HttpResult {
  // The route, not the raw path: only the routes of infra/routes.ts reach this function.
  const asset = ASSETS[event.routeKey.replace(/^GET /, '')];
  if (!asset) throw new NotFoundError('The route');
  const current = asset.versioned && event.queryStringParameters?.v === CONSOLE_VERSION;
  return {
    statusCode: 200,
    headers: {
      'content-type': asset.type,
      'cache-control': current ? FOREVER : NO_CACHE,
      'content-security-policy': CONSOLE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    },
    body: asset.body,
  };
}

/** GET /console, /console/app.css, /console/app.js: the agent console (static text, no table, no secret). */
export const handler = httpApi(endpoint({}).handler(async (event) => serveAsset(event)));
