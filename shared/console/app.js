/**
 * The agent console's script: one ES module, no dependency, no build. Served as /console/app.js by
 * functions/agent-console.ts through shared/console/assets.ts (run `npm run console:assets` after
 * editing this file). The exports are the pure parts, unit-tested in Node
 * (test/unit/agent-console.test.ts); the page is wired only when there is a document.
 *
 * Contracts: the API key lives in this tab only (sessionStorage, never localStorage or cookies);
 * every amount is an integer of minor units, parsed from the agent's text without float maths;
 * every mutating request carries an Idempotency-Key, the same one when the agent retries a request
 * whose outcome is not known, a new one otherwise; API data reaches the page only as text.
 */

/** The hub's one amount limit (MAX_MINOR_AMOUNT in shared/domain). */
export const MAX_MINOR_AMOUNT = 100_000_000_000;

const AMOUNT_TEXT = /^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/;
const SYMBOL = { USD: '$', CAD: 'CA$' };

/**
 * Dollars as the agent types them ("1250", "1,250.5", "$1,250.00") to integer cents, by reading the
 * digits: "19.99" is 1999, never 1998.9999. At most two decimals; commas only as thousands separators.
 * Returns `{ cents }` or `{ error }` (a sentence for the agent).
 */
export function centsFromText(text, { allowZero = false } = {}) {
  const trimmed = String(text ?? '').trim();
  if (trimmed === '') return { error: 'Enter an amount in dollars, e.g. 1250.00.' };
  const match = AMOUNT_TEXT.exec(trimmed);
  if (!match)
    return {
      error: 'Enter an amount in dollars, with at most two decimals and no sign, e.g. 1250.00 or 1,250.00.',
    };
  const whole = match[1].replaceAll(',', '').replace(/^0+(?=\d)/, '');
  const digits = whole + (match[2] ?? '').padEnd(2, '0');
  // 13 digits and more are over the limit anyway; below that, Number() reads the digits exactly.
  if (digits.length > 13 || Number(digits) > MAX_MINOR_AMOUNT)
    return { error: `The amount must be at most ${formatMinor(MAX_MINOR_AMOUNT, 'USD')}.` };
  const cents = Number(digits);
  if (cents === 0 && !allowZero) return { error: 'The amount must be more than zero.' };
  return { cents };
}

/** Minor units to text ("$1,250.00", "CA$12.50"), from the digits, not by dividing. */
export function formatMinor(amount, currency) {
  if (!Number.isSafeInteger(amount)) return '—';
  const digits = String(Math.abs(amount)).padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `${amount < 0 ? '-' : ''}${whole}.${digits.slice(-2)}`;
  return Object.hasOwn(SYMBOL, currency)
    ? text.replace(/^(-?)/, `$1${SYMBOL[currency]}`)
    : `${text} ${currency}`;
}

/**
 * What each error code of the hub means to an agent, and what to do next. Every code of
 * shared/errors.ts (ERROR_CODES) has one: the unit test fails when a code is added without it.
 */
