/**
 * Counts the requests a DynamoDB client sends, by command name (QueryCommand,
 * TransactWriteItemsCommand...), for the route bench (scripts/bench-routes.ts).
 *
 * The counter is a middleware on the client's stack, in the `deserialize` step: inside the SDK's
 * retry loop, so a retried call counts once per HTTP request sent, i.e. per round trip. A
 * DynamoDBDocumentClient shares its inner client's stack, so counting on the document client
 * counts every command sent through either. Adding the counter twice to one client adds it once.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type CommandCounts = Record<string, number>;

export interface RequestCounter {
  /** The requests counted since the last take (or since the counter was added), then starts again from zero. */
  take(): CommandCounts;
}

const MIDDLEWARE_NAME = 'benchDynamoDbRequestCounter';
const counters = new WeakMap<object, RequestCounter>();

export function countDynamoDbRequests(
  client: Pick<DynamoDBDocumentClient, 'middlewareStack'>,
): RequestCounter {
  const existing = counters.get(client.middlewareStack);
  if (existing) return existing;
  let counts: CommandCounts = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'deserialize', name: MIDDLEWARE_NAME, priority: 'low' },
  );
  const counter: RequestCounter = {
    take() {
      const taken = counts;
      counts = {};
      return taken;
    },
  };
  counters.set(client.middlewareStack, counter);
  return counter;
}

/** The total of a count by command. */
export const totalRequests = (counts: CommandCounts): number =>
  Object.values(counts).reduce((sum, n) => sum + n, 0);
