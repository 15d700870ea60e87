/**
 * Snipcart simulator: a stand-in for Snipcart's custom payment gateway API (payment.snipcart.com),
 * its request-token validation (app.snipcart.com) and the cart and dashboard that call the
 * merchant, built from providers/snipcart.md, the seed "paiement externe" and the official examples
 * in shared/fixtures/snipcart/. Both Snipcart hosts are this one server. [?] marks a choice where
 * the real behaviour is unknown.
 *
 * Simulates
 *   GET /api/public/custom-payment-gateway/validate?publicToken=  no auth, CORS open: 200 with an
 *     empty body for a token it issued that has not expired ([?] the real body: "any 2xx" is all
 *     that is documented); else 404 with the error body ([?] the real failure status and body).
 *   GET /api/public/custom-payment-gateway/payment-session?publicToken=  no auth, CORS open: the
 *     camelCase session { id, paymentAuthorizationRedirectUrl, invoice } plus the undocumented
 *     fields of wire.ts (values [?]); 404 as above. currency lowercase, amounts in major units.
 *   POST /api/private/custom-payment-gateway/payment  Authorization: Bearer <gateway secret key>
 *     (401 otherwise, checked first); checks.ts validates the body (400; [?] an unknown field is
 *     refused too); an unknown paymentSessionId is 404; state.ts's state machine answers 409 [?]
 *     for what it refuses, notably a second `processed` with another transactionId (the first one
 *     stands) and anything after `invalidated`. A re-post of `processed` with the same
 *     transactionId is taken (links.refunds updated), as the docs allow. Every confirmation naming
 *     a known session is recorded with its answer. Success: 200 { returnUrl }, the simulator's
 *     order page /store/order/{sessionId}. transactionId is optional (integrations omit it).
 *   Error bodies: { statusCode, message } [?] (no source shows Snipcart's).
 *   GET /api/requestvalidation/{token}  HTTP Basic `<REST API key>:`; 401 otherwise [?] (403 is
 *     possible); 406 [?] unless Accept allows application/json (the real API may answer XML);
 *     200 { token } for a request token it issued less than an hour ago (simulator clock), else 404.
 *   Outgoing calls (cart.ts), each with X-Snipcart-RequestToken: the payment-methods webhook at
 *     checkout, the refund webhook from the dashboard; one attempt each, no retry [?].
 *   Public tokens: JWT-looking (HS256), valid `publicTokenTtlSeconds` (default 3600 [?]); several
 *     may name one session (the storefront issues a new one for the checkout links, as an
 *     integrator reports Snipcart does).
 *   The demo storefront (store.ts): /store, its checkout and order pages. The publicToken is
 *     appended to checkoutUrl with `?`, or `&` when it already has a query string ([?] how Snipcart
 *     merges it); only http(s) checkoutUrls become links.
 *   Control (API.md):
 *     POST /__control/sessions { invoice, mode? }: the cart's checkout; 201 { sessionId, publicToken,
 *       paymentMethods (the hub's answer body), paymentMethodsStatus (null: no answer),
 *       paymentMethodsError? }; 400 for an invoice checks.ts refuses.
 *     GET /__control/sessions/{id}: { id, state, invoice, payments (every confirmation body), refunds
 *       (every refund call with the hub's answer), ...more in wire.ts controlView }.
 *     POST /__control/sessions/{id}/refund { amount }: the dashboard's refund to the last registered
 *       links.refunds: 200 { status, body, error? } (status null: no answer); 409 if the session is
 *       not processed or has no links.refunds. The amount is not checked against the order: the
 *       hub must refuse what exceeds it.
 *     plus requests, faults and clock from the common frame.
 *
 * Does not simulate
 *   the real cart's UI and JavaScript SDK, the dashboard, Snipcart's other webhooks (order.completed
 *   ...) and REST API, the order Snipcart creates on `processed` (its invoice number, e-mails),
 *   Live vs Test key sets and key rotation (one secret key, one REST key), retries or timeouts of
 *   its calls beyond one attempt, the cart dropping methods whose checkoutUrl is not https or
 *   showing iconUrl instead of the name, a new token per method link beyond the storefront,
 *   invalidation of a session by the cart (a customer editing the cart), zero-decimal currency
 *   formats ([?] integers are sent as JSON numbers), rate limits.
 */

import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  type SimRequest,
  type SimResponse,
  type SimRoute,
  type Simulator,
  startSimulator,
} from '../common/server.ts';
import { Cart } from './cart.ts';
import { isObject, parseConfirmation, parseInvoice, parseMode, parseRefund } from './checks.ts';
import { SnipcartState } from './state.ts';
import {
  CURRENCY,
  checkoutPage,
  notFoundPage,
  orderPage,
  PRODUCTS,
  SHIPPING,
  STORE_CSP,
  storePage,
} from './store.ts';
import { controlView, errorBody, sessionView } from './wire.ts';

