/** Starts the local stack once for the stack suite, on free ports so that a running `npm start` is not disturbed. */

import type { TestProject } from 'vitest/node';
import { freePort } from '../../infra/local/ports.ts';
import { startLocalStack } from '../../infra/local/stack.ts';

export interface StackInfo {
  hubUrl: string;
  affirmUrl: string;
  lyraUrl: string;
  snipcartUrl: string;
  env: Record<string, string>;
  keys: { pos: string; posLocation: string; admin: string };
  /** DynamoDB Local's Java process: a test may stall it (SIGSTOP) and must resume it (SIGCONT). */
  dynamodbPid: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

export default async function setup(project: TestProject) {
  const stack = await startLocalStack({
    hubPort: 0,
    dynamodbPort: await freePort(),
    tableName: 'payments-hub-test',
    // Every simulator on a free port. A short timeout, so that timeout scenarios run quickly;
    // the simulators answer in milliseconds otherwise.
    allProviders: { port: 0, timeoutMs: 1_500 },
    logLevel: process.env.LOG_LEVEL ?? 'silent',
  });
  project.provide('stack', {
    hubUrl: stack.hubUrl,
    affirmUrl: stack.simulators.affirm.url,
    lyraUrl: stack.simulators.lyra.url,
    snipcartUrl: stack.simulators.snipcart.url,
    env: stack.env,
    keys: stack.keys,
    dynamodbPid: stack.dynamodbPid ?? 0,
  });
  return () => stack.stop();
}
