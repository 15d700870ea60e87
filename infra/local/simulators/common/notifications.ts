/**
 * What the Affirm and Lyra simulators share about the notifications they send (webhooks, IPNs):
 * the control route's rules (`POST /__control/notifications { mode, delayMs?, times? }`, API.md)
 * and how a notification URL with credentials in it is called.
 */

export const NOTIFICATION_MODES = ['deliver', 'drop', 'duplicate', 'delay'] as const;
export type NotificationMode = (typeof NOTIFICATION_MODES)[number];

export interface ModeRule {
  mode: NotificationMode;
  delayMs?: number;
  /** Notifications left under this mode. */
  times: number;
}

const DEFAULT_DELAY_MS = 1_000;
const MAX_DELAY_MS = 600_000;
const MAX_TIMES = 1_000;

/** Validates POST /__control/notifications. Returns the rule, or why the input is refused. */
export function parseModeRule(input: unknown): ModeRule | string {
  const usage = 'expected { mode: deliver|drop|duplicate|delay, delayMs?, times? }';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return usage;
  const { mode, delayMs, times, ...rest } = input as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return `${usage}; unknown: ${Object.keys(rest).join(', ')}`;
  if (!NOTIFICATION_MODES.includes(mode as NotificationMode)) return usage;
  if (
    times !== undefined &&
    !(Number.isInteger(times) && (times as number) > 0 && (times as number) <= MAX_TIMES)
  )
    return `times must be an integer from 1 to ${MAX_TIMES}`;
  if (delayMs !== undefined) {
    if (mode !== 'delay') return 'delayMs applies to mode delay only';
    if (!(Number.isInteger(delayMs) && (delayMs as number) >= 0 && (delayMs as number) <= MAX_DELAY_MS))
      return `delayMs must be an integer from 0 to ${MAX_DELAY_MS}`;
  }
  return {
    mode: mode as NotificationMode,
    times: (times as number | undefined) ?? 1,
    ...(mode === 'delay' ? { delayMs: (delayMs as number | undefined) ?? DEFAULT_DELAY_MS } : {}),
  };
}

/** The URL to call and the Authorization header for credentials embedded in it (fetch refuses them). */
export function notificationTarget(raw: string): { url: string; shown: string; authorization?: string } {
  const url = new URL(raw);
  if (!url.username && !url.password) return { url: raw, shown: raw };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  const username = url.username;
  url.username = '';
  url.password = '';
  const bare = url.toString();
  url.username = username;
  url.password = '***';
  return {
    url: bare,
    shown: url.toString(),
    authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
  };
}
