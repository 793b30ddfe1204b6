// The local emulator's own credential: a client-secret principal from its ready line. Used ONLY for emulator
// vaults; the user's Azure account never goes to the emulator, and this credential never goes to Azure.
import { readFileSync } from 'node:fs';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { loadIdentity } from '../lazy/load';
import { localEmulatorPolicy } from '../azure/localTransport';
import type { CloudEnvironment, EmulatorReadyInfo } from '../azure/model';

/** The emulator's CA (PEM), read from the path in its ready line. */
export function readEmulatorCa(info: Pick<EmulatorReadyInfo, 'ca'>): Buffer {
  return readFileSync(info.ca);
}

export interface EmulatorCredentialOptions {
  /** Which principal to use; default the first one listed. */
  clientId?: string;
  /** CA contents; default read from info.ca. */
  ca?: string | Buffer;
}

export function createEmulatorCredential(info: EmulatorReadyInfo, options: EmulatorCredentialOptions = {}): TokenCredential {
  const principal = options.clientId
    ? info.principals.find((p) => p.clientId === options.clientId)
    : info.principals[0];
  if (!principal) {
    throw new Error(options.clientId
      ? `The emulator has no principal with client id ${options.clientId}.`
      : 'The emulator lists no principals.');
  }
  const ca = options.ca ?? readEmulatorCa(info);
  // @azure/identity is loaded with the first token, not when the emulator is attached (at activation)
  let credential: TokenCredential | undefined;
  return {
    getToken(scopes: string | string[], getTokenOptions?: GetTokenOptions): Promise<AccessToken | null> {
      credential ??= new (loadIdentity().ClientSecretCredential)(info.tenantId, principal.clientId, principal.clientSecret, {
        authorityHost: info.authorityHost,
        disableInstanceDiscovery: true,
        additionallyAllowedTenants: ['*'],
        additionalPolicies: [{ policy: localEmulatorPolicy(ca), position: 'perCall' }],
      });
      return credential.getToken(scopes, getTokenOptions);
    },
  };
}

/** Host (with port) of the emulator's vaults, e.g. "vault.localhost:8443". */
export function emulatorVaultSuffix(info: Pick<EmulatorReadyInfo, 'port'>): string {
  return `vault.localhost:${info.port}`;
}

/** A cloud whose endpoints are the emulator: what the custom-cloud test path configures in VS Code. */
export function emulatorCloud(info: EmulatorReadyInfo): CloudEnvironment {
  const arm = info.armEndpoint.endsWith('/') ? info.armEndpoint : `${info.armEndpoint}/`;
  const suffix = emulatorVaultSuffix(info);
  return {
    name: 'LocalEmulator',
    resourceManagerEndpoint: arm,
    authorityHost: info.authorityHost.endsWith('/') ? info.authorityHost : `${info.authorityHost}/`,
    keyVaultDnsSuffix: suffix,
    managementScope: `${arm.replace(/\/+$/, '')}/.default`,
    keyVaultResource: `https://${suffix}`,
  };
}

/** The `microsoft-sovereign-cloud.customEnvironment` object that points VS Code's auth at the emulator. */
export function emulatorCustomEnvironment(info: EmulatorReadyInfo): Record<string, string> {
  return {
    name: 'LocalEmulator',
    portalUrl: info.armEndpoint,
    resourceManagerEndpointUrl: info.armEndpoint,
    managementEndpointUrl: info.armEndpoint,
    activeDirectoryEndpointUrl: info.authorityHost.endsWith('/') ? info.authorityHost : `${info.authorityHost}/`,
    activeDirectoryResourceId: info.armEndpoint,
    keyVaultDnsSuffix: `.${emulatorVaultSuffix(info)}`,
  };
}
