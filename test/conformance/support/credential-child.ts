// Child process of the credential conformance tests: an unmodified DefaultAzureCredential configured ONLY by
// the environment it was started with (the emulator's environment block: authority, tenant, client id,
// federated token file or secret or managed-identity endpoint, NODE_EXTRA_CA_CERTS). Nothing here trusts the
// emulator's CA: only the name resolution of *.vault.localhost is supplied (glibc does not resolve it here).
//   node --import tsx credential-child.ts <4.12|4.11> <secret name>
// Prints one JSON line: {"ok":true,"sha256":…} (a hash of the value, never the value) or {"ok":false,"error":…}.
import * as crypto from 'node:crypto';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { SecretClient as SecretClient411 } from 'keyvault-secrets-4-11';
import { localhostLookup } from '../../../src/azure/localTransport';

const lookupOnly: PipelinePolicy = {
  name: 'lookupOnly',
  sendRequest(request, next) {
    request.requestOverrides = { ...request.requestOverrides, lookup: localhostLookup };
    return next(request);
  },
};

async function main(): Promise<void> {
  const [line, name] = process.argv.slice(2);
  const url = process.env.KEYVAULT_URL;
  if (!url || !name) throw new Error('KEYVAULT_URL and a secret name are required');
  const Client = (line === '4.11' ? SecretClient411 : SecretClient) as typeof SecretClient;
  const client = new Client(url, new DefaultAzureCredential(), { additionalPolicies: [{ policy: lookupOnly, position: 'perCall' }] });
  const secret = await client.getSecret(name);
  const sha256 = crypto.createHash('sha256').update(secret.value ?? '').digest('hex');
  process.stdout.write(JSON.stringify({ ok: true, sha256 }) + '\n');
}

main().catch((e: unknown) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String((e as Error)?.message ?? e).slice(0, 1500) }) + '\n');
  process.exitCode = 1;
});
