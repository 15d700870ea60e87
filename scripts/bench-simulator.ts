/**
 * One provider's simulator on its own, for the route bench (scripts/route-costs.ts): run in a
 * child process so that the CPU time the bench reads in its own process is the hub's, not the
 * simulator's. `bench-simulator.ts <provider>`; listens on a free port, prints its URL on the
 * first line of stdout, and stops on SIGTERM. The hub names where its notifications go (Lyra's
 * ipnTargetUrl), so the simulator needs no hub URL of its own.
 */

import { LOCAL_DEFAULTS } from '../infra/local/stack.ts';
import { PROVIDER_LIST, PROVIDER_NAMES } from '../infra/providers.ts';

const provider = PROVIDER_LIST.find((p) => p.name === process.argv[2]);
if (!provider) {
  process.stderr.write(`usage: bench-simulator.ts <${PROVIDER_NAMES.join('|')}>\n`);
  process.exit(2);
}
const { simulator: spec } = provider;
const simulator = await spec.start({
  port: 0,
  host: LOCAL_DEFAULTS.host,
  secret: spec.secret,
  hubUrl: () => undefined,
});
process.stdout.write(`${simulator.url}\n`);
process.once('SIGTERM', () => {
  void simulator.close().finally(() => process.exit(0));
});
