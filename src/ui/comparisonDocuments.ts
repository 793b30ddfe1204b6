// The vault comparison reports (Compare with Another Vault…): read-only virtual documents. Registered at activation
// (src/commands/index.ts), filled by the bulk commands.
import * as vscode from 'vscode';

export const COMPARE_SCHEME = 'keyvault-compare';

/** The comparison reports: read-only virtual documents, kept in memory for the session (names and metadata only). */
export class ComparisonDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private counter = 0;
  add(title: string, text: string): vscode.Uri {
    const id = `${++this.counter}`;
    this.texts.set(id, text);
    return vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${title}.md`, query: id });
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.query) ?? vscode.l10n.t('This comparison is no longer available: compare the vaults again.');
  }
}

export const comparisonDocuments = new ComparisonDocuments();
