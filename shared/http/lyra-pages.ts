/**
 * The shopper's pages of a Lyra payment on shipment: the hub's pay page (`payUrl`), which shows
 * Lyra's embedded form, and the page the browser lands on after paying. What they say comes from
 * the order as the hub stored it, never from the browser.
 */

import type { LyraOrder } from '../domain/lyra/order.ts';
import { toMajorText } from '../domain/money.ts';
import { escapeHtml, htmlPage } from './pages.ts';
import type { HttpResult } from './types.ts';

/** The pay page's token in its path (payment.ts makes 24 base64url characters); anything else names nothing. */
export const PAY_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

export interface PayForm {
  /** Lyra's script (kr-payment-form.min.js on the brand's static host). */
  scriptUrl: string;
  /** The shop's public key (`shopId:testpublickey_...`). */
  publicKey: string;
  /** Origins the form loads from and talks to: the brand's static host and API host. */
  origins: string[];
  /** Where the form posts Lyra's signed answer (the hub's POST /v1/lyra/return). */
  returnUrl: string;
  /**
   * Origins the hub's answer to that post may redirect the browser to (a storefront's own site):
   * a browser applies form-action to the redirects that follow a form's post too.
   */
  redirectOrigins?: string[];
}

export const amountText = (order: LyraOrder) =>
  `${toMajorText(order.amount, order.currency)} ${order.currency}`;

/**
 * What the browser may load on the pay page: Lyra's script and whatever it loads from the brand's
 * hosts, card issuers' 3-D Secure pages in frames (any https origin: the issuer is not known in
 * advance), and the signed answer posted back to the hub only. Which hosts the real form needs
 * beyond the brand's two is not documented [?]: a refusal shows in the browser's console.
 */
function payPagePolicy(form: PayForm): string {
  const hosts = [...new Set(form.origins)].join(' ');
  const hub = new URL(form.returnUrl).origin;
  return [
    "default-src 'none'",
    `script-src ${hosts}`,
    `style-src 'unsafe-inline' ${hosts}`,
    `img-src data: ${hosts}`,
    `font-src ${hosts}`,
    `connect-src ${hosts}`,
    // The card issuer's 3-D Secure challenge opens in a frame from the bank's own host, any host.
    `frame-src https: ${hosts}`,
    `form-action ${[hub, ...(form.redirectOrigins ?? []), hosts].join(' ')}`,
    "base-uri 'none'",
  ].join('; ');
}

/**
 * Lyra's embedded form for a form token, as parts of a page: the script in the head, the form's
 * place in the body, and the policy that lets it work. Both the hub's pay page and Snipcart's
 * checkout page show it.
 */
export function embeddedForm(
  formToken: string,
  form: PayForm,
): { head: string; body: string; policy: string } {
  const attribute = (name: string, value: string) => `${name}="${escapeHtml(value)}"`;
  const script = [
    attribute('src', form.scriptUrl),
    attribute('kr-public-key', form.publicKey),
    attribute('kr-post-url-success', form.returnUrl),
    attribute('kr-post-url-refused', form.returnUrl),
  ].join(' ');
  return {
    head: `<script ${script}></script>`,
    body: `\n<div class="kr-embedded" ${attribute('kr-form-token', formToken)}></div>`,
    policy: payPagePolicy(form),
  };
}

/** The pay page of an order awaiting payment: Lyra's embedded form for its form token. */
function formPage(order: LyraOrder, formToken: string, form: PayForm): HttpResult {
  return htmlPage({
    status: 200,
    title: `Pay ${amountText(order)}`,
    paragraphs: [
      `Order ${order.orderId}. Your card is checked now for the whole amount; nothing is taken until your order ships.`,
      'Each parcel is charged when it leaves, for what it contains.',
    ],
    ...embeddedForm(formToken, form),
  });
}

type PageText = { status: number; title: string; text: string[] };

/** What the shopper is told about a payment that no longer shows the form. */
function statePage(order: LyraOrder): PageText {
  switch (order.payment.state) {
    case 'authorized':
      return {
        status: 200,
        title: 'Thank you: your card is registered',
        text: [
          `Order ${order.orderId}, ${amountText(order)}: nothing is taken now.`,
          'Each parcel is charged when it ships. You can close this page.',
        ],
      };
    case 'refused':
      return {
        status: 200,
        title: 'Your card was refused',
        text: ['Nothing was charged. Ask the shop for a new payment link to try another card.'],
      };
    case 'cancelled':
      return {
        status: 200,
        title: 'This payment was cancelled',
        text: ['Nothing was charged. Ask the shop if you still want this order.'],
      };
    default:
      return {
        status: 200,
        title: 'We are confirming your payment',
        text: [
          'Lyra is letting the shop know. This usually takes a few seconds: reload this page to see it.',
          'Do not pay again.',
        ],
      };
  }
}

const UNKNOWN: PageText = {
  status: 404,
  title: 'We could not find this payment',
  text: ['Nothing has been charged. If you were paying for an order, ask the shop for its payment link.'],
};

/** GET /v1/lyra/pay/{payToken}: the form while the payment is awaited, else what became of it. */
export function payPage(order: LyraOrder | undefined, form: PayForm): HttpResult {
  const { formToken, state } = order?.payment ?? {};
  if (order && formToken && state === 'awaiting_payment') return formPage(order, formToken, form);
  const { status, title, text } = order ? statePage(order) : UNKNOWN;
  return htmlPage({ status, title, paragraphs: text });
}

/** After the browser return: what the order says now (the signed answer was applied first, if it moved it). */
export function returnPage(order: LyraOrder | undefined): HttpResult {
  const { status, title, text } = order ? statePage(order) : UNKNOWN;
  return htmlPage({ status, title, paragraphs: text });
}
