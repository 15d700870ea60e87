/**
 * Lyra simulator: a stand-in for the Lyra REST API V4 (PayZen, Systempay...) in TEST mode, built
 * from providers/lyra.md, the seed "paiement à l'expédition" and the recorded answers in
 * shared/fixtures/lyra/ (a recording wins over the docs). [?] marks a choice where the real
 * behaviour is unknown.
 *
 * Simulates
 *   POST /api-payment/V4/{Namespace}/{Service}, HTTP Basic (shop id : REST password), JSON bodies,
 *     every answer in the V4 envelope of the recordings (webService, version "V4", applicationVersion,
 *     status SUCCESS|ERROR, answer, ticket null, serverDate "…+00:00", applicationProvider "PAYZEN",
 *     metadata null, mode "TEST", serverUrl = the simulator's URL, _type "V4/WebService/Response"),
 *     errors as { errorCode, errorMessage, detailedErrorCode, detailedErrorMessage, ticket: "null",
 *     _type: "V4/WebService/WebServiceError" }. Every envelope, ERROR included, is HTTP 200 [?]:
 *     the recordings' mocks answer 200, integrators report INT_905 inside a 200.
 *   Auth: a missing or wrong Basic pair is INT_905 "invalid login or private key" (HTTP 200 [?]),
 *     checked before the service name; a service that does not exist is INT_901 [?]; a body that is
 *     not a JSON object is INT_902; a parameter the service does not have is INT_900 [?] (checks.ts
 *     lists each service's parameters).
 *   Charge/CreatePayment -> { formToken, _type: "V4/Charge/PaymentForm" }, the token ~700 opaque
 *     characters; INT_009 amount (a positive integer), INT_010 currency (a known ISO 4217 code,
 *     uppercase; a well-formed unknown one is INT_010, as recorded for TTT), PSP_606 a currency the
 *     shop does not accept (option `currencies`, default EUR), INT_013 orderId (1-64 characters;
 *     the allowed characters are [?]), INT_015 customer.email, INT_804 a useCase other than
 *     SHIPMENT_MULTIPLE_AUTHORISATION [?], INT_050 strongAuthentication (AUTO, ENABLED, DISABLED,
 *     CHALLENGE_REQUESTED, CHALLENGE_MANDATE, NO_PREFERENCE), INT_875 a formAction other than
 *     PAYMENT (the others are real but not simulated), INT_926 ipnTargetUrl (absolute http(s)),
 *     INT_091 metadata (string values [?]). ipnTargetUrl is kept for the IPN.
 *   Charge/CreateShipmentTransaction { uuid, amount, currency?, orderId?, comment?, metadata?, customer? }
 *     -> the DEBIT as a V4/Transaction (the real answer's shape is [?]: the seed's example shows a
 *     transaction's fields, shopId, uuid, status PAID, detailedStatus AUTHORISED...): status PAID,
 *     detailedStatus AUTHORISED, parentTransactionUuid = the initial's uuid, metadata echoed, orderId
 *     the one given else the initial's, the initial's card. Refusals:
 *       PSP_010  no transaction with that uuid
 *       PSP_229  [?] the uuid is not an initial transaction of a payment on shipment, or that initial is
 *                refused, cancelled, or expired (180 days after its creation, simulator clock); the
 *                detailedErrorMessage says which
 *       PSP_546  [?] (PSP_229 was the other candidate) the shipments not cancelled would exceed the
 *                authorized amount
 *       PSP_236  [?] duplicate rule: a shipment not cancelled of the same initial already has the same
 *                amount, the same orderId and the same metadata (both absent counts as the same); the
 *                hub's operation id in metadata makes its shipments distinct, and its retry a duplicate
 *       INT_010  a currency other than the initial's
 *   Transaction/Get { uuid } -> V4/Transaction (shape [?]: the V4/PaymentTransaction fields plus
 *     orderDetails, customer and comment); PSP_010 unknown.
 *   Order/Get { orderId, operationType? } -> { transactions: [V4/Transaction…], _type:
 *     "V4/OrderTransactions" }, oldest first; an unknown order is an empty list [?]; PSP_015 above 30.
 *   Transaction/CancelOrRefund { uuid, amount?, currency?, resolutionMode?: AUTO|REFUND_ONLY, comment? }
 *     and Transaction/Refund (the same without resolutionMode): a CREDIT (status PAID, detailedStatus
 *     AUTHORISED, parent = the DEBIT) whatever the mode, since nothing is ever captured here (a real
 *     AUTO on an uncaptured DEBIT cancels it or lowers its amount instead); the amount defaults to
 *     what is left. PSP_231 on an initial (VERIFICATION), PSP_011 on anything but a DEBIT still
 *     AUTHORISED, PSP_510 an amount above the DEBIT's, PSP_511 refunds summing above it.
 *     The DEBIT's cardDetails.captureResponse.refundAmount shows what was refunded.
 *   Transaction/Cancel { uuid, comment? }: an initial without any shipment, or a shipment never
 *     refunded -> CANCELLED (status UNPAID [?]); a cancelled shipment's amount may be shipped again.
 *     PSP_231 an initial with a shipment, PSP_105 already cancelled, PSP_011 any other state.
 *   Charge/SDKTest { value } -> { value, _type: "V4/Charge/SDKTestResult" } (the answer's shape is [?]).
 *   Reads: an accepted initial reads detailedStatus EXPIRED, status UNPAID, from 180 days on [?].
 *   The embedded form (kr-payment-form.js): GET /static/js/krypton-client/V4.0/stable/kr-payment-form.min.js,
 *     the real path and attributes; Pay posts to POST /simulator/form/pay (this simulator's own
 *     route, CORS open, form-encoded so that no preflight is needed), which checks the public key
 *     against the option (INT_911 / CLIENT_004 otherwise) and the card (CLIENT_301/302/303), then
 *     does what the control route below does and answers { orderStatus, fields } or { error }.
 *     The card number and security code are masked in GET /__control/requests.
 *   The payment: one attempt per form token (CLIENT_502 afterwards). Accepted: 4970100000000055
 *     (effectiveBrand CB) and 5970100300000067 (MASTERCARD, a non-CB card [?]); refused:
 *     4970100000000113 and any other number. With useCase SHIPMENT_MULTIPLE_AUTHORISATION the
 *     transaction is a VERIFICATION (accepted: status PAID, detailedStatus ACCEPTED), else a DEBIT
 *     (AUTHORISED); refused: UNPAID / REFUSED, errorCode ACQ_001, orderStatus UNPAID. Its amount is
 *     the order's; transactionDetails.useCase is set; effectiveStrongAuthentication ENABLED and
 *     liabilityShift YES when accepted, unless strongAuthentication was DISABLED [?].
 *   The IPN (ipn.ts): sent first, to ipnTargetUrl else the `ipnUrl` option, and the browser return
 *     waits for its first attempt (Lyra waits up to 30 s) unless held by mode delay. kr-answer is the
 *     V4/Payment of the order (orderCycle CLOSED) with transactions[0] the transaction just made,
 *     hashed with the REST password (kr-hash-key "password"). Retries on failure: `ipnRetries` more
 *     attempts (default 4 [?]), at the simulator clock's next quarter-hour slot, or `ipnRetryDelayMs`
 *     after the failure when set; the same bytes each time [?].
 *   The browser return: the same kr-answer, hashed with the HMAC-SHA-256 key (kr-hash-key "sha256_hmac").
 *   Control (API.md):
 *     POST /__control/payments/{formToken}/pay { card, expiry?: "MM/YY", cvv? }: what the shopper does
 *       in the form; answers 200 with the browser-return fields { "kr-answer", "kr-hash", "kr-hash-key",
 *       "kr-hash-algorithm", "kr-answer-type" } after the IPN's first attempt; 404 unknown token, 409
 *       already paid, 400 a malformed card.
 *     POST /__control/notifications { mode: deliver|drop|duplicate|delay, delayMs?, times? } (ipn.ts),
 *     GET /__control/notifications[?formToken=&orderId=&transactionUuid=] every IPN, oldest first:
 *       { at, formToken, orderId, transactionUuid, orderStatus, url, mode, delayMs?, pending,
 *         nextAttemptAt, delivered, body, hash, deliveries: [{ attempt, at, status, body?, error?, ms }] }
 *     POST /__control/settings { writeAnswer: "transaction" | "responseCode" }: how CreateShipmentTransaction,
 *       CancelOrRefund and Refund answer a write they made: the V4/Transaction (default), or a
 *       V4/Common/ResponseCodeAnswer { responseCode: 0 } naming no transaction (the other documented
 *       reading [?]; the hub must then find the transaction by reading).
 *     plus requests, faults and clock from the common frame.
 *
 * Does not simulate
 *   3-D Secure (no challenge, no frictionless flow: the outcome fields only say it happened), captures
 *   at the bank and their dates (a DEBIT stays AUTHORISED; no CAPTURED, no capture batch, no EXPIRED
 *   authorization of a DEBIT), Transaction/Update and manualValidation, other payment methods and
 *   brands' rules (only CB, Mastercard, Visa cards, and no scheme check), the real form's look,
 *   behaviour and KR JavaScript API (KR.onSubmit, KR.setFormConfig, smart form, pop-in), retries in
 *   the same form after a refusal (orderCycle OPEN), the formToken's expiry, tokens and wallets
 *   (formAction REGISTER…, paymentMethodToken, CUSTOMER_WALLET), REST password rotation and the
 *   PRODUCTION mode (prodpassword_), IPN source IPs (194.50.38.0/24), the e-mails sent on IPN
 *   failures, IPNs for later operations (shipments, refunds, cancellations, batch changes), the CB
 *   payment guarantee (30 days) as such, rate limits, the escaped slashes (\/) some answers show.
 */

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseModeRule } from '../common/notifications.ts';
import {
  type SimRequest,
  type SimResponse,
  type SimRoute,
  type Simulator,
  startSimulator,
} from '../common/server.ts';
import { IpnSender } from './ipn.ts';
import { LyraState, type SimTransaction } from './state.ts';
import { envelope, isLyraError, type LyraError, lyraError, paymentView, transactionView } from './wire.ts';

