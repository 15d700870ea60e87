/**
 * The route bench's DynamoDB request counter (scripts/dynamodb-requests.ts). The SDK runs its
 * whole middleware stack here; only the HTTP handler is replaced (aws-sdk-client-mock would
 * replace `send` and skip the stack the counter lives on), so nothing leaves the process.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { countDynamoDbRequests, totalRequests } from '../../scripts/dynamodb-requests.ts';

type Answer = { status: number; body: unknown };

/** A document client whose HTTP handler answers from `answers` in turn (then `{}`), recording each request. */
function fakeDb(answers: Answer[] = []) {
  const sent: string[] = [];
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://dynamodb.invalid',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
    requestHandler: {
      async handle(request: { headers: Record<string, string> }) {
        sent.push(request.headers['x-amz-target'] ?? '');
        const answer = answers.shift() ?? { status: 200, body: {} };
        return {
          response: {
            statusCode: answer.status,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: new TextEncoder().encode(JSON.stringify(answer.body)),
          },
        };
      },
    },
  });
  return { db: DynamoDBDocumentClient.from(client), sent };
}

const key = { PK: 'ORDER#x', SK: 'ORDER' };

describe('countDynamoDbRequests', () => {
  it('counts every request the document client sends, by command name', async () => {
    const { db, sent } = fakeDb();
    const counter = countDynamoDbRequests(db);
    await db.send(new GetCommand({ TableName: 't', Key: key }));
    await db.send(
      new QueryCommand({
        TableName: 't',
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'x' },
      }),
    );
    await db.send(
      new QueryCommand({
        TableName: 't',
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'y' },
      }),
    );
    await db.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 't', Item: key } }] }));

    const counts = counter.take();
    expect(counts).toEqual({ GetItemCommand: 1, QueryCommand: 2, TransactWriteItemsCommand: 1 });
    expect(totalRequests(counts)).toBe(sent.length);
  });

  it('starts again from zero after each take, and is added once however often it is asked for', async () => {
    const { db } = fakeDb();
    const counter = countDynamoDbRequests(db);
    await db.send(new GetCommand({ TableName: 't', Key: key }));
    expect(counter.take()).toEqual({ GetItemCommand: 1 });
    expect(countDynamoDbRequests(db)).toBe(counter);
    await db.send(new GetCommand({ TableName: 't', Key: key }));
    expect(counter.take()).toEqual({ GetItemCommand: 1 });
    expect(counter.take()).toEqual({});
  });

  it('counts a retried call once per round trip', async () => {
    const { db, sent } = fakeDb([
      { status: 500, body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'x' } },
    ]);
    const counter = countDynamoDbRequests(db);
    await db.send(new GetCommand({ TableName: 't', Key: key }));
    expect(sent).toHaveLength(2);
    expect(counter.take()).toEqual({ GetItemCommand: 2 });
  });
});
