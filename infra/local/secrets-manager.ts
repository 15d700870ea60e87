/**
 * A stand-in for the one Secrets Manager call the hub makes (GetSecretValue, JSON 1.1
 * protocol), so that locally the functions read their provider keys through the very
 * code that runs in AWS. Holds only the local stack's values. Not deployed.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalSecrets {
  endpoint: string;
  close(): Promise<void>;
}

export async function startLocalSecretsManager(secrets: Record<string, string>): Promise<LocalSecrets> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        return reply(400, {
          __type: 'UnknownOperationException',
          message: 'Only GetSecretValue is served locally.',
        });
      }
      const secretId = (JSON.parse(raw || '{}') as { SecretId?: string }).SecretId ?? '';
      const value = secrets[secretId];
      if (value === undefined) {
        return reply(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
      }
      reply(200, {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${secretId}`,
        Name: secretId,
        SecretString: value,
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Math.floor(Date.now() / 1000),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
