// keyVault.searchAllVaults: one quick pick over the names of every secret in every visible vault (emulator, added by
// URL, discovered), with the vault and state of each; picking one selects it in the tree. Names come from the
// VaultSearch index (src/ui/vaultSearch.ts): listed on first use, kept fresh after. Never a value.
import * as vscode from 'vscode';
import type { VaultRef } from '../azure/model';
import type { SearchHit, SearchState } from '../tree/search';
import { DeletedFolderNode, type Node } from '../tree/nodes';
import { vaultListKey } from '../ui/pagedList';
import { required } from '../ui/prompts';
import { findSecretNode, findVaultNode } from './referenceCommands';
import type { CommandContext } from './context';

interface HitItem extends vscode.QuickPickItem {
  hit: SearchHit;
  vault: VaultRef;
}

function stateText(state: SearchState): string | undefined {
  switch (state) {
    case 'disabled': return vscode.l10n.t('disabled');
    case 'expired': return vscode.l10n.t('expired');
    case 'deleted': return vscode.l10n.t('deleted');
    default: return undefined;
  }
}

const stateIcon: Record<SearchState, string> = { enabled: '$(key)', disabled: '$(circle-slash)', expired: '$(warning)', deleted: '$(trash)' };

export interface SearchResult {
  hit: SearchHit;
  node?: Node;
}

/** keyVault.searchAllVaults */
export async function searchAllVaults(ctx: CommandContext): Promise<SearchResult> {
  const vaults = await ctx.hub.knownVaults();
  if (vaults.length === 0) throw new Error(vscode.l10n.t('No key vaults yet: sign in to Azure, add a vault by URL, or start the local emulator.'));
  const byKey = new Map(vaults.map((v) => [vaultListKey(v), v]));
  const items = (async () => {
    const failures = await ctx.search.fill(vaults);
    for (const f of failures) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Search All Vaults left out {0}: it could not be listed.', f.vault.name));
    }
    return ctx.search.index.query('', Number.MAX_SAFE_INTEGER)
      .filter((h) => byKey.has(h.vaultKey))
      .map((h): HitItem => ({
        label: `${stateIcon[h.state]} ${h.name}`,
        description: [h.vaultName, stateText(h.state)].filter(Boolean).join(' · '),
        hit: h, vault: byKey.get(h.vaultKey)!,
      }));
  })();
  const picked = required(await ctx.prompter.quickPick(items, {
    placeHolder: vscode.l10n.t('Search secret names in every vault ({0} vaults)', vaults.length),
    matchOnDescription: true,
  }));
  return { hit: picked.hit, node: await showHit(ctx, picked.vault, picked.hit) };
}

/** Selects the secret (or, for a deleted one, its entry under "Deleted secrets") in the Key Vault view. */
async function showHit(ctx: CommandContext, vault: VaultRef, hit: SearchHit): Promise<Node | undefined> {
  // A vault refreshed a moment ago (a command changed it) may not be rendered again yet, and the view then cannot
  // resolve the new node: find it again and retry a few times before saying so.
  for (let attempt = 0; ; attempt++) {
    const node = await findHit(ctx, vault, hit);
    if (!node) {
      void vscode.window.showWarningMessage(vscode.l10n.t('"{0}" is no longer listed in {1}: refresh the Key Vault view.', hit.name, vault.name));
      return undefined;
    }
    try {
      await ctx.view.reveal(node, { select: true, focus: true, expand: false });
      return node;
    } catch {
      if (attempt < 3) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      // the view still renders the vault's old listing: show the vault, and say where the secret is
      const vaultNode = await findVaultNode(ctx, vault);
      if (vaultNode) await ctx.view.reveal(vaultNode, { select: true, focus: true, expand: true }).then(undefined, () => undefined);
      void vscode.window.setStatusBarMessage('$(search) ' + vscode.l10n.t('"{0}" is in {1}', hit.name, vault.name), 8000);
      return vaultNode;
    }
  }
}

async function findHit(ctx: CommandContext, vault: VaultRef, hit: SearchHit): Promise<Node | undefined> {
  if (hit.state !== 'deleted') return findSecretNode(ctx, vault, hit.name);
  const vaultNode = await findVaultNode(ctx, vault);
  const folder = vaultNode && (await ctx.tree.getChildren(vaultNode)).find((c) => c instanceof DeletedFolderNode);
  if (!folder) return undefined;
  const lower = hit.name.toLowerCase();
  return (await ctx.tree.getChildren(folder)).find((c) => (c as { name?: string }).name?.toLowerCase() === lower) ?? folder;
}
