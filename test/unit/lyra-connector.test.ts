/**
 * Lyra's PaymentConnector without any network: against a model of Lyra's transactions (a fake
 * LyraGateway) for what it sends and what it finds after a lost answer, and through the real
 * gateway and client on a scripted fetch for what Lyra's error codes make of an operation.
 */

import { describe, expect, it } from 'vitest';
import type {
  LyraGateway,
  LyraPayment,
  LyraTransaction,
  LyraWriteResult,
} from '#shared/domain/lyra/types.ts';
import { NO_MONEY_YET, type Operation, type Order, type ShipmentRecord } from '#shared/domain/order.ts';
import { ProviderRefusal } from '#shared/domain/ports.ts';
import { ProviderUnavailableError } from '#shared/errors.ts';
import { createLogger } from '#shared/log.ts';
import { LyraClient } from '#shared/providers/lyra/client.ts';
import {
  createLyraConnector,
  HUB_OPERATION_ID,
  LYRA_QUIET_MS,
  SHIPMENTS_STOPPED_REF,
  UNKNOWN_REF,
} from '#shared/providers/lyra/connector.ts';
import { createLyraGateway } from '#shared/providers/lyra/gateway.ts';
import { rejection } from '../support/rejection.ts';

const INITIAL = 'a0000000000000000000000000000001';
const STARTED = '2026-01-05T10:00:00.000Z';

/** A Lyra order authorized for 7412 EUR (seed 003), cast as the neutral Order until 'lyra' joins it. */
function lyraOrder(
  overrides: { payment?: Partial<LyraPayment>; shipments?: ShipmentRecord[]; capturedAmount?: number } = {},
): Order {
  const order = {
    orderId: 'order-lyra-1',
    provider: 'lyra',
    channel: 'online',
    location: 'web',
    amount: 7412,
    currency: 'EUR',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 3,
    requestFingerprint: 'fp',
    ...NO_MONEY_YET,
    authorizedAmount: 7412,
    capturableAmount: 7412,
    capturedAmount: overrides.capturedAmount ?? 0,
    operations: [],
    refunds: [],
    shipments: overrides.shipments ?? [],
    events: [],
    payment: { state: 'authorized', initialTransactionUuid: INITIAL, ...overrides.payment },
  };
  return order as unknown as Order;
}

function operation(kind: Operation['kind'], amount: number, extra: Partial<Operation> = {}): Operation {
  return {
    kind,
    operationId: `op-${kind}-${amount}`,
    amount,
    startedAt: STARTED,
    state: 'running',
    ...extra,
  };
}

function tx(fields: Partial<LyraTransaction> & Pick<LyraTransaction, 'uuid' | 'amount'>): LyraTransaction {
  return {
    currency: 'EUR',
    operationType: 'DEBIT',
    status: 'PAID',
    detailedStatus: 'AUTHORISED',
    parentTransactionUuid: INITIAL,
    creationDate: '2026-01-05T10:00:01.000Z',
    ...fields,
  };
}

type Outcome = 'ok' | 'lost' | 'bare';

/**
 * A model of one Lyra order: its transactions, and a script of how each write ends:
 *   ok    applied and answered with the transaction
 *   lost  applied, the answer never arrives (ProviderUnavailableError)
 *   bare  applied, answered SUCCESS without the transaction
 * `echo` false: Lyra keeps no metadata (it is not confirmed that it echoes it).
 */
