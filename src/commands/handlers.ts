// The command handlers, loaded with the first command (dist/commands.js in the extension bundle, see src/lazy/load.ts)
// rather than at activation. Errors are classified where they are registered (src/commands/index.ts).
import type { CommandContext } from './context';
import type { CommandId } from './ids';
import * as bulk from './bulkCommands';
import * as orchestrators from './orchestratorCommands';
import * as references from './referenceCommands';
import * as search from './searchCommands';
import * as secrets from './secretCommands';
import * as terminals from './terminalCommands';
import * as vaults from './vaultCommands';
import { outputChannel } from '../ui/output';

/** `nodes`: the tree's multi-selection when the command came from the view (VS Code passes it second). */
export type Handler = (ctx: CommandContext, node?: unknown, nodes?: unknown[]) => unknown;

export const handlers: Record<CommandId, Handler> = {
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
  'keyVault.showOutput': () => outputChannel().show(true),
};
