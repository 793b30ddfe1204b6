// What the user was shown: the tests share the extension's `vscode` API object, so wrapping
// window.show*Message records every message the extension shows.
import * as vscode from 'vscode';

export interface Shown { level: 'error' | 'warning' | 'info'; message: string }

/** Records the messages the extension shows (the test shares the extension's `vscode` API object). */
export function spyOnMessages(): { shown: Shown[]; restore(): void } {
  const w = vscode.window as unknown as Record<string, (...a: unknown[]) => unknown>;
  const levels = { showErrorMessage: 'error', showWarningMessage: 'warning', showInformationMessage: 'info' } as const;
  const shown: Shown[] = [];
  const saved = Object.keys(levels).map((fn) => [fn, w[fn]!] as const);
  for (const [fn, original] of saved) {
    w[fn] = (...a: unknown[]) => {
      shown.push({ level: levels[fn as keyof typeof levels], message: String(a[0]) });
      return original.apply(vscode.window, a);
    };
  }
  return { shown, restore: () => { for (const [fn, original] of saved) w[fn] = original; } };
}
