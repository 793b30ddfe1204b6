// Page helpers for the real VS Code workbench (code-server 4.117 = VS Code 1.117) in headless chromium.
// Selectors are the workbench's own DOM: activity bar `.part.activitybar`, tree rows
// `.monaco-list-row[role=treeitem]`, menus `.monaco-menu`, quick input `.quick-input-widget`, toasts
// `.notifications-toasts`, modal dialogs `.monaco-dialog-box`. Menus and toasts animate: the helpers wait for
// them to settle before screenshots.
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { session } from './session';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The last error the extension logged to its "Key Vault" channel (message and detail on one line), for a failure
 * message: the runner's list of failed tests shows a message's first line only. Empty when there is none.
 */
export function lastKeyVaultError(): string {
  const dir = session().logsDir;
  if (!dir || !fs.existsSync(dir)) return '';
  const logs = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('Key Vault.log'));
  let last = '';
  for (const f of logs) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const at = text.lastIndexOf('[error]');
    if (at < 0) continue;
    // an entry runs to the next timestamped line
    const entry = text.slice(at).split(/\n(?=\d{4}-\d\d-\d\d )/)[0];
    last = entry.replace(/\s*\n\s*/g, ' | ').slice(0, 700);
  }
  return last ? ` — last Key Vault log error: ${last}` : '';
}
const exact = (s: string) => new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

export class Workbench {
  private constructor(readonly page: Page) {}

