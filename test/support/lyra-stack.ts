/**
 * Helpers for tests of flow C (Lyra payment on shipment) against the shared local stack: the hub's
 * Lyra routes as a shop would call them, and the stack's Lyra simulator's control API.
 */

import { hub } from './hub.ts';
import { uniqueId } from './ids.ts';
import { LYRA_KEYS } from './lyra-sim.ts';
import { type HttpAnswer, http, stack } from './stack.ts';

export { ACCEPTED_CARD, LYRA_KEYS, REFUSED_CARD } from './lyra-sim.ts';

export type LyraOrderView = {
  orderId: string;
  provider: string;
  status: string;
  amount: number;
  currency: string;
  authorizedAmount: number;
  capturedAmount: number;
  refundedAmount: number;
  remainingAmount: number;
  authorizationExpiresAt?: string;
  createdAt: string;
  lyra: {
    state: string;
    formToken?: string;
    publicKey?: string;
    scriptUrl?: string;
    payUrl?: string;
    initialTransactionUuid?: string;
    guaranteeEndsAt?: string;
  };
  shipments: { shipmentId: string; amount: number; status: string; refundedAmount?: number }[];
  refunds: { refundId: string; amount: number }[];
  events: { type: string; detail?: Record<string, unknown> }[];
  pendingOperation?: { kind: string; amount: number; state: string };
  operation?: { operationId: string; kind: string; amount: number; state: string };
  code?: string;
  errors?: { path: string; message: string }[];
};

export type ShipmentAnswer = {
  orderId: string;
  shipmentId: string;
  amount: number;
  currency: string;
  status: 'debited' | 'refused';
  transactionUuid?: string;
  remainingAmount: number;
  guaranteed: boolean;
  code?: string;
  detail?: string;
};

const post = (url: string, body: unknown) =>
  http(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** POST /v1/lyra/payments with a fresh order id (unless given). */
export function createLyraPayment(
  overrides: Record<string, unknown> = {},
  options: Parameters<typeof hub.post>[2] = {},
): Promise<HttpAnswer<LyraOrderView>> {
  return hub.post<LyraOrderView>(
    '/v1/lyra/payments',
    {
      orderId: uniqueId('ship'),
      amount: 7412,
      currency: 'EUR',
      customer: { email: 'jane@example.com', firstName: 'Jane', lastName: 'Doe' },
      ...overrides,
    },
    options,
  );
}

export const order = async (orderId: string) => (await hub.get<LyraOrderView>(`/v1/orders/${orderId}`)).body;

export const shipment = (orderId: string, shipmentId: string, amount: number, idempotencyKey?: string) =>
  hub.post<ShipmentAnswer>(
    `/v1/orders/${orderId}/shipments`,
    { shipmentId, amount },
    idempotencyKey ? { idempotencyKey } : {},
  );

/** A Lyra IPN the simulator sent (GET /__control/notifications). */
export interface SentIpn {
  formToken: string;
  orderId: string;
  orderStatus: string;
  pending: boolean;
  body: string;
  hash: string;
  deliveries: { attempt: number; status: number | null; body?: string }[];
}

export const lyraSim = {
  url: () => stack().lyraUrl,
  /** What the shopper does in the form: the simulator sends the IPN, then answers the browser-return fields. */
  pay: async (formToken: string, card: string) => {
    const answer = await post(`${stack().lyraUrl}/__control/payments/${formToken}/pay`, { card });
    if (answer.status !== 200) throw new Error(`the simulator refused to pay: ${answer.text}`);
    return answer.body as Record<string, string>;
  },
  notifications: async (orderId: string) =>
    (
      await http<SentIpn[]>(
        `${stack().lyraUrl}/__control/notifications?orderId=${encodeURIComponent(orderId)}`,
      )
    ).body,
  /** How the next IPNs are sent (drop, duplicate, delay, deliver); set deliver back when done. */
  notificationMode: async (rule: { mode: string; delayMs?: number; times?: number }) => {
    const answer = await post(`${stack().lyraUrl}/__control/notifications`, rule);
    if (answer.status !== 200) throw new Error(`lyra notification mode refused: ${answer.text}`);
  },
  fault: (fault: {
    match: string;
    mode: 'status' | 'timeout' | 'reset' | 'delay';
    status?: number;
    /** The provider's error code the status fault's body names. */
    code?: string;
    delayMs?: number;
    times?: number;
    when?: 'before' | 'after';
    /** Matching requests to let through before the fault fires. */
    skip?: number;
  }) => post(`${stack().lyraUrl}/__control/faults`, fault),
  clearFaults: () => http(`${stack().lyraUrl}/__control/faults`, { method: 'DELETE' }),
  /** How writes answer: their transaction (default), or a ResponseCodeAnswer naming none. */
  writeAnswer: async (writeAnswer: 'transaction' | 'responseCode') => {
    const answer = await post(`${stack().lyraUrl}/__control/settings`, { writeAnswer });
    if (answer.status !== 200) throw new Error(`lyra settings refused: ${answer.text}`);
  },
  requests: async () =>
    // body: absent on a request without one (the form's script, a GET).
    (
      await http<{ method: string; path: string; body?: Record<string, unknown> }[]>(
        `${stack().lyraUrl}/__control/requests`,
      )
    ).body,
  /** The calls of one service (e.g. `Charge/CreateShipmentTransaction`) about the initial transaction `uuid`. */
  callsFor: async (service: string, uuid: string) =>
    (await lyraSim.requests()).filter(
      (r) =>
        r.path === `/api-payment/V4/${service}` && (r.body as { uuid?: string } | undefined)?.uuid === uuid,
    ),
};

/** Waits until the simulator has finished sending `count` IPNs for `orderId` (none pending). */
export async function waitForIpns(orderId: string, count: number, timeoutMs = 5_000): Promise<SentIpn[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await lyraSim.notifications(orderId);
    if (seen.length >= count && seen.every((n) => !n.pending)) return seen;
    if (Date.now() > deadline)
      throw new Error(`waited for ${count} IPN(s) of ${orderId}; saw ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A Lyra payment the shopper paid with the accepted card, authorized by its IPN. */
export async function authorizedLyraOrder(amount = 7412, overrides: Record<string, unknown> = {}) {
  const created = await createLyraPayment({ amount, ...overrides });
  if (created.status !== 201) throw new Error(`create-payment answered ${created.status}: ${created.text}`);
  const { orderId } = created.body;
  const browserReturn = await lyraSim.pay(created.body.lyra.formToken ?? '', '4970100000000055');
  const view = await order(orderId);
  if (view.lyra.state !== 'authorized')
    throw new Error(`the IPN did not authorize ${orderId}: ${JSON.stringify(view)}`);
  return { orderId, created: created.body, view, browserReturn };
}

/** One transaction of the order at the simulator (Order/Get): Lyra's truth, whatever the hub believes. */
export interface LyraBookEntry {
  uuid: string;
  operationType: string;
  amount: number;
  status: string;
  detailedStatus: string;
  transactionDetails: { parentTransactionUuid: string | null };
}

/** The order's transactions at the simulator, read with the shop's REST password. */
export async function lyraBooks(orderId: string): Promise<LyraBookEntry[]> {
  const answer = await http<{ answer: { transactions: LyraBookEntry[] } }>(
    `${stack().lyraUrl}/api-payment/V4/Order/Get`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${LYRA_KEYS.shopId}:${LYRA_KEYS.restPassword}`).toString('base64')}`,
      },
      body: JSON.stringify({ orderId }),
    },
  );
  return answer.body.answer.transactions;
}
