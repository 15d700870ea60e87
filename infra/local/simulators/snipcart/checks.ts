/**
 * The Snipcart simulator's input checks: the invoice the cart sends (the control route and the demo
 * storefront build one; missing parts get the defaults below), the payment confirmation the hub
 * posts, and the dashboard's refund. Each returns the parsed value or a message (the caller
 * answers 400). Amounts are JSON numbers in major units, as Snipcart sends them (snipcart.md §6);
 * sums are done here in integer minor units so that 299.9 * 2 is 599.8, not 599.8000000000001.
 */

export type Body = Record<string, unknown>;

export const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const ITEM_TYPES = ['Physical', 'Digital', 'Tax', 'Shipping', 'Discount'] as const;
export const CONFIRMATION_STATES = ['processing', 'processed', 'failed', 'invalidated'] as const;
export type ConfirmationState = (typeof CONFIRMATION_STATES)[number];

export interface Address {
  name: string;
  surname?: string;
  streetAndNumber: string;
  postalCode: string;
  country: string;
  city: string;
  region: string | null;
}

export interface Item {
  name: string;
  unitPrice: number;
  quantity: number;
  type: (typeof ITEM_TYPES)[number];
  discountAmount: number;
  rateOfTaxIncludedInPrice: number;
  amount: number;
}

export interface Invoice {
  shippingAddress: Address;
  billingAddress: Address;
  email: string;
  language: string;
  /** Lowercase ISO 4217, as in every official sample. */
  currency: string;
  amount: number;
  targetId: string;
  items: Item[];
}

/** POST /api/private/custom-payment-gateway/payment, as validated. */
export interface Confirmation {
  paymentSessionId: string;
  state: ConfirmationState;
  transactionId?: string;
  error?: { code?: string; message?: string };
  instructions?: string;
  links?: { refunds?: string };
}

const DEFAULT_ADDRESS: Address = {
  name: 'Jeanne',
  surname: 'Martin',
  streetAndNumber: '12 rue des Lilas',
  postalCode: '69003',
  country: 'FR',
  city: 'Lyon',
  region: null,
};

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** The ISO 4217 exponent (EUR 2, JPY 0, KWD 3), or undefined for an unknown code. */
export function currencyExponent(currency: string): number | undefined {
  const code = currency.toUpperCase();
  if (!CURRENCIES.has(code)) return undefined;
  return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
    .maximumFractionDigits;
}

/** Major units to minor units, or undefined when `value` has more decimals than the currency. */
export function toMinor(value: unknown, exponent: number): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const scaled = value * 10 ** exponent;
  const minor = Math.round(scaled);
  return Math.abs(scaled - minor) < 1e-6 && Number.isSafeInteger(minor) ? minor : undefined;
}

export const toMajor = (minor: number, exponent: number): number => minor / 10 ** exponent;

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

function parseAddress(input: unknown, name: string): Address | string {
  if (input === undefined) return DEFAULT_ADDRESS;
  if (!isObject(input)) return `${name} must be an object`;
  const address = { ...DEFAULT_ADDRESS, ...input } as Address;
  for (const field of ['name', 'streetAndNumber', 'postalCode', 'city'] as const)
    if (!isText(address[field])) return `${name}.${field} must be a non-empty string`;
  if (typeof address.country !== 'string' || !/^[A-Z]{2}$/.test(address.country))
    return `${name}.country must be an ISO 3166 alpha-2 code`;
  return address;
}

function parseItem(input: unknown, index: number, exponent: number): Item | string {
  const at = `invoice.items[${index}]`;
  if (!isObject(input)) return `${at} must be an object`;
  const type = input.type ?? 'Physical';
  if (!ITEM_TYPES.includes(type as Item['type'])) return `${at}.type must be one of ${ITEM_TYPES.join('|')}`;
  if (!isText(input.name)) return `${at}.name must be a non-empty string`;
  const quantity = input.quantity ?? 1;
  if (!Number.isSafeInteger(quantity) || (quantity as number) < 1)
    return `${at}.quantity must be a positive integer`;
  const unitMinor = toMinor(input.unitPrice, exponent);
  if (unitMinor === undefined) return `${at}.unitPrice must be a number with at most ${exponent} decimals`;
  const amount = input.amount ?? toMajor(unitMinor * (quantity as number), exponent);
  if (toMinor(amount, exponent) === undefined) return `${at}.amount must be a number`;
  return {
    name: input.name,
    unitPrice: input.unitPrice as number,
    quantity: quantity as number,
    type: type as Item['type'],
    discountAmount: typeof input.discountAmount === 'number' ? input.discountAmount : 0,
    rateOfTaxIncludedInPrice:
      typeof input.rateOfTaxIncludedInPrice === 'number' ? input.rateOfTaxIncludedInPrice : 0,
    amount: amount as number,
  };
}

/**
 * The invoice of a new session. Required: `currency` and `items` (`name`, `unitPrice`; `quantity`
 * defaults to 1, `type` to Physical, `amount` to quantity x unitPrice). Addresses, e-mail, language
 * ("fr") and targetId get defaults; `amount` defaults to the sum of the items, and one given is kept
 * even when it does not add up (the official session example does not).
 */
