/**
 * What one request of each route costs the hub: DynamoDB round trips (by command) and CPU time.
 * Used by `npm run bench` (scripts/bench-routes.ts) and by its test.
 *
 * The local stack runs in this process (startLocalStack: the gateway invokes every function
 * in-process), so the hub's one DocumentClient (`db`, shared/data/client.ts) is this process's:
 * a counting middleware on it sees every request any function sends, the API-key lookup
 * included. Only the HTTP API is driven, so whatever the order model and saga do today is what
 * gets measured.
 *
 * CPU time is process.cpuUsage (user + system) of this process from sending a request to having
 * read its answer: the gateway, the function, and this bench's HTTP client (the /health row shows
 * what that frame costs with a function that does nothing). The Affirm simulator the hub calls
 * runs in a child process (scripts/bench-affirm-simulator.ts) and DynamoDB Local is a Java
 * process: neither is counted. (startLocalStack also starts an in-process simulator; nothing
 * calls it.)
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../infra/local/ports.ts';
import { type LocalStack, startLocalStack } from '../infra/local/stack.ts';
import { type CommandCounts, countDynamoDbRequests } from './dynamodb-requests.ts';

/** The operations measured, in the order a round performs them. */
export const OPERATIONS = [
  { id: 'create', route: 'POST /v1/affirm/checkouts' },
  { id: 'create-keyed', route: 'POST /v1/affirm/checkouts, Idempotency-Key' },
  { id: 'authorize', route: 'POST /v1/affirm/checkouts/{checkoutId}/authorize' },
  { id: 'get', route: 'GET /v1/orders/{orderId}' },
  { id: 'capture', route: 'POST /v1/orders/{orderId}/capture' },
  { id: 'refund-keyed', route: 'POST /v1/orders/{orderId}/refunds, partial, Idempotency-Key' },
  { id: 'refund-replay', route: 'the same refund again (same key and body): replayed' },
  { id: 'void', route: 'POST /v1/orders/{orderId}/void' },
  { id: 'get-unknown', route: 'GET /v1/orders/{unknown}: 404' },
  { id: 'health', route: 'GET /health (no DynamoDB, no key)' },
] as const;

export type OperationId = (typeof OPERATIONS)[number]['id'];

export interface Sample {
  status: number;
  /** user + system */
  cpuMs: number;
  wallMs: number;
  dynamodb: CommandCounts;
}

