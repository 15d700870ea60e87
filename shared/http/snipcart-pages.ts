/**
 * The shopper's pages of a Snipcart checkout (flow D): the checkout page, which shows the cart as
 * Snipcart holds it and Lyra's embedded form for exactly its total, and the pages for what cannot
 * go on. Amounts and items come from Snipcart's session read by the hub, never from the browser.
 */

import type { LyraOrder } from '../domain/lyra/order.ts';
import { toMajorText } from '../domain/money.ts';
import type { SnipcartSession } from '../domain/snipcart/types.ts';
import { amountText, embeddedForm, type PayForm } from './lyra-pages.ts';
import { escapeHtml, htmlPage } from './pages.ts';
import type { HttpResult } from './types.ts';

/** Only a web address may become the "back to the store" link. */
function storeLink(url: string | undefined): string {
  if (!url || !/^https?:\/\//i.test(url)) return '';
  return `\n<p><a href="${escapeHtml(url)}">Back to the store</a></p>`;
}

function cartLines(session: SnipcartSession): string {
  const { currency, items } = session.invoice;
  const rows = items
    .map(
      (item) =>
        `<tr><td>${escapeHtml(item.name)}</td><td>${item.quantity}</td><td>${escapeHtml(toMajorText(item.amount, currency))} ${escapeHtml(currency)}</td></tr>`,
    )
    .join('');
  return rows
    ? `\n<table><thead><tr><th>Item</th><th>Qty</th><th>Amount</th></tr></thead><tbody>${rows}</tbody></table>`
    : '';
}

/** The checkout page: the cart, its total, the form; `notice` says why the shopper is here again. */
export function checkoutPage(
  checkout: { session: SnipcartSession; order: LyraOrder },
  form: PayForm,
  notice?: string,
): HttpResult {
  const { session, order } = checkout;
  const formToken = order.payment.formToken;
  const back = storeLink(session.paymentAuthorizationRedirectUrl);
  if (order.payment.state !== 'awaiting_payment' || !formToken) return paymentStatePage(order, back);
  const parts = embeddedForm(formToken, form);
  return htmlPage({
    status: 200,
    title: `Pay ${amountText(order)}`,
    paragraphs: [
      ...(notice ? [notice] : []),
      'Your card is checked now for the whole amount; each parcel is charged when it ships, for what it contains.',
    ],
    head: parts.head,
    body: `${cartLines(session)}${parts.body}${back}`,
    policy: parts.policy,
  });
}

/** A checkout whose payment is no longer awaited: what became of it. */
function paymentStatePage(order: LyraOrder, back: string): HttpResult {
  switch (order.payment.state) {
    case 'authorized':
      return htmlPage({
        status: 200,
        title: 'Your card is registered',
        paragraphs: ['The shop is being told; this takes a few seconds. Reload this page to continue.'],
        head: '<meta http-equiv="refresh" content="3">',
        body: back,
      });
    case 'refused':
      return htmlPage({
        status: 200,
        title: 'Your card was refused',
        paragraphs: ['Nothing was charged. Go back to the store to choose another way to pay.'],
        body: back,
      });
    default:
      return htmlPage({
        status: 200,
        title: 'This payment cannot go on',
        paragraphs: ['Nothing was charged. Go back to the store to start again.'],
        body: back,
      });
  }
}

/** A checkout link the hub cannot serve: Snipcart does not know its token, or the cart cannot be paid. */
export function checkoutRefusedPage(status: number, reason: string): HttpResult {
  return htmlPage({
    status,
    title: 'This checkout cannot be shown',
    paragraphs: [reason, 'Nothing was charged.'],
  });
}

/** The payment is registered and Snipcart knows: on to Snipcart's page (a link, and a refresh). */
export function continuePage(returnUrl: string): HttpResult {
  const url = escapeHtml(returnUrl);
  return htmlPage({
    status: 200,
    title: 'Thank you: your card is registered',
    paragraphs: ['Each parcel is charged when it ships. Taking you back to the shop...'],
    head: `<meta http-equiv="refresh" content="0;url=${url}">`,
    body: `\n<p><a href="${url}">Back to the shop</a></p>`,
  });
}
