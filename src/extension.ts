import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // wired in src/extension.ts by the Core issue
}

export function deactivate(): void {}
