/**
 * The Affirm simulator on its own, for the route bench (scripts/route-costs.ts): run in a child
 * process so that the CPU time the bench reads in its own process is the hub's, not the
 * simulator's. Listens on a free port, prints its URL on the first line of stdout, and stops on
 * SIGTERM.
 */

import { LOCAL_DEFAULTS } from '../infra/local/stack.ts';
import { PROVIDERS } from '../infra/providers.ts';

const { simulator: spec } = PROVIDERS.affirm;
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
