// Registers every command from one place; each handler's errors become a message that says what to do. The handlers
// themselves load with the first command (src/commands/handlers.ts; dist/commands.js in the extension bundle).
import * as vscode from 'vscode';
import { loadCommands } from '../lazy/load';
import { COMPARE_SCHEME, comparisonDocuments } from '../ui/comparisonDocuments';
import { reportError } from '../ui/output';
import type { CommandContext } from './context';
import { commandIds } from './ids';

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
  const disposables = commandIds.map((id) =>
    vscode.commands.registerCommand(id, async (node?: unknown, ...rest: unknown[]) => {
      const rethrow = rest.some((r) => (r as { rethrow?: boolean } | undefined)?.rethrow === true);
      // a multi-selection in the tree arrives as an array of nodes right after the clicked node
      const nodes = Array.isArray(rest[0]) ? rest[0] as unknown[] : undefined;
      try {
        return await loadCommands().handlers[id](ctx, node, nodes);
      } catch (err) {
        const message = reportError(err, nodeContext(node));
        if (rethrow) throw message ? new Error(message) : err;
        return undefined;
      }
    }));
  disposables.push(vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, comparisonDocuments));
  return disposables;
}
