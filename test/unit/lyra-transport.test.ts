/**
 * The Lyra client without any network: a scripted fetch answers each call. What every error code
 * means, how the V4 envelope is read whatever the HTTP status, and the retry policy (reads
 * retried, writes only when the request never left).
 */

import { describe, expect, it } from 'vitest';
import { ProviderRefusal } from '#shared/domain/ports.ts';
import { ProviderUnavailableError } from '#shared/errors.ts';
import { problemFor } from '#shared/http/problem.ts';
import { createLogger } from '#shared/log.ts';
import {
  LyraClient,
  type LyraService,
  readEnvelope,
  transportErrorName,
} from '#shared/providers/lyra/client.ts';
import { LYRA_ERROR_CODES, UNKNOWN_CODE_READING } from '#shared/providers/lyra/errors.ts';
import { rejection } from '../support/rejection.ts';

const errorEnvelope = (errorCode: string, detailedErrorCode: string | null = null) =>
  JSON.stringify({
    webService: 'Charge/CreateShipmentTransaction',
    version: 'V4',
    status: 'ERROR',
    answer: {
      errorCode,
      errorMessage: 'as Lyra words it',
      detailedErrorCode,
      detailedErrorMessage: 'Invalid input value [name=customer.email, value=jane.doe@example.com]',
      ticket: 'null',
      _type: 'V4/WebService/WebServiceError',
    },
    ticket: null,
    _type: 'V4/WebService/Response',
  });

const successEnvelope = (answer: unknown) => JSON.stringify({ status: 'SUCCESS', answer, ticket: null });

function failureOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** Every code the issue lists, with what it must mean. */
const READINGS: [code: string, reading: string][] = [
  ['INT_009', 'invalid_request'],
  ['INT_010', 'invalid_request'],
  ['INT_050', 'invalid_request'],
  ['INT_015', 'invalid_request'],
  ['INT_902', 'invalid_request'],
  ['INT_905', 'credentials'],
  ['PSP_519', 'invalid_request'],
  ['PSP_606', 'invalid_request'],
  ['PSP_227', 'unknown_outcome'],
  ['PSP_228', 'unknown_outcome'],
  ['PSP_229', 'not_allowed'],
  ['PSP_231', 'not_allowed'],
  ['PSP_236', 'already_applied'],
  ['PSP_546', 'amount_exceeded'],
  ['PSP_015', 'technical'],
];

describe('error codes', () => {
  it('lists exactly the codes read here', () => {
    expect(Object.keys(LYRA_ERROR_CODES).sort()).toEqual(READINGS.map(([code]) => code).sort());
  });

  it.each(READINGS)('%s is read as %s, with HTTP 200 and with HTTP 401 alike', (code, reading) => {
    for (const status of [200, 401]) {
      const failure = failureOf(() => readEnvelope(status, errorEnvelope(code)));
      if (reading === 'unknown_outcome') {
        expect(failure).toBeInstanceOf(ProviderUnavailableError);
        expect((failure as Error).message).toContain(code);
      } else {
        expect(failure).toBeInstanceOf(ProviderRefusal);
        expect(failure).toMatchObject({ reason: reading, providerCode: code, status });
      }
      // Lyra's detailed message may echo the input (an e-mail here): it never reaches the hub's message.
      expect((failure as Error).message).not.toContain('example.com');
      expect(problemFor(failure, 'r').detail).not.toContain('example.com');
    }
  });

  it('reads an unknown code as an unknown outcome (the safe default), not as a refusal', () => {
    expect(UNKNOWN_CODE_READING).toBe('unknown_outcome');
    const failure = failureOf(() => readEnvelope(200, errorEnvelope('PSP_999')));
    expect(failure).toBeInstanceOf(ProviderUnavailableError);
    expect(problemFor(failure, 'r').detail).toMatch(/^Lyra answered PSP_999\. /);
  });

  it('falls back to detailedErrorCode when errorCode is not known', () => {
    const failure = failureOf(() => readEnvelope(200, errorEnvelope('PSP_999', 'PSP_236')));
    expect(failure).toMatchObject({ reason: 'already_applied', providerCode: 'PSP_999' });
  });

  it('never echoes a code that is not shaped like one', () => {
    const failure = failureOf(() => readEnvelope(200, errorEnvelope('<script>alert(1)</script>')));
    expect(failure).toBeInstanceOf(ProviderUnavailableError);
    expect((failure as Error).message).not.toContain('script');
  });
});