function lyraModel(options: { echo?: boolean; outcomes?: Outcome[]; transactions?: LyraTransaction[] } = {}) {
  const transactions: LyraTransaction[] = [
    tx({ uuid: INITIAL, amount: 7412, operationType: 'VERIFICATION', detailedStatus: 'ACCEPTED' }),
    ...(options.transactions ?? []),
  ];
  const outcomes = [...(options.outcomes ?? [])];
  const sent: string[] = [];
  let next = 0;
  const write = (created: LyraTransaction): LyraWriteResult => {
    transactions.push(created);
    const outcome = outcomes.shift() ?? 'ok';
    if (outcome === 'lost') throw new ProviderUnavailableError('lost');
    return outcome === 'bare' ? {} : { transaction: created };
  };
  const gateway: LyraGateway = {
    createPayment: async () => {
      throw new Error('not used');
    },
    readOrder: async (_orderId, type) =>
      structuredClone(transactions.filter((t) => type === undefined || t.operationType === type)),
    getTransaction: async (uuid) => {
      const found = transactions.find((t) => t.uuid === uuid);
      if (!found) throw new ProviderRefusal('not_found', 'PSP_010', 'no such transaction');
      return structuredClone(found);
    },
    createShipment: async ({ initialTransactionUuid, amount, operationId }) => {
      sent.push(`shipment ${amount}`);
      return write(
        tx({
          uuid: `d${String(++next).padStart(31, '0')}`,
          amount,
          parentTransactionUuid: initialTransactionUuid,
          ...(options.echo === false ? {} : { metadata: { [HUB_OPERATION_ID]: operationId } }),
        }),
      );
    },
    cancelOrRefund: async ({ transactionUuid, amount }) => {
      sent.push(`refund ${amount} of ${transactionUuid}`);
      return write(
        tx({
          uuid: `c${String(++next).padStart(31, '0')}`,
          amount,
          operationType: 'CREDIT',
          detailedStatus: 'CAPTURED',
          parentTransactionUuid: transactionUuid,
        }),
      );
    },
    cancel: async ({ transactionUuid }) => {
      sent.push(`cancel ${transactionUuid}`);
      const initial = transactions.find((t) => t.uuid === transactionUuid);
      if (initial) initial.detailedStatus = 'CANCELLED';
      return {};
    },
  };
  return { gateway, transactions, sent };
}

describe('what the connector declares', () => {
  it('debits per shipment, has no capture, and runs refunds and voids alone, debits concurrently', () => {
    const connector = createLyraConnector(lyraModel().gateway);
    expect(connector.provider).toBe('lyra');
    expect(connector.capabilities).toEqual({
      capture: 'none',
      debit: true,
      unknownOutcome: { quietMs: LYRA_QUIET_MS },
    });
    expect([...connector.exclusiveKinds].sort()).toEqual(['refund', 'void']);
  });
});

