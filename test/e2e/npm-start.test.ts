/**
 * `npm start` as a developer runs it: it prints a banner, the command it suggests works, and
 * Ctrl-C stops everything it started. Runs its own stack on free ports, beside the suite's.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';

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

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

describe('npm start', () => {
  it('serves the hub, prints a command that works, and stops everything on Ctrl-C', async () => {
    const ports = {
      HUB_PORT: await freePort(),
      DYNAMODB_PORT: await freePort(),
      AFFIRM_SIMULATOR_PORT: await freePort(),
    };
    // A clean environment: the suite's own stack variables (DYNAMODB_ENDPOINT...) must not leak in.
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      LOG_LEVEL: 'warn',
    };
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
});
