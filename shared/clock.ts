/**
 * The hub's one clock. Every expiry check reads `clock.now()`; handlers pass the instant
 * to the domain, which never reads time itself. Deployed, the offset is always zero:
 * only the local gateway's `POST /__local/clock` moves it, and that route is never deployed.
 */

let offsetMs = 0;

export const clock = {
  now(): Date {
    return new Date(Date.now() + offsetMs);
  },
};

/** Local stack and tests only: moves the clock forward. */
export function advanceClock(seconds: number): Date {
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new RangeError('advanceSeconds must be a non-negative number');
  offsetMs += seconds * 1000;
  return clock.now();
}
