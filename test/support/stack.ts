/**
 * Helpers for tests that talk to the running local stack over HTTP: the hub, and the Affirm
 * simulator's control API (the Lyra simulator's: lyra-stack.ts).
 */

import { afterAll, beforeAll, inject } from 'vitest';

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

/** A webhook the Affirm simulator sent (GET /__control/notifications). */
export interface AffirmNotification {
  at: string;
  checkoutId: string;
  event: 'opened' | 'confirmed' | 'not_approved';
  url: string | null;
  mode: 'deliver' | 'drop' | 'duplicate' | 'delay';
  delayMs?: number;
  /** True until every delivery has finished. */
  pending: boolean;
  /** The form-encoded body and X-Affirm-Signature exactly as sent. */
  body: string;
  signature: string;
  /** The receiver's answers (body truncated); status null: dropped, not sent, or no answer (see error). */
  deliveries: { status: number | null; body?: string; error?: string; ms: number }[];
}

export interface NotificationRule {
  mode: 'deliver' | 'drop' | 'duplicate' | 'delay';
  delayMs?: number;
  times?: number;
}

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
    /** The provider's error code the status fault's body names. */
    code?: string;
    delayMs?: number;
    times?: number;
    when?: 'before' | 'after';
    /** Matching requests to let through before the fault fires. */
    skip?: number;
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
  /** Every webhook sent, oldest first; only those of `checkoutId` when given. `simulatorUrl`: another simulator than the stack's. */
  notifications: async (checkoutId?: string, simulatorUrl = stack().affirmUrl) => {
    const query = checkoutId ? `?checkoutId=${encodeURIComponent(checkoutId)}` : '';
    return (await http<AffirmNotification[]>(`${simulatorUrl}/__control/notifications${query}`)).body;
  },
  /**
   * How the next `times` (default 1) webhooks are sent: drop, duplicate (the same signed body twice,
   * concurrently), delay (delayMs), or deliver (which also cancels a rule not used up). A test that
   * sets a rule sets deliver back when done: it outlives the test otherwise. Viewing the link page
   * sends an `opened` webhook, which takes its turn under the rule like any other.
   */
  notificationMode: async (rule: NotificationRule, simulatorUrl = stack().affirmUrl) => {
    const answer = await http<NotificationRule>(`${simulatorUrl}/__control/notifications`, json(rule));
    if (answer.status !== 200) throw new Error(`affirm simulator notification mode refused: ${answer.text}`);
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
  await http(`${stack().lyraUrl}/__control/clock`, json({ advanceSeconds: seconds }));
  await http(`${stack().snipcartUrl}/__control/clock`, json({ advanceSeconds: seconds }));
}

/**
 * Polls until the Affirm simulator has sent at least `count` webhooks for `checkoutId` and every one
 * of them has finished (none pending), then returns them, oldest first. Gives up after `timeoutMs`
 * (default 5 s, beyond a delay mode's delayMs) with what it saw.
 */
export async function waitForNotifications(
  checkoutId: string,
  count: number,
  { timeoutMs = 5_000, simulatorUrl = stack().affirmUrl }: { timeoutMs?: number; simulatorUrl?: string } = {},
): Promise<AffirmNotification[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await affirmSim.notifications(checkoutId, simulatorUrl);
    if (seen.length >= count && seen.every((n) => !n.pending)) return seen;
    if (Date.now() > deadline) {
      throw new Error(
        `waited ${timeoutMs} ms for ${count} finished webhook(s) of ${checkoutId}; saw ${JSON.stringify(seen)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * For a file testing flow A, Affirm in store WITHOUT webhooks (seed 000): the shared stack's
 * simulator drops its webhooks while the file runs (as when Affirm support configured none), and
 * delivers them again after.
 */
export function withoutWebhooks(): void {
  beforeAll(async () => {
    await affirmSim.notificationMode({ mode: 'drop', times: 1000 });
  });
  afterAll(async () => {
    await affirmSim.notificationMode({ mode: 'deliver' });
  });
}
