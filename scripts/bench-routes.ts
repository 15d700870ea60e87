/**
 * `npm run bench:routes` (also the second part of `npm run bench`): for every route, the
 * DynamoDB round trips one request costs (by command) and the CPU time the hub spends on it,
 * measured on the local stack by driving the HTTP API (scripts/route-costs.ts has the method).
 * Prints a table and writes the figures to .bench/routes.json; the previous run's file is kept
 * as .bench/routes.previous.json and any change from it is printed.
 *   BENCH_ROUTE_ROUNDS (default 20) measured rounds, each on fresh orders;
 *   BENCH_ROUTE_WARMUP (default 10) rounds run first and not measured.
 */

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { totalRequests } from './dynamodb-requests.ts';
import { measureRouteCosts, OPERATIONS, type OperationId, type Sample } from './route-costs.ts';

/**
 * The documented minimum of DynamoDB round trips per operation: each route's steps priced with
 * docs/data-model.md's access patterns (authenticate 1, read an order 1, find by provider ref 2,
 * create 1, change 1, claim a key 1, complete a key 1). Update it with the design; the bench
 * flags a route that sends more.
 */
export const DOCUMENTED_MINIMUM: Record<OperationId, { requests: number; steps: string }> = {
  create: { requests: 3, steps: 'authenticate, create (reserve the id), change (record the checkout sent)' },
  'create-keyed': {
    requests: 4,
    steps: 'create + claim the key (the key is completed in the change that records the checkout)',
  },
  authorize: {
    requests: 4,
    steps: 'authenticate, find by provider ref (consistent GetItem of the ref, then the order), change',
  },
  get: { requests: 2, steps: 'authenticate, read' },
  capture: { requests: 4, steps: 'authenticate, read, change (operation running), change (succeeded)' },
  'refund-keyed': {
    requests: 5,
    steps: 'capture + claim the key (the key is completed in the change that records the refund)',
  },
  'refund-replay': {
    requests: 2,
    steps: 'authenticate, claim the key (refused: the stored answer comes back)',
  },
  void: { requests: 4, steps: 'as capture' },
  'get-unknown': { requests: 2, steps: 'authenticate, read (nothing)' },
  health: { requests: 0, steps: '' },
  'lyra-create': {
    requests: 3,
    steps:
      'authenticate, create (reserve the id, its pay page reference in the same transaction), change (record the form token)',
  },
  'lyra-ipn': {
    requests: 2,
    steps:
      'read (Lyra echoes the order id), change (the order, its event and the IPN recorded as applied: one transaction)',
  },
  shipment: {
    requests: 4,
    steps: 'authenticate, read, change (the debit reserved), change (debited, the shipment recorded)',
  },
  'shipment-keyed': {
    requests: 5,
    steps: 'shipment + claim the key (the key is completed in the change that records the shipment)',
  },
  'shipment-again': { requests: 2, steps: 'authenticate, read (the shipment is there: the same answer)' },
  'snipcart-methods': { requests: 0, steps: '(Snipcart validates the token; no table)' },
  'snipcart-checkout': {
    requests: 3,
    steps:
      'read (no payment for the session yet), create (reserve the id, with its pay page reference), change (record the form token)',
  },
  'snipcart-return': {
    requests: 5,
    steps:
      'read, change refused (the IPN applied it already), read, change (claim telling Snipcart), change (confirmed)',
  },
  'snipcart-refund': {
    requests: 6,
    steps:
      "read (the link's secret, before anything is stored), claim the key, read, change (refund running), change (refunded), complete the key",
  },
};

