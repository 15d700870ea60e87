/** The CDK stack: what it deploys, least privilege, cdk-nag, and bundles that load with their own environment. */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESBUILD_OPTIONS, STUBBED_MODULES } from '../../infra/bundling.ts';
import { PROVIDER_LIST, type ProviderSpec, type ServiceName } from '../../infra/providers.ts';
import { BACKGROUND_FUNCTIONS, FUNCTIONS, type FunctionName, ROUTES, routeKey } from '../../infra/routes.ts';
import type { PaymentsHubStack } from '../../infra/stack.ts';
import {
  type FunctionBundle,
  LAMBDA_RUNTIME_ENV,
  PROJECT_ROOT,
  synthesizeBundles,
} from '../../infra/synth-bundles.ts';

let outdir = '';
let stack: PaymentsHubStack;
let bundles: FunctionBundle[];
let template: Template;
type Resource = { Type: string; Properties: Record<string, unknown> };
let resources: Record<string, Resource>;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'hub-cdk-'));
  // Synthesis fails on any cdk-nag finding that is not acknowledged.
  const synthesized = synthesizeBundles(outdir, (app) =>
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app)),
  );
  stack = synthesized.stack;
  bundles = synthesized.bundles;
  template = Template.fromJSON(synthesized.template);
  resources = synthesized.template.Resources;
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const logicalId = (name: FunctionName) =>
  stack.getLogicalId(stack.functions.get(name)?.fn.node.defaultChild as CfnFunction);
const fnResource = (name: FunctionName) => resources[logicalId(name)] as Resource;

const secretLogicalId = (provider: ProviderSpec) =>
  stack.getLogicalId(stack.node.findChild(provider.secret.constructId).node.defaultChild as never);

/** Every action granted to a function's role, by its inline policies. */
function actionsOf(name: FunctionName): string[] {
  const role = stack.getLogicalId(stack.functions.get(name)?.role.node.defaultChild as never);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(role))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement)
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

