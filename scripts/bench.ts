/**
 * `npm run bench`: for every function, the size of its deployable bundle and the cost of
 * loading it cold, as a ratio to loading the DynamoDB document client alone (the floor every
 * function touching the table pays; SPEC.md, quality bars). Goal: at most 1.15x.
 *
 * Method: the stack is synthesized (the real NodejsFunction bundles), the floor is bundled
 * with the same esbuild settings, then every bundle is imported in a fresh Node process with
 * the environment the stack gives it. Each round measures the floor next to each function
 * (alternating which goes first), and the ratio is taken within that pair; the table shows
 * the median of those paired ratios. Pairing cancels the slow drift of a shared machine, which otherwise moves
 * single medians by several per cent between runs.
 *   BENCH_ROUNDS (default 41) sets the number of rounds.
 *
 * Then, per route, the DynamoDB round trips and CPU time of one request (scripts/bench-routes.ts).
 * `npm run bench -- --routes` (or `npm run bench:routes`) runs that part alone.
 */

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESBUILD_OPTIONS } from '../infra/bundling.ts';
import { PROVIDER_LIST } from '../infra/providers.ts';
import { LAMBDA_RUNTIME_ENV, PROJECT_ROOT, synthesizeBundles } from '../infra/synth-bundles.ts';

/**
 * The route bench runs in a process of its own, exactly as `npm run bench:routes` runs it: its
 * CPU figures do not depend on the heap this process keeps after synthesizing the stack.
 */
const routeBench = () =>
  execFileSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'bench-routes.ts')], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });

if (process.argv.includes('--routes')) {
  routeBench();
  process.exit(0);
}

const GOAL = 1.15;
const rounds = Number(process.env.BENCH_ROUNDS ?? 41);
const workdir = join(PROJECT_ROOT, '.bench');
// The route bench's figures (routes*.json) stay, for the next run to compare with.
rmSync(join(workdir, 'cdk.out'), { recursive: true, force: true });
mkdirSync(workdir, { recursive: true });

console.log('Synthesizing the stack (bundles every function)...');
const { bundles } = synthesizeBundles(join(workdir, 'cdk.out'));

const floorEntry = join(workdir, 'floor.ts');
writeFileSync(
  floorEntry,
  `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
export const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
`,
);
const floorPath = join(workdir, 'floor.mjs');
await build({
  ...ESBUILD_OPTIONS,
  entryPoints: [floorEntry],
  outfile: floorPath,
  absWorkingDir: PROJECT_ROOT,
  nodePaths: [join(PROJECT_ROOT, 'node_modules')],
  logLevel: 'error',
});

const floor = { name: 'floor: DynamoDB document client', path: floorPath, env: {} as Record<string, string> };
const measure = join(PROJECT_ROOT, 'scripts', 'measure-import.mjs');

/** Imports one bundle in a fresh Node process; returns [wall ms, CPU ms]. */
function importCost(subject: { path: string; env: Record<string, string> }): [number, number] {
  const env = { PATH: process.env.PATH ?? '', ...LAMBDA_RUNTIME_ENV, LOG_LEVEL: 'silent', ...subject.env };
  const [wall = Number.NaN, cpu = Number.NaN] = execFileSync(process.execPath, [measure, subject.path], {
    env,
  })
    .toString()
    .trim()
    .split(' ')
    .map(Number);
  return [wall, cpu];
}

const floorWalls: number[] = [];
const samples = new Map(
  bundles.map((b) => [b.name, { wall: [] as number[], ratio: [] as number[], cpuRatio: [] as number[] }]),
);

process.stdout.write(`Importing each bundle in a fresh process, paired with the floor, ${rounds} rounds `);
for (let round = 0; round < rounds; round++) {
  for (const bundle of bundles) {
    // Alternate which of the pair goes first, so that neither is favoured by going second.
    const floorFirst = round % 2 === 0;
    const first = importCost(floorFirst ? floor : bundle);
    const second = importCost(floorFirst ? bundle : floor);
    const [floorWall, floorCpu] = floorFirst ? first : second;
    const [wall, cpu] = floorFirst ? second : first;
    floorWalls.push(floorWall);
    const sample = samples.get(bundle.name);
    sample?.wall.push(wall);
    sample?.ratio.push(wall / floorWall);
    sample?.cpuRatio.push(cpu / floorCpu);
  }
  process.stdout.write('.');
}
process.stdout.write('\n\n');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const rows = [
  { name: floor.name, kb: statSync(floor.path).size / 1024, wall: median(floorWalls), ratio: 1, cpuRatio: 1 },
  ...bundles.map((bundle) => {
    const sample = samples.get(bundle.name) ?? { wall: [], ratio: [], cpuRatio: [] };
    return {
      name: bundle.name,
      kb: statSync(bundle.path).size / 1024,
      wall: median(sample.wall),
      ratio: median(sample.ratio),
      cpuRatio: median(sample.cpuRatio),
    };
  }),
];

const header = [
  'function',
  'bundle KiB',
  'cold load ms (median)',
  'paired ratio (wall)',
  'paired ratio (CPU)',
  `≤ ${GOAL}x`,
];
const lines = rows.map((r, i) => [
  r.name,
  r.kb.toFixed(1),
  r.wall.toFixed(1),
  `${r.ratio.toFixed(3)}x`,
  `${r.cpuRatio.toFixed(3)}x`,
  i === 0 ? '' : r.ratio <= GOAL ? 'yes' : 'NO',
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
const print = (cells: string[]) =>
  console.log(
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`,
  );
print(header);
console.log(
  `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
);
for (const line of lines) print(line);
console.log(
  `\nNode ${process.version}, ${rounds} rounds; each ratio is the median of per-round ratios to the floor imported next to it (wall clock; CPU user+system).`,
);
const over = rows.slice(1).filter((r) => r.ratio > GOAL);
if (over.length) console.log(`Over the ${GOAL}x goal: ${over.map((r) => r.name).join(', ')}`);

// How long `npm start` takes until /health answers (the brief asks for 15 s at most).
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
const ports: Record<string, number> = { HUB_PORT: await freePort(), DYNAMODB_PORT: await freePort() };
// Every simulator on a free port too, not on the defaults a running `npm start` may hold.
for (const provider of PROVIDER_LIST) ports[provider.simulator.portEnv] = await freePort();
const started = performance.now();
const stack = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'infra/local/start.ts')], {
  cwd: PROJECT_ROOT,
  env: {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LOG_LEVEL: 'warn',
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  },
  stdio: 'ignore',
});
let readyMs = Number.NaN;
while (performance.now() - started < 60_000) {
  try {
    if ((await fetch(`http://127.0.0.1:${ports.HUB_PORT}/health`)).ok) {
      readyMs = performance.now() - started;
      break;
    }
  } catch {
    // not up yet
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
stack.kill('SIGINT');
console.log(`npm start: /health answered after ${(readyMs / 1000).toFixed(1)} s (goal: 15 s)`);

routeBench();
