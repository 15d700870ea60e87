/**
 * The deployable hub: one DynamoDB table, one secret per provider, one function per
 * entry of the route manifest, and one HTTP API whose routes come from the same manifest
 * the local gateway serves.
 */

import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { TABLE } from '../shared/data/table.ts';
import { AppFunction } from './constructs/app-function.ts';
import { PROVIDER_LIST, type ProviderSpec, type ServiceName } from './providers.ts';
import { DEFAULT_ROUTE_FUNCTION, FUNCTIONS, type FunctionName, ROUTES } from './routes.ts';

export interface PaymentsHubStackProps extends StackProps {
  /** The repository root (functions/ and package-lock.json live there). */
  projectRoot: string;
  /**
   * Each provider's API host. A provider left out gets its CDK context key's value
   * (`npm run deploy -- -c <contextKey>=<url>`, see providers.ts), else its sandbox.
   */
  providerBaseUrls?: Partial<Record<ServiceName, string>>;
}

export class PaymentsHubStack extends Stack {
  readonly functions = new Map<FunctionName, AppFunction>();

  constructor(scope: Construct, id: string, props: PaymentsHubStackProps) {
    super(scope, id, props);

    const table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: TABLE.gsi1.indexName,
          partitionKey: { name: TABLE.gsi1.partitionKey, type: AttributeType.STRING },
          sortKey: { name: TABLE.gsi1.sortKey, type: AttributeType.STRING },
        },
      ],
      timeToLiveAttribute: TABLE.ttlAttribute,
      // The reconciler hears of a checkout confirmed by a webhook within seconds (see below).
      dynamoStream: StreamViewType.NEW_IMAGE,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const baseUrlOf = (provider: ProviderSpec): string =>
      props.providerBaseUrls?.[provider.name] ??
      (this.node.tryGetContext(provider.baseUrl.contextKey) as string | undefined) ??
      provider.baseUrl.default;
    const secrets = new Map(
      PROVIDER_LIST.map((provider) => [
        provider.name,
        new Secret(this, provider.secret.constructId, {
          description: provider.secret.description,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
      ]),
    );

    const api = new HttpApi(this, 'Api', { apiName: 'payments-hub', createDefaultStage: false });
    const apiUrl = `https://${api.apiId}.execute-api.${this.region}.${this.urlSuffix}`;

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const [name, spec] of Object.entries(FUNCTIONS) as [
      FunctionName,
      (typeof FUNCTIONS)[FunctionName],
    ][]) {
      const declared: readonly ServiceName[] = spec.secrets;
      const providers = PROVIDER_LIST.filter((provider) => declared.includes(provider.name));
      const fn = new AppFunction(this, {
        name,
        description: spec.description,
        projectRoot: props.projectRoot,
        readsSecrets: providers.length > 0,
        environment: {
          HUB_PUBLIC_URL: apiUrl,
          ...Object.fromEntries(providers.map((provider) => [provider.env.baseUrl, baseUrlOf(provider)])),
        },
      });
      fn.bindTable(table, spec.table);
      for (const provider of providers)
        fn.bindSecret(provider.env.secretId, secrets.get(provider.name) as Secret);
      this.functions.set(name, fn);
      integrations.set(name, new HttpLambdaIntegration(`${name}-integration`, fn.fn));
    }

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            route: '$context.routeKey',
            status: '$context.status',
            length: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    this.scheduleReconciler(table);

    for (const route of ROUTES) {
      const integration = integrations.get(route.function);
      if (!integration)
        throw new Error(`route ${route.method} ${route.path} names unknown function ${route.function}`);
      api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
    // `$default`: every request no route matches gets the hub's problem+json 404 or 405.
    new HttpRoute(this, 'DefaultRoute', {
      httpApi: api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrations.get(DEFAULT_ROUTE_FUNCTION) as HttpLambdaIntegration,
    });

    new CfnOutput(this, 'ApiUrl', { value: apiUrl });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    for (const provider of PROVIDER_LIST)
      new CfnOutput(this, `${provider.title}SecretArn`, {
        value: (secrets.get(provider.name) as Secret).secretArn,
      });

    this.suppressJustifiedFindings();
  }

  /**
   * The reconciler (functions/reconciler.ts) runs every minute, and at once when the table's
   * stream shows a payment whose checkout was just confirmed (a webhook's doing): a telesales
   * checkout is then authorized within seconds without the webhook waiting on the provider. Stream
   * batches that keep failing go to a queue for an operator; the next scheduled sweep retries
   * the orders anyway.
   */
  private scheduleReconciler(table: TableV2): void {
    const reconciler = this.functions.get('reconciler');
    if (!reconciler) throw new Error('the reconciler function is missing from the manifest');
    new Rule(this, 'ReconcilerSchedule', {
      description: 'Sweeps stranded payments and unsettled operations',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(reconciler.fn, { retryAttempts: 2 })],
    });
    const failed = new Queue(this, 'ReconcilerStreamFailures', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(failed).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter destination of the reconciler's stream (the event source's on-failure target); cdk-nag sees only SQS redrive policies.",
    });
    reconciler.fn.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 10,
        retryAttempts: 3,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(failed),
        filters: [
          FilterCriteria.filter({
            dynamodb: {
              NewImage: {
                SK: { S: FilterRule.isEqual('PAYMENT') },
                payment: { M: { checkout: { M: { state: { S: FilterRule.isEqual('confirmed') } } } } },
              },
            },
          }),
          // A storefront to tell of a payment just authorized (an IPN's doing).
          FilterCriteria.filter({
            dynamodb: {
              NewImage: {
                SK: { S: FilterRule.isEqual('PAYMENT') },
                [TABLE.storefrontToTell]: { BOOL: FilterRule.isEqual(true) },
              },
            },
          }),
        ],
      }),
    );
  }

  /**
   * Every cdk-nag (AwsSolutions) finding the hub accepts, each with its reason. Any other
   * finding stops synthesis, and the infra tests with it.
   */
  private suppressJustifiedFindings(): void {
    const stackWide: { id: string; reason: string }[] = [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Authorization happens in the functions: POS keys are checked against hashed keys in the table (one GetItem), provider callbacks by signature. An API Gateway authorizer would add a second cold start to every call.',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'The design fixes the Lambda runtime at Node.js 22 (arm64); moving to a newer runtime is a deliberate upgrade, not a drift.',
      },
      {
        id: 'AwsSolutions-SMG4',
        reason:
          "Provider keys are issued by each provider; rotating them is a manual step in the provider's dashboard that Secrets Manager cannot perform. The README documents it.",
      },
    ];
    for (const finding of stackWide) Validations.of(this).acknowledge(finding);
    for (const fn of this.functions.values()) {
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords) supports no resource-level permission, so its statement must use "*".',
      });
    }
  }
}
