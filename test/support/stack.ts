/** Helpers for tests that talk to the running local stack over HTTP: the hub, and the Affirm simulator's control API. */

import { inject } from 'vitest';

export const stack = () => inject('stack');

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function http<T = unknown>(url: string, init: RequestInit = {}): Promise<HttpAnswer<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const affirmSim = {
  url: () => stack().affirmUrl,
  approve: (checkoutId: string) =>
    http(`${stack().affirmUrl}/__control/checkouts/${checkoutId}/approve`, { method: 'POST' }),
  decline: (checkoutId: string) =>
    http(`${stack().affirmUrl}/__control/checkouts/${checkoutId}/decline`, { method: 'POST' }),
  outbox: async () =>
    (
      await http<{ checkoutId: string; channel: string; to: string; link: string }[]>(
        `${stack().affirmUrl}/__control/outbox`,
      )
    ).body,
  requests: async () =>
    (
      await http<{ method: string; path: string; headers: Record<string, string>; body: unknown }[]>(
        `${stack().affirmUrl}/__control/requests`,
      )
    ).body,
  fault: (fault: {
    match: string;
    mode: 'status' | 'timeout' | 'reset' | 'delay';
    status?: number;
    delayMs?: number;
    times?: number;
    when?: 'before' | 'after';
  }) => http(`${stack().affirmUrl}/__control/faults`, json(fault)),
  clearFaults: () => http(`${stack().affirmUrl}/__control/faults`, { method: 'DELETE' }),
  /** The simulator's current time (ms since the epoch): its clock moves forward with advanceClocks. */
  now: async () =>
    Date.parse(
      (await http<{ now: string }>(`${stack().affirmUrl}/__control/clock`, json({ advanceSeconds: 0 }))).body
        .now,
    ),
  /**
   * Simulator modes (they outlive clearFaults; set them back when done):
   *   echoReferenceId (default true): false drops the reference_id of capture, refund and void from
   *     the answers and the transaction's events, since no recording proves Affirm echoes it
   *   checkoutStatusUnknown (default false): true answers checkout_status "unknown" on every checkout
   *     read, as the recorded sandbox reads do
   */
  settings: async (settings: { echoReferenceId?: boolean; checkoutStatusUnknown?: boolean }) => {
    const answer = await http<{ echoReferenceId: boolean; checkoutStatusUnknown: boolean }>(
      `${stack().affirmUrl}/__control/settings`,
      json(settings),
    );
    if (answer.status !== 200) throw new Error(`affirm simulator settings refused: ${answer.text}`);
    return answer.body;
  },
  transaction: async (id: string) =>
    http<
      Record<string, unknown> & {
        events?: { type: string; id: string; amount?: number; reference_id?: string }[];
      }
    >(`${stack().affirmUrl}/api/v1/transactions/${id}?expand=events`, {
      headers: {
        authorization: `Basic ${Buffer.from('sim_affirm_public:sim_affirm_private').toString('base64')}`,
      },
    }),
};

/**
 * Moves the hub's clock and the simulator's together. Both only move forward, so tests that
 * travel in time keep every later test consistent (the hub never sends Affirm a "future"
 * expiry that is already past for the simulator).
 */
export async function advanceClocks(seconds: number): Promise<void> {
  await http(`${stack().hubUrl}/__local/clock`, json({ advanceSeconds: seconds }));
  await http(`${stack().affirmUrl}/__control/clock`, json({ advanceSeconds: seconds }));
}