export const ERROR_MESSAGES = {
  VALIDATION_FAILED: 'Some details are not valid. Correct the fields listed here, then submit again.',
  MALFORMED_BODY:
    'The hub could not read what the console sent. Reload the page and try again; if it happens again, report it with the request id.',
  UNSUPPORTED_MEDIA_TYPE:
    'The hub could not read what the console sent. Reload the page and try again; if it happens again, report it with the request id.',
  PAYLOAD_TOO_LARGE:
    'This order is too large to send. Remove some items or shorten long texts, then try again.',
  UNAUTHENTICATED:
    'The API key was refused: it is missing, mistyped or revoked. Enter the key again, or ask your manager for a new one.',
  INVALID_SIGNATURE:
    'The hub refused a signature it expected from the payment provider. This should not happen from the console: report it with the request id.',
  INVALID_TOKEN:
    'The hub refused a storefront token or link it did not recognise. This should not happen from the console: report it with the request id.',
  NOT_FOUND:
    'No such order for your key. Check the order id; an order started at another store location is not visible with your key.',
  METHOD_NOT_ALLOWED:
    'The hub does not accept this request. Reload the console (it may be out of date), then try again.',
  ORDER_EXISTS:
    'An order with this id already exists. Open it with "Open an order", or choose another order id for a new checkout.',
  CHECKOUT_NOT_CONFIRMED:
    'The customer has not finished the application yet. Ask them to complete it from the link they received, then press Authorize again.',
  AUTHORIZATION_DECLINED:
    'The financing was declined. Offer the customer another way to pay; this order cannot be authorized.',
  CHECKOUT_EXPIRED:
    "The customer's link has expired. Start a new checkout, with a new order id, to send them a new link.",
  AUTHORIZATION_EXPIRED:
    'The authorization has expired, so this order can no longer be captured or voided. Start a new checkout if the customer still wants to buy.',
  INVALID_STATE:
    'The order is not in a state that allows this. Its current status is shown here; choose one of the actions it allows.',
  AMOUNT_EXCEEDS_CAPTURED:
    'The refund is more than what is left to refund on this order. Enter at most the captured amount minus earlier refunds, or leave the amount empty to refund everything left.',
  AMOUNT_EXCEEDS_REMAINING:
    'The amount is more than what remains authorized on this order. Enter a smaller amount.',
  ORDER_NOT_AUTHORIZED:
    'The customer has not completed the card payment yet, so nothing can be shipped or debited. Wait for the payment, then try again.',
  SHIPMENT_CONFLICT:
    'This shipment number was already used with another amount. Use a new shipment number, or send the same amount as before.',
  SPLIT_CAPTURE_NOT_ENABLED:
    'Partial capture is not enabled for this merchant: capture the whole authorized amount (press Capture with no amount).',
  OPERATION_IN_PROGRESS: 'Another action on this order is still running. Wait a few seconds, then try again.',
  IDEMPOTENCY_KEY_REUSED:
    'This request was already sent once with other details. Press the button again: the console sends it as a new request.',
  IDEMPOTENCY_IN_PROGRESS:
    'This same request is still being processed. Wait a few seconds, then press the same button again: it will not be done twice.',
  PROVIDER_REJECTED:
    "The payment provider refused the request. Check the customer's details (name, address, e-mail, phone), then try again.",
  PROVIDER_UNAVAILABLE:
    'The payment provider did not answer, so the outcome is not known yet. Press the same button again: it is safe, nothing is done twice.',
  STORAGE_UNAVAILABLE:
    'The hub is briefly unavailable. Press the same button again in a few seconds: it is safe, nothing is done twice.',
  INTERNAL: 'The hub hit an unexpected error. Try again; if it happens again, report it with the request id.',
};

/** Answers after which the same request may be sent again with the same Idempotency-Key (the hub did not keep them). */
const RETRY_SAME_KEY = new Set([
  'CHECKOUT_NOT_CONFIRMED',
  'OPERATION_IN_PROGRESS',
  'IDEMPOTENCY_IN_PROGRESS',
]);

/** The problem's own detail is worth showing for this one: what the provider refused (other details name minor units). */
const WITH_DETAIL = new Set(['PROVIDER_REJECTED']);

/**
 * A failed answer, as a sentence for the agent. `answer`: `{ network: true }` when the hub could not
 * be reached, else `{ status, body, requestId? }`. A code the console does not know falls back to the
 * problem's `detail`. `labelOf` names a field from its path (`customer.address.zipcode`).
 */
export function describeFailure(answer, labelOf = (path) => path) {
  if (answer.network)
    return 'Could not reach the hub. Check the connection, then press the same button again: it is safe to retry.';
  const problem = answer.body && typeof answer.body === 'object' ? answer.body : {};
  const code = typeof problem.code === 'string' ? problem.code : undefined;
  const known = code && Object.hasOwn(ERROR_MESSAGES, code) ? ERROR_MESSAGES[code] : undefined;
  let text;
  if (known) {
    text = known;
    if (WITH_DETAIL.has(code) && typeof problem.detail === 'string') text += ` (${problem.detail})`;
  } else if (typeof problem.detail === 'string' && problem.detail) {
    text = problem.detail;
  } else if (answer.status >= 500) {
    text = `The hub did not answer properly (HTTP ${answer.status}). Press the same button again in a few seconds: it is safe to retry.`;
  } else {
    text = `The hub refused the request (HTTP ${answer.status}).`;
  }
  const fields = Array.isArray(problem.errors) ? problem.errors : [];
  for (const error of fields) text += `\n${labelOf(String(error.path))}: ${error.message}`;
  const requestId = problem.requestId ?? answer.requestId;
  return requestId ? `${text}\n(request id ${requestId})` : text;
}

