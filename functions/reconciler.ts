import { clock } from '#shared/clock.ts';
import { orderIdsOfStreamRecords } from '#shared/data/sweeps.ts';
import { reconcile } from '#shared/domain/reconcile.ts';
import { log } from '#shared/log.ts';
import { reconcileDeps } from '#shared/wiring/reconcile.ts';

/** What starts a sweep: the schedule (everything due), the table's stream (the orders it names), or a direct call. */
type Trigger =
  | { source: 'aws.events' }
  | { Records: { dynamodb?: { Keys?: Record<string, { S?: string }> } }[] }
  | { orderIds?: string[] };

function orderIdsOf(trigger: Trigger): string[] | undefined {
  if ('Records' in trigger) return orderIdsOfStreamRecords(trigger.Records);
  if ('orderIds' in trigger && Array.isArray(trigger.orderIds)) return trigger.orderIds.map(String);
  return undefined;
}

/**
 * The reconciler (shared/domain/reconcile.ts): on a schedule it sweeps every order due a look;
 * from the table's stream, the orders whose change asks for one (a telesales checkout just
 * confirmed); called directly, the orders given. Answers the sweep's summary.
 */
export async function handler(trigger: Trigger) {
  const orderIds = orderIdsOf(trigger ?? {});
  const summary = await reconcile(reconcileDeps(), clock.now(), {
    ...(orderIds ? { orderIds } : {}),
    onFailure: (orderId, error) => log.warn('reconcile failed for an order', { orderId, error }),
  });
  log.info('reconcile', { ...summary, targeted: orderIds?.length ?? 'sweep' });
  return summary;
}