export interface LyraSimulatorOptions {
  port: number;
  host?: string;
  shopId: string;
  restPassword: string;
  hmacKey: string;
  /** `shopId:testpublickey_…`, what the form's kr-public-key must be. */
  publicKey: string;
  /** The shop's IPN URL (Back Office), asked at each payment without ipnTargetUrl; undefined: none. */
  ipnUrl?: () => string | undefined;
  /** How long one IPN attempt may take (default 10 s [?]). */
  ipnTimeoutMs?: number;
  /** Retries after a failed IPN (default 4; 0 as with Lyra's retry option off). */
  ipnRetries?: number;
  /** Set: a retry is due this many ms after the failure (simulator clock); unset: the next quarter hour. */
  ipnRetryDelayMs?: number;
  /** Currencies the shop accepts (default EUR); another known one is PSP_606. */
  currencies?: readonly string[];
}

export interface LyraSimulator extends Simulator {
  state: LyraState;
  ipn: IpnSender;
}

export const FORM_SCRIPT_PATH = '/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js';
export const FORM_PAY_PATH = '/simulator/form/pay';
const FORM_SCRIPT = readFileSync(new URL('./kr-payment-form.js', import.meta.url), 'utf8');
const CORS = { 'access-control-allow-origin': '*' };

/** The browser-return fields, as the form posts them and the pay control route answers them. */
export interface BrowserReturn {
  'kr-answer': string;
  'kr-hash': string;
  'kr-hash-key': 'sha256_hmac';
  'kr-hash-algorithm': 'sha256_hmac';
  'kr-answer-type': 'V4/Payment';
}

