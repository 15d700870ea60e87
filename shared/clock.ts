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

/** The largest shift one call accepts: more than any expiry the hub knows (30 days), far from Date's limits. */
export const MAX_CLOCK_ADVANCE_SECONDS = 10 * 365 * 86_400;

/**
 * Local stack and tests only: moves the clock forward by `seconds`, 0 to MAX_CLOCK_ADVANCE_SECONDS.
 * Checks everything before it changes anything: a refused shift leaves the clock where it was.
 */
export function advanceClock(seconds: number): Date {
  if (
    typeof seconds !== 'number' ||
    !Number.isFinite(seconds) ||
    seconds < 0 ||
    seconds > MAX_CLOCK_ADVANCE_SECONDS
  )
    throw new RangeError(
      `advanceSeconds must be a number of seconds from 0 to ${MAX_CLOCK_ADVANCE_SECONDS} (10 years)`,
    );
  const next = offsetMs + seconds * 1000;
  if (Number.isNaN(new Date(Date.now() + next).getTime()))
    throw new RangeError('advanceSeconds would move the clock past the last date JavaScript can represent');
  offsetMs = next;
  return clock.now();
}
