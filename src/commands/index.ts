// Registers every command from one place; each handler's errors become a message that says what to do.
import * as vscode from 'vscode';
import { outputChannel, reportError } from '../ui/output';
import type { CommandContext } from './context';
import * as bulk from './bulkCommands';
import * as orchestrators from './orchestratorCommands';
import * as references from './referenceCommands';
import * as search from './searchCommands';
import * as secrets from './secretCommands';
import * as terminals from './terminalCommands';
import * as vaults from './vaultCommands';

/** `nodes`: the tree's multi-selection when the command came from the view (VS Code passes it second). */
type Handler = (ctx: CommandContext, node?: unknown, nodes?: unknown[]) => unknown;

const handlers: Record<string, Handler> = {
  'keyVault.refresh': vaults.refresh,
  'keyVault.retry': vaults.retry,
  'keyVault.signIn': vaults.signIn,
  'keyVault.addVaultByUrl': vaults.addVaultByUrl,
  'keyVault.removeVault': vaults.removeVault,
  'keyVault.filterSecrets': vaults.filterSecrets,
  'keyVault.clearFilter': vaults.clearFilter,
  'keyVault.searchAllVaults': search.searchAllVaults,
  'keyVault.openInPortal': vaults.openInPortal,
  'keyVault.loadMore': vaults.loadMore,
  'keyVault.startLocalEmulator': vaults.startLocalEmulator,
  'keyVault.stopLocalEmulator': vaults.stopLocalEmulator,
  'keyVault.attachLocalEmulator': vaults.attachLocalEmulator,
  'keyVault.setSecret': secrets.setSecret,
  'keyVault.newSecretVersion': secrets.setSecret,
  'keyVault.revealSecret': secrets.revealSecret,
  'keyVault.showHiddenValue': secrets.showHiddenValue,
  'keyVault.togglePresentationMode': (ctx) => ctx.presentation.toggle(),
  'keyVault.copySecretValue': secrets.copySecretValue,
  'keyVault.copySecretUri': secrets.copySecretUri,
  'keyVault.editSecretProperties': secrets.editSecretProperties,
  'keyVault.deleteSecret': secrets.deleteSecret,
  'keyVault.recoverSecret': secrets.recoverSecret,
  'keyVault.purgeSecret': secrets.purgeSecret,
  'keyVault.restoreVersion': secrets.restoreVersion,
  'keyVault.backupSecret': secrets.backupSecret,
  'keyVault.restoreSecretBackup': secrets.restoreSecretBackup,
  'keyVault.newAirflowConnection': orchestrators.newAirflowConnection,
  'keyVault.newAirflowVariable': orchestrators.newAirflowVariable,
  'keyVault.revealAirflowConnection': orchestrators.revealAirflowConnection,
  'keyVault.showConnectionPassword': orchestrators.showConnectionPassword,
  'keyVault.copyAirflowBackendConfig': orchestrators.copyAirflowBackendConfig,
  'keyVault.copyAirflowSnippet': orchestrators.copyAirflowSnippet,
  'keyVault.copyFlyteSecretRequest': orchestrators.copyFlyteSecretRequest,
  'keyVault.copySdkSnippet': orchestrators.copySdkSnippet,
  'keyVault.copyAppServiceReference': orchestrators.copyAppServiceReference,
  'keyVault.showZenmlKeys': orchestrators.showZenmlKeys,
  'keyVault.groupAirflowSecrets': orchestrators.groupAirflowSecrets,
  'keyVault.flattenAirflowSecrets': orchestrators.flattenAirflowSecrets,
  'keyVault.openTerminalWithSecrets': terminals.openTerminalWithSecrets,
  'keyVault.copyEnvReference': terminals.copyEnvReference,
  'keyVault.revealReference': references.revealReference,
  'keyVault.showReferenceInTree': references.showReferenceInTree,
  'keyVault.selectDefaultVault': references.selectDefaultVault,
  'keyVault.createReferencedSecret': references.createReferencedSecret,
  'keyVault.recoverReferencedSecret': references.recoverReferencedSecret,
  'keyVault.enableReferencedSecret': references.enableReferencedSecret,
  'keyVault.compareVaults': bulk.compareVaults,
  'keyVault.copySecrets': bulk.copySecrets,
  'keyVault.exportSecrets': bulk.exportSecrets,
  'keyVault.importSecrets': bulk.importSecrets,
  'keyVault.cancelBulk': () => bulk.cancelBulk(),
};

export const commandIds = Object.keys(handlers);

function nodeContext(node: unknown): { vaultName?: string; secret?: string } {
  const n = node as { vault?: { name?: string }; name?: string } | undefined;
  return { vaultName: n?.vault?.name, secret: n?.name };
}

/**
 * Registers the commands. A handler's result is returned to executeCommand callers; on failure the user
 * sees the classified message and the command resolves to undefined (the error is also rethrown to
 * programmatic callers that pass { rethrow: true } as the last argument — the tests do).
 */
export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const disposables = Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (node?: unknown, ...rest: unknown[]) => {
      const rethrow = rest.some((r) => (r as { rethrow?: boolean } | undefined)?.rethrow === true);
      // a multi-selection in the tree arrives as an array of nodes right after the clicked node
      const nodes = Array.isArray(rest[0]) ? rest[0] as unknown[] : undefined;
      try {
        return await handler(ctx, node, nodes);
      } catch (err) {
        const message = reportError(err, nodeContext(node));
        if (rethrow) throw message ? new Error(message) : err;
        return undefined;
      }
    }));
  disposables.push(vscode.commands.registerCommand('keyVault.showOutput', () => outputChannel().show(true)),
    vscode.workspace.registerTextDocumentContentProvider(bulk.COMPARE_SCHEME, bulk.comparisonDocuments));
  return disposables;
}
