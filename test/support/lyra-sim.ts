/**
 * Helpers for the Lyra simulator's own tests: each test file starts its simulator on a free port with
 * the local stack's keys (API.md), and an HTTP receiver of its own for the IPNs and browser returns.
 */

import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type LyraSimulator,
  type LyraSimulatorOptions,
  startLyraSimulator,
} from '../../infra/local/simulators/lyra/server.ts';

/** API.md's local-stack keys. */
export const LYRA_KEYS = {
  shopId: '69876357',
  restPassword: 'testpassword_SIM',
  hmacKey: 'testhmac_SIM',
  publicKey: '69876357:testpublickey_SIM',
};
export const ACCEPTED_CARD = '4970100000000055';
export const REFUSED_CARD = '4970100000000113';
export const SHIPMENT = 'SHIPMENT_MULTIPLE_AUTHORISATION';

export const startLyra = (options: Partial<LyraSimulatorOptions> = {}): Promise<LyraSimulator> =>
  startLyraSimulator({ port: 0, ...LYRA_KEYS, ...options });

export const hmacHex = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');

const BASIC = `Basic ${Buffer.from(`${LYRA_KEYS.shopId}:${LYRA_KEYS.restPassword}`).toString('base64')}`;

// biome-ignore lint/suspicious/noExplicitAny: a V4 envelope is read field by field in tests
export type Envelope = Record<string, any>;

/** POST /api-payment/V4/{service}; `authorization` null sends none. */
export async function lyraCall(
  simulatorUrl: string,
  service: string,
  body: unknown,
  authorization: string | null = BASIC,
): Promise<{ status: number; envelope: Envelope }> {
  const response = await fetch(`${simulatorUrl}/api-payment/V4/${service}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, envelope: (await response.json()) as Envelope };
}

/** What the shopper does, through the control route: `{ status, body }` (the browser-return fields on 200). */
export async function controlPay(simulatorUrl: string, formToken: string, input: Record<string, unknown>) {
  const response = await fetch(`${simulatorUrl}/__control/payments/${formToken}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** A payment on shipment the shopper paid with the accepted card: its form token and initial transaction. */
export async function authorizedPayment(simulatorUrl: string, overrides: Record<string, unknown> = {}) {
  const created = await lyraCall(simulatorUrl, 'Charge/CreatePayment', {
    amount: 7412,
    currency: 'EUR',
    orderId: `order-${Math.random().toString(36).slice(2, 10)}`,
    useCase: SHIPMENT,
    customer: { email: 'sample@example.com' },
    ...overrides,
  });
  const formToken = created.envelope.answer.formToken as string;
  const paid = await controlPay(simulatorUrl, formToken, { card: ACCEPTED_CARD });
  const answer = JSON.parse(paid.body['kr-answer'] ?? 'null');
  return { formToken, uuid: answer.transactions[0].uuid as string, answer, fields: paid.body };
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  fields: Record<string, string>;
}

/**
 * Records every request in arrival order; answers `answer`, or holds answers until release(). A GET
 * of a path in `pages` answers that HTML instead (a shop's page, for browser tests).
 */
export class Receiver {
  readonly received: Received[] = [];
  readonly pages = new Map<string, string>();
  answer: { status: number; body: string } = { status: 200, body: 'OK' };
  holding = false;
  url = '';
  private held: ServerResponse[] = [];
  private server: Server | undefined;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://receiver');
        this.received.push({
          method: req.method ?? '',
          path: url.pathname,
          headers: req.headers,
          rawBody,
          fields: Object.fromEntries(req.method === 'GET' ? url.searchParams : new URLSearchParams(rawBody)),
        });
        const page = req.method === 'GET' ? this.pages.get(url.pathname) : undefined;
        if (page !== undefined) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
        else if (this.holding) this.held.push(res);
        else res.writeHead(this.answer.status, { 'content-type': 'text/plain' }).end(this.answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  release(): void {
    for (const res of this.held) res.writeHead(this.answer.status).end(this.answer.body);
    this.held = [];
    this.holding = false;
  }

  reset(): void {
    this.release();
    this.received.length = 0;
    this.answer = { status: 200, body: 'OK' };
  }

  close(): Promise<void> {
    this.release();
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}
