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
 * and the Lyra simulator run in child processes (scripts/bench-simulator.ts) and DynamoDB Local
 * is a Java process: none is counted. (startLocalStack also starts in-process simulators; nothing
 * calls them.) The IPN row is measured around the simulator's pay control route, which answers
 * once the hub answered the IPN it sent: what is counted is the hub handling the IPN.
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
  { id: 'lyra-create', route: 'POST /v1/lyra/payments' },
  { id: 'lyra-ipn', route: "POST /v1/lyra/ipn: the accepted card's IPN, applied", apiKey: false },
  { id: 'shipment', route: 'POST /v1/orders/{orderId}/shipments' },
  { id: 'shipment-keyed', route: 'POST /v1/orders/{orderId}/shipments, Idempotency-Key' },
  { id: 'shipment-again', route: 'the same shipment again (same shipmentId and amount): 200' },
  { id: 'snipcart-methods', route: 'POST /v1/snipcart/payment-methods', apiKey: false },
  { id: 'snipcart-checkout', route: "GET /v1/snipcart/checkout: the shopper's first visit", apiKey: false },
  {
    id: 'snipcart-return',
    route: 'POST /v1/snipcart/return: after the IPN; Snipcart told, 303',
    apiKey: false,
  },
  {
    id: 'snipcart-refund',
    route: 'POST /v1/snipcart/refunds/{orderId}?secret=: a dashboard refund',
    apiKey: false,
  },
  { id: 'health', route: 'GET /health (no DynamoDB, no key)', apiKey: false },
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
  const affirm = await startChildSimulator('affirm');
  const lyra = await startChildSimulator('lyra').catch(async (error) => {
    await affirm.stop();
    throw error;
  });
  const snipcart = await startChildSimulator('snipcart').catch(async (error) => {
    await Promise.all([affirm.stop(), lyra.stop()]);
    throw error;
  });
  let stack: LocalStack | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    stack = await startLocalStack({
      hubPort: 0,
      allProviders: { port: 0 },
      dynamodbPort: options.dynamodbEndpoint ? undefined : await freePort(),
      ...(options.dynamodbEndpoint ? { dynamodbEndpoint: options.dynamodbEndpoint } : {}),
      tableName: options.tableName ?? 'payments-hub-bench',
      providers: {
        affirm: { baseUrl: affirm.url },
        lyra: { baseUrl: lyra.url },
        snipcart: { baseUrl: snipcart.url },
      },
      logLevel: 'silent',
    });
    // Loaded by startLocalStack (it stores the API keys through the data layer) with the stack's
    // environment: this import is the very instance the gateway's functions use.
    const { db } = await import('../shared/data/client.ts');
    const counter = countDynamoDbRequests(db);
    const flow = new Flow(
      stack,
      { affirm: affirm.url, lyra: lyra.url, snipcart: snipcart.url },
      agent,
      counter.take,
    );
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
    await lyra.stop();
    await snipcart.stop();
  }
}

type Measure = (
  id: OperationId,
  expected: number,
  call: () => Promise<Answer>,
) => Promise<Record<string, unknown>>;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  text?: string;
}

/** One round: every operation once, on orders of its own. */
class Flow {
  private readonly run = randomBytes(4).toString('hex');
  private n = 0;

  constructor(
    private readonly stack: LocalStack,
    private readonly simulators: { affirm: string; lyra: string; snipcart: string },
    private readonly agent: Agent,
    private readonly takeCounts: () => CommandCounts,
  ) {}

