/**
 * `npm start` as a developer runs it: it prints a banner, the command it suggests works, and
 * Ctrl-C stops everything it started; and it answers /health only once it can serve the
 * development keys. Runs its own stack on free ports, beside the suite's.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PROVIDER_LIST } from '../../infra/providers.ts';
import { holdDynamoDbCalls } from '../support/dynamodb-hold.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => resolve(Boolean(socket.end())));
    socket.once('error', () => resolve(false));
  });

/** The status of GET `path` on the hub, or 'refused' while nothing listens. */
async function statusOf(port: number, path: string, key?: string): Promise<number | 'refused'> {
  try {
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    return (await fetch(`http://127.0.0.1:${port}${path}`, { headers })).status;
  } catch {
    return 'refused';
  }
}

/** Every simulator on a free port: a running `npm start` may hold the default ones. */
async function simulatorPorts(): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const provider of PROVIDER_LIST) ports[provider.simulator.portEnv] = await freePort();
  return ports;
}

/** A clean environment: the suite's own stack variables (DYNAMODB_ENDPOINT...) must not leak in. */
const cleanEnv = (extra: Record<string, string | number>) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  LOG_LEVEL: 'warn',
  ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])),
});

let child: ChildProcess | undefined;
let readiness: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
  readiness?.kill('SIGKILL');
});

describe('npm start', () => {
  it('serves the hub, prints a command that works, and stops everything on Ctrl-C', async () => {
    const ports = {
      HUB_PORT: await freePort(),
      DYNAMODB_PORT: await freePort(),
      ...(await simulatorPorts()),
    };
    const env = cleanEnv(ports);
    child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await expect.poll(() => output, { timeout: 60_000, interval: 200 }).toContain('Ctrl-C stops everything');

    const health = await fetch(`http://127.0.0.1:${ports.HUB_PORT}/health`);
    expect(health.status).toBe(200);

    // The banner's first command, run as printed.
    const command =
      /(curl -s http:\/\/127\.0\.0\.1:\d+\/v1\/affirm\/checkouts[\s\S]*?-d '[^']*')/.exec(output)?.[1] ?? '';
    expect(command).toContain(`127.0.0.1:${ports.HUB_PORT}`);
    const curl = spawnSync('bash', ['-c', command.replace(/\\\n\s*/g, ' ')], { encoding: 'utf8' });
    expect(JSON.parse(curl.stdout)).toMatchObject({
      status: 'sent',
      affirm: { checkoutId: expect.any(String) },
    });

    expect(await listening(ports.DYNAMODB_PORT)).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child?.once('exit', resolve));
    expect(code).toBe(0);
    for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
  }, 90_000);

  it('answers /health only once the development keys work', async () => {
    // DynamoDB here is the suite's DynamoDB Local behind a pass-through that holds every PutItem:
    // the stack's start stops while it stores the development keys, for as long as the test wants.
    const hold = await holdDynamoDbCalls(inject('stack').env.DYNAMODB_ENDPOINT ?? '', 'PutItem');
    try {
      const hubPort = await freePort();
      readiness = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
        env: cleanEnv({
          HUB_PORT: hubPort,
          ...(await simulatorPorts()),
          DYNAMODB_ENDPOINT: hold.url,
          // The held writes must outlast the test's look at the hub, not time out.
          DYNAMODB_REQUEST_TIMEOUT_MS: 60_000,
        }),
        stdio: 'ignore',
      });
      await expect.poll(() => hold.held, { timeout: 60_000, interval: 50 }).toBeGreaterThan(0);

      // The keys are not stored yet: the hub must not claim to be ready.
      expect(await statusOf(hubPort, '/health')).not.toBe(200);

      hold.release();
      await expect.poll(() => statusOf(hubPort, '/health'), { timeout: 30_000, interval: 10 }).toBe(200);
      expect(await statusOf(hubPort, '/v1/orders/readiness-probe', 'local-pos-key')).toBe(404);
    } finally {
      readiness?.kill('SIGINT');
      await hold.close();
    }
  }, 90_000);
});