export interface SnipcartSimulatorKeys {
  /** The custom gateway's secret API key (Bearer on the payment confirmation). */
  secretApiKey: string;
  /** The secret REST API key (HTTP Basic on request-token validation). */
  restApiKey: string;
}

/** API.md's local keys. */
export const SNIPCART_SIMULATOR_KEYS: SnipcartSimulatorKeys = {
  secretApiKey: 'sim_snipcart_secret',
  restApiKey: 'sim_snipcart_rest_key',
};

export const SNIPCART_SIMULATOR_DEFAULTS = {
  port: 4030,
  portEnv: 'SNIPCART_SIMULATOR_PORT',
  secret: SNIPCART_SIMULATOR_KEYS,
} as const;

export interface SnipcartSimulatorOptions {
  port: number;
  host?: string;
  secret?: SnipcartSimulatorKeys;
  /** The hub's base URL, asked at each checkout; the payment-methods URL is `<hubUrl>/v1/snipcart/payment-methods`. */
  hubUrl: () => string | undefined;
  /** Public-token lifetime (default 3600 s [?]). */
  publicTokenTtlSeconds?: number;
  /** One outgoing call's timeout (default 10 s [?]). */
  callTimeoutMs?: number;
}

export interface SnipcartSimulator extends Simulator {
  state: SnipcartState;
}

const CORS = { 'access-control-allow-origin': '*' };
const PUBLIC = '/api/public/custom-payment-gateway';
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': STORE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function sameSecret(a: string, b: string): boolean {
  const hash = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(hash(a), hash(b));
}

/** checkoutUrl with publicToken appended: `?`, or `&` when it has a query string already [?]. */
export const withPublicToken = (checkoutUrl: string, token: string) =>
  `${checkoutUrl}${checkoutUrl.includes('?') ? '&' : '?'}publicToken=${encodeURIComponent(token)}`;

const html = (status: number, body: string): SimResponse => ({ status, headers: HTML_HEADERS, body });