  /** A new page with the workbench loaded and the extension host up. */
  static async open(): Promise<Workbench> {
    const s = session();
    const page = await s.browser.newPage();
    await page.goto(s.workbenchUrl);
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60000 });
    return new Workbench(page);
  }

  async close(): Promise<void> {
    await this.page.close();
  }

  // ---- views ----

  /** Clicks our activity-bar container ("Key Vault") unless it is already open, and widens the side bar. */
  async openKeyVaultView(): Promise<void> {
    await this.openActivityBarView('Key Vault');
    await this.widenSideBar();
  }

  /** Drags the side bar's sash so long secret names fit (the default 300 px cuts them off in screenshots). */
  async widenSideBar(width = 480): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box || box.width >= width) return;
    const x = box.x + box.width;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, y, { steps: 5 });
    await this.page.mouse.up();
  }

  async openActivityBarView(title: string): Promise<void> {
    const tab = this.page.locator('.part.activitybar .action-item').filter({
      has: this.page.locator(`a[aria-label^="${title}"]`),
    }).first();
    await tab.waitFor({ timeout: 60000 });
    const viewTitle = this.page.locator('.part.sidebar .composite.title', { hasText: new RegExp(title, 'i') }).first();
    // A page restores the layout of the last one (same browser profile): the container may be "checked" while
    // the side bar is hidden, and clicking a checked entry hides it. Click until its title shows.
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 || (await tab.getAttribute('class'))?.split(/\s+/).includes('checked') !== true) await tab.click();
      try {
        await viewTitle.waitFor({ timeout: attempt < 3 ? 5000 : 30000 });
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
  }

  // ---- tree ----

  /** The tree row whose label is exactly `label` (description and icons aside). */
  treeItem(label: string): Locator {
    return this.page.locator('.part.sidebar .monaco-list-row[role="treeitem"]').filter({
      has: this.page.locator('.label-name', { hasText: exact(label) }),
    }).first();
  }

  async waitForTreeItem(label: string, timeout = 30000): Promise<Locator> {
    const row = this.treeItem(label);
    await row.waitFor({ timeout });
    return row;
  }

  /** Labels of the visible tree rows, in order. */
  async treeLabels(): Promise<string[]> {
    return this.page.locator('.part.sidebar .monaco-list-row[role="treeitem"] .label-name').allInnerTexts();
  }

  /** Waits until the visible tree labels satisfy `check`; returns them. */
  async waitForTree(what: string, check: (labels: string[]) => boolean, timeout = 20000): Promise<string[]> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const labels = await this.treeLabels();
      if (check(labels)) return labels;
      if (Date.now() > deadline) throw new Error(`tree never showed ${what}: ${JSON.stringify(labels)}${lastKeyVaultError()}`);
      await sleep(250);
    }
  }

  async expand(label: string): Promise<void> {
    const row = await this.waitForTreeItem(label);
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    const deadline = Date.now() + 30000;
    while ((await row.getAttribute('aria-expanded')) !== 'true') {
      if (Date.now() > deadline) throw new Error(`tree item ${label} did not expand`);
      await sleep(100);
    }
  }

  /**
   * Hovers `target` until `hover` shows; returns it. A hover the workbench drops (the pointer already there, a
   * busy renderer past the hover delay) is retried: the pointer leaves and comes back every 3 s.
   */
  async hoverUntil(target: Locator, hover: Locator, timeout = 20000): Promise<Locator> {
    const deadline = Date.now() + timeout;
    for (;;) {
      await target.hover();
      try {
        await hover.waitFor({ timeout: Math.max(1, Math.min(3000, deadline - Date.now())) });
        return hover;
      } catch (e) {
        if (Date.now() >= deadline) throw e;
        await this.page.mouse.move(0, 0);
      }
    }
  }

  /** Right-clicks a tree row and runs the context-menu entry `item`. */
  async contextMenu(label: string, item: string): Promise<void> {
    const row = await this.waitForTreeItem(label);
    await row.click({ button: 'right' });
    const entry = this.page.locator('.monaco-menu .action-item a.action-menu-item', {
      has: this.page.locator('.action-label', { hasText: exact(item) }),
    }).first();
    await entry.waitFor({ timeout: 10000 });
    await sleep(300);
    await entry.click();
  }

  /** The labels of the open context menu (call after a right-click). */
  async menuEntries(): Promise<string[]> {
    await this.page.locator('.monaco-menu').first().waitFor({ timeout: 10000 });
    return this.page.locator('.monaco-menu .action-item a.action-menu-item .action-label').allInnerTexts();
  }

  // ---- commands, quick input, input box ----

  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: 10000 });
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10000 });
    await this.page.keyboard.press('Enter');
  }

  /** What the open input box / quick pick shows: title, prompt message and placeholder. */
  async inputPrompt(): Promise<string> {
    const widget = this.page.locator('.quick-input-widget:visible');
    await widget.waitFor({ timeout: 15000 });
    const placeholder = await widget.locator('.quick-input-box input').getAttribute('placeholder');
    return `${(await widget.innerText()).trim()} ${placeholder ?? ''}`.trim();
  }

  /** Types into the open input box (or quick-pick filter) and accepts with Enter. */
  async answerInput(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget:visible .quick-input-box input');
    await input.waitFor({ timeout: 15000 });
    await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** Picks the quick-pick row whose label is `label`. */
  async pick(label: string): Promise<void> {
    const row = this.page.locator('.quick-input-widget:visible .monaco-list-row', {
      has: this.page.locator('.label-name, .monaco-highlighted-label', { hasText: exact(label) }),
    }).first();
    await row.waitFor({ timeout: 15000 });
    await row.click();
  }

  // ---- notifications and dialogs ----

  /** Waits for a notification toast containing `text`; returns its message. */
  async notification(text: string | RegExp, timeout = 20000): Promise<string> {
    const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    await toast.waitFor({ timeout });
    return (await toast.locator('.notification-list-item-message').innerText()).trim();
  }

  async clickNotificationButton(text: string | RegExp, button: string): Promise<void> {
    const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    await toast.locator('a.monaco-button', { hasText: exact(button) }).click();
  }

  /** Clicks `button` in the modal dialog (VS Code's own dialog, as in the web workbench). */
  async dialogButton(button: string, timeout = 15000): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout });
    const message = (await dialog.innerText()).trim();
    await dialog.locator('.dialog-buttons a.monaco-button, .dialog-buttons button', { hasText: exact(button) }).first().click();
    return message;
  }

  // ---- editor ----

  /** Text of the active editor (non-breaking spaces as spaces, trimmed). */
  async editorText(): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines');
    await lines.first().waitFor({ timeout: 15000 });
    return (await lines.first().innerText()).replace(/\u00a0/g, ' ').trim();
  }

  // ---- screenshots ----

  /** Saves test-output/ui/<name>.png after animations settle; returns the path. */
  async screenshot(name: string, { parkMouse = true, clip }: { parkMouse?: boolean; clip?: { x: number; y: number; width: number; height: number } } = {}): Promise<string> {
    const file = path.join(session().outDir, `${name}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // park the pointer on the empty editor area so no hover tooltip covers the picture
    if (parkMouse) await this.page.mouse.move(900, 700);
    await sleep(700);
    await this.page.screenshot({ path: file, clip });
    return file;
  }
}
