/** The CDK app: `npx cdk synth` (offline) and `npm run deploy`. */

import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PaymentsHubStack } from './stack.ts';

const app = new App();
const projectRoot = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
new PaymentsHubStack(app, 'PaymentsHub', {
  projectRoot,
  affirmBaseUrl: app.node.tryGetContext('affirmBaseUrl') ?? 'https://sandbox.affirm.com',
  description:
    'Payments hub: Affirm in store and telesales, Lyra payment on shipment, Snipcart custom gateway',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
