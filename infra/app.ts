/** The CDK app: `npx cdk synth` (offline) and `npm run deploy`. */

import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PROVIDER_LIST } from './providers.ts';
import { PaymentsHubStack } from './stack.ts';

const app = new App();
const projectRoot = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
new PaymentsHubStack(app, 'PaymentsHub', {
  projectRoot,
  // Each provider's API host comes from its CDK context key, else its sandbox (providers.ts).
  description: `Payments hub: ${PROVIDER_LIST.map((provider) => provider.summary).join(', ')}`,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
