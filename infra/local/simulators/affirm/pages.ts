/** The customer-facing pages of the Affirm simulator: the checkout link and its outcome. Real HTML, no script needed. */

import type { CheckoutStatus, SimCheckout } from './state.ts';

const escapeHtml = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const money = (cents: number, currency = 'USD') =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Affirm (simulator)</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; color: #101820; }
  header { color: #4a4af4; font-weight: 700; letter-spacing: .02em; }
  .sim { font-size: .75rem; color: #666; }
  table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
  td { padding: .25rem 0; } td:last-child { text-align: right; }
  .total td { font-weight: 700; border-top: 1px solid #ccc; }
  form { display: inline; }
  button { font-size: 1rem; padding: .6rem 1.2rem; border-radius: .4rem; border: 0; cursor: pointer; margin-right: .5rem; }
  .approve { background: #4a4af4; color: #fff; } .decline { background: #eee; }
  .status { padding: .75rem; border-radius: .4rem; background: #f3f3ff; }
</style>
</head>
<body>
<header>affirm <span class="sim">simulator</span></header>
${body}
</body>
</html>`;
}

const OUTCOME: Record<Exclude<CheckoutStatus, 'sent' | 'opened'>, string> = {
  confirmed: 'You are approved. Tell the store associate that you have finished.',
  authorized: 'Your loan is confirmed and the purchase is complete.',
  not_approved: 'You declined this financing. Nothing will be charged.',
  expired: 'This checkout link has expired. Ask the store associate for a new one.',
};

export function checkoutPage(checkout: SimCheckout, status: CheckoutStatus, actionBase: string): string {
  const { request } = checkout;
  const merchant = request.merchant.name ?? 'the merchant';
  const lines = (request.items ?? [])
    .map(
      (item) =>
        `<tr><td>${escapeHtml(item.display_name)} × ${item.qty}</td><td>${money(item.unit_price * item.qty, request.currency)}</td></tr>`,
    )
    .join('');
  const summary = `<table>${lines}<tr class="total"><td>Total</td><td data-testid="total">${money(request.total, request.currency)}</td></tr></table>`;
  const decision =
    status === 'sent' || status === 'opened'
      ? `<p>Pay over time for your purchase at <strong>${escapeHtml(merchant)}</strong>.</p>
${summary}
<form method="post" action="${actionBase}approve"><button class="approve" type="submit">Confirm loan</button></form>
<form method="post" action="${actionBase}decline"><button class="decline" type="submit">No thanks</button></form>`
      : `${summary}<p class="status" role="status" data-status="${status}">${OUTCOME[status]}</p>${returnForm(checkout, status)}`;
  return layout(`Checkout ${checkout.id}`, decision);
}

/** After approval Affirm sends the browser to user_confirmation_url with the checkout token (POST by default). */
function returnForm(checkout: SimCheckout, status: CheckoutStatus): string {
  const merchant = checkout.request.merchant;
  const target =
    status === 'confirmed'
      ? merchant.user_confirmation_url
      : status === 'not_approved'
        ? merchant.user_cancel_url
        : undefined;
  if (!target) return '';
  const method = merchant.user_confirmation_url_action === 'GET' ? 'get' : 'post';
  return `<form method="${method}" action="${escapeHtml(target)}"><input type="hidden" name="checkout_token" value="${escapeHtml(checkout.id)}"><button type="submit">Return to ${escapeHtml(merchant.name ?? 'the merchant')}</button></form>`;
}

export function notFoundPage(): string {
  return layout('Not found', '<p class="status" role="status">This checkout link is not valid.</p>');
}
