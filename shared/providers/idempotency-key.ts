import { createHash } from 'node:crypto';

/**
 * A provider Idempotency-Key derived from the hub operation it protects, e.g.
 * `affirm:capture:<orderId>:<operationId>`. The same operation always sends the same key,
 * so a retry after a timeout can never authorize, capture or refund twice. Shaped as a
 * UUID (from SHA-256) because providers' own clients send UUIDs and key formats are
 * not documented beyond that.
 */
export function providerIdempotencyKey(operation: string): string {
  const hex = createHash('sha256').update(operation).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
