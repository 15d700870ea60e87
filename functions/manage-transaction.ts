import { clock } from '#shared/clock.ts';
import { captureOrder, refundOrder, voidOrder } from '#shared/domain/transactions.ts';
import { NotFoundError } from '#shared/errors.ts';
import { apiKeyAuth } from '#shared/http/api-keys.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { idempotency } from '#shared/http/idempotency.ts';
import { operationView } from '#shared/http/order-view.ts';
import { ORDER_ID } from '#shared/http/path-params.ts';
import { CaptureBody, RefundBody, VoidBody } from '#shared/http/schemas/transaction.ts';
import type { HttpEvent } from '#shared/http/types.ts';
import { json } from '#shared/http/types.ts';
import { sagaDeps } from '#shared/wiring.ts';

type Action = 'capture' | 'refunds' | 'void';

const actionOf = (event: Pick<HttpEvent, 'routeKey'>): Action => event.routeKey.split('/').pop() as Action;
const BODIES = { capture: CaptureBody, refunds: RefundBody, void: VoidBody };

/** POST /v1/orders/{orderId}/capture | /refunds | /void */
export const handler = httpApi(
  endpoint({
    auth: apiKeyAuth(),
    body: (event) => BODIES[actionOf(event)],
    idempotency: idempotency(),
  }).handler(async (event, context) => {
    const orderId = event.pathParameters?.orderId ?? '';
    if (!ORDER_ID.test(orderId)) throw new NotFoundError('The order');
    const command = { orderId, caller: context.caller, requestKey: context.requestKey };
    const body = event.body as { amount?: number; reason?: string };
    const now = clock.now();
    const deps = sagaDeps();
    const action = actionOf(event);
    const outcome =
      action === 'capture'
        ? await captureOrder(deps, { ...command, amount: body.amount }, now)
        : action === 'refunds'
          ? await refundOrder(deps, { ...command, amount: body.amount, reason: body.reason }, now)
          : await voidOrder(deps, command, now);
    return json(200, operationView(outcome.order, outcome.operation, now));
  }),
);