  async round(): Promise<Map<OperationId, Sample>> {
    const samples = new Map<OperationId, Sample>();
    const measure: Measure = async (id, expected, call) => {
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
    await this.shipments(measure);
    await this.snipcart(measure);
    return samples;
  }

  /** Flow C: a payment on shipment, its IPN, and its shipments. */
  private async shipments(measure: Measure): Promise<void> {
    const payment = await measure('lyra-create', 201, () =>
      this.hub('POST', '/v1/lyra/payments', {
        orderId: this.id('lyra'),
        amount: 7412,
        currency: 'EUR',
        customer: { email: 'jane@example.com', firstName: 'Jane', lastName: 'Doe' },
      }),
    );
    const orderId = String(payment.orderId);
    const formToken = (payment.lyra as { formToken?: unknown } | undefined)?.formToken;
    if (typeof formToken !== 'string') throw new Error(`no lyra.formToken in ${JSON.stringify(payment)}`);
    await measure('lyra-ipn', 200, () =>
      send(this.agent, 'POST', `${this.simulators.lyra}/__control/payments/${formToken}/pay`, {
        card: '4970100000000055',
      }),
    );
    const ship = (shipmentId: string, headers?: Record<string, string>) =>
      this.hub('POST', `/v1/orders/${orderId}/shipments`, { shipmentId, amount: 2500 }, headers);
    await measure('shipment', 201, () => ship('parcel-1'));
    await measure('shipment-keyed', 201, () => ship('parcel-2', this.key('shipment')));
    await measure('shipment-again', 200, () => ship('parcel-1'));
  }

  /** Flow D: the cart's methods, the checkout page, the browser's return, a dashboard refund. */
  private async snipcart(measure: Measure): Promise<void> {
    const sim = this.simulators.snipcart;
    // The cart's checkout (the simulator knows no hub here: the bench calls payment-methods itself).
    const cart = await send(this.agent, 'POST', `${sim}/__control/sessions`, {
      invoice: { currency: 'eur', items: [{ name: 'Oak table', unitPrice: 599.8, quantity: 1 }] },
    });
    const { sessionId, publicToken } = cart.body as { sessionId: string; publicToken: string };
    await measure('snipcart-methods', 200, () =>
      send(this.agent, 'POST', `${this.stack.hubUrl}/v1/snipcart/payment-methods`, {
        publicToken,
        mode: 'Test',
      }),
    );
    const page = await measure('snipcart-checkout', 200, () =>
      send(
        this.agent,
        'GET',
        `${this.stack.hubUrl}/v1/snipcart/checkout?publicToken=${encodeURIComponent(publicToken)}`,
      ),
    );
    const formToken = /kr-form-token="([^"]+)"/.exec(String(page.text))?.[1];
    if (!formToken) throw new Error('snipcart-checkout: no form on the page');
    const paid = await send(
      this.agent,
      'POST',
      `${this.simulators.lyra}/__control/payments/${formToken}/pay`,
      {
        card: '4970100000000055',
      },
    );
    await measure('snipcart-return', 303, () =>
      sendForm(this.agent, `${this.stack.hubUrl}/v1/snipcart/return`, paid.body as Record<string, string>),
    );
    const orderId = `snip-${sessionId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 59)}`;
    const shipped = await this.hub(
      'POST',
      `/v1/orders/${orderId}/shipments`,
      { shipmentId: 'parcel-1', amount: 20_000 },
      { authorization: `Bearer ${this.stack.keys.admin}` },
    );
    if (shipped.status !== 201)
      throw new Error(`snipcart shipment: ${shipped.status} ${JSON.stringify(shipped.body)}`);
    const session = await send(this.agent, 'GET', `${sim}/__control/sessions/${sessionId}`);
    const refundsUrl = (session.body as { payments: { links?: { refunds?: string } }[] }).payments[0]?.links
      ?.refunds;
    if (!refundsUrl) throw new Error('snipcart: no refund link registered');
    await measure('snipcart-refund', 200, () =>
      send(this.agent, 'POST', refundsUrl, { paymentId: this.id('payment'), amount: 10.5 }),
    );
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
      `${this.simulators.affirm}/__control/checkouts/${checkoutIdOf(order)}/approve`,
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
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A browser's form post (the return from Lyra's form), on the same kept-alive connection. */
function sendForm(agent: Agent, url: string, fields: Record<string, string>): Promise<Answer> {
  const payload = new URLSearchParams(fields).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        res.resume();
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: {} }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function startChildSimulator(
  provider: 'affirm' | 'lyra' | 'snipcart',
): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/bench-simulator.ts'), provider],
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
    child.once('exit', (code) =>
      reject(new Error(`the ${provider} simulator exited (${code}) before listening`)),
    );
  });
  try {
    return { url: await firstLine, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
