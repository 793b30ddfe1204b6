// Shared setup for the services integration tests: one emulator per file with the services seed, and helpers
// that use the project's own factories (createEmulatorCredential, createSecretsService).
import * as path from 'node:path';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { Emulator } from '../support/emulator';
import { createEmulatorCredential } from '../../../src/auth/emulatorCredential';
import { createSecretsService, type SecretsServiceOptions } from '../../../src/azure/secretsService';
import type { EmulatorReadyInfo, SecretsService, VaultRef } from '../../../src/azure/model';

export const SERVICES_SEED = path.join(__dirname, 'services-seed.json');
export const TENANT_A = '5e7a0000-0000-4000-8000-00000000000a';
export const TENANT_B = '5e7a0000-0000-4000-8000-00000000000b';
export const SUB_A1 = '5e7b0000-0000-4000-8000-0000000000a1';
export const SUB_A2 = '5e7b0000-0000-4000-8000-0000000000a2';
export const SUB_B1 = '5e7b0000-0000-4000-8000-0000000000b1';
export const ADMIN = '5e7c0000-0000-4000-8000-0000000000ad';
export const READER = '5e7c0000-0000-4000-8000-0000000000e1';
export const SECRETS_USER = '5e7c0000-0000-4000-8000-0000000000e2';

export function readyInfo(emu: Emulator): EmulatorReadyInfo {
  return emu.ready as unknown as EmulatorReadyInfo;
}

export function emulatorVault(emu: Emulator, name: string): VaultRef {
  return { name, url: emu.vaultUrl(name), source: 'emulator' };
}

/** Counts requests as they go on the wire (after challenges and retries). */
export class WireCounter {
  readonly seen: { method: string; path: string; status: number }[] = [];
  readonly policy: PipelinePolicy = {
    name: 'wireCounter',
    sendRequest: async (req, next) => {
      const res = await next(req);
      this.seen.push({ method: req.method, path: new URL(req.url).pathname, status: res.status });
      return res;
    },
  };
  count(pred: (e: { method: string; path: string; status: number }) => boolean): number {
    return this.seen.filter(pred).length;
  }
  clear(): void { this.seen.length = 0; }
}

export function service(emu: Emulator, vault: string, opts: { clientId?: string; counter?: WireCounter } & SecretsServiceOptions = {}): SecretsService {
  const { clientId, counter, ...rest } = opts;
  return createSecretsService(emulatorVault(emu, vault), createEmulatorCredential(readyInfo(emu), { clientId, ca: emu.caPem }), {
    ca: emu.caPem,
    pollIntervalMs: 50,
    retryOptions: { maxRetries: 1, retryDelayInMs: 50, maxRetryDelayInMs: 200 },
    additionalPolicies: counter ? [{ policy: counter.policy, position: 'perRetry' }] : undefined,
    ...rest,
  });
}

export async function startServicesEmulator(): Promise<Emulator> {
  return Emulator.start({ seed: SERVICES_SEED });
}
