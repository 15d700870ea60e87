/**
 * Helpers for the Snipcart simulator's own tests: the simulator on a free port with API.md's keys,
 * and a stand-in for the hub's payment-methods and refund URLs (test scaffolding: it records every
 * request and answers what the test sets).
 */

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  SNIPCART_SIMULATOR_KEYS,
  type SnipcartSimulator,
  type SnipcartSimulatorOptions,
  startSnipcartSimulator,
} from '../../infra/local/simulators/snipcart/server.ts';

export interface HubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: JSON read field by field in tests
  body: any;
}

/** Records requests; answers `answers[path]` or 404. */
export class HubStub {
  readonly received: HubRequest[] = [];
  readonly answers = new Map<string, { status: number; body: unknown }>();
  url = '';
  private server: Server | undefined;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://hub');
        const raw = Buffer.concat(chunks).toString('utf8');
        this.received.push({
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: raw ? JSON.parse(raw) : undefined,
        });
        const answer = this.answers.get(url.pathname) ?? { status: 404, body: { error: 'not found' } };
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

export const startSnipcart = (
  hub: HubStub,
  options: Partial<SnipcartSimulatorOptions> = {},
): Promise<SnipcartSimulator> =>
  startSnipcartSimulator({ port: 0, secret: SNIPCART_SIMULATOR_KEYS, hubUrl: () => hub.url, ...options });

export const BEARER = `Bearer ${SNIPCART_SIMULATOR_KEYS.secretApiKey}`;
export const REST_BASIC = `Basic ${Buffer.from(`${SNIPCART_SIMULATOR_KEYS.restApiKey}:`).toString('base64')}`;

/** An invoice of 2 x 299.90 EUR and 9.90 EUR shipping (609.70 in all). */
export const INVOICE = {
  currency: 'EUR',
  email: 'jeanne.martin@example.com',
  items: [
    { name: 'Vélo', unitPrice: 299.9, quantity: 2 },
    { name: 'Livraison', unitPrice: 9.9, quantity: 1, type: 'Shipping' },
  ],
};

export async function json(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
  // biome-ignore lint/suspicious/noExplicitAny: JSON read field by field in tests
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    redirect: 'manual',
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
