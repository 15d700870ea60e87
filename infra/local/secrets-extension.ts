/**
 * A stand-in for the AWS Parameters and Secrets Lambda Extension (GET /secretsmanager/get),
 * so that locally the functions read their provider keys through the very code that runs in
 * AWS. Like the extension, it answers only callers presenting the session token. Holds only
 * the local stack's values; never deployed.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalSecretsExtension {
  port: number;
  close(): Promise<void>;
}

export async function startLocalSecretsExtension(
  secrets: Record<string, string>,
  sessionToken: string,
): Promise<LocalSecretsExtension> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/secretsmanager/get')
      return reply(404, { message: 'not found' });
    if (req.headers['x-aws-parameters-secrets-token'] !== sessionToken)
      return reply(401, { message: 'missing token' });
    const secretId = url.searchParams.get('secretId') ?? '';
    const value = secrets[secretId];
    if (value === undefined)
      return reply(400, { message: "Secrets Manager can't find the specified secret." });
    reply(200, {
      ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${secretId}`,
      Name: secretId,
      SecretString: value,
      VersionId: 'local',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: new Date().toISOString(),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