describe('the envelope, whatever the HTTP status', () => {
  it('hands back a SUCCESS answer, with or without mode and serverUrl', () => {
    expect(readEnvelope(200, successEnvelope({ formToken: 't' }))).toEqual({
      status: 200,
      answer: { formToken: 't' },
    });
    const withMode = JSON.stringify({ status: 'SUCCESS', answer: {}, mode: 'TEST', serverUrl: 'https://x' });
    expect(readEnvelope(200, withMode).answer).toEqual({});
  });

  it.each([
    [503, successEnvelope({})],
    [500, errorEnvelope('INT_009')],
    [502, 'Bad gateway'],
    [429, ''],
    [408, ''],
  ])('HTTP %i is an unknown outcome, whatever the body', (status, body) => {
    expect(failureOf(() => readEnvelope(status, body))).toBeInstanceOf(ProviderUnavailableError);
  });

  it.each([
    ['not JSON', '<html>ok</html>'],
    ['empty', ''],
    ['JSON without an envelope', '{"formToken":"t"}'],
    ['another status', '{"status":"PENDING","answer":{}}'],
    ['an ERROR without errorCode', '{"status":"ERROR","answer":{"errorMessage":"x"}}'],
  ])('a 2xx answer that is %s is an unknown outcome', (_what, body) => {
    expect(failureOf(() => readEnvelope(200, body))).toBeInstanceOf(ProviderUnavailableError);
  });

  it.each([
    [401, 'credentials'],
    [403, 'invalid_request'],
    [404, 'not_found'],
    [400, 'invalid_request'],
  ])('HTTP %i without an envelope is a refusal: %s', (status, reason) => {
    expect(failureOf(() => readEnvelope(status, '<html>no</html>'))).toMatchObject({
      reason,
      providerCode: `http_${status}`,
    });
  });
});

describe('naming a transport failure', () => {
  it('takes the socket code from the cause fetch wraps, else the name', () => {
    expect(transportErrorName(fetchFailed('ECONNRESET'))).toBe('ECONNRESET');
    expect(transportErrorName(new DOMException('aborted', 'TimeoutError'))).toBe('TimeoutError');
    expect(transportErrorName('weird')).toBe('unknown');
  });
});

/** What fetch throws on a lost connection: a TypeError whose cause carries the socket's code. */
function fetchFailed(code: string) {
  return Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('socket'), { code }),
  });
}

type Step = Error | { status: number; body: string };

