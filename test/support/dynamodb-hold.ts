/**
 * A pass-through in front of DynamoDB (Local) that can hold one kind of call: requests whose
 * `X-Amz-Target` ends with `operation` wait, unanswered, until `release()`. It lets a test see
 * what a process does while a given DynamoDB call has not returned, without timing guesses.
 */

import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynamoDbHold {
  url: string;
  /** How many calls of the held operation have arrived so far. */
  readonly held: number;
  /** Lets every held call, and every later one, through. */
  release(): void;
  close(): Promise<void>;
}

export async function holdDynamoDbCalls(endpoint: string, operation: string): Promise<DynamoDbHold> {
  const target = new URL(endpoint);
  let held = 0;
  let releaseAll: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    releaseAll = resolve;
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      if (String(req.headers['x-amz-target'] ?? '').endsWith(`.${operation}`)) {
        held += 1;
        await released;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get held() {
      return held;
    },
    release: () => releaseAll(),
    close: () =>
      new Promise<void>((resolve) => {
        releaseAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
