// Copies a secret value and clears the clipboard after a delay if it still holds that value.
// Only a hash of the value is kept for the comparison.
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';

const hash = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export class ClipboardGuard implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private pendingDigest: string | undefined;
  private settle: ((cleared: boolean) => void) | undefined;
  /** Resolves when the pending clear ran (for tests and for deactivate). */
  pending: Promise<boolean> | undefined;

  async copy(value: string, clearAfterSeconds: number): Promise<void> {
    await vscode.env.clipboard.writeText(value);
    this.cancel();
    if (clearAfterSeconds <= 0) return;
    const digest = hash(value);
    this.pendingDigest = digest;
    this.pending = new Promise((resolve) => {
      this.settle = resolve;
      this.timer = setTimeout(() => {
        this.settle = undefined;
        this.timer = undefined;
        this.pendingDigest = undefined;
        void this.clearIf(digest).then(resolve, () => resolve(false));
      }, clearAfterSeconds * 1000);
    });
  }

  private async clearIf(digest: string): Promise<boolean> {
    const current = await vscode.env.clipboard.readText();
    if (hash(current) !== digest) return false;
    await vscode.env.clipboard.writeText('');
    return true;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pendingDigest = undefined;
    this.settle?.(false); // a newer copy or shutdown takes over: this clear will not run
    this.settle = undefined;
  }

  /** On shutdown: a value still waiting to be cleared is cleared now. */
  async flush(): Promise<void> {
    const digest = this.pendingDigest;
    this.cancel();
    if (digest) await this.clearIf(digest).catch(() => false);
  }

  dispose(): void {
    this.cancel();
  }
}
