// The first member of the credential chain: the VS Code Microsoft account (vscode.authentication).
// For the data plane the scope and tenant come from the vault's 401 challenge (the SDK passes them to getToken).
import * as vscode from 'vscode';
import { userLevelSetting } from './userSettings';
import type { AccessToken } from '@azure/core-auth';
import type { SessionTokenProvider } from '../auth/chain';

/** `microsoft`, or `microsoft-sovereign-cloud` when VS Code is set to a sovereign or custom cloud. */
export function authProviderId(): string {
  const env = userLevelSetting<string>('microsoft-sovereign-cloud', 'environment')?.trim();
  return env && env !== 'AzureCloud' ? 'microsoft-sovereign-cloud' : 'microsoft';
}

/** exp claim of a JWT access token (not verified: only to know when to ask again). */
export function tokenExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export class VSCodeSessionProvider implements SessionTokenProvider {
  /** Scopes for VS Code's Microsoft provider: the resource scope plus the tenant as a VSCODE_TENANT: scope. */
  static scopesFor(scopes: readonly string[], tenantId?: string): string[] {
    const s = [...scopes];
    if (tenantId && tenantId !== 'common' && tenantId !== 'organizations') s.push(`VSCODE_TENANT:${tenantId}`);
    return s;
  }

  async getToken(scopes: string[], tenantId?: string, options?: { interactive?: boolean }): Promise<AccessToken | null> {
    const providerId = authProviderId();
    const session = await vscode.authentication.getSession(providerId, VSCodeSessionProvider.scopesFor(scopes, tenantId),
      options?.interactive ? { createIfNone: true } : { silent: true });
    if (!session) return null;
    return { token: session.accessToken, expiresOnTimestamp: tokenExpiry(session.accessToken) ?? Date.now() + 5 * 60 * 1000 };
  }

  async accounts(): Promise<readonly vscode.AuthenticationSessionAccountInformation[]> {
    return vscode.authentication.getAccounts(authProviderId());
  }
}
