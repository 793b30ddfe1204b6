// Secret values are shown in read-only virtual documents of their own scheme: nothing is written to disk,
// no untitled document exists to be saved, and the editor never becomes dirty.
import * as vscode from 'vscode';
import type { VaultRef } from '../azure/model';

export const SECRET_SCHEME = 'keyvault-secret';

export interface SecretLocation {
  vault: VaultRef;
  name: string;
  version?: string;
  /** Presentation mode: the view opens masked and reads nothing until "Show Value" is clicked. */
  hidden?: boolean;
}

/** The file name says " (hidden)" for a masked view: the editor title's "Show Value" matches on it. */
const HIDDEN_SUFFIX = ' (hidden)';

export function secretUri(loc: SecretLocation): vscode.Uri {
  const query = new URLSearchParams({ vault: loc.vault.url, source: loc.vault.source });
  if (loc.version) query.set('version', loc.version);
  if (loc.hidden) query.set('hidden', '1');
  if (loc.vault.tenantId) query.set('tenant', loc.vault.tenantId);
  if (loc.vault.subscriptionId) query.set('subscription', loc.vault.subscriptionId);
  const label = (loc.version ? `${loc.name}@${loc.version.slice(0, 8)}` : loc.name) + (loc.hidden ? HIDDEN_SUFFIX : '');
  return vscode.Uri.from({ scheme: SECRET_SCHEME, path: `/${loc.vault.name}/${label}`, query: query.toString() });
}

export function parseSecretUri(uri: vscode.Uri): SecretLocation {
  const q = new URLSearchParams(uri.query);
  const [, vaultName, label] = uri.path.split('/');
  const name = (label ?? '').split(/[@ ]/)[0];
  const vault: VaultRef = {
    name: vaultName, url: q.get('vault') ?? '', source: (q.get('source') ?? 'url') as VaultRef['source'],
    tenantId: q.get('tenant') ?? undefined, subscriptionId: q.get('subscription') ?? undefined,
  };
  return { vault, name, version: q.get('version') ?? undefined, hidden: q.get('hidden') === '1' };
}

/** What a masked view shows instead of a value (presentation mode). */
export function hiddenValueText(what: string): string {
  return vscode.l10n.t('•••••••• The value of {0} is hidden: presentation mode is on.', what) + '\n\n'
    + vscode.l10n.t('Click "Show Value" above (or the eye in the editor title) to show it.') + '\n';
}

/** "Show Value" above a masked view (presentation mode); clicking it opens the view with the value. */
export class HiddenValueLenses implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (new URLSearchParams(document.uri.query).get('hidden') !== '1') return [];
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
      title: '$(eye) ' + vscode.l10n.t('Show Value'), command: 'keyVault.showHiddenValue', arguments: [document.uri],
    })];
  }
}

export class SecretDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Values read by the reveal command just before opening, handed over once (one read, errors shown by the command). */
  private readonly primed = new Map<string, string>();

  constructor(private readonly read: (loc: SecretLocation, token: vscode.CancellationToken) => Promise<string>) {}

  prime(uri: vscode.Uri, value: string): void {
    this.primed.set(uri.toString(), value);
  }

  provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const loc = parseSecretUri(uri);
    if (loc.hidden) return Promise.resolve(hiddenValueText(loc.name));
    const key = uri.toString();
    const value = this.primed.get(key);
    if (value !== undefined) {
      this.primed.delete(key);
      return Promise.resolve(value);
    }
    return this.read(loc, token);
  }

  /** Re-reads an open document (after a new version was set). */
  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
