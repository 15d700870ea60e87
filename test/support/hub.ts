/** A small client for the hub's API, as a POS would call it. */

import { uniqueId } from './ids.ts';
import { affirmSim, type HttpAnswer, http, stack } from './stack.ts';

export interface CallOptions {
  key?: string;
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

export type OrderView = {
  orderId: string;
  status: string;
  amount: number;
  authorizedAmount: number;
  capturedAmount: number;
  refundedAmount: number;
  remainingAmount: number;
  authorizationExpiresAt?: string;
  affirm: { checkoutId: string; redirectUrl: string; transactionId?: string };
  refunds: { refundId: string; amount: number }[];
  events: { type: string }[];
  pendingOperation?: { kind: string; amount: number; state: string };
  /** The operation a capture, refund or void request performed. */
  operation?: { operationId: string; kind: string; amount: number; state: string };
};

export type Problem = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
  requestId: string;
};

function headers(options: CallOptions, json: boolean): Record<string, string> {
  return {
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(options.key === '' ? {} : { authorization: `Bearer ${options.key ?? stack().keys.pos}` }),
    ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    ...options.headers,
  };
}

export const hub = {
  url: () => stack().hubUrl,
  post<T = OrderView & Problem>(
    path: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<HttpAnswer<T>> {
    return http<T>(`${stack().hubUrl}${path}`, {
      method: 'POST',
      headers: headers(options, body !== undefined),
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  },
  get<T = OrderView & Problem>(path: string, options: CallOptions = {}): Promise<HttpAnswer<T>> {
    return http<T>(`${stack().hubUrl}${path}`, { headers: headers(options, false) });
  },
};

export function checkoutBody(overrides: Record<string, unknown> = {}) {
  return {
    orderId: uniqueId('order'),
    channel: 'in_store',
    amount: 125_000,
    currency: 'USD',
    customer: {
      name: { first: 'Jane', last: 'Doe' },
      email: 'jane@example.com',
      phone: '+1 303 555 0142',
      address: { line1: '1 Main St', city: 'Denver', state: 'CO', zipcode: '80202', country: 'USA' },
    },
    items: [{ sku: 'SOFA-1', name: 'Sofa', unitPrice: 125_000, quantity: 1 }],
    metadata: { storeLocation: 'Denver', entityName: 'Demo Store' },
    ...overrides,
  };
}

/** Creates a checkout through the hub and returns the order view. */
export async function createCheckout(
  overrides: Record<string, unknown> = {},
  options: CallOptions = {},
): Promise<OrderView> {
  const answer = await hub.post('/v1/affirm/checkouts', checkoutBody(overrides), options);
  if (answer.status !== 201) throw new Error(`create failed: ${answer.status} ${answer.text}`);
  return answer.body;
}

/** Creates a checkout, lets the customer approve it at the simulator, and authorizes it through the hub. */
export async function authorizedOrder(
  overrides: Record<string, unknown> = {},
  options: CallOptions = {},
): Promise<OrderView> {
  const order = await createCheckout(overrides, options);
  await affirmSim.approve(order.affirm.checkoutId);
  const answer = await hub.post(
    `/v1/affirm/checkouts/${order.affirm.checkoutId}/authorize`,
    undefined,
    options,
  );
  if (answer.status !== 200) throw new Error(`authorize failed: ${answer.status} ${answer.text}`);
  return answer.body;
}