describe('debits', () => {
  it('debits the shipment from the initial transaction, the operation id in its metadata', async () => {
    const lyra = lyraModel();
    const effect = await createLyraConnector(lyra.gateway).execute(lyraOrder(), operation('debit', 3500));
    const debit = lyra.transactions.at(-1);
    expect(debit).toMatchObject({ amount: 3500, parentTransactionUuid: INITIAL });
    expect(debit?.metadata).toEqual({ [HUB_OPERATION_ID]: 'op-debit-3500' });
    expect(effect).toEqual({ providerRef: debit?.uuid, amount: 3500 });
  });

  it('finds a debit whose answer was lost by the operation id in its metadata', async () => {
    const lyra = lyraModel({ outcomes: ['ok', 'lost'] });
    const connector = createLyraConnector(lyra.gateway);
    const order = lyraOrder();
    await connector.execute(order, operation('debit', 2500, { operationId: 'op-a' }));
    const lost = operation('debit', 2500, { operationId: 'op-b' });
    expect(await rejection(connector.execute(order, lost))).toBeInstanceOf(ProviderUnavailableError);
    const sent = lyra.sent.length;
    // Same amount as op-a's debit, which no shipment records yet: the metadata tells them apart.
    expect(await connector.findLanded(order, lost)).toEqual({
      providerRef: lyra.transactions[2]?.uuid,
      amount: 2500,
    });
    expect(lyra.transactions[2]?.metadata).toEqual({ [HUB_OPERATION_ID]: 'op-b' });
    expect(lyra.sent).toHaveLength(sent);
  });

  it('without metadata echoed, finds it by amount among the debits no shipment claims', async () => {
    const claimed = tx({ uuid: 'd-claimed', amount: 2500 });
    const otherAmount = tx({ uuid: 'd-other', amount: 1412 });
    const lyra = lyraModel({ echo: false, outcomes: ['lost'], transactions: [claimed, otherAmount] });
    const order = lyraOrder({
      capturedAmount: 2500,
      shipments: [
        { shipmentId: 's1', amount: 2500, createdAt: STARTED, status: 'debited', providerRef: 'd-claimed' },
      ],
    });
    const connector = createLyraConnector(lyra.gateway);
    const lost = operation('debit', 2500);
    expect(await rejection(connector.execute(order, lost))).toBeInstanceOf(ProviderUnavailableError);
    const landed = lyra.transactions.at(-1)?.uuid;
    expect(await connector.findLanded(order, lost)).toEqual({ providerRef: landed, amount: 2500 });
  });

  it('without metadata echoed, leaves an earlier debit whose uuid the hub never learnt to that debit', async () => {
    // Lyra said SUCCESS for the earlier shipment but its read-back failed: recorded 'unknown'.
    // A later debit of the same amount whose answer was lost must not take its transaction.
    const earlier = tx({ uuid: 'd-earlier', amount: 2500, creationDate: '2026-01-05T09:55:01.000Z' });
    const lyra = lyraModel({ echo: false, transactions: [earlier] });
    const order = {
      ...lyraOrder({
        capturedAmount: 2500,
        shipments: [
          { shipmentId: 's1', amount: 2500, createdAt: STARTED, status: 'debited', providerRef: UNKNOWN_REF },
        ],
      }),
      operations: [
        operation('debit', 2500, {
          operationId: 'op-earlier',
          startedAt: '2026-01-05T09:55:00.000Z',
          state: 'succeeded',
          providerRef: UNKNOWN_REF,
        }),
      ],
    };
    const connector = createLyraConnector(lyra.gateway);
    const lost = operation('debit', 2500);
    expect(await connector.findLanded(order, lost)).toBeUndefined();
    lyra.transactions.push(tx({ uuid: 'd-later', amount: 2500 }));
    expect(await connector.findLanded(order, lost)).toEqual({ providerRef: 'd-later', amount: 2500 });
  });

  it('finds nothing when nothing landed', async () => {
    for (const echo of [true, false]) {
      const lyra = lyraModel({ echo, transactions: [tx({ uuid: 'd-1412', amount: 1412 })] });
      expect(
        await createLyraConnector(lyra.gateway).findLanded(lyraOrder(), operation('debit', 3500)),
      ).toBeUndefined();
      expect(lyra.sent).toEqual([]);
    }
  });

  it('when Lyra echoes metadata, does not take an unmarked debit of the same amount for the operation', async () => {
    const marked = tx({ uuid: 'd-marked', amount: 1000, metadata: { [HUB_OPERATION_ID]: 'op-earlier' } });
    const manual = tx({ uuid: 'd-manual', amount: 3500 });
    const lyra = lyraModel({ transactions: [marked, manual] });
    expect(
      await createLyraConnector(lyra.gateway).findLanded(lyraOrder(), operation('debit', 3500)),
    ).toBeUndefined();
  });

  it('never counts a refused debit as landed, and reads a refused answer as declined', async () => {
    const refused = tx({
      uuid: 'd-refused',
      amount: 3500,
      status: 'UNPAID',
      detailedStatus: 'REFUSED',
      metadata: { [HUB_OPERATION_ID]: 'op-debit-3500' },
    });
    const lyra = lyraModel({ transactions: [refused] });
    const connector = createLyraConnector(lyra.gateway);
    expect(await connector.findLanded(lyraOrder(), operation('debit', 3500))).toBeUndefined();

    const declining: LyraGateway = {
      ...lyra.gateway,
      createShipment: async () => ({ transaction: refused }),
    };
    const failure = await rejection(
      createLyraConnector(declining).execute(lyraOrder(), operation('debit', 3500)),
    );
    expect(failure).toBeInstanceOf(ProviderRefusal);
    expect(failure).toMatchObject({ reason: 'declined', providerCode: 'REFUSED' });
  });

  it('finds the uuid by reading when Lyra answers SUCCESS without the debit, or says it is unknown', async () => {
    const lyra = lyraModel({ outcomes: ['bare'] });
    const effect = await createLyraConnector(lyra.gateway).execute(lyraOrder(), operation('debit', 3500));
    expect(effect).toEqual({ providerRef: lyra.transactions.at(-1)?.uuid, amount: 3500 });

    const unreadable = lyraModel({ outcomes: ['bare'] });
    const blind: LyraGateway = {
      ...unreadable.gateway,
      readOrder: async () => {
        throw new ProviderUnavailableError('down');
      },
    };
    // Lyra said it was done: a success, whose transaction the hub could not name.
    expect(await createLyraConnector(blind).execute(lyraOrder(), operation('debit', 3500))).toEqual({
      providerRef: UNKNOWN_REF,
      amount: 3500,
    });
  });

  it('refuses before sending when the order has no authorization, shipments were stopped, or is not a Lyra order', async () => {
    const lyra = lyraModel();
    const connector = createLyraConnector(lyra.gateway);
    const noInitial = lyraOrder({ payment: { initialTransactionUuid: undefined } });
    const stopped = lyraOrder({ payment: { shipmentsStopped: true } });
    const affirm = { ...lyraOrder(), provider: 'affirm' } as Order;
    for (const order of [noInitial, stopped, affirm]) {
      expect(await rejection(connector.execute(order, operation('debit', 100)))).toMatchObject({
        reason: 'not_allowed',
      });
    }
    expect(lyra.sent).toEqual([]);
  });
});

