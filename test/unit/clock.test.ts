import { describe, expect, it } from 'vitest';
import { advanceClock, clock, MAX_CLOCK_ADVANCE_SECONDS } from '#shared/clock.ts';

const offset = () => clock.now().getTime() - Date.now();

describe('advanceClock', () => {
  it('refuses what is not a shift of 0 to 10 years, and leaves the clock where it was', () => {
    const before = offset();
    for (const seconds of [1e30, MAX_CLOCK_ADVANCE_SECONDS + 1, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => advanceClock(seconds), String(seconds)).toThrow(/advanceSeconds/);
    }
    expect(() => advanceClock('60' as unknown as number)).toThrow(/advanceSeconds/);
    expect(Math.abs(offset() - before)).toBeLessThan(1_000);
  });

  it('moves by up to 10 years a call, and never past the last representable date', () => {
    const before = offset();
    advanceClock(MAX_CLOCK_ADVANCE_SECONDS);
    expect(offset() - before).toBeGreaterThanOrEqual(MAX_CLOCK_ADVANCE_SECONDS * 1000 - 1_000);
    // Date ends at 8.64e15 ms (year 275760): about 27,000 ten-year calls from now.
    let calls = 0;
    try {
      for (; calls < 30_000; calls++) advanceClock(MAX_CLOCK_ADVANCE_SECONDS);
    } catch (error) {
      expect((error as Error).message).toMatch(/last date/);
    }
    expect(calls).toBeLessThan(30_000);
    expect(Number.isNaN(clock.now().getTime())).toBe(false);
  });
});
