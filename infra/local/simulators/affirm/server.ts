/**
 * Affirm simulator: a stand-in for https://sandbox.affirm.com built from providers/affirm.md and
 * shaped like the recorded sandbox answers (test/fixtures/affirm/; a recording wins over the docs).
 *
 * Simulates
 *   POST /api/v2/checkout/store         auth by HTTP Basic or by merchant.public_api_key in the body (both accepted, as Affirm does)
 *   GET  /api/v2/checkout/{id}          the checkout object in the recorded shape (get_checkout__success): no
 *                                       checkout_id, `items` keyed by SKU, merchant, metadata with
 *                                       checkout_channel_type, mfp_rule_input_data. One deliberate difference:
 *                                       checkout_status carries the real state (sent, opened, confirmed,
 *                                       not_approved, authorized, expired) where the recordings show "unknown",
 *                                       because the hub must tell these apart; the setting
 *                                       checkoutStatusUnknown answers "unknown" as recorded
 *   Customer confirmation creates the transaction: status `confirmed`, a `confirm` event, provider_id 2,
 *     ids shaped like the recorded LS-XXXX-XXXX / LSE-XXXX-XXXX; `created` is the checkout's creation time
 *     and authorization_expiration is 30 days after it
 *   POST /api/v1/transactions           authorize a confirmed checkout: the same transaction becomes `authorized`
 *                                       (provider_id stays 2, as recorded) with an `auth` event
 *   GET  /api/v1/transactions/{id}      read, with ?expand=events (newest first); accepts a checkout id too [UNCONFIRMED]
 *   POST /api/v1/transactions/{id}/capture | refund | void   `auth`, `confirm` and `void` events carry no amount
 *   GET  /checkout/{publicKey}/new/{id}/  the customer's link page (confirm / decline), real HTML; after
 *                                       confirming, the browser is sent on (a form a script submits, a
 *                                       button without scripts) to merchant.user_confirmation_url with
 *                                       checkout_token (POST body by default, query string when
 *                                       user_confirmation_url_action is GET); after declining, a link to
 *                                       merchant.user_cancel_url
 *   Webhooks (webhooks.ts): a form-encoded checkout event, signed X-Affirm-Signature with the private
 *     key at the simulator's clock, POSTed to the webhookUrl option (the local stack: AFFIRM_WEBHOOK_URL,
 *     else the hub's POST /v1/affirm/webhooks), in the background, one attempt with a timeout:
 *       opened        the first view of the link page (not when a control call decides unseen)
 *       confirmed     the customer confirms (link page or POST /__control/checkouts/{id}/approve)
 *       not_approved  the customer declines (link page or .../decline)
 *     Every one is sent, as for a customer who opted into Affirm's data sharing; a repeated decision
 *     sends nothing
 *   Idempotency-Key on v1 writes: the same key and request replay the first answer; the same key
 *     with another request answers 409 (Affirm's behaviour on reuse is [UNCONFIRMED]); kept 24 h
 *   Errors: 401 bad keys (code api-key-pair-invalid); 403 state errors with only `type` and the
 *     recorded messages (void of a confirmed transaction: void_forbidden_on_confirmed); documented
 *     `code`s elsewhere; a non-Basic Authorization gets an XML 404 shaped like the recorded one
 *     ([UNCONFIRMED] trigger: the recording is of an unknown path with Basic auth)
 *   Control (API.md): POST /__control/checkouts/{id}/approve|decline (answered without waiting for the
 *     webhook), GET /__control/outbox,
 *     POST /__control/notifications { mode: deliver|drop|duplicate|delay, delayMs?, times? } (webhooks.ts),
 *     GET /__control/notifications[?checkoutId=&event=] every webhook, oldest first: { at, checkoutId,
 *       event, url, mode, delayMs?, pending, body, signature, deliveries: [{ status, body?, error?, ms }] }
 *       (status null: dropped, not sent, or no answer; pending: true until every delivery has finished)
 *     GET|POST /__control/settings { echoReferenceId?: boolean, checkoutStatusUnknown?: boolean }
 *       echoReferenceId (default true): false drops the reference_id sent with capture, refund and void
 *         from the answer and the transaction's events (no recording shows Affirm echoing it)
 *       checkoutStatusUnknown (default false): true answers checkout_status "unknown" on every read
 *       POST sets only the fields given and answers the whole settings; DELETE /__control/faults and
 *       the clock leave them alone
 *     plus requests, faults and clock from the common frame
 *
 * Does not simulate
 *   webhook retries (Affirm's documentation contradicts itself: none, or retries with a fresh
 *   signature), the webhook configuration by Affirm support (one URL for every checkout here), the
 *   opt-in rule that makes every event but `confirmed` optional (all are sent), the events `sent`,
 *   `approved` and `more_information_needed` (the credit decision and the confirmation are one click
 *   here; a decline is the customer's refusal, reported as `not_approved`), the loan terms in the
 *   event (apr, finance charge, payments, down payment), the prequalification events,
 *   POST /api/v2/checkout/resend, /api/v2/checkout/telesales and /direct,
 *   the v2 Charges API, split capture and partial void, transaction update, disputes,
 *   provider_id 1 transactions (no `confirm` event, an amount on `auth`, authorization_expiration
 *   30 days after the authorization, as recorded in authorize__success), the expiry of a confirmed
 *   transaction whose checkout expired, discounts and lease financing in the checkout read,
 *   the 120-day refund window, fees other than 0, live-mode SMS (the outbox records an SMS only
 *   when there is no e-mail), the Canadian and global hosts' country-code header, rate limits,
 *   the XML 404 of an unknown path (the common frame answers it as JSON).
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type * as z from 'zod/mini';
import {
  AuthorizeRequestWire,
  CaptureRequestWire,
  RefundRequestWire,
  StoreCheckoutRequestWire,
  VoidRequestWire,
} from '#shared/providers/affirm/request-schemas.ts';
import { parseModeRule } from '../common/notifications.ts';
import {
  type SimRequest,
  type SimResponse,
  type SimRoute,
  type Simulator,
  startSimulator,
} from '../common/server.ts';
import { checkoutPage, notFoundPage } from './pages.ts';
import {
  AffirmState,
  affirmError,
  type SimCheckout,
  type SimSettings,
  type SimTransaction,
} from './state.ts';
import { WebhookSender } from './webhooks.ts';

export interface AffirmSimulatorOptions {
  port: number;
  host?: string;
  publicKey: string;
  privateKey: string;
  /**
   * Where webhooks go, asked at each event (the hub's URL is known only once it listens); undefined:
   * nothing is sent, and the notification is recorded as not sent.
   */
  webhookUrl?: () => string | undefined;
  /** How long one webhook delivery may take (default 10 s; Affirm's own limit is undocumented). */
  webhookTimeoutMs?: number;
}