describe('refunds', () => {
  const shipped = tx({ uuid: 'd-shipped', amount: 3500 });
  const order = () =>
    lyraOrder({
      capturedAmount: 3500,
      shipments: [
        { shipmentId: 's1', amount: 3500, createdAt: STARTED, status: 'debited', providerRef: 'd-shipped' },
      ],
    });

  it('refunds the shipment transaction the operation targets, by the operation amount', async () => {
    const lyra = lyraModel({ transactions: [shipped] });
    const effect = await createLyraConnector(lyra.gateway).execute(
      order(),
      operation('refund', 1000, { targetRef: 'd-shipped' }),
    );
    expect(lyra.sent).toEqual(['refund 1000 of d-shipped']);
    expect(effect).toEqual({ providerRef: lyra.transactions.at(-1)?.uuid, amount: 1000 });
  });

  it('finds a refund whose answer was lost: an unclaimed CREDIT of the shipment with its amount', async () => {
    const claimed = tx({
      uuid: 'c-claimed',
      amount: 1000,
      operationType: 'CREDIT',
      parentTransactionUuid: 'd-shipped',
    });
    const otherShipment = tx({
      uuid: 'c-other',
      amount: 1000,
      operationType: 'CREDIT',
      parentTransactionUuid: 'd-x',
    });
    // Same shipment and amount, but refused: not this refund.
    const refused = tx({
      uuid: 'c-refused',
      amount: 1000,
      operationType: 'CREDIT',
      parentTransactionUuid: 'd-shipped',
      status: 'UNPAID',
      detailedStatus: 'REFUSED',
    });
    const lyra = lyraModel({
      outcomes: ['lost'],
      transactions: [shipped, claimed, otherShipment, refused],
    });
    const withRefund = {
      ...order(),
      refunds: [{ refundId: 'rf-1', amount: 1000, createdAt: STARTED, providerRefundId: 'c-claimed' }],
    };
    const connector = createLyraConnector(lyra.gateway);
    const lost = operation('refund', 1000, { targetRef: 'd-shipped' });
    const before = await connector.findLanded(withRefund, lost);
    expect(before).toBeUndefined();
    expect(await rejection(connector.execute(withRefund, lost))).toBeInstanceOf(ProviderUnavailableError);
    expect(await connector.findLanded(withRefund, lost)).toEqual({
      providerRef: lyra.transactions.at(-1)?.uuid,
      amount: 1000,
    });
    expect(lyra.sent).toHaveLength(1);
  });

  it('takes an unclaimed CREDIT dated before the refund started for it (Lyra’s clock behind the hub’s), and sends nothing', async () => {
    // A date window once took such a landed refund for a lost one, and the retry refunded twice.
    const skewed = tx({
      uuid: 'c-skewed',
      amount: 1000,
      operationType: 'CREDIT',
      parentTransactionUuid: 'd-shipped',
      creationDate: '2026-01-05T09:58:30.000Z',
    });
    const lyra = lyraModel({ transactions: [shipped, skewed] });
    const lost = operation('refund', 1000, { targetRef: 'd-shipped' });
    expect(await createLyraConnector(lyra.gateway).findLanded(order(), lost)).toEqual({
      providerRef: 'c-skewed',
      amount: 1000,
    });
    expect(lyra.sent).toEqual([]);
  });

  it('does not take an old unclaimed CREDIT (a back-office refund, an hour before) for a lost refund', async () => {
    // Found by review: without any window, such a credit made a refund that never landed look done.
    const old = tx({
      uuid: 'c-old',
      amount: 1000,
      operationType: 'CREDIT',
      parentTransactionUuid: 'd-shipped',
      creationDate: '2026-01-05T09:00:00.000Z',
    });
    const lyra = lyraModel({ transactions: [shipped, old] });
    const lost = operation('refund', 1000, { targetRef: 'd-shipped' });
    expect(await createLyraConnector(lyra.gateway).findLanded(order(), lost)).toBeUndefined();
  });

  it('leaves an earlier refund whose uuid the hub never learnt to that refund, and finds its own after it', async () => {
    // Lyra said SUCCESS for the earlier refund but its read-back failed: recorded 'unknown'. A
    // later refund of the same amount on the same shipment that never landed must be found not
    // landed (sent again), not take the earlier one's CREDIT: the customer would be told of a
    // refund never made.
    const earlierCredit = tx({
      uuid: 'c-earlier',
      amount: 1000,
      operationType: 'CREDIT',
      parentTransactionUuid: 'd-shipped',
      creationDate: '2026-01-05T09:58:01.000Z',
    });
    const lyra = lyraModel({ transactions: [shipped, earlierCredit] });
    const withUnlearnt = {
      ...order(),
      refunds: [{ refundId: 'rf-1', amount: 1000, createdAt: STARTED, providerRefundId: UNKNOWN_REF }],
      operations: [
        operation('refund', 1000, {
          operationId: 'op-earlier',
          targetRef: 'd-shipped',
          startedAt: '2026-01-05T09:58:00.000Z',
          state: 'succeeded',
          providerRef: UNKNOWN_REF,
        }),
      ],
    };
    const connector = createLyraConnector(lyra.gateway);
    const lost = operation('refund', 1000, { targetRef: 'd-shipped' });
    expect(await connector.findLanded(withUnlearnt, lost)).toBeUndefined();
    lyra.transactions.push(
      tx({ uuid: 'c-later', amount: 1000, operationType: 'CREDIT', parentTransactionUuid: 'd-shipped' }),
    );
    expect(await connector.findLanded(withUnlearnt, lost)).toEqual({ providerRef: 'c-later', amount: 1000 });
    // An unlearnt refund of another shipment or amount takes nothing from this one.
    const elsewhere = {
      ...withUnlearnt,
      operations: [{ ...withUnlearnt.operations[0], targetRef: 'd-other' } as Operation],
    };
    expect(await connector.findLanded(elsewhere, lost)).toEqual({ providerRef: 'c-earlier', amount: 1000 });
  });

  it('needs the shipment transaction it refunds', async () => {
    const lyra = lyraModel({ transactions: [shipped] });
    expect(
      await rejection(createLyraConnector(lyra.gateway).execute(order(), operation('refund', 1000))),
    ).toMatchObject({
      reason: 'invalid_request',
    });
    expect(lyra.sent).toEqual([]);
  });
});

