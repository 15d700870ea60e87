/**
 * The customer-facing pages of the Affirm simulator: the checkout link and its outcome. Real HTML that
 * works without scripts; the one script sends the browser back to the merchant after confirmation.
 */

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
  h1 { font-size: 1.25rem; }
  button:focus-visible, a:focus-visible { outline: 3px solid #101820; outline-offset: 2px; }
</style>
</head>
<body>
<header>affirm <span class="sim">simulator</span></header>
<main>
${body}
</main>
</body>
</html>`;
}

const OUTCOME: Record<Exclude<CheckoutStatus, 'sent' | 'opened'>, string> = {
  confirmed: 'You are approved. Tell the store associate that you have finished.',
  authorized: 'Your loan is confirmed and the purchase is complete.',
  not_approved: 'You declined this financing. Nothing will be charged.',
  expired: 'This checkout link has expired. Ask the store associate for a new one.',
};

/**
 * The link page. `returning`: this is the answer to the customer's confirmation, so the page sends the
 * browser on to the merchant's user_confirmation_url at once, as Affirm does (a script submits the
 * form; without scripts the customer presses its button).
 */
export function checkoutPage(
  checkout: SimCheckout,
  status: CheckoutStatus,
  actionBase: string,
  { returning = false }: { returning?: boolean } = {},
): string {
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
      ? `<h1>Pay over time</h1>
<p>Pay over time for your purchase at <strong>${escapeHtml(merchant)}</strong>.</p>
${summary}
<form method="post" action="${actionBase}approve"><button class="approve" type="submit">Confirm loan</button></form>
<form method="post" action="${actionBase}decline"><button class="decline" type="submit">No thanks</button></form>`
      : `<h1>Your Affirm checkout</h1>${summary}<p class="status" role="status" data-status="${status}">${OUTCOME[status]}</p>${backToMerchant(checkout, status, returning)}`;
  return layout(`Checkout ${checkout.id}`, decision);
}

/**
 * After confirmation Affirm sends the browser to user_confirmation_url with `checkout_token`: in the
 * form body for POST (the default), in the query string for GET (kept beside the URL's own query,
 * which a GET form would otherwise replace). After a refusal: a plain link to user_cancel_url.
 */
function backToMerchant(checkout: SimCheckout, status: CheckoutStatus, returning: boolean): string {
  const merchant = checkout.request.merchant;
  const name = escapeHtml(merchant.name ?? 'the merchant');
  if (status === 'not_approved' && merchant.user_cancel_url)
    return `<p><a href="${escapeHtml(merchant.user_cancel_url)}" data-testid="cancel-link">Return to ${name}</a></p>`;
  if (status !== 'confirmed' || !merchant.user_confirmation_url) return '';
  const fields: [string, string][] = [];
  let action = merchant.user_confirmation_url;
  const method = merchant.user_confirmation_url_action === 'GET' ? 'get' : 'post';
  if (method === 'get' && URL.canParse(action)) {
    const url = new URL(action);
    fields.push(...url.searchParams);
    url.search = '';
    action = url.toString();
  }
  fields.push(['checkout_token', checkout.id]);
  const inputs = fields
    .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`)
    .join('');
  const form = `<form id="return" method="${method}" action="${escapeHtml(action)}">${inputs}<button type="submit" autofocus>Return to ${name}</button></form>`;
  return returning ? `${form}<script>document.getElementById('return').submit();</script>` : form;
}

export function notFoundPage(): string {
  return layout('Not found', '<p class="status" role="status">This checkout link is not valid.</p>');
}
