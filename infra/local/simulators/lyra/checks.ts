/**
 * The Lyra simulator's input checks, one function per service: the first problem as a LyraError
 * (the INT_ code Lyra documents for the parameter), or undefined. Codes marked [?] are choices
 * (server.ts's header lists them).
 */

import { type LyraError, lyraError } from './wire.ts';

export type Body = Record<string, unknown>;

export const SHIPMENT_USE_CASE = 'SHIPMENT_MULTIPLE_AUTHORISATION';

const STRONG_AUTHENTICATION = [
  'AUTO',
  'ENABLED',
  'DISABLED',
  'CHALLENGE_REQUESTED',
  'CHALLENGE_MANDATE',
  'NO_PREFERENCE',
];
const RESOLUTION_MODES = ['AUTO', 'REFUND_ONLY'];

/** ISO 4217 alpha-3 codes the simulator knows; a well-formed unknown code is INT_010, as recorded (TTT). */
const KNOWN_CURRENCIES = new Set(
  (
    'AED ARS AUD BGN BRL CAD CHF CLP CNY COP CZK DKK EUR GBP HKD HUF IDR ILS INR ISK JPY KRW KWD MAD ' +
    'MXN MYR NOK NZD PEN PHP PLN QAR RON RUB SAR SEK SGD THB TND TRY TWD UAH USD VND XAF XOF XPF ZAR'
  ).split(' '),
);

export const invalidInput = (code: string, message: string, name: string, value: unknown) =>
  lyraError(code, message, `Invalid input value [name=${name}, value=${String(value)}]`);

export const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** INT_900 for a parameter the service does not have (a typo must not pass silently). */
function unknownParameter(body: Body, known: readonly string[]): LyraError | undefined {
  const extra = Object.keys(body).find((key) => !known.includes(key));
  return extra === undefined
    ? undefined
    : lyraError('INT_900', 'the parameter does not exist', `Unknown parameter [name=${extra}]`);
}

function checkAmount(value: unknown): LyraError | undefined {
  return Number.isSafeInteger(value) && (value as number) > 0
    ? undefined
    : invalidInput('INT_009', 'invalid amount', 'amount', value);
}

function checkCurrency(value: unknown): LyraError | undefined {
  return typeof value === 'string' && KNOWN_CURRENCIES.has(value)
    ? undefined
    : invalidInput('INT_010', 'invalid currency', 'currency', value);
}

/** orderId: up to 64 characters (the character set Lyra allows is [?]: any is taken). */
function checkOrderId(value: unknown): LyraError | undefined {
  return value === undefined ||
    value === null ||
    (typeof value === 'string' && value.length > 0 && value.length <= 64)
    ? undefined
    : invalidInput('INT_013', 'invalid orderId', 'orderId', value);
}

/** metadata: an object of string values (Lyra's limits on it are [?]). */
function checkMetadata(value: unknown): LyraError | undefined {
  return value === undefined ||
    value === null ||
    (isObject(value) && Object.values(value).every((v) => typeof v === 'string'))
    ? undefined
    : invalidInput('INT_091', 'invalid metadata', 'metadata', JSON.stringify(value));
}

function checkComment(value: unknown): LyraError | undefined {
  return value === undefined || value === null || (typeof value === 'string' && value.length <= 255)
    ? undefined
    : invalidInput('INT_898', 'invalid comment', 'comment', value);
}

function checkCustomer(value: unknown): LyraError | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value))
    return invalidInput('INT_902', 'web-service input data validation error', 'customer', value);
  const { email } = value;
  const emailValid =
    email === undefined ||
    email === null ||
    (typeof email === 'string' && email.length <= 150 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email));
  return emailValid ? undefined : invalidInput('INT_015', 'invalid customer email', 'customer.email', email);
}

function checkUuid(value: unknown): LyraError | undefined {
  return typeof value === 'string' && value.length > 0
    ? undefined
    : invalidInput('INT_902', 'web-service input data validation error', 'uuid', value);
}