describe('identify: the uuid of a write Lyra did whose transaction the hub never learnt', () => {
  const unlearnt = (kind: 'debit' | 'refund', id: string, amount: number, startedAt: string, extra = {}) =>
    operation(kind, amount, {
      operationId: id,
      startedAt,
      state: 'succeeded',
      providerRef: UNKNOWN_REF,
      ...extra,
    });
  const withOperations = (order: Order, operations: Operation[]) => ({ ...order, operations });

  it('names each unlearnt debit by its metadata, or without it by the oldest debit of its amount', async () => {
    const a = unlearnt('debit', 'op-a', 2500, '2026-01-05T09:50:00.000Z');
    const b = unlearnt('debit', 'op-b', 2500, '2026-01-05T09:55:00.000Z');
    const dA = tx({ uuid: 'd-a', amount: 2500, creationDate: '2026-01-05T09:50:01.000Z' });
    const dB = tx({ uuid: 'd-b', amount: 2500, creationDate: '2026-01-05T09:55:01.000Z' });
    const claimed = tx({ uuid: 'd-claimed', amount: 2500, creationDate: '2026-01-05T09:49:00.000Z' });
    const order = withOperations(
      lyraOrder({
        shipments: [
          { shipmentId: 's0', amount: 2500, createdAt: STARTED, status: 'debited', providerRef: 'd-claimed' },
        ],
      }),
      [a, b],
    );
    const bare = createLyraConnector(lyraModel({ echo: false, transactions: [dB, claimed, dA] }).gateway);
    expect(await bare.identify?.(order, a)).toBe('d-a');
    expect(await bare.identify?.(order, b)).toBe('d-b');
    const marked = createLyraConnector(
      lyraModel({
        transactions: [
          { ...dA, metadata: { [HUB_OPERATION_ID]: 'op-b' } },
          { ...dB, metadata: { [HUB_OPERATION_ID]: 'op-a' } },
        ],
      }).gateway,
    );
    expect(await marked.identify?.(order, a)).toBe('d-b');
    expect(await marked.identify?.(order, b)).toBe('d-a');
  });

  it('names an unlearnt refund by a CREDIT of its shipment and amount, and nothing it cannot be', async () => {
    const shipped = tx({ uuid: 'd-shipped', amount: 3500 });
    const refund = unlearnt('refund', 'op-r', 1000, '2026-01-05T09:58:00.000Z', { targetRef: 'd-shipped' });
    const order = withOperations(
      lyraOrder({
        capturedAmount: 3500,
        shipments: [
          { shipmentId: 's1', amount: 3500, createdAt: STARTED, status: 'debited', providerRef: 'd-shipped' },
        ],
      }),
      [refund],
    );
    const credit = (uuid: string, fields: Partial<LyraTransaction> = {}) =>
      tx({ uuid, amount: 1000, operationType: 'CREDIT', parentTransactionUuid: 'd-shipped', ...fields });
    const other = [
      credit('c-other-shipment', { parentTransactionUuid: 'd-x' }),
      credit('c-other-amount', { amount: 900 }),
      credit('c-hour-before', { creationDate: '2026-01-05T08:58:00.000Z' }),
    ];
    expect(
      await createLyraConnector(lyraModel({ transactions: [shipped, ...other] }).gateway).identify?.(
        order,
        refund,
      ),
    ).toBeUndefined();
    const lyra = lyraModel({ transactions: [shipped, ...other, credit('c-its')] });
    expect(await createLyraConnector(lyra.gateway).identify?.(order, refund)).toBe('c-its');
    // An operation whose uuid is known is not identified again.
    expect(
      await createLyraConnector(lyra.gateway).identify?.(order, { ...refund, providerRef: 'c-known' }),
    ).toBeUndefined();
    expect(lyra.sent).toEqual([]);
  });
});

