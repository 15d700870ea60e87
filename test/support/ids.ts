import { randomBytes } from 'node:crypto';

/** A unique id per call, so tests never collide with each other or with earlier runs. */
export function uniqueId(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