export interface AffirmSimulator extends Simulator {
  state: AffirmState;
  webhooks: WebhookSender;
}

const IDEMPOTENCY_RETENTION_MS = 24 * 3600 * 1000;

const escapeXml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The recorded XML 404 (404_not_found): the edge echoes the Authorization header it refuses. */
const xml404 = (authorization: string): SimResponse => ({
  status: 404,
  headers: { 'content-type': 'application/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code><Message>Unsupported Authorization Type</Message><ArgumentName>Authorization</ArgumentName><ArgumentValue>${escapeXml(authorization)}</ArgumentValue><RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`,
});

const SETTING_NAMES = ['echoReferenceId', 'checkoutStatusUnknown'] as const satisfies (keyof SimSettings)[];

/** Validates a settings change: known names, boolean values. */
function settingsChange(body: unknown): Partial<SimSettings> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const entries = Object.entries(body);
  const valid = entries.every(
    ([name, value]) => SETTING_NAMES.includes(name as keyof SimSettings) && typeof value === 'boolean',
  );
  return valid ? (Object.fromEntries(entries) as Partial<SimSettings>) : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const hash = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(hash(a), hash(b));
}

function invalid(schema: z.ZodMiniType, body: unknown): SimResponse | undefined {
  const result = schema.safeParse(body ?? {});
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  return affirmError(400, 'invalid_request', `Invalid field${field ? `: ${field}` : ''}`, {
    code: 'invalid_field',
    ...(field ? { field } : {}),
  });
}

