// "Tokens go only to allowed hosts": picks the credential a vault may receive, or refuses.
import type { TokenCredential } from '@azure/core-auth';
import { hostMatches, isTokenAllowedForHost } from '../azure/clouds';
import { TokenHostNotAllowedError } from '../azure/errors';
import type { CloudEnvironment, VaultRef } from '../azure/model';

export interface CredentialChoice {
  azureCredential?: TokenCredential;
  emulatorCredential?: TokenCredential;
  cloud: CloudEnvironment;
  /** Hosts (host[:port], or *.suffix) of the emulator's vaults. Default: *.vault.localhost on any port. */
  emulatorHosts?: readonly string[];
}

function isEmulatorHost(url: string, hosts?: readonly string[]): boolean {
  let u: URL;
  try { u = new URL(url); } catch { return false; }
  if (u.protocol !== 'https:') return false;
  const host = u.hostname.toLowerCase();
  if (!hosts) return host.endsWith('.vault.localhost') || host === 'localhost' || host === '127.0.0.1';
  return hostMatches(u, hosts);
}

/**
 * Emulator vaults get the emulator credential (and only emulator hosts may get it); every other vault gets the
 * Azure credential, only when its host is under the cloud's Key Vault DNS suffix.
 */
export function credentialForVault(vault: Pick<VaultRef, 'url' | 'source'>, choice: CredentialChoice): TokenCredential {
  if (vault.source === 'emulator') {
    if (!choice.emulatorCredential) throw new Error('The local emulator is not running or attached: start it from the "Local emulator" view.');
    if (!isEmulatorHost(vault.url, choice.emulatorHosts)) {
      throw new TokenHostNotAllowedError(vault.url, choice.emulatorHosts?.join(', ') ?? 'vault.localhost');
    }
    return choice.emulatorCredential;
  }
  if (!isTokenAllowedForHost(vault.url, choice.cloud)) {
    throw new TokenHostNotAllowedError(vault.url, choice.cloud.keyVaultDnsSuffix);
  }
  if (!choice.azureCredential) throw new Error('Sign in to Azure first ("Key Vault: Sign In").');
  return choice.azureCredential;
}
