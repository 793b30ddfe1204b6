// Settings that decide where tokens go are read from the user's own settings only. Ours declare scope
// "application" or "machine" (VS Code then ignores workspace values); VS Code's sovereign-cloud settings are
// window-scoped, so a repository's .vscode/settings.json could point them at an endpoint of its choosing:
// their workspace and folder values are ignored here, and the output channel says so once.
import * as vscode from 'vscode';
import { outputChannel } from './output';

const reported = new Set<string>();

/** The user (or default) value of `section.key`; a workspace or folder value is ignored and reported once. */
export function userLevelSetting<T>(section: string, key: string): T | undefined {
  const info = vscode.workspace.getConfiguration(section).inspect<T>(key);
  if (!info) return undefined;
  const ignored = info.workspaceFolderValue !== undefined || info.workspaceValue !== undefined;
  const id = `${section}.${key}`;
  if (ignored && !reported.has(id)) {
    reported.add(id);
    outputChannel().warn(`Ignored the workspace value of ${id}: the cloud, which decides where your Azure tokens go, ` +
      'is read from your user settings only.');
  }
  if (!ignored) reported.delete(id);
  return info.globalValue ?? info.defaultValue;
}