function sameSecret(a: string, b: string): boolean {
  const hash = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(hash(a), hash(b));
}

/** A card as the form takes it: CLIENT_301/302/303 when malformed, the expiry checked at `now`. */
function parseCard(
  pan: unknown,
  expiry: unknown,
  cvv: unknown,
  now: Date,
): { pan: string; expiryMonth: number; expiryYear: number } | LyraError {
  const digits = typeof pan === 'string' ? pan.replace(/[\s-]/g, '') : '';
  if (!/^\d{12,19}$/.test(digits)) return lyraError('CLIENT_301', 'invalid card number', null);
  const date = typeof expiry === 'string' ? /^(\d{2})\/(\d{2})$/.exec(expiry.trim()) : null;
  const month = Number(date?.[1]);
  const year = 2000 + Number(date?.[2]);
  const endOfMonth = Date.UTC(year, month, 1);
  if (!date || month < 1 || month > 12 || endOfMonth <= now.getTime())
    return lyraError('CLIENT_302', 'invalid expiration date', null);
  if (typeof cvv !== 'string' || !/^\d{3,4}$/.test(cvv.trim()))
    return lyraError('CLIENT_303', 'invalid security code', null);
  return { pan: digits, expiryMonth: month, expiryYear: year };
}

export async function startLyraSimulator(options: LyraSimulatorOptions): Promise<LyraSimulator> {
  let now: () => Date = () => new Date();
  let serverUrl = '';
  const state = new LyraState(() => now(), {
    shopId: options.shopId,
    currencies: options.currencies ?? ['EUR'],
  });
  const ipn = new IpnSender({
    now: () => now(),
    restPassword: options.restPassword,
    timeoutMs: options.ipnTimeoutMs ?? 10_000,
    retries: options.ipnRetries ?? 4,
    ...(options.ipnRetryDelayMs !== undefined ? { retryDelayMs: options.ipnRetryDelayMs } : {}),
  });

  const answer = (webService: string | null, body: object): SimResponse => ({
    status: 200,
    body: envelope(webService, body, { now: now(), serverUrl }),
  });

  const transactionAnswer = (result: SimTransaction | LyraError) =>
    isLyraError(result) ? result : transactionView(result, state.facts(result), 'V4/Transaction');

  /**
   * A write's answer: the transaction it made, or, with the setting `writeAnswer: "responseCode"`,
   * the other documented reading of it [?], a `V4/Common/ResponseCodeAnswer` naming none.
   */
  let writeAnswer: 'transaction' | 'responseCode' = 'transaction';
  const writeResult = (result: SimTransaction | LyraError) =>
    isLyraError(result) || writeAnswer === 'transaction'
      ? transactionAnswer(result)
      : { responseCode: 0, _type: 'V4/Common/ResponseCodeAnswer' };

  const services: Record<string, (body: Record<string, unknown>) => object> = {
    'Charge/CreatePayment': (body) => {
      const payment = state.createPayment(body);
      return isLyraError(payment)
        ? payment
        : { formToken: payment.formToken, _type: 'V4/Charge/PaymentForm' };
    },
    'Charge/CreateShipmentTransaction': (body) => writeResult(state.createShipment(body)),
    'Transaction/Get': (body) => transactionAnswer(state.get(body)),
    'Transaction/CancelOrRefund': (body) => writeResult(state.refund(body, 'CancelOrRefund')),
    'Transaction/Refund': (body) => writeResult(state.refund(body, 'Refund')),
    'Transaction/Cancel': (body) => transactionAnswer(state.cancel(body)),
    'Order/Get': (body) => {
      const found = state.order(body);
      if (isLyraError(found)) return found;
      return {
        transactions: found.map((t) => transactionView(t, state.facts(t), 'V4/Transaction')),
        _type: 'V4/OrderTransactions',
      };
    },
    'Charge/SDKTest': (body) => ({ value: body.value ?? null, _type: 'V4/Charge/SDKTestResult' }),
  };

  /** HTTP Basic with the shop id and the REST password. */
  const authenticated = (request: SimRequest): boolean => {
    const header = request.headers.authorization ?? '';
    if (!/^Basic /i.test(header)) return false;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    return sameSecret(decoded, `${options.shopId}:${options.restPassword}`);
  };

  const webService = (request: SimRequest): SimResponse => {
    const name = `${request.params.namespace}/${request.params.service}`;
    if (!authenticated(request))
      return answer(
        name,
        lyraError('INT_905', 'invalid login or private key', 'Wrong shop id or REST password'),
      );
    const service = services[name];
    if (!service)
      return answer(name, lyraError('INT_901', 'web service not found', `Unknown web service ${name}`));
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body))
      return answer(
        name,
        lyraError('INT_902', 'web-service input data validation error', 'JSON decode error'),
      );
    return answer(name, service(body as Record<string, unknown>));
  };

  /** The shopper pays: the transaction, then the IPN's first attempt, then the browser-return fields. */
  const shopperPays = async (
    formToken: string,
    card: { pan: string; expiryMonth: number; expiryYear: number },
    userAgent: string | undefined,
  ): Promise<{ orderStatus: 'PAID' | 'UNPAID'; fields: BrowserReturn } | LyraError> => {
    const paid = state.pay(formToken, card, userAgent);
    if (isLyraError(paid)) return paid;
    const { payment, transaction } = paid;
    const orderStatus = payment.status === 'paid' ? 'PAID' : 'UNPAID';
    const krAnswer = JSON.stringify(
      paymentView(payment, [{ transaction, facts: state.facts(transaction) }], now()),
    );
    const { firstAttempt } = ipn.notify(
      payment.ipnTargetUrl ?? options.ipnUrl?.(),
      { formToken, orderId: payment.orderId, transactionUuid: transaction.uuid, orderStatus },
      krAnswer,
    );
    await firstAttempt;
    return {
      orderStatus,
      fields: {
        'kr-answer': krAnswer,
        'kr-hash': createHmac('sha256', options.hmacKey).update(krAnswer).digest('hex'),
        'kr-hash-key': 'sha256_hmac',
        'kr-hash-algorithm': 'sha256_hmac',
        'kr-answer-type': 'V4/Payment',
      },
    };
  };

  /** What the form's Pay does. The logged body keeps no card number or security code. */
  const formPay = async (request: SimRequest): Promise<SimResponse> => {
    const fields = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
      string,
      unknown
    >;
    const card = parseCard(fields.pan, fields.expiry, fields.cvv, now());
    // The frame logged this very object: mask it there (GET /__control/requests never shows a card).
    if (typeof fields.pan === 'string') fields.pan = `${fields.pan.slice(0, 6)}XXXXXX${fields.pan.slice(-4)}`;
    if ('cvv' in fields) fields.cvv = '***';
    const refuse = (code: string, message: string): SimResponse => ({
      status: 200,
      headers: CORS,
      body: { error: { code, message } },
    });
    if (typeof fields.publicKey !== 'string' || !sameSecret(fields.publicKey, options.publicKey))
      return refuse('CLIENT_004', 'invalid public key');
    if (isLyraError(card)) return refuse(card.errorCode, card.errorMessage);
    const paid = await shopperPays(String(fields.formToken ?? ''), card, request.headers['user-agent']);
    if (isLyraError(paid))
      return refuse(paid.errorCode === 'PSP_903' ? 'CLIENT_100' : paid.errorCode, paid.errorMessage);
    return { status: 200, headers: CORS, body: paid };
  };

  const controlPay = async (request: SimRequest): Promise<SimResponse> => {
    const input = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
      string,
      unknown
    >;
    const year = String((now().getUTCFullYear() + 3) % 100).padStart(2, '0');
    const card = parseCard(input.card, input.expiry ?? `12/${year}`, input.cvv ?? '123', now());
    if (isLyraError(card))
      return {
        status: 400,
        body: { error: `${card.errorCode} ${card.errorMessage}; expected { card, expiry?, cvv? }` },
      };
    const paid = await shopperPays(request.params.formToken ?? '', card, undefined);
    if (isLyraError(paid))
      return { status: paid.errorCode === 'PSP_903' ? 404 : 409, body: { error: paid.errorMessage } };
    return { status: 200, body: paid.fields };
  };

  const notifications = (request: SimRequest): SimResponse => {
    if (request.method === 'POST') {
      const rule = parseModeRule(request.body);
      if (typeof rule === 'string') return { status: 400, body: { error: rule } };
      ipn.setMode(rule);
      return { status: 200, body: ipn.mode };
    }
    const filters = ['formToken', 'orderId', 'transactionUuid'] as const;
    const listed = ipn.sent.filter((n) =>
      filters.every((name) => request.query.get(name) === null || n[name] === request.query.get(name)),
    );
    return { status: 200, body: listed };
  };

  const routes: SimRoute[] = [
    { method: 'POST', path: '/api-payment/V4/{namespace}/{service}', handle: webService },
    {
      method: 'GET',
      path: FORM_SCRIPT_PATH,
      handle: () => ({
        status: 200,
        headers: { 'content-type': 'application/javascript; charset=utf-8', ...CORS },
        body: FORM_SCRIPT,
      }),
    },
    { method: 'POST', path: FORM_PAY_PATH, handle: formPay },
    {
      method: 'OPTIONS',
      path: FORM_PAY_PATH,
      handle: () => ({
        status: 204,
        headers: {
          ...CORS,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type',
        },
      }),
    },
  ];

  const simulator = await startSimulator({
    name: 'lyra',
    port: options.port,
    host: options.host,
    routes,
    controlRoutes: [
      { method: 'POST', path: '/__control/payments/{formToken}/pay', handle: controlPay },
      { method: 'GET', path: '/__control/notifications', handle: notifications },
      {
        method: 'POST',
        path: '/__control/settings',
        handle: ({ body }) => {
          const asked = (body as { writeAnswer?: unknown } | undefined)?.writeAnswer;
          if (asked !== 'transaction' && asked !== 'responseCode')
            return {
              status: 400,
              body: { error: 'expected { writeAnswer: "transaction" | "responseCode" }' },
            };
          writeAnswer = asked;
          return { status: 200, body: { writeAnswer } };
        },
      },
      { method: 'POST', path: '/__control/notifications', handle: notifications },
    ],
    // A status fault or a path the frame does not know: an ERROR envelope ([?] what Lyra's edge sends).
    errorBody: (status, message, code) => {
      const error = code
        ? lyraError(code, 'injected error', message)
        : status >= 500
          ? lyraError('PSP_999', 'technical error', message)
          : lyraError('INT_901', 'web service not found', message);
      return envelope(null, error, { now: now(), serverUrl });
    },
  });
  now = simulator.now;
  serverUrl = simulator.url;
  return {
    ...simulator,
    state,
    ipn,
    close: async () => {
      ipn.close();
      await simulator.close();
    },
  };
}