describe('PaymentsHubStack', () => {
  it('has one table with the keys, GSI, TTL, PITR, on-demand billing and encryption the data layer expects', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'GSI1' })],
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });

  it('deploys one Node 22 arm64 function per manifest entry, with tracing and a bounded timeout', () => {
    const names = Object.keys(FUNCTIONS) as FunctionName[];
    template.resourceCountIs('AWS::Lambda::Function', names.length);
    for (const name of names) {
      expect(fnResource(name).Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Timeout: 25,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('routes exactly the manifest, plus $default for everything else', () => {
    const keys = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey)
      .sort();
    expect(keys).toEqual([...ROUTES.map(routeKey), '$default'].sort());
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('requestId') }),
    });
  });

  it('runs the reconciler every minute and from the table stream, for confirmed checkouts and storefronts to tell only', () => {
    const reconciler = Object.entries(resources).find(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Function' && r.Properties.Description === FUNCTIONS.reconciler.description,
    )?.[0];
    expect(reconciler, 'the reconciler function').toBeDefined();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [reconciler, 'Arn'] } })]),
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: reconciler },
      StartingPosition: 'LATEST',
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              dynamodb: {
                NewImage: {
                  SK: { S: ['PAYMENT'] },
                  payment: { M: { checkout: { M: { state: { S: ['confirmed'] } } } } },
                },
              },
            }),
          },
          // A storefront (Snipcart) awaiting its first word of an authorized payment.
          {
            Pattern: JSON.stringify({
              dynamodb: { NewImage: { SK: { S: ['PAYMENT'] }, storefrontToTell: { BOOL: [true] } } },
            }),
          },
        ],
      },
    });
    // Only the reconciler reads the stream.
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });

  it('grants each function only the table and secret access it declares', () => {
    for (const [name, spec] of Object.entries(FUNCTIONS) as [
      FunctionName,
      (typeof FUNCTIONS)[FunctionName],
    ][]) {
      const actions = actionsOf(name);
      const env = (fnResource(name).Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      const dynamo = actions.filter((a) => a.startsWith('dynamodb:')).sort();
      if (spec.table === 'none') expect(dynamo).toEqual([]);
      if (spec.table === 'read') expect(dynamo).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
      if (spec.table === 'readWrite') expect(dynamo).not.toContain('dynamodb:Scan');
      expect('TABLE_NAME' in env).toBe(spec.table !== 'none');
      const declared: readonly ServiceName[] = spec.secrets;
      const readsSecret = actions.includes('secretsmanager:GetSecretValue');
      expect(readsSecret).toBe(declared.length > 0);
      for (const provider of PROVIDER_LIST) {
        const uses = declared.includes(provider.name);
        expect(provider.env.secretId in env, `${name}: ${provider.env.secretId}`).toBe(uses);
        expect(provider.env.baseUrl in env, `${name}: ${provider.env.baseUrl}`).toBe(uses);
        if (uses) expect(env[provider.env.secretId]).toEqual({ Ref: secretLogicalId(provider) });
      }
      expect(Object.keys(env).join()).not.toMatch(/PRIVATE|PASSWORD|API_KEY/);
    }
  });

  it('keeps one secret per provider, retained, with its ARN as an output', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', PROVIDER_LIST.length);
    for (const provider of PROVIDER_LIST) {
      expect(resources[secretLogicalId(provider)]).toMatchObject({
        Type: 'AWS::SecretsManager::Secret',
        DeletionPolicy: 'Retain',
        Properties: { Description: provider.secret.description },
      });
      template.hasOutput(`${provider.title}SecretArn`, { Value: { Ref: secretLogicalId(provider) } });
    }
    // The deploy instructions (README) name this output.
    template.hasOutput('AffirmSecretArn', Match.anyValue());
  });

  it('justifies every acknowledged cdk-nag finding', () => {
    // Validations.acknowledge records `{ [ruleId]: reason }` on the construct.
    const acknowledged: [string, string][] = [];
    const visit = (construct: IConstruct) => {
      for (const entry of construct.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          acknowledged.push(...Object.entries(entry.data as Record<string, string>));
      }
      construct.node.children.forEach(visit);
    };
    visit(stack);
    const ids = acknowledged.map(([id]) => id);
    for (const rule of ['APIG4', 'L1', 'SMG4', 'IAM5[Resource::*]'])
      expect(ids.some((id) => id.endsWith(`AwsSolutions-${rule}`))).toBe(true);
    for (const [, reason] of acknowledged) expect(reason.length).toBeGreaterThan(60);
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const nagOut = mkdtempSync(join(tmpdir(), 'hub-nag-'));
    try {
      const app = new App({ outdir: nagOut });
      const bare = new Stack(app, 'Bare');
      new Secret(bare, 'Unrotated');
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      let failure: Error | undefined;
      try {
        app.synth();
      } catch (error) {
        failure = error as Error;
      }
      // CDK's validation failure, reporting cdk-nag's rule for an unrotated secret on that secret.
      expect(failure?.name).toBe('ValidationFailed');
      expect(failure?.message).toMatch(/^ERROR .*automatic rotation/m);
      expect(failure?.message).toContain('Bare/Unrotated/Resource');
      expect(failure?.message).toContain('AwsSolutions-SMG4');
    } finally {
      rmSync(nagOut, { recursive: true, force: true });
    }
  });

  /**
   * What each function answers to an unauthenticated `GET /health` event: health answers 200;
   * not-found answers 405 because /health is a known path (of another function); manage-transaction
   * serves one endpoint per action route and has none for it (404), and agent-console one asset per
   * route (404); the others check the API key
   * first, so 401 before anything else.
   */
  const STATUS_FOR_HEALTH_EVENT: Record<FunctionName, number | 'summary'> = {
    health: 200,
    'not-found': 405,
    'create-store-checkout': 401,
    authorize: 401,
    'get-order': 401,
    'manage-transaction': 404, // one endpoint per action route: a route it does not serve is not found
    'webhook-receiver': 404, // its routes are the provider's notification and return pages
    'list-expiring': 401,
    // Not an HTTP function: called with no orders to look at, it answers an empty sweep summary.
    reconciler: 'summary',
    'agent-console': 404, // serves its page and assets by route: a route it does not serve is not found
    'create-payment': 401,
    'ipn-handler': 404, // Lyra's notification route and the shopper's pages
    'create-shipment': 401,
    'snipcart-payment-methods': 401, // no Snipcart public token (body or query): INVALID_TOKEN
    'snipcart-payment': 404, // the storefront's checkout page and browser return, by route
    'snipcart-refund': 401, // the order's refund link checked first: none in /health's path
  };

  it('bundles functions that load with only the environment the stack gives them', () => {
    for (const { name, path, env } of bundles) {
      const background = STATUS_FOR_HEALTH_EVENT[name] === 'summary';
      const script = background
        ? `const m = await import(${JSON.stringify(path)});
        const r = await m.handler({ orderIds: [] });
        const empty = r.failed === 0 && r.operationsSettled === 0 && Object.keys(r.payments).length === 0;
        console.log(JSON.stringify({ type: typeof m.handler, status: empty ? 'summary' : JSON.stringify(r) }));`
        : `const m = await import(${JSON.stringify(path)});
        const r = await m.handler({ version: '2.0', routeKey: 'GET /health', rawPath: '/health', headers: {}, requestContext: { requestId: 'r', http: { method: 'GET' } }, isBase64Encoded: false }, { awsRequestId: 'a', getRemainingTimeInMillis: () => 5000 });
        console.log(JSON.stringify({ type: typeof m.handler, status: r.statusCode }));`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH ?? '', ...LAMBDA_RUNTIME_ENV, LOG_LEVEL: 'silent', ...env },
        encoding: 'utf8',
      });
      // Node prints the failing source line, which in a minified bundle is the whole bundle: keep the short lines.
      const why = run.stderr
        .split('\n')
        .filter((line) => line.length < 300)
        .slice(0, 8)
        .join('\n');
      expect(run.status, `${name} failed to load:\n${why}`).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out.type).toBe('function');
      expect(out.status, `${name} answered ${out.status}`).toBe(STATUS_FOR_HEALTH_EVENT[name]);
    }
    // Every function was loaded, not just some.
    expect(bundles.map((b) => b.name).sort()).toEqual(Object.keys(FUNCTIONS).sort());
  });

  it('stubs the streaming modules only where @middy/core alone imports them', async () => {
    const { alias: _alias, ...withoutStub } = ESBUILD_OPTIONS;
    for (const name of Object.keys(FUNCTIONS)) {
      const result = await build({
        ...withoutStub,
        entryPoints: [join(PROJECT_ROOT, 'functions', `${name}.ts`)],
        absWorkingDir: PROJECT_ROOT,
        write: false,
        metafile: true,
        outfile: join(outdir, 'importers.mjs'),
        logLevel: 'error',
      });
      const stubbed = STUBBED_MODULES.modules as readonly string[];
      const imports = Object.entries(result.metafile.inputs).flatMap(([file, input]) =>
        input.imports.filter((i) => stubbed.includes(i.path)).map((i) => ({ file, module: i.path })),
      );
      // Every HTTP function goes through @middy/core, which imports each stubbed module: were that
      // no longer so, the stub would be stale and the check below would check nothing. A
      // background function (no route, no middy) imports none of them.
      const background = (BACKGROUND_FUNCTIONS as readonly string[]).includes(name);
      expect([...new Set(imports.map((i) => i.module))].sort(), `${name}: stubbed modules imported`).toEqual(
        background ? [] : [...stubbed].sort(),
      );
      for (const { file, module } of imports) {
        expect(file, `${file} imports ${module}, which function bundles replace with a stub`).toContain(
          `node_modules/${STUBBED_MODULES.onlyImportedBy}/`,
        );
      }
    }
  });
});