/** A client whose fetch plays `steps` in order, recording each request. */
function scripted(steps: Step[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  let rejected = 0;
  const client = new LyraClient({
    baseUrl: 'https://api.example.test',
    timeoutMs: 1_000,
    credentials: async () => ({
      shopId: '69876357',
      restPassword: 'testpassword_SIM',
      hmacKey: 'testhmac_SIM',
      publicKey: '69876357:testpublickey_SIM',
    }),
    onCredentialsRejected: () => {
      rejected += 1;
    },
    log: createLogger({}, () => undefined),
    fetch: async (url, init) => {
      calls.push({ url: String(url), init: init ?? {} });
      const step = steps.shift();
      if (!step) throw new Error('no more scripted answers');
      if (step instanceof Error) throw step;
      return new Response(step.body, { status: step.status });
    },
  });
  return { client, calls, rejected: () => rejected };
}

const OK = { status: 200, body: successEnvelope({ uuid: 'u1', amount: 1 }) };

describe('the wire and the retry policy', () => {
  it('POSTs JSON to /api-payment/V4/{service} with Basic shop id : REST password', async () => {
    const { client, calls } = scripted([OK]);
    await client.call('Transaction/Get', { uuid: 'u1' });
    const [call] = calls;
    if (!call) throw new Error('no call');
    expect(calls).toHaveLength(1);
    expect(call.url).toBe('https://api.example.test/api-payment/V4/Transaction/Get');
    const headers = call.init.headers as Record<string, string>;
    expect(headers.authorization).toBe(
      `Basic ${Buffer.from('69876357:testpassword_SIM').toString('base64')}`,
    );
    expect(headers['content-type']).toBe('application/json');
    expect(call.init.method).toBe('POST');
    expect(JSON.parse(String(call.init.body))).toEqual({ uuid: 'u1' });
  });

  it.each<LyraService>(['Transaction/Get', 'Order/Get'])(
    'retries the read %s once after a reset or a 5xx',
    async (service) => {
      const reset = scripted([fetchFailed('ECONNRESET'), OK]);
      await expect(reset.client.call(service, {})).resolves.toMatchObject({ status: 200 });
      expect(reset.calls).toHaveLength(2);
      const down = scripted([{ status: 503, body: '' }, OK]);
      await expect(down.client.call(service, {})).resolves.toMatchObject({ status: 200 });
      expect(down.calls).toHaveLength(2);
      const twice = scripted([
        { status: 503, body: '' },
        { status: 503, body: '' },
      ]);
      expect(await rejection(twice.client.call(service, {}))).toBeInstanceOf(ProviderUnavailableError);
      expect(twice.calls).toHaveLength(2);
    },
  );

  it.each<LyraService>([
    'Charge/CreatePayment',
    'Charge/CreateShipmentTransaction',
    'Transaction/CancelOrRefund',
    'Transaction/Cancel',
  ])(
    'never re-sends the write %s that may have arrived; retries it once when it never left',
    async (service) => {
      for (const lost of [fetchFailed('ECONNRESET'), new DOMException('aborted', 'TimeoutError')]) {
        const { client, calls } = scripted([lost, OK]);
        expect(await rejection(client.call(service, {}))).toBeInstanceOf(ProviderUnavailableError);
        expect(calls).toHaveLength(1);
      }
      const down = scripted([{ status: 503, body: '' }, OK]);
      expect(await rejection(down.client.call(service, {}))).toBeInstanceOf(ProviderUnavailableError);
      expect(down.calls).toHaveLength(1);
      const refused = scripted([fetchFailed('ECONNREFUSED'), OK]);
      await expect(refused.client.call(service, {})).resolves.toMatchObject({ status: 200 });
      expect(refused.calls).toHaveLength(2);
    },
  );

  it('says what happened when Lyra did not answer, without internal detail', async () => {
    const { client } = scripted([fetchFailed('ECONNRESET')]);
    const failure = await rejection(client.call('Charge/CreateShipmentTransaction', {}));
    expect(problemFor(failure, 'r').detail).toMatch(/^The connection to Lyra was lost before it answered\. /);
  });

  it('reads an ERROR envelope on HTTP 401 by its code, and has the keys re-read', async () => {
    const { client, rejected } = scripted([{ status: 401, body: errorEnvelope('INT_905') }]);
    expect(await rejection(client.call('Order/Get', {}))).toMatchObject({
      reason: 'credentials',
      providerCode: 'INT_905',
      status: 401,
    });
    expect(rejected()).toBe(1);
  });

  it('has the keys re-read after INT_905 on HTTP 200 too, and not after another refusal', async () => {
    const { client, rejected } = scripted([
      { status: 200, body: errorEnvelope('INT_905') },
      { status: 200, body: errorEnvelope('INT_009') },
    ]);
    await rejection(client.call('Charge/CreatePayment', {}));
    expect(rejected()).toBe(1);
    await rejection(client.call('Charge/CreatePayment', {}));
    expect(rejected()).toBe(1);
  });
});
