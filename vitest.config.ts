import { defineConfig } from 'vitest/config';

/**
 * Three suites:
 *   unit   no network; the AWS SDK is stubbed with aws-sdk-client-mock where a module talks to DynamoDB
 *   stack  integration and end-to-end tests against DynamoDB Local, the simulators and the local
 *          gateway over real HTTP, started once for the run (test/support/global-setup.ts). Files run
 *          one at a time because simulator faults and clocks are shared.
 *   infra  CDK assertions and cdk-nag on the synthesized stack
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          env: { TABLE_NAME: 'unit-test-table', AWS_REGION: 'us-east-1', LOG_LEVEL: 'error' },
        },
      },
      {
        test: {
          name: 'stack',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/stack-env.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
