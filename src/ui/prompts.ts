// Every question the extension asks goes through a Prompter, so the extension-host tests can answer
// them in script and fail at once on a prompt they did not expect (instead of hanging on a real one).
import * as vscode from 'vscode';

export interface Prompter {
  inputBox(options: vscode.InputBoxOptions): Promise<string | undefined>;
  quickPick<T extends vscode.QuickPickItem>(items: readonly T[] | Promise<readonly T[]>,
    options: vscode.QuickPickOptions): Promise<T | undefined>;
  /** A quick pick with check boxes; resolves to the checked items (maybe none), undefined when dismissed. */
  quickPickMany<T extends vscode.QuickPickItem>(items: readonly T[] | Promise<readonly T[]>,
    options: vscode.QuickPickOptions): Promise<T[] | undefined>;
  /** A modal warning; resolves to the chosen button title. */
  confirm(message: string, detail: string | undefined, ...buttons: string[]): Promise<string | undefined>;
  openFile(options: vscode.OpenDialogOptions): Promise<vscode.Uri | undefined>;
  saveFile(options: vscode.SaveDialogOptions): Promise<vscode.Uri | undefined>;
}

export const vscodePrompter: Prompter = {
  inputBox: async (options) => vscode.window.showInputBox({ ignoreFocusOut: true, ...options }),
  quickPick: async (items, options) => vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options }),
  quickPickMany: async (items, options) => vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options, canPickMany: true }),
  confirm: async (message, detail, ...buttons) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons),
  openFile: async (options) => (await vscode.window.showOpenDialog(options))?.[0],
  saveFile: async (options) => vscode.window.showSaveDialog(options),
};

/** Thrown when the user dismisses a prompt: commands end quietly. */
export class UserCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'UserCancelled';
  }
}

export function required<T>(value: T | undefined): T {
  if (value === undefined) throw new UserCancelled();
  return value;
}