describe('voids', () => {
  it('cancels the initial transaction before any shipment, and finds it cancelled', async () => {
    const lyra = lyraModel();
    const connector = createLyraConnector(lyra.gateway);
    const voiding = operation('void', 7412);
    expect(await connector.findLanded(lyraOrder(), voiding)).toBeUndefined();
    expect(await connector.execute(lyraOrder(), voiding)).toEqual({ providerRef: INITIAL });
    expect(lyra.sent).toEqual([`cancel ${INITIAL}`]);
    expect(await connector.findLanded(lyraOrder(), voiding)).toEqual({ providerRef: INITIAL });
  });

  it('after a shipment, sends nothing: the hub stops further shipments', async () => {
    const lyra = lyraModel();
    const order = lyraOrder({
      capturedAmount: 3500,
      shipments: [
        { shipmentId: 's1', amount: 3500, createdAt: STARTED, status: 'debited', providerRef: 'd1' },
      ],
    });
    const connector = createLyraConnector(lyra.gateway);
    expect(await connector.execute(order, operation('void', 3912))).toEqual({
      providerRef: SHIPMENTS_STOPPED_REF,
    });
    expect(await connector.findLanded(order, operation('void', 3912))).toEqual({
      providerRef: SHIPMENTS_STOPPED_REF,
    });
    expect(lyra.sent).toEqual([]);
  });
});