export function parseInvoice(input: unknown, newId: () => string): Invoice | string {
  if (!isObject(input)) return 'invoice must be an object';
  if (typeof input.currency !== 'string') return 'invoice.currency must be an ISO 4217 code';
  const exponent = currencyExponent(input.currency);
  if (exponent === undefined) return `invoice.currency ${input.currency} is not an ISO 4217 code`;
  if (!Array.isArray(input.items) || input.items.length === 0)
    return 'invoice.items must be a non-empty array';
  const items: Item[] = [];
  for (const [index, raw] of input.items.entries()) {
    const item = parseItem(raw, index, exponent);
    if (typeof item === 'string') return item;
    items.push(item);
  }
  const shippingAddress = parseAddress(input.shippingAddress, 'invoice.shippingAddress');
  if (typeof shippingAddress === 'string') return shippingAddress;
  const billingAddress = parseAddress(
    input.billingAddress ?? input.shippingAddress,
    'invoice.billingAddress',
  );
  if (typeof billingAddress === 'string') return billingAddress;
  const sum = items.reduce((total, item) => total + (toMinor(item.amount, exponent) ?? 0), 0);
  const amount = input.amount ?? toMajor(sum, exponent);
  if (toMinor(amount, exponent) === undefined)
    return `invoice.amount must be a number with at most ${exponent} decimals`;
  if (input.email !== undefined && !isText(input.email)) return 'invoice.email must be a string';
  return {
    shippingAddress,
    billingAddress,
    email: (input.email as string | undefined) ?? 'jeanne.martin@example.com',
    language: isText(input.language) ? input.language : 'fr',
    currency: input.currency.toLowerCase(),
    amount: amount as number,
    targetId: isText(input.targetId) ? input.targetId : newId(),
    items,
  };
}

/** Webhook `mode`: Live or Test, sent as given (the docs show "Live" and "test"); default "Test". */
export function parseMode(input: unknown): string | { error: string } {
  if (input === undefined) return 'Test';
  return typeof input === 'string' && /^(live|test)$/i.test(input)
    ? input
    : { error: 'mode must be Live or Test' };
}

const CONFIRMATION_FIELDS = ['paymentSessionId', 'state', 'transactionId', 'error', 'instructions', 'links'];

const isHttpUrl = (value: unknown): value is string =>
  typeof value === 'string' && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);

const optional = (value: unknown) => value === undefined || value === null;

/**
 * The confirmation body. [?] A field outside snipcart.md §3's list is refused (a misspelt
 * `transactionID` must not pass unnoticed), as is a null or empty required field.
 */
export function parseConfirmation(input: unknown): Confirmation | string {
  if (!isObject(input)) return 'the body must be a JSON object';
  const unknown = Object.keys(input).filter((key) => !CONFIRMATION_FIELDS.includes(key));
  if (unknown.length > 0) return `unknown field(s): ${unknown.join(', ')}`;
  const { paymentSessionId, state, transactionId, error, instructions, links } = input;
  if (!isText(paymentSessionId)) return 'paymentSessionId is required';
  if (!CONFIRMATION_STATES.includes(state as ConfirmationState))
    return `state must be one of ${CONFIRMATION_STATES.join('|')}`;
  if (!optional(transactionId) && !isText(transactionId)) return 'transactionId must be a non-empty string';
  if (!optional(instructions) && typeof instructions !== 'string') return 'instructions must be a string';
  if (!optional(error)) {
    if (!isObject(error)) return 'error must be { code, message }';
    if (!optional(error.code) && typeof error.code !== 'string') return 'error.code must be a string';
    if (!optional(error.message) && typeof error.message !== 'string')
      return 'error.message must be a string';
  }
  if (!optional(links)) {
    if (!isObject(links)) return 'links must be { refunds }';
    if (!optional(links.refunds) && !isHttpUrl(links.refunds))
      return 'links.refunds must be an absolute http(s) URL';
  }
  return {
    paymentSessionId,
    state: state as ConfirmationState,
    ...(isText(transactionId) ? { transactionId } : {}),
    ...(isObject(error)
      ? {
          error: {
            ...(typeof error.code === 'string' ? { code: error.code } : {}),
            ...(typeof error.message === 'string' ? { message: error.message } : {}),
          },
        }
      : {}),
    ...(typeof instructions === 'string' ? { instructions } : {}),
    ...(isObject(links) && isHttpUrl(links.refunds) ? { links: { refunds: links.refunds } } : {}),
  };
}

/** The dashboard's refund: a positive amount in major units, within the currency's decimals. */
export function parseRefund(input: unknown, currency: string): { amount: number } | string {
  const amount = isObject(input) ? input.amount : undefined;
  const minor = toMinor(amount, currencyExponent(currency) ?? 2);
  if (minor === undefined || minor <= 0)
    return 'expected { amount }: a positive number in major units (e.g. 20.75)';
  return { amount: amount as number };
}