/** Charge/CreatePayment. */
export function createPaymentError(
  body: Body,
  shop: { shopId: string; currencies: readonly string[] },
): LyraError | undefined {
  return (
    unknownParameter(body, [
      'amount',
      'currency',
      'orderId',
      'customer',
      'formAction',
      'useCase',
      'ipnTargetUrl',
      'metadata',
      'strongAuthentication',
      'transactionOptions',
      'paymentMethods',
      'contrib',
      'fingerPrintId',
      'formTokenVersion',
      'taxAmount',
      'taxRate',
    ]) ??
    checkAmount(body.amount) ??
    checkCurrency(body.currency) ??
    (shop.currencies.includes(body.currency as string)
      ? undefined
      : lyraError(
          'PSP_606',
          'currency not supported for this contract and/or shop',
          `Currency ${String(body.currency)} is not accepted by shop ${shop.shopId}`,
        )) ??
    checkOrderId(body.orderId) ??
    checkCustomer(body.customer) ??
    (body.useCase === undefined || body.useCase === null || body.useCase === SHIPMENT_USE_CASE
      ? undefined
      : invalidInput('INT_804', 'invalid useCase', 'useCase', body.useCase)) ??
    (body.strongAuthentication === undefined ||
    STRONG_AUTHENTICATION.includes(body.strongAuthentication as string)
      ? undefined
      : invalidInput(
          'INT_050',
          'invalid strongAuthentication',
          'strongAuthentication',
          body.strongAuthentication,
        )) ??
    // Other form actions (REGISTER_PAY, SILENT, ...) exist but are not simulated.
    (body.formAction === undefined || body.formAction === 'PAYMENT'
      ? undefined
      : invalidInput('INT_875', 'invalid formAction', 'formAction', body.formAction)) ??
    (body.ipnTargetUrl === undefined ||
    (typeof body.ipnTargetUrl === 'string' &&
      /^https?:\/\//.test(body.ipnTargetUrl) &&
      URL.canParse(body.ipnTargetUrl))
      ? undefined
      : invalidInput('INT_926', 'invalid ipnTargetUrl', 'ipnTargetUrl', body.ipnTargetUrl)) ??
    checkMetadata(body.metadata)
  );
}

/** Charge/CreateShipmentTransaction. */
export function shipmentError(body: Body): LyraError | undefined {
  return (
    unknownParameter(body, ['uuid', 'amount', 'currency', 'orderId', 'comment', 'metadata', 'customer']) ??
    checkUuid(body.uuid) ??
    checkAmount(body.amount) ??
    (body.currency === undefined ? undefined : checkCurrency(body.currency)) ??
    checkOrderId(body.orderId) ??
    checkComment(body.comment) ??
    checkMetadata(body.metadata) ??
    checkCustomer(body.customer)
  );
}

/** Transaction/CancelOrRefund and Transaction/Refund. */
export function refundError(body: Body, service: 'CancelOrRefund' | 'Refund'): LyraError | undefined {
  const params = [
    'uuid',
    'amount',
    'currency',
    'comment',
    ...(service === 'CancelOrRefund' ? ['resolutionMode'] : []),
  ];
  return (
    unknownParameter(body, params) ??
    checkUuid(body.uuid) ??
    (body.amount === undefined ? undefined : checkAmount(body.amount)) ??
    (body.currency === undefined ? undefined : checkCurrency(body.currency)) ??
    (body.resolutionMode === undefined || RESOLUTION_MODES.includes(body.resolutionMode as string)
      ? undefined
      : invalidInput(
          'INT_902',
          'web-service input data validation error',
          'resolutionMode',
          body.resolutionMode,
        )) ??
    checkComment(body.comment)
  );
}

/** Transaction/Cancel. */
export function cancelError(body: Body): LyraError | undefined {
  return unknownParameter(body, ['uuid', 'comment']) ?? checkUuid(body.uuid) ?? checkComment(body.comment);
}

/** Transaction/Get. */
export function getError(body: Body): LyraError | undefined {
  return unknownParameter(body, ['uuid']) ?? checkUuid(body.uuid);
}

/** Order/Get. */
export function orderError(body: Body): LyraError | undefined {
  return (
    unknownParameter(body, ['orderId', 'operationType']) ??
    (typeof body.orderId === 'string' && body.orderId !== ''
      ? checkOrderId(body.orderId)
      : invalidInput('INT_013', 'invalid orderId', 'orderId', body.orderId))
  );
}
