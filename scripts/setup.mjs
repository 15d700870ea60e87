// Runs before `npm start` and `npm test` (npm's prestart/pretest): makes a fresh clone ready.
// Plain JavaScript with no dependencies, because it runs before they are installed.
//   - installs the npm dependencies from package-lock.json when node_modules is missing or older than it;
//   - checks Java 17+ (DynamoDB Local runs on it) and, for tests, Chromium (the browser tests drive it).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const purpose = process.argv[2] ?? 'test';
const stamp = 'node_modules/.payments-hub-lock-hash';
const lockHash = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');

if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  console.log('setup: installing npm dependencies from package-lock.json (npm ci)...');
  // `npm ci` installs exactly the lockfile and never rewrites it, so a fresh clone stays clean.
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(stamp, lockHash);
}

/** The major version of `java` on PATH (it prints its version on stderr), or 0 when there is none. */
function javaMajor() {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return Number(/version "(\d+)/.exec(`${result.stderr ?? ''}${result.stdout ?? ''}`)?.[1] ?? 0);
}

const problems = [];
if (javaMajor() < 17)
  problems.push('Java 17 or newer (DynamoDB Local runs on it): apt-get install -y openjdk-17-jre-headless');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (purpose === 'test' && !existsSync(chromium)) {
  problems.push(
    `Chromium at ${chromium} (the browser tests drive it): apt-get install -y chromium, or set CHROMIUM_PATH`,
  );
}
if (problems.length) {
  console.error(`setup: this machine lacks:\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