export async function startSnipcartSimulator(options: SnipcartSimulatorOptions): Promise<SnipcartSimulator> {
  const keys = options.secret ?? SNIPCART_SIMULATOR_KEYS;
  let now: () => Date = () => new Date();
  let serverUrl = '';
  const state = new SnipcartState(() => now(), (options.publicTokenTtlSeconds ?? 3600) * 1000);
  const cart = new Cart({
    state,
    now: () => now(),
    hubUrl: options.hubUrl,
    timeoutMs: options.callTimeoutMs ?? 10_000,
  });
  const fail = (status: number, message: string, headers?: Record<string, string>): SimResponse => ({
    status,
    ...(headers ? { headers } : {}),
    body: errorBody(status, message),
  });

  const validate = ({ query }: SimRequest): SimResponse =>
    state.sessionByToken(query.get('publicToken'))
      ? { status: 200, headers: CORS }
      : fail(404, 'Invalid or expired public token', CORS);

  const paymentSession = ({ query }: SimRequest): SimResponse => {
    const session = state.sessionByToken(query.get('publicToken'));
    if (!session) return fail(404, 'Invalid or expired public token', CORS);
    const redirectUrl = `${serverUrl}/store/checkout/${session.id}#/checkout`;
    return { status: 200, headers: CORS, body: sessionView(session, redirectUrl) };
  };

  const confirmPayment = (request: SimRequest): SimResponse => {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    if (!bearer || !sameSecret(bearer, keys.secretApiKey)) return fail(401, 'Unauthorized');
    const confirmation = parseConfirmation(request.body);
    if (typeof confirmation === 'string') return fail(400, confirmation);
    const result = state.confirm(confirmation, request.body as Record<string, unknown>);
    if (result.status !== 200) return fail(result.status, result.message);
    return { status: 200, body: { returnUrl: `${serverUrl}/store/order/${result.session.id}` } };
  };

  const validateRequestToken = (request: SimRequest): SimResponse => {
    const header = request.headers.authorization ?? '';
    const decoded = /^Basic /i.test(header) ? Buffer.from(header.slice(6).trim(), 'base64').toString() : '';
    if (!sameSecret(decoded, `${keys.restApiKey}:`))
      return fail(401, 'Unauthorized', { 'www-authenticate': 'Basic realm="Snipcart"' });
    if (!/application\/json|\*\/\*/.test(request.headers.accept ?? ''))
      return fail(406, 'Send Accept: application/json');
    const token = request.params.token ?? '';
    return state.requestTokenValid(token)
      ? { status: 200, body: { token } }
      : fail(404, 'Request token not found or expired');
  };

  const createSession = async ({ body }: SimRequest): Promise<SimResponse> => {
    const input = isObject(body) ? body : {};
    const invoice = parseInvoice(input.invoice, () => randomUUID());
    if (typeof invoice === 'string') return { status: 400, body: { error: invoice } };
    const mode = parseMode(input.mode);
    if (typeof mode !== 'string') return { status: 400, body: mode };
    const { session, publicToken, call } = await cart.checkout(invoice, mode);
    return {
      status: 201,
      body: {
        sessionId: session.id,
        publicToken,
        paymentMethods: call.body,
        paymentMethodsStatus: call.status,
        ...(call.error ? { paymentMethodsError: call.error } : {}),
      },
    };
  };

  const getSession = ({ params }: SimRequest): SimResponse => {
    const session = state.sessions.get(params.id ?? '');
    return session
      ? { status: 200, body: controlView(session) }
      : { status: 404, body: { error: 'no session' } };
  };

  const refund = async ({ params, body }: SimRequest): Promise<SimResponse> => {
    const session = state.sessions.get(params.id ?? '');
    if (!session) return { status: 404, body: { error: 'no session' } };
    const input = parseRefund(body, session.invoice.currency);
    if (typeof input === 'string') return { status: 400, body: { error: input } };
    if (session.state !== 'processed')
      return { status: 409, body: { error: `the session is ${session.state}, not processed` } };
    if (!session.refundsUrl)
      return { status: 409, body: { error: 'no links.refunds registered: the order cannot be refunded' } };
    const call = await cart.refund(session, session.refundsUrl, input.amount);
    return {
      status: 200,
      body: { status: call.status, body: call.body, ...(call.error ? { error: call.error } : {}) },
    };
  };

  /** The storefront's checkout: the cart's, with the quantities of the store form. */
  const storeCheckout = async ({ body }: SimRequest): Promise<SimResponse> => {
    const form = isObject(body) ? body : {};
    const items = PRODUCTS.flatMap((p) => {
      const quantity = Number(form[`qty-${p.id}`] ?? 0);
      return Number.isInteger(quantity) && quantity > 0 && quantity <= 20
        ? [{ name: p.name, unitPrice: p.unitPrice, quantity }]
        : [];
    });
    if (items.length === 0) return { status: 303, headers: { location: '/store' } };
    const invoice = parseInvoice({ currency: CURRENCY, items: [...items, SHIPPING] }, () => randomUUID());
    if (typeof invoice === 'string') return html(400, notFoundPage());
    const { session } = await cart.checkout(invoice, 'Test');
    return { status: 303, headers: { location: `/store/checkout/${session.id}` } };
  };

  const storeSession = ({ params }: SimRequest): SimResponse => {
    const session = state.sessions.get(params.sessionId ?? '');
    if (!session) return html(404, notFoundPage());
    const token = session.state === 'created' ? state.issuePublicToken(session.id) : '';
    const links = session.availablePaymentMethods
      .filter((m) => /^https?:\/\//i.test(m.checkoutUrl) && token)
      .map((m) => ({ name: m.name, href: withPublicToken(m.checkoutUrl, token) }));
    return html(200, checkoutPage(session, links, session.paymentMethodsCall));
  };

  const storeOrder = ({ params }: SimRequest): SimResponse => {
    const session = state.sessions.get(params.sessionId ?? '');
    return session ? html(200, orderPage(session)) : html(404, notFoundPage());
  };

  const preflight = (): SimResponse => ({
    status: 204,
    headers: {
      ...CORS,
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'content-type',
    },
  });

  const routes: SimRoute[] = [
    { method: 'GET', path: `${PUBLIC}/validate`, handle: validate },
    { method: 'OPTIONS', path: `${PUBLIC}/validate`, handle: preflight },
    { method: 'GET', path: `${PUBLIC}/payment-session`, handle: paymentSession },
    { method: 'OPTIONS', path: `${PUBLIC}/payment-session`, handle: preflight },
    { method: 'POST', path: '/api/private/custom-payment-gateway/payment', handle: confirmPayment },
    { method: 'GET', path: '/api/requestvalidation/{token}', handle: validateRequestToken },
    { method: 'GET', path: '/store', handle: () => html(200, storePage()) },
    { method: 'POST', path: '/store/checkout', handle: storeCheckout },
    { method: 'GET', path: '/store/checkout/{sessionId}', handle: storeSession },
    { method: 'GET', path: '/store/order/{sessionId}', handle: storeOrder },
  ];

  const simulator = await startSimulator({
    name: 'snipcart',
    port: options.port,
    host: options.host,
    routes,
    controlRoutes: [
      { method: 'POST', path: '/__control/sessions', handle: createSession },
      { method: 'GET', path: '/__control/sessions/{id}', handle: getSession },
      { method: 'POST', path: '/__control/sessions/{id}/refund', handle: refund },
    ],
    errorBody,
  });
  now = simulator.now;
  serverUrl = simulator.url;
  return { ...simulator, state };
}