export async function startAffirmSimulator(options: AffirmSimulatorOptions): Promise<AffirmSimulator> {
  let now: () => Date = () => new Date();
  const state = new AffirmState(() => now());
  let baseUrl = '';
  const redirectUrl = (id: string) => `${baseUrl}/checkout/${options.publicKey}/new/${id}/`;
  const idempotency = new Map<string, { fingerprint: string; at: number; response: SimResponse }>();
  const webhooks = new WebhookSender({
    url: options.webhookUrl ?? (() => undefined),
    privateKey: options.privateKey,
    now: () => now(),
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
  });

  /** The customer's decision, and its webhook when it changed the checkout (not when repeated). */
  const customerDecides = (checkout: SimCheckout, decision: 'approve' | 'decline'): string | undefined => {
    const before = checkout.status;
    const refused = state.decide(checkout, decision);
    if (!refused && checkout.status !== before)
      webhooks.notify(checkout, decision === 'approve' ? 'confirmed' : 'not_approved');
    return refused;
  };

  /** HTTP Basic with the merchant's key pair. */
  const basic = (request: SimRequest): SimResponse | undefined => {
    const header = request.headers.authorization;
    if (!header)
      return affirmError(401, 'unauthorized', 'You must authenticate with your API key pair.', {
        code: 'api-key-pair-invalid',
      });
    if (!/^Basic /i.test(header)) return xml404(header);
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    if (!sameSecret(decoded, `${options.publicKey}:${options.privateKey}`)) {
      return affirmError(401, 'unauthorized', 'You have provided an invalid API key pair.', {
        code: 'api-key-pair-invalid',
      });
    }
    return undefined;
  };

  /** Replays the first answer for a repeated Idempotency-Key on a v1 write. */
  const idempotent = (request: SimRequest, apply: () => SimResponse): SimResponse => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') return apply();
    const fingerprint = `${request.method} ${request.path} ${request.rawBody}`;
    const seen = idempotency.get(key);
    if (seen && now().getTime() - seen.at < IDEMPOTENCY_RETENTION_MS) {
      if (seen.fingerprint !== fingerprint) {
        return affirmError(
          409,
          'invalid_request',
          'This idempotency key was already used with different parameters.',
        );
      }
      return seen.response;
    }
    const response = apply();
    if (response.status < 500) idempotency.set(key, { fingerprint, at: now().getTime(), response });
    return response;
  };

  const transactionAction =
    (action: 'capture' | 'refund' | 'void', schema: z.ZodMiniType): SimRoute['handle'] =>
    (request) =>
      basic(request) ??
      invalid(schema, request.body) ??
      idempotent(request, () => {
        const transaction = state.findTransaction(request.params.id ?? '');
        const body = (request.body ?? {}) as Record<string, never>;
        return action === 'capture'
          ? state.capture(transaction, body)
          : action === 'refund'
            ? state.refund(transaction, body)
            : state.void(transaction, body);
      });

  /** The checkout read, in the shape of the recorded get_checkout__success (see the header for checkout_status). */
  const checkoutView = (id: string) => {
    const checkout = state.checkouts.get(id);
    if (!checkout) return undefined;
    const { request } = checkout;
    const items = Object.fromEntries((request.items ?? []).map((item) => [item.sku, item]));
    const metadata = { ...request.metadata, checkout_channel_type: checkout.channel };
    const financing = request.financing_program ?? 'standard_3_6_12';
    return {
      api_version: 'v2',
      billing: request.billing,
      checkout_flow_type: 'classic',
      checkout_status: state.settings.checkoutStatusUnknown ? 'unknown' : state.checkoutStatus(checkout),
      checkout_type: 'merchant',
      config: {},
      currency: request.currency ?? 'USD',
      discounts: {},
      financing_program_external_name: financing,
      financing_program_name: financing,
      items,
      loan_type: 'classic',
      merchant: {
        name: request.merchant.name,
        public_api_key: options.publicKey,
        user_cancel_url: request.merchant.user_cancel_url,
        user_confirmation_url: request.merchant.user_confirmation_url,
      },
      merchant_external_reference: request.order_id,
      metadata,
      mfp_rule_input_data: { items, metadata, total: request.total },
      order_id: request.order_id,
      product: 'checkout',
      ...(request.shipping ? { shipping: request.shipping } : {}),
      ...(request.shipping_amount !== undefined ? { shipping_amount: request.shipping_amount } : {}),
      ...(request.tax_amount !== undefined ? { tax_amount: request.tax_amount } : {}),
      total: request.total,
    };
  };

  const settings = (request: SimRequest): SimResponse => {
    if (request.method === 'POST') {
      const change = settingsChange(request.body);
      if (!change) {
        return {
          status: 400,
          body: { error: `expected an object of booleans among: ${SETTING_NAMES.join(', ')}` },
        };
      }
      Object.assign(state.settings, change);
    }
    return { status: 200, body: state.settings };
  };

  const decide =
    (decision: 'approve' | 'decline') =>
    (request: SimRequest): SimResponse => {
      const checkout = state.checkouts.get(request.params.id ?? '');
      if (!checkout) return { status: 404, body: { error: 'unknown checkout' } };
      const refused = customerDecides(checkout, decision);
      if (refused)
        return { status: 409, body: { error: refused, checkout_status: state.checkoutStatus(checkout) } };
      return {
        status: 200,
        body: { checkout_id: checkout.id, checkout_status: state.checkoutStatus(checkout) },
      };
    };

  /** The link page; `returning`: the answer to the confirmation, which sends the browser back to the merchant. */
  const page = (id: string, publicKey: string, returning = false): SimResponse => {
    const checkout = state.checkouts.get(id);
    const html = { 'content-type': 'text/html; charset=utf-8' };
    if (!checkout || publicKey !== options.publicKey)
      return { status: 404, headers: html, body: notFoundPage() };
    if (checkout.status === 'sent' && state.checkoutStatus(checkout) === 'sent') {
      checkout.status = 'opened';
      webhooks.notify(checkout, 'opened');
    }
    const actionBase = `/checkout/${publicKey}/new/${id}/`;
    return {
      status: 200,
      headers: html,
      body: checkoutPage(checkout, state.checkoutStatus(checkout), actionBase, { returning }),
    };
  };

  const notifications = (request: SimRequest): SimResponse => {
    if (request.method === 'POST') {
      const rule = parseModeRule(request.body);
      if (typeof rule === 'string') return { status: 400, body: { error: rule } };
      webhooks.setMode(rule);
      return { status: 200, body: webhooks.mode };
    }
    const checkoutId = request.query.get('checkoutId');
    const event = request.query.get('event');
    const listed = webhooks.sent.filter(
      (n) => (checkoutId === null || n.checkoutId === checkoutId) && (event === null || n.event === event),
    );
    return { status: 200, body: listed };
  };

  const routes: SimRoute[] = [
    {
      method: 'POST',
      path: '/api/v2/checkout/store',
      handle: (request) => {
        const body = request.body as { merchant?: { public_api_key?: string } } | undefined;
        if (request.headers.authorization) {
          const refused = basic(request);
          if (refused) return refused;
        } else if (!body?.merchant?.public_api_key) {
          return affirmError(401, 'unauthorized', 'A public API key is required.', {
            code: 'public-api-key-not-specified',
          });
        } else if (!sameSecret(body.merchant.public_api_key, options.publicKey)) {
          return affirmError(401, 'unauthorized', 'The public API key is not valid.', {
            code: 'public-api-key-invalid',
          });
        }
        const refused = invalid(StoreCheckoutRequestWire, request.body);
        if (refused) return refused;
        const wire = StoreCheckoutRequestWire.parse(request.body);
        if (!wire.billing.email && !wire.billing.phone_number) {
          return affirmError(
            400,
            'invalid_request',
            'An e-mail or a phone number is needed to send the checkout link.',
            {
              code: 'invalid_field',
              field: 'billing.email',
            },
          );
        }
        if (wire.checkout_expiration && !(Date.parse(wire.checkout_expiration) > now().getTime())) {
          return affirmError(400, 'invalid_request', 'checkout_expiration must be a future ISO 8601 time.', {
            code: 'invalid_field',
            field: 'checkout_expiration',
          });
        }
        const checkout = state.createCheckout(wire, redirectUrl);
        return { status: 200, body: { checkout_id: checkout.id, redirect_url: redirectUrl(checkout.id) } };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/checkout/{id}',
      handle: (request) => {
        const refused = basic(request);
        if (refused) return refused;
        const view = checkoutView(request.params.id ?? '');
        return view
          ? { status: 200, body: view }
          : affirmError(404, 'not_found', 'The checkout could not be found.');
      },
    },
    {
      method: 'POST',
      path: '/api/v1/transactions',
      handle: (request) =>
        basic(request) ??
        invalid(AuthorizeRequestWire, request.body) ??
        idempotent(request, () => {
          const body = AuthorizeRequestWire.parse(request.body);
          const response = state.authorize(
            state.checkouts.get(body.transaction_id),
            body.order_id ?? undefined,
          );
          return response.status === 200
            ? { status: 200, body: transactionView(response.body as SimTransaction, body.expand) }
            : response;
        }),
    },
    {
      method: 'GET',
      path: '/api/v1/transactions/{id}',
      handle: (request) => {
        const refused = basic(request);
        if (refused) return refused;
        const transaction = state.findTransaction(request.params.id ?? '');
        if (!transaction) return affirmError(404, 'not_found', 'The transaction could not be found.');
        return { status: 200, body: transactionView(transaction, request.query.get('expand')) };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/transactions/{id}/capture',
      handle: transactionAction('capture', CaptureRequestWire),
    },
    {
      method: 'POST',
      path: '/api/v1/transactions/{id}/refund',
      handle: transactionAction('refund', RefundRequestWire),
    },
    {
      method: 'POST',
      path: '/api/v1/transactions/{id}/void',
      handle: transactionAction('void', VoidRequestWire),
    },
    {
      method: 'GET',
      path: '/checkout/{publicKey}/new/{id}/',
      handle: (r) => page(r.params.id ?? '', r.params.publicKey ?? ''),
    },
    ...(['approve', 'decline'] as const).map((decision) => ({
      method: 'POST',
      path: `/checkout/{publicKey}/new/{id}/${decision}`,
      handle: (request: SimRequest): SimResponse => {
        const checkout = state.checkouts.get(request.params.id ?? '');
        if (checkout && request.params.publicKey === options.publicKey) customerDecides(checkout, decision);
        return page(request.params.id ?? '', request.params.publicKey ?? '', decision === 'approve');
      },
    })),
  ];

  /** The transaction object; `events` only when expanded, as Affirm does. */
  function transactionView(transaction: SimTransaction, expand: string | null | undefined) {
    const { events, ...rest } = transaction;
    const view = { ...rest, status: state.transactionStatus(transaction) };
    return expand?.split(',').includes('events') ? { ...view, events } : view;
  }

  const simulator = await startSimulator({
    name: 'affirm',
    port: options.port,
    host: options.host,
    routes,
    controlRoutes: [
      { method: 'POST', path: '/__control/checkouts/{id}/approve', handle: decide('approve') },
      { method: 'POST', path: '/__control/checkouts/{id}/decline', handle: decide('decline') },
      { method: 'GET', path: '/__control/outbox', handle: () => ({ status: 200, body: state.outbox }) },
      { method: 'GET', path: '/__control/settings', handle: settings },
      { method: 'POST', path: '/__control/settings', handle: settings },
      { method: 'GET', path: '/__control/notifications', handle: notifications },
      { method: 'POST', path: '/__control/notifications', handle: notifications },
    ],
    errorBody: (status, message, code) => ({
      status_code: status,
      type: status >= 500 ? 'server_error' : 'not_found',
      ...(code ? { code } : {}),
      message,
    }),
  });
  now = simulator.now;
  baseUrl = simulator.url;
  return {
    ...simulator,
    state,
    webhooks,
    close: async () => {
      webhooks.close();
      await simulator.close();
    },
  };
}
