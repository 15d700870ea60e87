/**
 * The house construct for every hub function: Node 22 on arm64, esbuild bundling,
 * X-Ray tracing, a log group with retention, and a role that starts with nothing.
 * Access is granted per function, and only what it needs: `bindTable` and `bindSecret`
 * set the environment variable and the permission together.
 */

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLE } from '../../shared/data/table.ts';
import { BUNDLING } from '../bundling.ts';
import { FUNCTION_TIMEOUT_SECONDS, type TableAccess } from '../routes.ts';

export interface AppFunctionProps {
  /** The file name in functions/, also the construct id and the route manifest's name. */
  name: string;
  description: string;
  projectRoot: string;
  environment?: Record<string, string>;
  /** Adds the Parameters and Secrets Lambda Extension, through which the function reads its provider keys. */
  readsSecrets?: boolean;
}

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'];
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

export class AppFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, props: AppFunctionProps) {
    super(scope, props.name);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `payments-hub ${props.name}`,
    });
    logGroup.grantWrite(this.role);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${props.projectRoot}/functions/${props.name}.ts`,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup,
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      ...(props.readsSecrets
        ? {
            paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
              cacheSize: 10,
              logLevel: ParamsAndSecretsLogLevel.WARN,
            }),
          }
        : {}),
      bundling: {
        ...BUNDLING,
        externalModules: [...BUNDLING.externalModules],
        mainFields: [...BUNDLING.mainFields],
      },
      environment: { NODE_ENV: 'production', ...props.environment },
    });
  }

  /** TABLE_NAME, and GetItem/Query (plus item writes for readWrite) on the table and its GSI only. */
  bindTable(table: TableV2, access: TableAccess): this {
    if (access === 'none') return this;
    this.fn.addEnvironment('TABLE_NAME', table.tableName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: access === 'readWrite' ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS,
        resources: [table.tableArn, `${table.tableArn}/index/${TABLE.gsi1.indexName}`],
      }),
    );
    return this;
  }

  /** `envName` (the secret's ARN), and read access to that one secret (create the function with `readsSecrets`). */
  bindSecret(envName: string, secret: ISecret): this {
    this.fn.addEnvironment(envName, secret.secretArn);
    secret.grantRead(this.role);
    return this;
  }
}
