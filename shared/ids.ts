import { randomBytes } from 'node:crypto';

/** A random, URL-safe id with a readable prefix, e.g. `op_3kq8w0c9x2t5m7b1`. 80 bits of entropy. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}
