// An Airflow connection shown as its parsed fields in a read-only virtual document (scheme keyvault-airflow):
// nothing on disk, never dirty; the password stays masked until "Show Connection Password" re-opens it shown.
import * as vscode from 'vscode';
import { parseConnectionValue } from '../integrations/airflow';
import { formatConnectionView } from '../integrations/airflowView';
import { hiddenValueText, parseSecretUri, secretUri, type SecretLocation } from './secretDocument';

export const CONNECTION_SCHEME = 'keyvault-airflow';

export interface ConnectionLocation extends SecretLocation {
  connId: string;
  showPassword: boolean;
}

export function connectionUri(loc: ConnectionLocation): vscode.Uri {
  const base = secretUri(loc);
  const query = new URLSearchParams(base.query);
  query.set('secret', loc.name);
  query.set('password', loc.showPassword ? 'shown' : 'masked');
  // the file name says whether the password is hidden: the editor title's "Show Connection Password" matches on it
  const title = `${loc.connId}${loc.version ? `@${loc.version.slice(0, 8)}` : ''} (Airflow connection${loc.hidden ? ', hidden' : loc.showPassword ? '' : ', password hidden'})`;
  return base.with({ scheme: CONNECTION_SCHEME, path: `/${loc.vault.name}/${title}`, query: query.toString() });
}

export function parseConnectionUri(uri: vscode.Uri): ConnectionLocation {
  const q = new URLSearchParams(uri.query);
  const loc = parseSecretUri(uri.with({ scheme: 'keyvault-secret' }));
  const label = uri.path.split('/')[2] ?? '';
  return { ...loc, name: q.get('secret') ?? loc.name, connId: label.replace(/ \(Airflow connection[^)]*\)$/, '').split('@')[0],
    showPassword: q.get('password') === 'shown' };
}

export class ConnectionDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly read: (loc: SecretLocation) => Promise<string>) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const loc = parseConnectionUri(uri);
    if (loc.hidden) return hiddenValueText(loc.connId);
    const value = await this.read(loc);
    return formatConnectionView(parseConnectionValue(value), { connId: loc.connId, secretName: loc.name,
      vaultName: loc.vault.name, version: loc.version }, loc.showPassword);
  }
}
