// Wires the layers: hub (state + services), tree, virtual documents, commands. Nothing else happens here.
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { classifyError } from './azure/errors';
import { registerCommands } from './commands';
import { revealText } from './integrations/secretKinds';
import type { CommandContext } from './commands/context';
import { VaultTreeProvider } from './tree/provider';
import type { Node } from './tree/nodes';
import { ClipboardGuard } from './ui/clipboard';
import { CONNECTION_SCHEME, ConnectionDocumentProvider } from './ui/connectionDocument';
import { attachAnnouncedEmulator } from './ui/emulatorAttach';
import { Hub } from './ui/hub';
import { Integrations } from './ui/integrations';
import { SecretReferences } from './ui/references';
import { outputChannel, outputChannelDisposable } from './ui/output';
import { vscodePrompter, type Prompter } from './ui/prompts';
import { PresentationMode, RevealAutoClose } from './ui/presentation';
import { VaultSearch } from './ui/vaultSearch';
import { HiddenValueLenses, SECRET_SCHEME, SecretDocumentProvider } from './ui/secretDocument';

export interface KeyVaultExtensionApi {
  hub: Hub;
  tree: VaultTreeProvider;
  view: vscode.TreeView<Node>;
  clipboard: ClipboardGuard;
  references: SecretReferences;
  presentation: PresentationMode;
  search: VaultSearch;
  /** For tests: where the extension may keep state (the canary test scans all of it for secret values). */
  storage: Pick<vscode.ExtensionContext, 'globalState' | 'workspaceState' | 'logUri' | 'globalStorageUri' | 'storageUri'>;
  /** For tests: answers prompts in script. Pass undefined to restore the real prompts. */
  setPrompter(prompter: Prompter | undefined): void;
  /**
   * What activation cost this extension's own code (the benchmark reads it), in milliseconds: `evaluateMs` from the
   * first to the last line of dist/core.js running, `activateMs` activate() itself. `sinceLoadStartMs` is the
   * wall time from the first line to the end of activate(): it also holds what VS Code does in between (it creates
   * the extension's context, storage and log folders before it calls activate()). Undefined outside the bundle.
   */
  readonly activation: { evaluateMs: number; activateMs: number; sinceLoadStartMs: number } | undefined;
}

// dist/core.js notes the time on its first and last lines (esbuild banner and footer)
declare const KEYVAULT_LOAD_START: number | undefined;
declare const KEYVAULT_LOAD_END: number | undefined;

let commandContext: CommandContext | undefined;

export function activate(context: vscode.ExtensionContext): KeyVaultExtensionApi {
  const activateStart = performance.now();
  // the services layer (no vscode import there) localises through @vscode/l10n: give it VS Code's bundle
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const integrations = new Integrations();
  const hub = new Hub(context.globalState, integrations);
  // An emulator announced by the environment (npm run demo, the test host) shows under "Local emulator" (attached
  // before the view exists, so its first listing already holds it)
  if (vscode.workspace.getConfiguration('keyVault').get<boolean>('emulator.autoAttach', true)) {
    attachAnnouncedEmulator(hub, process.env.KEYVAULT_EMULATOR_READY);
  }
  const tree = new VaultTreeProvider(hub);
  const view = vscode.window.createTreeView('keyVault.vaults', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const clipboard = new ClipboardGuard();
  const documents = new SecretDocumentProvider(async (loc) => {
    const { value } = await hub.service(loc.vault).getSecretValue(loc.name, loc.version);
    return revealText(loc.name, value).text;
  });
  hub.onDiscoveryError = (err) => outputChannel().warn(`Azure vaults left out: ${classifyError(err).message}`);
  const references = new SecretReferences(hub, context.workspaceState);
  const presentation = new PresentationMode();
  const search = new VaultSearch(hub);
  const ctx: CommandContext = { extension: context, hub, tree, view, documents, clipboard, presentation, search, prompter: vscodePrompter, references };
  commandContext = ctx;
  context.subscriptions.push(integrations, hub, tree, references, view, clipboard, documents, outputChannelDisposable,
    vscode.workspace.registerTextDocumentContentProvider(SECRET_SCHEME, documents),
    vscode.workspace.registerTextDocumentContentProvider(CONNECTION_SCHEME, new ConnectionDocumentProvider(async (loc) =>
      (await hub.service(loc.vault).getSecretValue(loc.name, loc.version)).value)),
    presentation,
    presentation.onDidChange(() => tree.rerenderAll()),
    tree.onDidRefreshVault((url) => search.invalidate(url)),
    new RevealAutoClose((uri) => (uri.scheme === SECRET_SCHEME || uri.scheme === CONNECTION_SCHEME)
      && new URLSearchParams(uri.query).get('hidden') !== '1'),
    vscode.languages.registerCodeLensProvider([{ scheme: SECRET_SCHEME }, { scheme: CONNECTION_SCHEME }], new HiddenValueLenses()),
    ...registerCommands(ctx));

  const activateEnd = performance.now();
  const activation = typeof KEYVAULT_LOAD_START === 'number' && typeof KEYVAULT_LOAD_END === 'number'
    ? { evaluateMs: KEYVAULT_LOAD_END - KEYVAULT_LOAD_START, activateMs: activateEnd - activateStart, sinceLoadStartMs: activateEnd - KEYVAULT_LOAD_START }
    : undefined;
  return {
    hub, tree, view, clipboard, references, presentation, search, storage: context,
    setPrompter: (p) => { ctx.prompter = p ?? vscodePrompter; },
    activation,
  };
}

export async function deactivate(): Promise<void> {
  await commandContext?.clipboard.flush();
  await commandContext?.emulatorProcess?.stop();
  commandContext = undefined;
}