export interface RouteCostOptions {
  /** Measured rounds, each on fresh orders. */
  rounds: number;
  /** Rounds run first and not measured (loads the functions, warms V8 and the connections). */
  warmup: number;
  /** Use a running DynamoDB (Local) instead of starting one. */
  dynamodbEndpoint?: string;
  tableName?: string;
  /** Called after each round (measured or not), e.g. to print progress. */
  onRound?: () => void;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function measureRouteCosts(options: RouteCostOptions): Promise<Map<OperationId, Sample[]>> {
  const affirm = await startChildSimulator();
  let stack: LocalStack | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    stack = await startLocalStack({
      hubPort: 0,
      allProviders: { port: 0 },
      dynamodbPort: options.dynamodbEndpoint ? undefined : await freePort(),
      ...(options.dynamodbEndpoint ? { dynamodbEndpoint: options.dynamodbEndpoint } : {}),
      tableName: options.tableName ?? 'payments-hub-bench',
      providers: { affirm: { baseUrl: affirm.url } },
      logLevel: 'silent',
    });
    // Loaded by startLocalStack (it stores the API keys through the data layer) with the stack's
    // environment: this import is the very instance the gateway's functions use.
    const { db } = await import('../shared/data/client.ts');
    const counter = countDynamoDbRequests(db);
    const flow = new Flow(stack, affirm.url, agent, counter.take);
    const samples = new Map<OperationId, Sample[]>(OPERATIONS.map((o) => [o.id, []]));
    for (let round = 0; round < options.warmup + options.rounds; round++) {
      const measured = await flow.round();
      if (round >= options.warmup) for (const [id, sample] of measured) samples.get(id)?.push(sample);
      options.onRound?.();
    }
    return samples;
  } finally {
    agent.destroy();
    await stack?.stop();
    await affirm.stop();
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** One round: every operation once, on orders of its own. */
class Flow {
  private readonly run = randomBytes(4).toString('hex');
  private n = 0;

  constructor(
    private readonly stack: LocalStack,
    private readonly affirmUrl: string,
    private readonly agent: Agent,
    private readonly takeCounts: () => CommandCounts,
  ) {}

  async round(): Promise<Map<OperationId, Sample>> {
    const samples = new Map<OperationId, Sample>();
    const measure = async (id: OperationId, expected: number, call: () => Promise<Answer>) => {
      this.takeCounts();
      const wallStart = performance.now();
      const cpuStart = process.cpuUsage();
      const answer = await call();
      const cpu = process.cpuUsage(cpuStart);
      const wallMs = performance.now() - wallStart;
      const dynamodb = this.takeCounts();
      if (answer.status !== expected)
        throw new Error(`${id}: expected ${expected}, got ${answer.status} ${JSON.stringify(answer.body)}`);
      samples.set(id, {
        status: answer.status,
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs,
        dynamodb,
      });
      return answer.body;
    };

    const created = await measure('create', 201, () =>
      this.hub('POST', '/v1/affirm/checkouts', this.checkout()),
    );
    const other = await measure('create-keyed', 201, () =>
      this.hub('POST', '/v1/affirm/checkouts', this.checkout(), this.key('create')),
    );
    const orderId = String(created.orderId);
    await this.approve(created);
    await measure('authorize', 200, () =>
      this.hub('POST', `/v1/affirm/checkouts/${checkoutIdOf(created)}/authorize`),
    );
    await measure('get', 200, () => this.hub('GET', `/v1/orders/${orderId}`));
    await measure('capture', 200, () => this.hub('POST', `/v1/orders/${orderId}/capture`));
    const refundKey = this.key('refund');
    const refund = () => this.hub('POST', `/v1/orders/${orderId}/refunds`, { amount: 20_000 }, refundKey);
    await measure('refund-keyed', 200, refund);
    await measure('refund-replay', 200, async () => {
      const answer = await refund();
      if (answer.headers['idempotent-replayed'] !== 'true') throw new Error('refund-replay: not replayed');
      return answer;
    });
    await this.approve(other);
    const authorized = await this.hub('POST', `/v1/affirm/checkouts/${checkoutIdOf(other)}/authorize`);
    if (authorized.status !== 200) throw new Error(`authorize before void: ${authorized.status}`);
    await measure('void', 200, () => this.hub('POST', `/v1/orders/${String(other.orderId)}/void`));
    await measure('get-unknown', 404, () => this.hub('GET', `/v1/orders/${this.id('missing')}`));
    await measure('health', 200, () => this.hub('GET', '/health', undefined, undefined, false));
    return samples;
  }

  private id(kind: string): string {
    this.n += 1;
    return `bench-${this.run}-${this.n}-${kind}`;
  }

  private key(kind: string): Record<string, string> {
    return { 'idempotency-key': this.id(kind) };
  }

  /** A checkout as README.md's example sends it. */
  private checkout() {
    return {
      orderId: this.id('order'),
      channel: 'in_store',
      amount: 125_000,
      currency: 'USD',
      customer: {
        name: { first: 'Jane', last: 'Doe' },
        email: 'jane@example.com',
        phone: '+1 303 555 0142',
        address: { line1: '1 Main St', city: 'Denver', state: 'CO', zipcode: '80202', country: 'USA' },
      },
      items: [{ sku: 'SOFA-1', name: 'Sofa', unitPrice: 125_000, quantity: 1 }],
      metadata: { storeLocation: 'Denver', entityName: 'Demo Store' },
    };
  }

  /** The customer confirms at Affirm (the simulator's control route): not measured. */
  private async approve(order: Record<string, unknown>): Promise<void> {
    const answer = await send(
      this.agent,
      'POST',
      `${this.affirmUrl}/__control/checkouts/${checkoutIdOf(order)}/approve`,
    );
    if (answer.status !== 200) throw new Error(`approve at the simulator: ${answer.status}`);
  }

  private hub(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    authenticated = true,
  ): Promise<Answer> {
    return send(this.agent, method, `${this.stack.hubUrl}${path}`, body, {
      ...(authenticated ? { authorization: `Bearer ${this.stack.keys.pos}` } : {}),
      ...headers,
    });
  }
}

function checkoutIdOf(order: Record<string, unknown>): string {
  const id = (order.affirm as { checkoutId?: unknown } | undefined)?.checkoutId;
  if (typeof id !== 'string') throw new Error(`no affirm.checkoutId in ${JSON.stringify(order)}`);
  return id;
}

/** A plain node:http call on a kept-alive connection: the lightest client, so it adds little to the CPU read. */
function send(
  agent: Agent,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> = {};
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            parsed = { text };
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function startChildSimulator(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/bench-affirm-simulator.ts')],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`the Affirm simulator exited (${code}) before listening`)));
  });
  try {
    return { url: await firstLine, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
