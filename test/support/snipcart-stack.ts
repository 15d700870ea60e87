/**
 * Flow D helpers for the stack suite: the Snipcart simulator's control routes (the cart's
 * checkout, the session's recorded confirmations and refunds, the dashboard's refund) and the
 * hub's Snipcart pages, over HTTP.
 */

import { http, stack } from './stack.ts';

const post = (url: string, body: unknown) =>
  http(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A cart of one 599.80 EUR item: the amount, which must become exactly 59980. */
export const CART_59980 = {
  currency: 'eur',
  email: 'jane@example.com',
  items: [{ name: 'Oak table', unitPrice: 599.8, quantity: 1, type: 'Physical' }],
};

export interface SnipcartCheckout {
  sessionId: string;
  publicToken: string;
  paymentMethods: { id: string; name: string; checkoutUrl: string }[] | { code: string };
  paymentMethodsStatus: number | null;
}

export interface SnipcartSessionView {
  id: string;
  state: string;
  payments: { state: string; transactionId?: string; links?: { refunds?: string } }[];
  refunds: { request: { amount: number }; status: number | null; body: unknown }[];
}

export const snipcartSim = {
  url: () => stack().snipcartUrl,
  /** What the cart does at checkout: a session, and the hub's payment-methods call. */
  checkout: async (invoice: unknown = CART_59980): Promise<SnipcartCheckout> =>
    (await post(`${stack().snipcartUrl}/__control/sessions`, { invoice, mode: 'Test' }))
      .body as SnipcartCheckout,
  session: async (id: string): Promise<SnipcartSessionView> =>
    (await http(`${stack().snipcartUrl}/__control/sessions/${id}`)).body as SnipcartSessionView,
  /** What the dashboard does: a refund through the session's links.refunds. */
  refund: async (id: string, amount: number) =>
    (await post(`${stack().snipcartUrl}/__control/sessions/${id}/refund`, { amount })).body as {
      status: number | null;
      body: Record<string, unknown>;
    },
  fault: (fault: Record<string, unknown>) => post(`${stack().snipcartUrl}/__control/faults`, fault),
  clearFaults: () => http(`${stack().snipcartUrl}/__control/faults`, { method: 'DELETE' }),
};

/** The hub's checkout page for a method's checkoutUrl, as the cart sends the browser there. */
export function checkoutPageUrl(checkoutUrl: string, publicToken: string): string {
  return `${checkoutUrl}${checkoutUrl.includes('?') ? '&' : '?'}publicToken=${encodeURIComponent(publicToken)}`;
}

/** Runs the reconciler once on these orders (what the table stream does in AWS). */
export const reconcileOrders = (orderIds: string[]) =>
  post(`${stack().hubUrl}/__local/reconcile`, { orderIds });
