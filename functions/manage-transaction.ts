import type * as z from 'zod/mini';
import { clock } from '#shared/clock.ts';
import type { OperationOutcome, SagaDeps } from '#shared/domain/operations.ts';
import {
  captureOrder,
  refundOrder,
  type TransactionCommand,
  voidOrder,
} from '#shared/domain/transactions.ts';
import { NotFoundError } from '#shared/errors.ts';
import { apiKeyAuth } from '#shared/http/api-keys.ts';
import { endpoint, httpApi, type Served } from '#shared/http/endpoint.ts';
import { idempotency, ridingAnswer } from '#shared/http/idempotency.ts';
import { operationView } from '#shared/http/order-view.ts';
import { OrderPath } from '#shared/http/path-params.ts';
import { CaptureBody, RefundBody, VoidBody } from '#shared/http/schemas/transaction.ts';
import { type HttpEvent, json } from '#shared/http/types.ts';
import { sagaDeps } from '#shared/wiring.ts';

/** One typed endpoint per action: its body schema, and the use case it calls. */
function action<TBody extends object>(
  body: z.ZodMiniType<TBody>,
  run: (deps: SagaDeps, command: TransactionCommand & TBody, now: Date) => Promise<OperationOutcome>,
): Served {
  return endpoint({ auth: apiKeyAuth(), path: OrderPath, body, idempotency: idempotency() }).handler(
    async (event, context) => {
      const now = clock.now();
      const { orderId } = event.params;
      // The Idempotency-Key's answer rides in the order's last write (one round trip fewer).
      const reply = ridingAnswer(context, (order, operation) =>
        json(200, operationView(order, operation, now)),
      );
      const command = {
        orderId,
        caller: context.caller,
        requestKey: context.requestKey,
        riding: reply.riding,
        ...event.body,
      };
      return reply.answer(await run(sagaDeps(), command, now));
    },
  );
}

const ACTIONS: Record<string, Served> = {
  capture: action(CaptureBody, captureOrder),
  refunds: action(RefundBody, refundOrder),
  void: action(VoidBody, voidOrder),
};

const actionOf = (event: Pick<HttpEvent, 'routeKey'>) => event.routeKey.split('/').pop() ?? '';

/** POST /v1/orders/{orderId}/capture | /refunds | /void */
export const handler = httpApi((event, context) => {
  const serve = ACTIONS[actionOf(event)];
  // Only the three routes above reach this function; anything else is a route it does not have.
  if (!serve) throw new NotFoundError('The route');
  return serve(event, context);
});
