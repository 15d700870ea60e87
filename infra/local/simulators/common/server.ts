/**
 * The frame every provider simulator runs in: an HTTP server with the control API of
 * API.md shared by all simulators.
 *
 *   GET    /__control/requests   every provider request received, oldest first (control calls excluded)
 *   POST   /__control/faults     { match: "METHOD /path", mode, status?, code?, delayMs?, times?, when?, skip? }
 *   DELETE /__control/faults
 *   POST   /__control/clock      { advanceSeconds }
 *
 * Faults, for the next `times` matching requests (default 1), after letting `skip` of them
 * through untouched (default 0: the second part of a multi-call operation). `match` is the concrete path
 * or the route template (`POST /api/v1/transactions/{id}/capture`):
 *   status   answer `status` (default 503) with the provider's error body, naming the provider's
 *            error `code` when given (a definite refusal); the request is not applied
 *   timeout  apply the request, then never answer (the caller's timeout fires)
 *   reset    apply the request, then drop the connection
 *   delay    wait `delayMs`, then serve normally
 * `when: "before"` makes timeout/reset fire before the request is applied. The default
 * ("after") is the dangerous case for a payments client: the provider acted, the caller cannot know.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchPath } from '../../../routes.ts';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** JSON or form body parsed; undefined when empty; the raw text when it does not parse. */
  body: unknown;
  params: Record<string, string>;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as-is (set content-type in headers for HTML or XML). */
  body?: unknown;
}

export interface SimRoute {
  method: string;
  path: string;
  handle(request: SimRequest): SimResponse | Promise<SimResponse>;
}

export type FaultMode = 'status' | 'timeout' | 'reset' | 'delay';

export interface Fault {
  match: string;
  mode: FaultMode;
  status?: number;
  /** The provider's error code the status fault's body names (its default otherwise). */
  code?: string;
  delayMs?: number;
  times: number;
  when: 'before' | 'after';
  /** Matching requests still to let through before the fault fires. */
  skip: number;
}

export interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

export interface SimulatorOptions {
  name: string;
  host?: string;
  port: number;
  /** Provider routes: logged and subject to faults. */
  routes: SimRoute[];
  /** Provider-specific control routes (under /__control/). */
  controlRoutes?: SimRoute[];
  /** The provider's error body for a status fault or an unknown route. */
  errorBody(status: number, message: string, code?: string): unknown;
}

export interface Simulator {
  url: string;
  now(): Date;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

const FAULT_MODES: FaultMode[] = ['status', 'timeout', 'reset', 'delay'];

function maskAuthorization(value: string): string {
  const [scheme] = value.split(' ');
  return `${scheme} ***`;
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: SimResponse): void {
  const isText = typeof response.body === 'string';
  const body =
    response.body === undefined ? '' : isText ? (response.body as string) : JSON.stringify(response.body);
  const headers = {
    ...(isText || response.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...response.headers,
  };
  res.writeHead(response.status, headers);
  res.end(body);
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const requests: LoggedRequest[] = [];
  let faults: Fault[] = [];
  const held = new Set<ServerResponse>();

  const find = (routes: SimRoute[], method: string, path: string) => {
    for (const route of routes) {
      const params = route.method === method ? matchPath(route.path, path) : undefined;
      if (params) return { route, params };
    }
    return undefined;
  };

  const takeFault = (method: string, path: string, template: string | undefined): Fault | undefined => {
    const fault = faults.find(
      (f) => f.match === `${method} ${path}` || (template && f.match === `${method} ${template}`),
    );
    if (!fault) return undefined;
    if (fault.skip > 0) {
      fault.skip -= 1;
      return undefined;
    }
    fault.times -= 1;
    if (fault.times <= 0) faults = faults.filter((f) => f !== fault);
    return fault;
  };

  const control: SimRoute[] = [
    { method: 'GET', path: '/__control/requests', handle: () => ({ status: 200, body: requests }) },
    {
      method: 'POST',
      path: '/__control/faults',
      handle: ({ body }) => {
        const input = (body ?? {}) as Partial<Fault>;
        if (
          typeof input.match !== 'string' ||
          !/^[A-Z]+ \//.test(input.match) ||
          !FAULT_MODES.includes(input.mode as FaultMode)
        ) {
          return {
            status: 400,
            body: { error: 'expected { match: "METHOD /path", mode: status|timeout|reset|delay }' },
          };
        }
        const fault: Fault = {
          match: input.match,
          mode: input.mode as FaultMode,
          times: Number.isInteger(input.times) && (input.times ?? 0) > 0 ? (input.times as number) : 1,
          when: input.when === 'before' ? 'before' : 'after',
          skip: Number.isInteger(input.skip) && (input.skip ?? 0) > 0 ? (input.skip as number) : 0,
          ...(input.status ? { status: input.status } : {}),
          ...(typeof input.code === 'string' && input.code ? { code: input.code } : {}),
          ...(input.delayMs ? { delayMs: input.delayMs } : {}),
        };
        faults.push(fault);
        return { status: 201, body: fault };
      },
    },
    {
      method: 'DELETE',
      path: '/__control/faults',
      handle: () => {
        faults = [];
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/__control/clock',
      handle: ({ body }) => {
        const seconds = Number((body as { advanceSeconds?: unknown } | undefined)?.advanceSeconds);
        if (!Number.isFinite(seconds) || seconds < 0)
          return { status: 400, body: { error: 'advanceSeconds must be >= 0' } };
        offsetMs += seconds * 1000;
        return { status: 200, body: { now: now().toISOString() } };
      },
    },
    ...(options.controlRoutes ?? []),
  ];

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const rawBody = await readBody(req);
    const request: SimRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body: parseBody(rawBody, req.headers['content-type']),
      params: {},
    };

    if (url.pathname.startsWith('/__control/')) {
      const found = find(control, method, url.pathname);
      if (!found)
        return send(res, { status: 404, body: { error: `no control route ${method} ${url.pathname}` } });
      return send(res, await found.route.handle({ ...request, params: found.params }));
    }

    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [
        k,
        k === 'authorization' ? maskAuthorization(String(v)) : String(v),
      ]),
    );
    requests.push({
      at: now().toISOString(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: request.body,
    });

    const found = find(options.routes, method, url.pathname);
    const fault = takeFault(method, url.pathname, found?.route.path);
    if (fault?.mode === 'status') {
      const status = fault.status ?? 503;
      return send(res, { status, body: options.errorBody(status, 'Injected fault', fault.code) });
    }
    if (fault?.mode === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
    const interrupt = fault && (fault.mode === 'timeout' || fault.mode === 'reset') ? fault : undefined;
    if (interrupt?.when === 'before') return interrupt.mode === 'reset' ? req.socket.destroy() : hold(res);

    const response = found
      ? await found.route.handle({ ...request, params: found.params })
      : { status: 404, body: options.errorBody(404, 'Not found') };
    if (interrupt) return interrupt.mode === 'reset' ? req.socket.destroy() : hold(res);
    send(res, response);
  };

  /** Never answers; the connection closes when the client gives up or the simulator stops. */
  const hold = (res: ServerResponse) => {
    held.add(res);
    res.on('close', () => held.delete(res));
  };

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      console.error(`[${options.name}] handler failed`, error);
      if (!res.headersSent) send(res, { status: 500, body: options.errorBody(500, 'Simulator error') });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    now,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
