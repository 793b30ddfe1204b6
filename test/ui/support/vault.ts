// A direct SDK client to an emulator vault of this UI run: what the clicks did is checked in the vault itself.
import * as fs from 'fs';
import { SecretClient } from '@azure/keyvault-secrets';
import { createEmulatorCredential } from '../../../src/auth/emulatorCredential';
import { localEmulatorPolicy } from '../../../src/azure/localTransport';
import type { EmulatorReadyInfo } from '../../../src/azure/model';
import { session } from './session';

export function vaultClient(vault: string): SecretClient {
  const info = session().emulator as EmulatorReadyInfo;
  const url = info.vaults.find((v) => v.name === vault)!.url;
  return new SecretClient(url, createEmulatorCredential(info), {
    additionalPolicies: [{ policy: localEmulatorPolicy(fs.readFileSync(info.ca)), position: 'perCall' }],
  });
}
