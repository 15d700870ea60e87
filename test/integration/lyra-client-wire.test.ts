/**
 * The Lyra client and gateway over real HTTP, against a tiny V4 server of this test's own (not
 * the Lyra simulator, which is tested with the hub once both are in): what goes on the wire
 * (path, Basic auth, JSON), how envelopes come back (HTTP 200 and 401 ERROR envelopes), and the
 * retry policy when the connection is lost.
 */

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderRefusal } from '#shared/domain/ports.ts';
import { ProviderUnavailableError } from '#shared/errors.ts';
import { createLogger } from '#shared/log.ts';
import { LyraClient } from '#shared/providers/lyra/client.ts';
import type { LyraCredentials } from '#shared/providers/lyra/config.ts';
import { createLyraGateway } from '#shared/providers/lyra/gateway.ts';
import { rejection } from '../support/rejection.ts';

/** The local stack's keys (API.md). */
const KEYS: LyraCredentials = {
  shopId: '69876357',
  restPassword: 'testpassword_SIM',
  hmacKey: 'testhmac_SIM',
  publicKey: '69876357:testpublickey_SIM',
};

const recorded = (name: string) =>
  (
    JSON.parse(readFileSync(new URL(`../fixtures/lyra/${name}.json`, import.meta.url), 'utf8')) as {
      body: unknown;
    }
  ).body;

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

type Reply = { status: number; body: unknown } | 'reset';

let server: Server;
let baseUrl = '';
const seen: Seen[] = [];
const replies: Reply[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'),
      });
      const reply = replies.shift() ?? { status: 500, body: 'no reply scripted' };
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  seen.length = 0;
  replies.length = 0;
});

function lyra(credentials: LyraCredentials = KEYS, onCredentialsRejected?: () => void) {
  const client = new LyraClient({
    baseUrl,
    timeoutMs: 5_000,
    credentials: async () => credentials,
    onCredentialsRejected,
    log: createLogger({}, () => undefined),
  });
  return createLyraGateway(client);
}

const transaction = {
  shopId: '69876357',
  uuid: '7b8179b7845e4576868d624039b754c5',
  amount: 3500,
  currency: 'EUR',
  status: 'PAID',
  detailedStatus: 'AUTHORISED',
  operationType: 'DEBIT',
  metadata: { hubOperationId: 'op-1' },
  transactionDetails: { parentTransactionUuid: 'f183418d08df49f3900bbd74ef837816' },
  _type: 'V4/Transaction',
};

describe('Lyra client on the wire', () => {
  it('POSTs CreatePayment as JSON with Basic shop id : REST password, and reads the recorded answer', async () => {
    replies.push({ status: 200, body: recorded('create_payment__success') });
    const { formToken } = await lyra().createPayment({
      orderId: 'order-1',
      amount: 7412,
      currency: 'EUR',
      customer: { email: 'sample@example.com' },
      ipnTargetUrl: 'http://127.0.0.1:3000/v1/lyra/ipn',
    });
    expect(formToken.length).toBeGreaterThan(1_900);
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/api-payment/V4/Charge/CreatePayment',
        authorization: `Basic ${Buffer.from('69876357:testpassword_SIM').toString('base64')}`,
        contentType: 'application/json',
        body: {
          amount: 7412,
          currency: 'EUR',
          orderId: 'order-1',
          customer: { email: 'sample@example.com' },
          formAction: 'PAYMENT',
          useCase: 'SHIPMENT_MULTIPLE_AUTHORISATION',
          ipnTargetUrl: 'http://127.0.0.1:3000/v1/lyra/ipn',
          strongAuthentication: 'AUTO',
        },
      },
    ]);
  });

  it('reads the recorded ERROR envelope (HTTP 200) as a refusal', async () => {
    replies.push({ status: 200, body: recorded('create_payment__error_INT_010_invalid_currency') });
    const failure = await rejection(
      lyra().createPayment({
        orderId: 'o',
        amount: 1,
        currency: 'TTT',
        customer: {},
        ipnTargetUrl: 'http://h/ipn',
      }),
    );
    expect(failure).toBeInstanceOf(ProviderRefusal);
    expect(failure).toMatchObject({ reason: 'invalid_request', providerCode: 'INT_010' });
  });

  it('reads an ERROR envelope on HTTP 401 as refused credentials, and has the keys re-read', async () => {
    let rejected = 0;
    replies.push({
      status: 401,
      body: {
        status: 'ERROR',
        answer: { errorCode: 'INT_905', errorMessage: 'auth', ticket: 'null' },
        ticket: null,
      },
    });
    const gateway = lyra({ ...KEYS, restPassword: 'wrong' }, () => {
      rejected += 1;
    });
    expect(await rejection(gateway.getTransaction('u1'))).toMatchObject({
      reason: 'credentials',
      providerCode: 'INT_905',
      status: 401,
    });
    expect(rejected).toBe(1);
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('69876357:wrong').toString('base64')}`);
  });

  it('reads Order/Get and retries it once when the connection is lost', async () => {
    replies.push('reset', {
      status: 200,
      body: { status: 'SUCCESS', answer: { transactions: [transaction] } },
    });
    const transactions = await lyra().readOrder('order-1', 'DEBIT');
    expect(transactions).toEqual([
      {
        uuid: transaction.uuid,
        amount: 3500,
        currency: 'EUR',
        operationType: 'DEBIT',
        status: 'PAID',
        detailedStatus: 'AUTHORISED',
        parentTransactionUuid: 'f183418d08df49f3900bbd74ef837816',
        metadata: { hubOperationId: 'op-1' },
      },
    ]);
    expect(seen.map((s) => [s.path, s.body])).toEqual([
      ['/api-payment/V4/Order/Get', { orderId: 'order-1', operationType: 'DEBIT' }],
      ['/api-payment/V4/Order/Get', { orderId: 'order-1', operationType: 'DEBIT' }],
    ]);
  });

  it('never re-sends a shipment whose connection was lost: an unknown outcome, one request', async () => {
    replies.push('reset', { status: 200, body: { status: 'SUCCESS', answer: transaction } });
    const failure = await rejection(
      lyra().createShipment({
        initialTransactionUuid: 'f183418d08df49f3900bbd74ef837816',
        amount: 3500,
        currency: 'EUR',
        orderId: 'order-1',
        operationId: 'op-1',
      }),
    );
    expect(failure).toBeInstanceOf(ProviderUnavailableError);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.path).toBe('/api-payment/V4/Charge/CreateShipmentTransaction');
  });

  it('reads a shipment answered as a transaction, and a 503 as an unknown outcome', async () => {
    replies.push(
      { status: 200, body: { status: 'SUCCESS', answer: transaction } },
      { status: 503, body: '' },
    );
    const input = {
      initialTransactionUuid: 'f183418d08df49f3900bbd74ef837816',
      amount: 3500,
      currency: 'EUR',
      orderId: 'order-1',
      operationId: 'op-1',
    };
    expect((await lyra().createShipment(input)).transaction?.uuid).toBe(transaction.uuid);
    expect(await rejection(lyra().createShipment(input))).toBeInstanceOf(ProviderUnavailableError);
    expect(seen).toHaveLength(2);
  });
});
