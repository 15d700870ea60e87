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
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { idempotency, ridingAnswer } from '#shared/http/idempotency.ts';
import { operationView } from '#shared/http/order-view.ts';
import { OrderPath } from '#shared/http/path-params.ts';
import { captureBody, refundBody, voidBody } from '#shared/http/schemas/transaction.ts';
import { type HttpEvent, json } from '#shared/http/types.ts';
import { sagaDeps } from '#shared/wiring.ts';

/** One action: its body schema (built on first use), and the use case it calls. */
interface Action {
  body: () => z.ZodMiniType<object>;
  run: (deps: SagaDeps, command: TransactionCommand, now: Date) => Promise<OperationOutcome>;
}

/** Ties a use case to the schema of its body: the body `run` receives is the one `body` validated. */
function action<TBody extends object>(
  body: () => z.ZodMiniType<TBody>,
  run: (deps: SagaDeps, command: TransactionCommand & TBody, now: Date) => Promise<OperationOutcome>,
): Action {
  return { body, run: run as Action['run'] };
}

const ACTIONS: Record<string, Action> = {
  capture: action(captureBody, captureOrder),
  refunds: action(refundBody, refundOrder),
  void: action(voidBody, voidOrder),
};

const actionOf = (event: Pick<HttpEvent, 'routeKey'>) => ACTIONS[event.routeKey.split('/').pop() ?? ''];

/** The three routes share one middleware chain; the body schema and the use case follow the route. */
const serve = endpoint({
  auth: apiKeyAuth(),
  path: OrderPath,
  body: (event) => (actionOf(event) as Action).body(),
  idempotency: idempotency(),
}).handler(async (event, context) => {
  const { run } = actionOf(event) as Action;
  const now = clock.now();
  const { orderId } = event.params;
  // The Idempotency-Key's answer rides in the order's last write (one round trip fewer).
  const reply = ridingAnswer(context, (order, operation) => json(200, operationView(order, operation, now)));
  const command = {
    orderId,
    caller: context.caller,
    requestKey: context.requestKey,
    riding: reply.riding,
    ...event.body,
  };
  return reply.answer(await run(sagaDeps(), command, now));
});

/** POST /v1/orders/{orderId}/capture | /refunds | /void */
export const handler = httpApi((event, context) => {
  // Only the three routes above reach this function; anything else is a route it does not have.
  if (!actionOf(event)) throw new NotFoundError('The route');
  return serve(event, context);
});
