/**
 * The local API Gateway: turns HTTP requests into API Gateway HTTP API (payload 2.0)
 * events and invokes the handlers the route manifest names, in this process. What it
 * reproduces of API Gateway: routing by `METHOD /path/{param}` with a `$default`
 * catch-all, lower-cased and comma-joined headers, cookies, base64 for non-text bodies
 * (form posts included), the 10 MB payload limit, the integration timeout answered with
 * 503, and a 500 when a function throws. It also serves `POST /__local/clock`, which
 * moves the hub's clock for expiry tests, and `POST /__local/reconcile`, which runs the
 * reconciler once (AWS runs it on a schedule and from the table's stream); those routes exist
 * only here, never in AWS.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { advanceClock } from '../../shared/clock.ts';
import type { HttpEvent, HttpResult } from '../../shared/http/types.ts';
import {
  DEFAULT_ROUTE_FUNCTION,
  FUNCTION_TIMEOUT_SECONDS,
  type FunctionName,
  matchPath,
  ROUTES,
  routeKey,
} from '../routes.ts';

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

const PAYLOAD_LIMIT = 10 * 1024 * 1024;
const FUNCTION_TIMEOUT_MS = FUNCTION_TIMEOUT_SECONDS * 1000;
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript)|application\/[\w.+-]+\+(json|xml))/i;

export interface Gateway {
  url: string;
  close(): Promise<void>;
}

const handlers = new Map<FunctionName, Promise<Handler>>();

function loadHandler(name: FunctionName): Promise<Handler> {
  let handler = handlers.get(name);
  if (!handler) {
    handler = import(new URL(`../../functions/${name}.ts`, import.meta.url).href).then(
      (module: { handler: Handler }) => module.handler,
    );
    handlers.set(name, handler);
  }
  return handler;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= PAYLOAD_LIMIT) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > PAYLOAD_LIMIT ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function apiGatewayRequestId(): string {
  return `${randomBytes(12).toString('base64url')}=`;
}

/**
 * The request target as API Gateway reads it: a path and a raw query string, split at the
 * first `?`. Never parsed as a URL: `//v1/orders/x` is a path whose first segment is empty,
 * not a request for host `v1`.
 */
interface Target {
  path: string;
  query: string;
}

function targetOf(requestTarget: string): Target {
  const mark = requestTarget.indexOf('?');
  return mark < 0
    ? { path: requestTarget, query: '' }
    : { path: requestTarget.slice(0, mark), query: requestTarget.slice(mark + 1) };
}

function toEvent(
  req: IncomingMessage,
  target: Target,
  body: Buffer,
  route: string,
  params?: Record<string, string>,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'cookie' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(target.query))
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const contentType = req.headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route,
    rawPath: target.path,
    rawQueryString: target.query,
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(params && Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: req.headers.host ?? 'localhost',
      domainPrefix: (req.headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: target.path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: apiGatewayRequestId(),
      routeKey: route,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

function lambdaContext(name: FunctionName, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `payments-hub-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:payments-hub-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/payments-hub-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function reply(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
): void {
  res.writeHead(status, headers);
  res.end(body);
}

async function invoke(name: FunctionName, event: HttpEvent): Promise<HttpResult | 'timeout'> {
  const handler = await loadHandler(name);
  const deadline = Date.now() + FUNCTION_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), FUNCTION_TIMEOUT_MS);
  });
  try {
    return await Promise.race([handler(event, lambdaContext(name, deadline)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `POST /__local/clock {"advanceSeconds": n}`: the body is checked whole before the clock
 * moves, so a refused call (400) changes nothing.
 */
function moveClock(text: string): { now: string } | { error: string } {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return { error: 'The body must be JSON: {"advanceSeconds": <seconds>}.' };
  }
  const seconds =
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? (input as { advanceSeconds?: unknown }).advanceSeconds
      : undefined;
  if (typeof seconds !== 'number')
    return { error: 'advanceSeconds is required and must be a number: {"advanceSeconds": <seconds>}.' };
  try {
    return { now: advanceClock(seconds).toISOString() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** `POST /__local/reconcile` takes `{}` (a sweep, as the schedule runs it) or `{"orderIds": [...]}`. */
function reconcileTrigger(text: string): { orderIds?: string[] } | { error: string } {
  if (text.trim() === '') return {};
  try {
    const input = JSON.parse(text) as { orderIds?: unknown };
    if (input === null || typeof input !== 'object') throw new Error('not an object');
    if (input.orderIds === undefined) return {};
    if (!Array.isArray(input.orderIds) || !input.orderIds.every((id) => typeof id === 'string'))
      throw new Error('orderIds must be strings');
    return { orderIds: input.orderIds };
  } catch {
    return { error: 'The body must be {} or {"orderIds": ["<orderId>", ...]}.' };
  }
}

/** Runs a background function (the reconciler) in this process, as the platform would. */
export async function runReconciler(trigger: { orderIds?: string[] } = {}): Promise<unknown> {
  const module = (await import(new URL('../../functions/reconciler.ts', import.meta.url).href)) as {
    handler(trigger: { orderIds?: string[] }): Promise<unknown>;
  };
  return module.handler(trigger);
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = targetOf(req.url ?? '/');
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  const json = { 'content-type': 'application/json' };
  if (!body) return reply(res, 413, json, JSON.stringify({ message: 'Request Entity Too Large' }));

  if (method === 'POST' && target.path === '/__local/clock') {
    const moved = moveClock(body.toString('utf8'));
    return reply(res, 'error' in moved ? 400 : 200, json, JSON.stringify(moved));
  }
  if (method === 'POST' && target.path === '/__local/reconcile') {
    const trigger = reconcileTrigger(body.toString('utf8'));
    if ('error' in trigger) return reply(res, 400, json, JSON.stringify(trigger));
    return reply(res, 200, json, JSON.stringify(await runReconciler(trigger)));
  }

  let name: FunctionName = DEFAULT_ROUTE_FUNCTION;
  let route = '$default';
  let params: Record<string, string> | undefined;
  for (const candidate of ROUTES) {
    const matched = candidate.method === method ? matchPath(candidate.path, target.path) : undefined;
    if (matched) {
      name = candidate.function;
      route = routeKey(candidate);
      params = matched;
      break;
    }
  }
  try {
    const result = await invoke(name, toEvent(req, target, body, route, params));
    if (result === 'timeout')
      return reply(res, 503, json, JSON.stringify({ message: 'Service Unavailable' }));
    const payload = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
    reply(res, result.statusCode, result.headers, payload);
  } catch (error) {
    console.error(`[gateway] ${name} threw`, error);
    reply(res, 500, json, JSON.stringify({ message: 'Internal Server Error' }));
  }
}

function urlOf(server: Server, host: string): string {
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

/** `onListening` runs once the port is bound, before any request is served (the URL is known only then). */
export async function startGateway(
  port: number,
  host = '127.0.0.1',
  onListening: (url: string) => void = () => undefined,
): Promise<Gateway> {
  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      console.error('[gateway] request failed', error);
      if (!res.headersSent) reply(res, 500, {}, '');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      onListening(urlOf(server, host));
      resolve();
    });
  });
  return {
    url: urlOf(server, host),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
