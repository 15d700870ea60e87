/**
 * Affirm simulator: a stand-in for https://sandbox.affirm.com built from providers/affirm.md.
 *
 * Simulates
 *   POST /api/v2/checkout/store         auth by HTTP Basic or by merchant.public_api_key in the body (both accepted, as Affirm does)
 *   GET  /api/v2/checkout/{id}          the checkout object with checkout_status
 *   POST /api/v1/transactions           authorize a confirmed checkout
 *   GET  /api/v1/transactions/{id}      read, with ?expand=events; accepts a checkout id too [UNCONFIRMED]
 *   POST /api/v1/transactions/{id}/capture | refund | void
 *   GET  /checkout/{publicKey}/new/{id}/  the customer's link page (confirm / decline), real HTML
 *   Idempotency-Key on v1 writes: the same key and request replay the first answer; the same key
 *     with another request answers 409 (Affirm's behaviour on reuse is [UNCONFIRMED]); kept 24 h
 *   Errors: 401 bad keys (code api-key-pair-invalid); a non-Basic Authorization gets the XML 404
 *     Affirm's edge returns; 403 state errors with only `type`; documented `code`s elsewhere
 *   Control (API.md): POST /__control/checkouts/{id}/approve|decline, GET /__control/outbox,
 *     plus requests, faults and clock from the common frame
 *
 * Does not simulate
 *   webhooks (flow B), POST /api/v2/checkout/resend, /api/v2/checkout/telesales and /direct,
 *   the v2 Charges API, split capture and partial void, transaction update, disputes,
 *   the 120-day refund window, fees other than 0, live-mode SMS (the outbox records an SMS only
 *   when there is no e-mail), the Canadian and global hosts' country-code header, rate limits.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type * as z from 'zod/mini';
import {
  AuthorizeRequestWire,
  CaptureRequestWire,
  RefundRequestWire,
  StoreCheckoutRequestWire,
  VoidRequestWire,
} from '#shared/providers/affirm/request-schemas.ts';
import {
  type SimRequest,
  type SimResponse,
  type SimRoute,
  type Simulator,
  startSimulator,
} from '../common/server.ts';
import { checkoutPage, notFoundPage } from './pages.ts';
import { AffirmState, affirmError, type SimTransaction } from './state.ts';

export interface AffirmSimulatorOptions {
  port: number;
  host?: string;
  publicKey: string;
  privateKey: string;
}

export interface AffirmSimulator extends Simulator {
  state: AffirmState;
}

const IDEMPOTENCY_RETENTION_MS = 24 * 3600 * 1000;

const XML_404 = {
  status: 404,
  headers: { 'content-type': 'application/xml' },
  body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotFound</Code><Message>Not Found</Message></Error>',
};

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

  /** HTTP Basic with the merchant's key pair. */
  const basic = (request: SimRequest): SimResponse | undefined => {
    const header = request.headers.authorization;
    if (!header)
      return affirmError(401, 'unauthorized', 'You must authenticate with your API key pair.', {
        code: 'api-key-pair-invalid',
      });
    if (!/^Basic /i.test(header)) return XML_404;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    if (!sameSecret(decoded, `${options.publicKey}:${options.privateKey}`)) {
      return affirmError(401, 'unauthorized', 'You provided an invalid API key pair.', {
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

  const checkoutView = (id: string) => {
    const checkout = state.checkouts.get(id);
    if (!checkout) return undefined;
    const { request } = checkout;
    return {
      checkout_id: checkout.id,
      checkout_status: state.checkoutStatus(checkout),
      order_id: request.order_id,
      total: request.total,
      currency: request.currency ?? 'USD',
      merchant: {
        name: request.merchant.name,
        user_confirmation_url: request.merchant.user_confirmation_url,
      },
      billing: request.billing,
      items: request.items ?? [],
      metadata: { ...request.metadata, checkout_channel_type: checkout.channel },
      checkout_expiration: request.checkout_expiration,
      created: checkout.created,
    };
  };

  const decide =
    (decision: 'approve' | 'decline') =>
    (request: SimRequest): SimResponse => {
      const checkout = state.checkouts.get(request.params.id ?? '');
      if (!checkout) return { status: 404, body: { error: 'unknown checkout' } };
      const refused = state.decide(checkout, decision);
      if (refused)
        return { status: 409, body: { error: refused, checkout_status: state.checkoutStatus(checkout) } };
      return {
        status: 200,
        body: { checkout_id: checkout.id, checkout_status: state.checkoutStatus(checkout) },
      };
    };

  const page = (id: string, publicKey: string): SimResponse => {
    const checkout = state.checkouts.get(id);
    const html = { 'content-type': 'text/html; charset=utf-8' };
    if (!checkout || publicKey !== options.publicKey)
      return { status: 404, headers: html, body: notFoundPage() };
    if (checkout.status === 'sent' && state.checkoutStatus(checkout) === 'sent') checkout.status = 'opened';
    const actionBase = `/checkout/${publicKey}/new/${id}/`;
    return {
      status: 200,
      headers: html,
      body: checkoutPage(checkout, state.checkoutStatus(checkout), actionBase),
    };
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
        if (checkout) state.decide(checkout, decision);
        return page(request.params.id ?? '', request.params.publicKey ?? '');
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
    ],
    errorBody: (status, message) => ({
      status_code: status,
      type: status >= 500 ? 'server_error' : 'not_found',
      message,
    }),
  });
  now = simulator.now;
  baseUrl = simulator.url;
  return { ...simulator, state };
}