/** True when the request may be sent again as is, with the same Idempotency-Key: its outcome is not known. */
export function isRetryable(answer) {
  if (answer.network) return true;
  if (answer.status >= 500) return true;
  const code = answer.body && typeof answer.body === 'object' ? answer.body.code : undefined;
  return RETRY_SAME_KEY.has(code);
}

function randomHex() {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(12)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

/**
 * Idempotency-Keys for one kind of request. The same request sent again after an answer whose outcome
 * is unknown (network failure, 5xx, "still running") keeps its key, so a retry or a second click never
 * does the thing twice; after a success or a final refusal, or for a different request, a new key.
 */
export function requestKeys(random = randomHex) {
  let pending;
  return {
    keyFor(fingerprint) {
      if (pending?.fingerprint !== fingerprint) pending = { fingerprint, key: `console-${random()}` };
      return pending.key;
    },
    settle(answer) {
      if (!isRetryable(answer)) pending = undefined;
    },
  };
}

const ACTIONS_BY_STATUS = {
  sent: ['authorize'],
  confirmed: ['authorize'],
  authorized: ['capture', 'void'],
  partially_captured: ['capture', 'refund', 'void'],
  captured: ['refund'],
  partially_refunded: ['refund'],
};

/** Statuses after which nothing changes on its own: the console stops asking. */
export const FINAL_STATUSES = ['refunded', 'voided', 'declined', 'expired'];

/** The actions the order's status allows (authorize needs the provider's checkout id). */
export function allowedActions(view) {
  const actions = (view && ACTIONS_BY_STATUS[view.status]) ?? [];
  return actions.filter((action) => action !== 'authorize' || Boolean(view.affirm?.checkoutId));
}

/** A fresh order id: `order-<yyyymmdd>-<random>`, of the characters the hub accepts. */
export function newOrderId(now = new Date(), random = randomHex) {
  return `order-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${random().slice(0, 8)}`;
}

/**
 * The body of POST /v1/affirm/checkouts from the form's fields (name → text, the names being the
 * body's dotted paths) and item rows. Returns `{ body }` or `{ errors: [{ path, message }] }`.
 */
export function checkoutRequest(fields, itemRows = []) {
  const get = (name) => String(fields[name] ?? '').trim();
  const errors = [];
  const money = (path, text, options) => {
    const parsed = centsFromText(text, options);
    if ('error' in parsed) errors.push({ path, message: parsed.error });
    return parsed.cents;
  };
  const amount = money('amount', get('amount'));
  const email = get('customer.email');
  const phone = get('customer.phone');
  if (!email && !phone)
    errors.push({
      path: 'customer.email',
      message: 'Enter an e-mail or a phone number (or both): the customer gets the link there.',
    });
  const items = [];
  itemRows.forEach((row, i) => {
    const cell = (name) => String(row[name] ?? '').trim();
    // A row left as added (its quantity is 1 by default) is no item.
    if (!cell('sku') && !cell('name') && !cell('unitPrice')) return;
    const quantity = cell('quantity') || '1';
    if (!/^\d{1,5}$/.test(quantity) || Number(quantity) < 1 || Number(quantity) > 10_000)
      errors.push({ path: `items.${i}.quantity`, message: 'Enter a whole number from 1 to 10000.' });
    items.push({
      sku: cell('sku'),
      name: cell('name'),
      unitPrice: money(`items.${i}.unitPrice`, cell('unitPrice'), { allowZero: true }),
      quantity: Number(quantity),
    });
  });
  const extra = {};
  for (const name of ['taxAmount', 'shippingAmount']) {
    if (get(name)) extra[name] = money(name, get(name), { allowZero: true });
  }
  if (errors.length) return { errors };
  const line2 = get('customer.address.line2');
  const body = {
    orderId: get('orderId'),
    channel: get('channel') || 'telesales',
    amount,
    currency: get('currency') || 'USD',
    customer: {
      name: { first: get('customer.name.first'), last: get('customer.name.last') },
      ...(email ? { email } : {}),
      ...(phone ? { phone } : {}),
      address: {
        line1: get('customer.address.line1'),
        ...(line2 ? { line2 } : {}),
        city: get('customer.address.city'),
        state: get('customer.address.state'),
        zipcode: get('customer.address.zipcode'),
        country: get('customer.address.country'),
      },
    },
    ...(items.length ? { items } : {}),
    ...extra,
  };
  return { body };
}

/* ------------------------------------------------------------------ the page */

const KEY_STORAGE = 'payments-hub.console.api-key';
const POLL_MS = 2000;

const STATUS_TEXT = {
  sent: 'Link sent. Waiting for the customer to finish the application.',
  confirmed: 'The customer finished. Authorize the order now.',
  awaiting_payment: 'Waiting for the customer to pay.',
  authorized: 'Authorized. Capture when the order ships, or void it.',
  partially_captured: 'Partly captured.',
  captured: 'Captured. Refund if the customer returns goods.',
  partially_refunded: 'Partly refunded.',
  refunded: 'Refunded in full.',
  voided: 'Voided: the customer will not be charged.',
  declined: 'Declined: offer another way to pay.',
  expired: 'Expired: start a new checkout.',
};

const EVENT_TEXT = {
  'checkout.sent': 'Link sent to the customer',
  'checkout.confirmed': 'Customer finished the application',
  'checkout.declined': 'Financing declined',
  'checkout.expired': 'Link expired',
  'authorization.succeeded': 'Authorized',
  'capture.succeeded': 'Captured',
  'refund.succeeded': 'Refunded',
  'void.succeeded': 'Voided',
};

const ACTION_TEXT = {
  authorize: { busy: 'Authorizing…', failed: 'Not authorized.' },
  capture: { busy: 'Capturing…', failed: 'Not captured.' },
  refund: { busy: 'Refunding…', failed: 'Not refunded.' },
  void: { busy: 'Voiding…', failed: 'Not voided.' },
};

/** An event's detail as a line of text: `key value, key value` for an object. */
function detailText(detail) {
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail)
    .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : value}`)
    .join(', ');
}

function startPage(document, window) {
  const $ = (id) => document.getElementById(id);
  const storage = window.sessionStorage;
  const checkoutKeys = requestKeys();
  const actionKeys = requestKeys();
  let apiKey = storage.getItem(KEY_STORAGE) ?? '';
  let current;
  let checkoutBusy = false;
  let actionBusy = false;
  let pollTimer;
  let polling = false;

  const say = (id, text, tone = 'info') => {
    const element = $(id);
    element.textContent = text;
    element.dataset.tone = tone;
  };
  const announce = (text) => say('announce', text);

  function labelOf(path) {
    const field = document.querySelector(`[name="${CSS.escape(path)}"]`);
    const label = field?.labels?.[0]?.textContent;
    return label ? label.replace(/\s*\(.*\)\s*$/, '').trim() : path;
  }

  function markInvalid(errors) {
    for (const field of document.querySelectorAll('[aria-invalid="true"]'))
      field.removeAttribute('aria-invalid');
    for (const { path } of errors)
      document.querySelector(`[name="${CSS.escape(path)}"]`)?.setAttribute('aria-invalid', 'true');
  }

  function showKeyState() {
    say('key-state', apiKey ? 'A key is in use in this tab.' : 'No key yet: enter your API key to start.');
    $('forget-key').disabled = !apiKey;
  }

  /** One call to the hub, relative to the page (so the console works under any base path). */
  async function call(method, path, { body, idempotencyKey } = {}) {
    const headers = { accept: 'application/json', authorization: `Bearer ${apiKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    let response;
    try {
      response = await window.fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      return { ok: false, network: true };
    }
    let data;
    try {
      data = await response.json();
    } catch {
      data = undefined;
    }
    return {
      ok: response.ok,
      status: response.status,
      body: data,
      requestId: response.headers.get('x-request-id') ?? undefined,
      replayed: response.headers.get('idempotent-replayed') === 'true',
    };
  }

  function needKey(messageId) {
    if (apiKey) return false;
    say(messageId, 'Enter your API key first (at the top of the page).', 'error');
    $('api-key').focus();
    return true;
  }

  /* ---- the order panel */

  function setText(id, text) {
    $(id).textContent = text;
  }

  function render(view) {
    const previous = current;
    // A late answer (a poll sent before an action) never replaces a newer view of the same order.
    if (previous?.orderId === view.orderId && view.updatedAt < previous.updatedAt) return;
    current = view;
    const money = (amount) => formatMinor(amount, view.currency);
    setText('order-title', `Order ${view.orderId}`);
    const status = $('status');
    status.textContent = view.status;
    status.dataset.status = view.status;
    setText('status-text', STATUS_TEXT[view.status] ?? '');
    setText(
      'f-channel',
      view.channel === 'in_store' ? 'In store' : view.channel === 'telesales' ? 'Telesales' : view.channel,
    );
    setText('f-amount', money(view.amount));
    setText('f-authorized', money(view.authorizedAmount));
    setText('f-captured', money(view.capturedAmount));
    setText('f-refunded', money(view.refundedAmount));
    setText('f-remaining', money(view.remainingAmount));
    setText(
      'f-expires',
      view.authorizationExpiresAt ? new Date(view.authorizationExpiresAt).toLocaleString() : '—',
    );
    setText('f-checkout', view.affirm?.checkoutId ?? '—');
    const url = view.affirm?.redirectUrl;
    if (typeof url === 'string' && /^https?:\/\//.test(url)) {
      const link = document.createElement('a');
      link.href = url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.textContent = url;
      $('f-link').replaceChildren(link);
    } else {
      $('f-link').textContent = '—';
    }
    const pending = view.pendingOperation;
    setText(
      'f-pending',
      pending
        ? pending.state === 'unresolved'
          ? `A ${pending.kind} of ${money(pending.amount)} is not confirmed yet: press ${pending.kind === 'refund' ? 'Refund' : pending.kind === 'void' ? 'Void' : 'Capture'} again to finish it.`
          : `A ${pending.kind} of ${money(pending.amount)} is running.`
        : '',
    );
    const events = [...(Array.isArray(view.events) ? view.events : [])].reverse().map((event) => {
      const item = document.createElement('li');
      const time = document.createElement('time');
      time.dateTime = event.at;
      time.textContent = new Date(event.at).toLocaleTimeString();
      const what = document.createElement('span');
      what.textContent = EVENT_TEXT[event.type] ?? event.type;
      item.append(time, ' ', what);
      if (event.detail !== undefined && event.detail !== null) {
        const detail = document.createElement('span');
        detail.className = 'detail';
        detail.textContent = detailText(event.detail);
        item.append(' ', detail);
      }
      return item;
    });
    $('events').replaceChildren(...events);
    updateButtons();
    if (previous?.orderId === view.orderId && previous.status !== view.status)
      announce(`Order ${view.orderId} is now ${view.status}. ${STATUS_TEXT[view.status] ?? ''}`);
    if (previous?.orderId !== view.orderId) announce(`Order ${view.orderId} opened: ${view.status}.`);
    schedulePoll();
  }

  function updateButtons() {
    const allowed = allowedActions(current);
    for (const action of ['authorize', 'capture', 'refund', 'void'])
      $(`do-${action}`).disabled = !allowed.includes(action);
    $('refund-amount').disabled = !allowed.includes('refund');
    const names = allowed.map((a) => a[0].toUpperCase() + a.slice(1));
    setText(
      'actions-hint',
      !current
        ? 'Open an order to act on it.'
        : names.length
          ? `Allowed now: ${names.join(', ')}.`
          : 'No action is possible in this status.',
    );
  }

  /* ---- live updates: ask every 2 s while the tab is visible, until the order is final */

  function schedulePoll() {
    window.clearTimeout(pollTimer);
    const live = current && apiKey && !FINAL_STATUSES.includes(current.status);
    setText(
      'live-state',
      !current ? '' : !live ? 'Live updates: stopped (final status).' : 'Live updates: on.',
    );
    if (!live || document.visibilityState !== 'visible') return;
    pollTimer = window.setTimeout(poll, POLL_MS);
  }

  async function poll() {
    if (!current || !apiKey || polling) return;
    polling = true;
    const orderId = current.orderId;
    const answer = await call('GET', `v1/orders/${encodeURIComponent(orderId)}`);
    polling = false;
    if (current?.orderId !== orderId) return;
    if (answer.ok) return render(answer.body);
    if (answer.status === 401 || answer.status === 404) {
      say('action-message', describeFailure(answer, labelOf), 'error');
      setText('live-state', 'Live updates: stopped.');
      return;
    }
    setText('live-state', 'Live updates: the hub did not answer, trying again…');
    schedulePoll();
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') poll();
    else window.clearTimeout(pollTimer);
  });

  /* ---- the API key */

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('api-key').value.trim();
    if (!value) {
      say('key-state', 'Enter your API key.', 'error');
      return;
    }
    apiKey = value;
    storage.setItem(KEY_STORAGE, apiKey);
    $('api-key').value = '';
    showKeyState();
    schedulePoll();
  });

  $('forget-key').addEventListener('click', () => {
    apiKey = '';
    storage.removeItem(KEY_STORAGE);
    $('api-key').value = '';
    window.clearTimeout(pollTimer);
    showKeyState();
    say('key-state', 'Key forgotten. Enter a key to continue.');
    $('api-key').focus();
  });

  /* ---- start a checkout */

  const checkoutForm = $('checkout-form');
  $('order-id').value = newOrderId();
  $('new-order-id').addEventListener('click', () => {
    $('order-id').value = newOrderId();
  });
  /** Item rows are named `items.<i>.<cell>` (the body's paths, so that a field error finds its input). */
  function numberItems() {
    [...$('items').children].forEach((row, index) => {
      row.querySelector('legend').textContent = `Item ${index + 1}`;
      for (const input of row.querySelectorAll('input')) {
        const cell = input.dataset.cell;
        input.id = `item-${index}-${cell}`;
        input.name = `items.${index}.${cell}`;
      }
      row.querySelector('button').textContent = `Remove item ${index + 1}`;
    });
  }
  $('add-item').addEventListener('click', () => {
    const row = $('item-template').content.firstElementChild.cloneNode(true);
    row.querySelector('button').addEventListener('click', () => {
      row.remove();
      numberItems();
      $('add-item').focus();
    });
    $('items').append(row);
    numberItems();
    row.querySelector('input').focus();
  });

  checkoutForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (checkoutBusy || needKey('checkout-message')) return;
    const fields = Object.fromEntries(new FormData(checkoutForm));
    const rows = [...$('items').children].map((row) =>
      Object.fromEntries(
        [...row.querySelectorAll('input')].map((input) => [input.dataset.cell, input.value]),
      ),
    );
    const request = checkoutRequest(fields, rows);
    markInvalid(request.errors ?? []);
    if (request.errors) {
      say(
        'checkout-message',
        request.errors.map((e) => `${labelOf(e.path)}: ${e.message}`).join('\n'),
        'error',
      );
      document.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    const body = request.body;
    const idempotencyKey = checkoutKeys.keyFor(JSON.stringify(body));
    checkoutBusy = true;
    $('start-checkout').disabled = true;
    say('checkout-message', 'Sending the link to the customer…');
    const answer = await call('POST', 'v1/affirm/checkouts', { body, idempotencyKey });
    checkoutKeys.settle(answer);
    checkoutBusy = false;
    $('start-checkout').disabled = false;
    if (!answer.ok) {
      markInvalid(answer.body?.errors ?? []);
      say('checkout-message', `Not started. ${describeFailure(answer, labelOf)}`, 'error');
      return;
    }
    const view = answer.body;
    const sentTo = [body.customer.email && 'e-mail', body.customer.phone && 'text message'].filter(Boolean);
    say(
      'checkout-message',
      `Checkout started for order ${view.orderId}: the link went to the customer by ${sentTo.join(' and ')}. Follow it in the order panel.`,
      'ok',
    );
    checkoutForm.reset();
    $('items').replaceChildren();
    $('order-id').value = newOrderId();
    say('action-message', '');
    render(view);
    $('order-title').focus();
  });

  /* ---- open an order */

  $('open-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (needKey('open-message')) return;
    const orderId = $('open-id').value.trim();
    if (!orderId) return say('open-message', 'Enter an order id.', 'error');
    say('open-message', 'Opening…');
    const answer = await call('GET', `v1/orders/${encodeURIComponent(orderId)}`);
    if (!answer.ok) return say('open-message', describeFailure(answer, labelOf), 'error');
    say('open-message', '');
    say('action-message', '');
    current = undefined;
    render(answer.body);
    $('order-title').focus();
  });

  /* ---- actions on the open order */

  /** While an action runs its buttons stay focusable (a second press is ignored, not refused by the hub). */
  function setActionBusy(value) {
    actionBusy = value;
    $('order').setAttribute('aria-busy', String(value));
  }

  /** A button the new status disables loses the focus: give it to the outcome instead. */
  function keepFocus() {
    if (document.activeElement === document.body || document.activeElement?.disabled)
      $('action-message').focus();
  }

  async function act(action) {
    if (actionBusy || !current || needKey('action-message')) return;
    const view = current;
    let path = `v1/orders/${encodeURIComponent(view.orderId)}/${action === 'refund' ? 'refunds' : action}`;
    let body = {};
    if (action === 'authorize') {
      path = `v1/affirm/checkouts/${encodeURIComponent(view.affirm.checkoutId)}/authorize`;
      body = undefined;
    }
    if (action === 'refund' && $('refund-amount').value.trim()) {
      const parsed = centsFromText($('refund-amount').value);
      if ('error' in parsed) {
        $('refund-amount').setAttribute('aria-invalid', 'true');
        say('action-message', `Refund amount: ${parsed.error}`, 'error');
        $('refund-amount').focus();
        return;
      }
      body = { amount: parsed.cents };
    }
    $('refund-amount').removeAttribute('aria-invalid');
    const idempotencyKey = actionKeys.keyFor(`${action} ${path} ${JSON.stringify(body ?? null)}`);
    setActionBusy(true);
    say('action-message', ACTION_TEXT[action].busy);
    const answer = await call('POST', path, { body, idempotencyKey });
    actionKeys.settle(answer);
    setActionBusy(false);
    if (!answer.ok) {
      say('action-message', `${ACTION_TEXT[action].failed} ${describeFailure(answer, labelOf)}`, 'error');
      // The refusal may come from a status this page has not seen yet: ask now.
      poll();
      return;
    }
    const done = answer.body;
    const money = (amount) => formatMinor(amount, done.currency);
    const operation = done.operation;
    const messages = {
      authorize: `Authorized ${money(done.authorizedAmount)}. Capture when the order ships.`,
      capture: operation
        ? `Captured ${money(operation.amount)}.`
        : 'Already captured: nothing more to capture.',
      refund: operation
        ? `Refunded ${money(operation.amount)} (refund ${operation.operationId}).`
        : 'Nothing left to refund.',
      void: operation ? 'Voided: the customer will not be charged.' : 'Already voided.',
    };
    say(
      'action-message',
      `${messages[action]}${answer.replayed ? ' (This was already done by an earlier click.)' : ''}`,
      'ok',
    );
    if (action === 'refund') $('refund-amount').value = '';
    render(done);
    keepFocus();
  }

  for (const action of ['authorize', 'capture', 'void'])
    $(`do-${action}`).addEventListener('click', () => act(action));
  $('refund-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act('refund');
  });

  showKeyState();
  updateButtons();
}

if (typeof document !== 'undefined') startPage(document, window);
