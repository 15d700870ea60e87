/**
 * The demo storefront: what a shop running Snipcart's cart shows. Server-rendered HTML, no script,
 * every value escaped, one stylesheet allowed by its hash in a strict CSP.
 *   GET  /store                       two products in EUR and a "Checkout" form
 *   POST /store/checkout              the cart's checkout (server.ts), then 303 to the session's page
 *   GET  /store/checkout/{sessionId}  the payment methods the hub answered, each a link to its
 *                                     checkoutUrl with publicToken appended; also the session's
 *                                     paymentAuthorizationRedirectUrl ("back to the store")
 *   GET  /store/order/{sessionId}     the returnUrl: the order's state and its confirmations
 */

import { createHash } from 'node:crypto';
import type { Item } from './checks.ts';
import type { OutgoingCall, SimSession } from './state.ts';

export interface Product {
  id: string;
  name: string;
  /** Major units, as the cart's invoice carries them. */
  unitPrice: number;
}

export const CURRENCY = 'EUR';
export const PRODUCTS: readonly Product[] = [
  { id: 'velo', name: 'Vélo de randonnée Alpin', unitPrice: 599.8 },
  { id: 'sacoche', name: 'Sacoche étanche 20 L', unitPrice: 34.95 },
];
export const SHIPPING: Pick<Item, 'name' | 'unitPrice' | 'type'> = {
  name: 'Livraison',
  unitPrice: 9.9,
  type: 'Shipping',
};

const STYLE = `body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
header{font-weight:700;color:#1a6a4f}.sim{font-size:.75rem;color:#666;font-weight:400}
table{width:100%;border-collapse:collapse;margin:1rem 0}td{padding:.3rem 0}td:last-child{text-align:right}
.total td{font-weight:700;border-top:1px solid #ccc}input{width:4rem}
button,.method{display:inline-block;font-size:1rem;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#1a6a4f;color:#fff;text-decoration:none;margin:.25rem 0}
.status{padding:.75rem;border-radius:.4rem;background:#eef7f3}pre{white-space:pre-wrap;font-size:.8rem;background:#f5f5f5;padding:.5rem}
a:focus-visible,button:focus-visible{outline:3px solid #1b1b1b;outline-offset:2px}`;

/** The pages' Content-Security-Policy: nothing but this stylesheet; forms post to the simulator only. */
export const STORE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const escapeHtml = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const money = (amount: number, currency: string) =>
  new Intl.NumberFormat('fr-FR', { style: 'currency', currency: currency.toUpperCase() }).format(amount);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Boutique démo (Snipcart simulator)</title>
<style>${STYLE}</style>
</head>
<body>
<header>Boutique démo <span class="sim">Snipcart simulator</span></header>
<main>
${body}
</main>
</body>
</html>`;
}

export function storePage(): string {
  const rows = PRODUCTS.map(
    (p) =>
      `<tr><td><label for="qty-${p.id}">${escapeHtml(p.name)}</label></td><td>${money(p.unitPrice, CURRENCY)}</td>` +
      `<td><input id="qty-${p.id}" name="qty-${p.id}" type="number" min="0" max="20" value="${p.id === 'velo' ? 1 : 0}"></td></tr>`,
  ).join('');
  return layout(
    'Boutique',
    `<h1>Boutique</h1>
<form method="post" action="/store/checkout">
<table>${rows}<tr><td>${escapeHtml(SHIPPING.name)}</td><td>${money(SHIPPING.unitPrice, CURRENCY)}</td><td></td></tr></table>
<button type="submit">Checkout</button>
</form>`,
  );
}

function summary(session: SimSession): string {
  const { currency, items, amount } = session.invoice;
  const lines = items
    .map(
      (item) =>
        `<tr><td>${escapeHtml(item.name)} × ${item.quantity}</td><td>${money(item.amount, currency)}</td></tr>`,
    )
    .join('');
  return `<table>${lines}<tr class="total"><td>Total</td><td data-testid="total">${money(amount, currency)}</td></tr></table>`;
}

/** A link per method; `links` holds each method's checkoutUrl with the token appended (server.ts). */
export function checkoutPage(
  session: SimSession,
  links: { name: string; href: string }[],
  call: OutgoingCall | undefined,
): string {
  const methods =
    links.length > 0
      ? `<p>Choisissez un moyen de paiement :</p>${links
          .map((l) => `<p><a class="method" href="${escapeHtml(l.href)}">${escapeHtml(l.name)}</a></p>`)
          .join('')}`
      : `<p class="status" role="status">Aucun moyen de paiement proposé (réponse du hub : ${escapeHtml(
          call?.status ?? call?.error ?? 'aucune',
        )}).</p>`;
  const paid =
    session.state === 'created'
      ? ''
      : `<p class="status" role="status">Paiement : ${escapeHtml(session.state)}. <a href="/store/order/${encodeURIComponent(session.id)}">Voir la commande</a></p>`;
  return layout('Paiement', `<h1>Paiement</h1>${summary(session)}${paid}${methods}`);
}

export function orderPage(session: SimSession): string {
  const confirmations = session.confirmations
    .map(
      (c) =>
        `<li>${escapeHtml(c.at)}: HTTP ${c.status}<pre>${escapeHtml(JSON.stringify(c.body, null, 2))}</pre></li>`,
    )
    .join('');
  const instructions = session.instructions ? `<p>${escapeHtml(session.instructions)}</p>` : '';
  const error = session.lastError
    ? `<p>Erreur : ${escapeHtml(session.lastError.message ?? session.lastError.code)}</p>`
    : '';
  return layout(
    'Commande',
    `<h1>Commande</h1>
<p class="status" role="status" data-state="${escapeHtml(session.state)}">État du paiement : <strong>${escapeHtml(session.state)}</strong></p>
${instructions}${error}${summary(session)}
<h2>Confirmations reçues</h2><ol>${confirmations}</ol>
<p><a href="/store">Retour à la boutique</a></p>`,
  );
}

export function notFoundPage(): string {
  return layout('Introuvable', '<p class="status" role="status">Cette commande est introuvable.</p>');
}