describe("Lyra's error codes, through the real gateway and client", () => {
  function wired(body: unknown, status = 200) {
    const requests: { url: string; body: unknown }[] = [];
    const client = new LyraClient({
      baseUrl: 'https://api.example.test',
      timeoutMs: 1_000,
      credentials: async () => ({ shopId: '1', restPassword: 'p', hmacKey: 'h', publicKey: '1:k' }),
      log: createLogger({}, () => undefined),
      fetch: async (url, init) => {
        requests.push({ url: String(url), body: JSON.parse(String(init?.body)) });
        return new Response(JSON.stringify(body), { status });
      },
    });
    return { connector: createLyraConnector(createLyraGateway(client)), requests };
  }
  const error = (errorCode: string) => ({
    status: 'ERROR',
    answer: { errorCode, errorMessage: 'x', detailedErrorCode: null, ticket: 'null' },
  });

  it('PSP_236 (a shipment cannot be duplicated) is already_applied: the saga then reads', async () => {
    const { connector, requests } = wired(error('PSP_236'));
    expect(await rejection(connector.execute(lyraOrder(), operation('debit', 3500)))).toMatchObject({
      reason: 'already_applied',
      providerCode: 'PSP_236',
    });
    expect(requests).toEqual([
      {
        url: 'https://api.example.test/api-payment/V4/Charge/CreateShipmentTransaction',
        body: {
          uuid: INITIAL,
          amount: 3500,
          currency: 'EUR',
          orderId: 'order-lyra-1',
          metadata: { hubOperationId: 'op-debit-3500' },
        },
      },
    ]);
  });

  it.each(['PSP_228', 'PSP_227'])('%s (the shipment may exist) is an unknown outcome', async (code) => {
    const { connector } = wired(error(code));
    expect(await rejection(connector.execute(lyraOrder(), operation('debit', 3500)))).toBeInstanceOf(
      ProviderUnavailableError,
    );
  });

  it('PSP_229 and PSP_546 are definite refusals', async () => {
    expect(
      await rejection(wired(error('PSP_229')).connector.execute(lyraOrder(), operation('debit', 1))),
    ).toMatchObject({
      reason: 'not_allowed',
    });
    expect(
      await rejection(wired(error('PSP_546')).connector.execute(lyraOrder(), operation('debit', 1))),
    ).toMatchObject({
      reason: 'amount_exceeded',
    });
  });

  it('refunds with CancelOrRefund in REFUND_ONLY mode, and reads the CREDIT it answers', async () => {
    const credit = {
      uuid: 'c1',
      amount: 1000,
      currency: 'EUR',
      operationType: 'CREDIT',
      status: 'PAID',
      detailedStatus: 'CAPTURED',
    };
    const { connector, requests } = wired({
      status: 'SUCCESS',
      answer: { ...credit, _type: 'V4/Transaction' },
    });
    const effect = await connector.execute(
      lyraOrder(),
      operation('refund', 1000, { targetRef: 'd-shipped' }),
    );
    expect(effect).toEqual({ providerRef: 'c1', amount: 1000 });
    expect(requests[0]).toEqual({
      url: 'https://api.example.test/api-payment/V4/Transaction/CancelOrRefund',
      body: {
        uuid: 'd-shipped',
        amount: 1000,
        currency: 'EUR',
        resolutionMode: 'REFUND_ONLY',
        comment: 'hub refund op-refund-1000',
      },
    });
  });

  it('cancels with Transaction/Cancel of the initial transaction', async () => {
    const { connector, requests } = wired({ status: 'SUCCESS', answer: {} });
    expect(await connector.execute(lyraOrder(), operation('void', 7412))).toEqual({ providerRef: INITIAL });
    expect(requests).toEqual([
      { url: 'https://api.example.test/api-payment/V4/Transaction/Cancel', body: { uuid: INITIAL } },
    ]);
  });

  it('findLanded reads Order/Get by the order id, for the one operation type it looks for', async () => {
    const { connector, requests } = wired({ status: 'SUCCESS', answer: { transactions: [] } });
    expect(await connector.findLanded(lyraOrder(), operation('debit', 3500))).toBeUndefined();
    expect(
      await connector.findLanded(lyraOrder(), operation('refund', 1, { targetRef: 'd1' })),
    ).toBeUndefined();
    expect(requests).toEqual([
      {
        url: 'https://api.example.test/api-payment/V4/Order/Get',
        body: { orderId: 'order-lyra-1', operationType: 'DEBIT' },
      },
      {
        url: 'https://api.example.test/api-payment/V4/Order/Get',
        body: { orderId: 'order-lyra-1', operationType: 'CREDIT' },
      },
    ]);
  });
});
