/**
 * Synthesizes the stack in-process and returns each function's deployable bundle with the
 * environment the stack gives it. Used by the infra tests (every bundle must load with its
 * own environment) and by `npm run bench` (cold-load cost of exactly what is deployed).
 */

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { FUNCTIONS, type FunctionName } from './routes.ts';
import { PaymentsHubStack } from './stack.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

export interface FunctionBundle {
  name: FunctionName;
  /** The bundled index.mjs inside the cloud assembly. */
  path: string;
  /** The function's environment, with deploy-time references replaced by stand-ins. */
  env: Record<string, string>;
}

export interface Synthesized {
  stack: PaymentsHubStack;
  template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  bundles: FunctionBundle[];
}

/** What Lambda itself puts in every function's environment, as far as loading the bundle needs. */
export const LAMBDA_RUNTIME_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'stand-in',
  AWS_SECRET_ACCESS_KEY: 'stand-in',
  // This machine runs Node 20; Lambda runs 22, where the SDK prints no such notice.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** `configure` runs before synthesis (the infra tests add cdk-nag there). */
export function synthesizeBundles(
  outdir: string,
  configure: (app: App) => void = () => undefined,
): Synthesized {
  const app = new App({ outdir });
  // Each provider on its sandbox: the manifest's defaults.
  const stack = new PaymentsHubStack(app, 'PaymentsHub', { projectRoot: PROJECT_ROOT });
  configure(app);
  const template = app.synth().getStackByName('PaymentsHub').template;
  const bundles = (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => {
    const resource =
      template.Resources[stack.getLogicalId(stack.functions.get(name)?.fn.node.defaultChild as CfnFunction)];
    if (!resource) throw new Error(`function ${name} is missing from the template`);
    const props = resource.Properties as {
      Code: { S3Key: string };
      Environment: { Variables: Record<string, unknown> };
    };
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(props.Environment.Variables)) {
      env[key] =
        typeof value === 'string'
          ? value
          : key.endsWith('_URL')
            ? 'https://example.invalid'
            : `deployed-${key.toLowerCase()}`;
    }
    return { name, path: join(outdir, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs'), env };
  });
  return { stack, template, bundles };
}
