/**
 * What the local gateway itself answers: its clock route (a test aid that must never break the
 * stack it serves) and request targets that are paths, never URLs with a host.
 */

import { describe, expect, it } from 'vitest';
import { createCheckout, hub, type Problem } from '../support/hub.ts';
import { rawRequest } from '../support/raw-http.ts';
import { http, stack } from '../support/stack.ts';

const TEN_YEARS_SECONDS = 10 * 365 * 86_400;

async function moveClock(body: string) {
  return http<{ now?: string; error?: string }>(`${stack().hubUrl}/__local/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
}

/** How far the hub's clock is ahead of this machine's, read through a valid call that moves it by nothing. */
async function clockOffsetMs(): Promise<number> {
  const answer = await moveClock('{"advanceSeconds":0}');
  expect(answer.status).toBe(200);
  return Date.parse(String(answer.body.now)) - Date.now();
}

describe('local gateway: POST /__local/clock', () => {
  it('refuses an unusable shift with 400 and applies nothing', async () => {
    const order = await createCheckout();
    const offsetBefore = await clockOffsetMs();
    const refused = [
      '{"advanceSeconds":1e30}',
      `{"advanceSeconds":${TEN_YEARS_SECONDS + 1}}`,
      '{"advanceSeconds":-1}',
      '{"advanceSeconds":"60"}',
      '{"advanceSeconds":null}',
      '{"advanceSeconds":NaN}',
      '{}',
      '[60]',
      'not json',
    ];
    for (const body of refused) {
      const answer = await moveClock(body);
      expect(answer.status, body).toBe(400);
      expect(answer.body.error, body).toMatch(/advanceSeconds|JSON/);
    }
    // The stack still serves, with its clock where it was (a refused shift would be years or more).
    expect((await hub.get('/health', { key: '' })).status).toBe(200);
    const read = await hub.get(`/v1/orders/${order.orderId}`);
    expect(read.status).toBe(200);
    expect(read.body.orderId).toBe(order.orderId);
    expect(Math.abs((await clockOffsetMs()) - offsetBefore)).toBeLessThan(60_000);
  });
});

describe('local gateway: request targets', () => {
  it('reads `//v1/...` as a path: no route matches, the $default function answers 404', async () => {
    const answer = await rawRequest<Problem>(stack().hubUrl, 'GET', '//v1/orders/x', {
      headers: { authorization: `Bearer ${stack().keys.pos}` },
    });
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ code: 'NOT_FOUND', detail: '//v1/orders/x was not found.' });
  });

  it('never takes the first segment of `//host/...` for a host', async () => {
    const order = await createCheckout();
    const answer = await rawRequest<Problem>(stack().hubUrl, 'GET', `//evil/v1/orders/${order.orderId}`, {
      headers: { authorization: `Bearer ${stack().keys.pos}` },
    });
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('NOT_FOUND');
  });

  it('answers a target no URL parser accepts with a problem, not a crash', async () => {
    const answer = await rawRequest<Problem>(stack().hubUrl, 'GET', '//[');
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('NOT_FOUND');
    expect((await hub.get('/health', { key: '' })).status).toBe(200);
  });

  it('still routes a path that carries a query string', async () => {
    const order = await createCheckout();
    const answer = await rawRequest<Problem>(stack().hubUrl, 'GET', `/v1/orders/${order.orderId}?a=1&a=2`, {
      headers: { authorization: `Bearer ${stack().keys.pos}` },
    });
    expect(answer.status).toBe(200);
  });
});
