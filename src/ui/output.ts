// User-facing errors: a message that says what to do, and "Show Details" to an output channel.
// Neither ever contains a secret value or a token (classifyError guarantees it for service errors).
import * as vscode from 'vscode';
import { classifyError, KeyVaultError, type ErrorContext } from '../azure/errors';
import { UserCancelled } from './prompts';

let channel: vscode.LogOutputChannel | undefined;

/** The "Key Vault" log channel, created on first use (not at activation: VS Code creates a log folder for it). */
export function outputChannel(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Key Vault', { log: true });
  return channel;
}

/** Disposes the channel if it was ever created (for context.subscriptions). */
export const outputChannelDisposable: vscode.Disposable = {
  dispose() {
    channel?.dispose();
    channel = undefined;
  },
};

export function isCancellation(err: unknown): boolean {
  return err instanceof UserCancelled || err instanceof vscode.CancellationError ||
    (err instanceof KeyVaultError && err.kind === 'cancelled') || (err instanceof Error && err.name === 'AbortError');
}

/** Shows a classified error; resolves once shown (not when dismissed). Returns the message shown. */
export function reportError(err: unknown, context: ErrorContext = {}): string | undefined {
  if (isCancellation(err)) return undefined;
  const info = classifyError(err, context);
  outputChannel().error(`${info.message}\n${info.detail}`);
  const showDetails = vscode.l10n.t('Show Details');
  void vscode.window.showErrorMessage(info.message, showDetails).then((choice) => {
    if (choice === showDetails) outputChannel().show(true);
  });
  return info.message;
}