export interface RouteFigures {
  id: OperationId;
  route: string;
  status: number;
  samples: number;
  dynamodb: {
    min: number;
    max: number;
    documentedMinimum: number;
    byCommand: Record<string, [number, number]>;
  };
  /** user + system */
  cpuMs: { median: number; p25: number; p75: number };
  wallMs: { median: number };
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function runRouteBench(): Promise<RouteFigures[]> {
  const rounds = Number(process.env.BENCH_ROUTE_ROUNDS ?? 20);
  const warmup = Number(process.env.BENCH_ROUTE_WARMUP ?? 10);
  process.stdout.write(
    `\nRoutes: local stack in this process, ${warmup} warm-up + ${rounds} measured rounds on fresh orders `,
  );
  const samples = await measureRouteCosts({ rounds, warmup, onRound: () => process.stdout.write('.') });
  process.stdout.write('\n\n');
  const figures = OPERATIONS.map((operation) => summarize(operation, samples.get(operation.id) ?? []));
  printTable(figures);
  console.log(
    `\nNode ${process.version}. DynamoDB: requests the hub's DocumentClient sent during the request (SDK retries count), the API-key lookup included.` +
      `\nCPU: process.cpuUsage (user + system) of the process running the gateway and the functions, from sending the request to reading the answer;` +
      `\nit includes the gateway and the bench's HTTP client (about the /health row). Not counted: the Affirm simulator (a child process) and DynamoDB Local (Java).`,
  );
  const over = figures.filter((f) => f.dynamodb.max > f.dynamodb.documentedMinimum);
  if (over.length) console.log(`Over the documented minimum: ${over.map((f) => f.id).join(', ')}`);
  save(figures, { rounds, warmup });
  return figures;
}

function summarize(operation: (typeof OPERATIONS)[number], samples: Sample[]): RouteFigures {
  const totals = samples.map((s) => totalRequests(s.dynamodb));
  const commands = [...new Set(samples.flatMap((s) => Object.keys(s.dynamodb)))].sort();
  const cpu = samples.map((s) => s.cpuMs);
  return {
    id: operation.id,
    route: operation.route,
    status: samples[0]?.status ?? 0,
    samples: samples.length,
    dynamodb: {
      min: Math.min(...totals),
      max: Math.max(...totals),
      documentedMinimum: DOCUMENTED_MINIMUM[operation.id].requests,
      byCommand: Object.fromEntries(
        commands.map((c) => {
          const n = samples.map((s) => s.dynamodb[c] ?? 0);
          return [c, [Math.min(...n), Math.max(...n)]];
        }),
      ),
    },
    cpuMs: {
      median: quantile(cpu, 0.5),
      p25: quantile(cpu, 0.25),
      p75: quantile(cpu, 0.75),
    },
    wallMs: {
      median: quantile(
        samples.map((s) => s.wallMs),
        0.5,
      ),
    },
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const low = sorted[Math.floor(at)] ?? Number.NaN;
  const high = sorted[Math.ceil(at)] ?? Number.NaN;
  return low + (high - low) * (at - Math.floor(at));
}

const range = ([min, max]: [number, number]) => (min === max ? `${min}` : `${min}-${max}`);

/** "GetItem 1, TransactWriteItems 2" */
export function describeCommands(byCommand: Record<string, [number, number]>): string {
  return Object.entries(byCommand)
    .map(([command, n]) => `${command.replace(/Command$/, '')} ${range(n)}`)
    .join(', ');
}

function printTable(figures: RouteFigures[]): void {
  const header = [
    'route',
    'status',
    'DynamoDB requests',
    'documented min',
    'by command',
    'CPU ms (median)',
    'CPU ms (p25-p75)',
    'wall ms (median)',
  ];
  const lines = figures.map((f) => [
    f.route,
    String(f.status),
    range([f.dynamodb.min, f.dynamodb.max]),
    String(f.dynamodb.documentedMinimum),
    describeCommands(f.dynamodb.byCommand),
    f.cpuMs.median.toFixed(2),
    `${f.cpuMs.p25.toFixed(2)}-${f.cpuMs.p75.toFixed(2)}`,
    f.wallMs.median.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const leftAligned = new Set([0, 4]);
  const print = (cells: string[]) =>
    console.log(
      `| ${cells.map((c, i) => (leftAligned.has(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`,
    );
  print(header);
  console.log(`|${widths.map((w, i) => `${'-'.repeat(w + 1)}${leftAligned.has(i) ? '-' : ':'}`).join('|')}|`);
  for (const line of lines) print(line);
}

/** Writes .bench/routes.json, keeps the last one as routes.previous.json, and prints what changed since. */
function save(figures: RouteFigures[], run: { rounds: number; warmup: number }): void {
  const dir = join(ROOT, '.bench');
  const file = join(dir, 'routes.json');
  const previousFile = join(dir, 'routes.previous.json');
  mkdirSync(dir, { recursive: true });
  let previous: RouteFigures[] = [];
  if (existsSync(file)) {
    try {
      previous = (JSON.parse(readFileSync(file, 'utf8')) as { routes: RouteFigures[] }).routes;
      renameSync(file, previousFile);
    } catch {
      previous = [];
    }
  }
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, ...run, routes: figures }, null, 2)}\n`,
  );
  console.log(
    `Figures written to .bench/routes.json${previous.length ? ' (the last run is in routes.previous.json)' : ''}.`,
  );
  const changes = figures.flatMap((f) => {
    const before = previous.find((p) => p.id === f.id);
    if (!before) return [];
    const requests =
      before.dynamodb.min !== f.dynamodb.min || before.dynamodb.max !== f.dynamodb.max
        ? ` DynamoDB requests ${range([before.dynamodb.min, before.dynamodb.max])} -> ${range([f.dynamodb.min, f.dynamodb.max])};`
        : '';
    return [
      `  ${f.id}:${requests} CPU median ${(f.cpuMs.median / before.cpuMs.median).toFixed(2)}x the last run`,
    ];
  });
  if (changes.length)
    console.log(
      `Since the last run (CPU time depends on the machine's load: compare runs made in the same conditions):\n${changes.join('\n')}`,
    );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runRouteBench();
