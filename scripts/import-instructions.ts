/**
 * `npx tsx scripts/import-instructions.ts [function...]`: the instructions executed to import each
 * function's deployable bundle, as a ratio to importing the DynamoDB document client alone (the
 * floor of `npm run bench`), counted with valgrind's callgrind and V8's background threads off so
 * that the count repeats. Reads lower than the bench's wall ratio (no cache misses, no I/O), but
 * ranks changes reliably on a busy machine (docs/performance.md, "Counting instructions").
 * Needs valgrind (`apt-get install valgrind`) and the floor bundle `npm run bench` leaves in .bench/.
 */

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAMBDA_RUNTIME_ENV, PROJECT_ROOT, synthesizeBundles } from '../infra/synth-bundles.ts';

const OUT = '/tmp/import-instructions.callgrind';

function instructions(path: string, env: Record<string, string>): number {
  execFileSync(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${OUT}`,
      process.execPath,
      '--single-threaded',
      '--random-seed=1',
      '--hash-seed=1',
      join(PROJECT_ROOT, 'scripts/measure-import.mjs'),
      path,
    ],
    { env: { ...process.env, ...LAMBDA_RUNTIME_ENV, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const summary = execFileSync('grep', ['-m1', '-E', '^(summary|totals):', OUT], { encoding: 'utf8' });
  return Number(summary.split(/\s+/)[1]);
}

const wanted = process.argv.slice(2);
const { bundles } = synthesizeBundles(join(PROJECT_ROOT, '.bench', 'instructions.out'));
const empty = join(PROJECT_ROOT, '.bench', 'empty.mjs');
writeFileSync(empty, 'export {};\n');
const node = instructions(empty, {});
const floor = instructions(join(PROJECT_ROOT, '.bench', 'floor.mjs'), {}) - node;
console.log(`floor: ${floor} instructions`);
for (const bundle of bundles.filter((b) => wanted.length === 0 || wanted.includes(b.name))) {
  console.log(`${bundle.name}: ${((instructions(bundle.path, bundle.env) - node) / floor).toFixed(3)}x`);
}
