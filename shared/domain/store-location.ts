/**
 * Which store location owns a new order, whatever its provider. A location key's own location
 * decides: it may repeat it in `metadata.storeLocation` but not name another store, or a Denver
 * key could book sales as Boston's. An admin key chooses (`admin` when it names none).
 */

import type { FieldError } from '../errors.ts';
import type { Caller } from './caller.ts';

export function orderLocation(
  caller: Caller,
  storeLocation: string | undefined,
): { value: string; error?: FieldError } {
  if (caller.role === 'admin') return { value: storeLocation ?? 'admin' };
  if (storeLocation === undefined || storeLocation === caller.location) return { value: caller.location };
  return {
    value: caller.location,
    error: {
      path: 'metadata.storeLocation',
      message: `must be this API key's location (${caller.location}) or be omitted`,
    },
  };
}
