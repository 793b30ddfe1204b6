// Presentation mode as a person sharing their screen uses it: click the status-bar toggle, hover a secret, reveal
// it. Nothing on the page — the whole DOM, not only what is painted — may hold a tag value, a content type or the
// value; "Show Value" then shows the value (so the check can fail).
import * as assert from 'assert';
import { vaultClient } from './support/vault';
import { Workbench } from './support/workbench';

const VAULT = 'contoso-orchestr-dev';
const SECRET = 'partner-api-token'; // content type text/plain, tags owner=integrations, rotate=overdue
const HIDDEN = ['integrations', 'overdue', 'text/plain'];

describe('presentation mode in the real workbench', () => {
  let wb: Workbench;
  let value: string;
  before(async () => {
    value = (await vaultClient(VAULT).getSecret(SECRET)).value!;
    wb = await Workbench.open();
    await wb.openKeyVaultView();
    await wb.expand(VAULT);
    await wb.waitForTreeItem(SECRET);
  });
  after(async () => {
    const on = wb?.page.locator('.part.statusbar [aria-label="Key Vault presentation mode on"]');
    if (on && await on.isVisible().catch(() => false)) await on.click();
    await wb?.close();
  });

  const pageText = async () => (await wb.page.content()) + (await wb.page.locator('body').innerText());
  const toggle = (state: 'on' | 'off') => wb.page.locator(`.part.statusbar [aria-label="Key Vault presentation mode ${state}"]`).first();

  it('hides tag values, content types and values from the whole page until "Show Value"', async () => {
    assert.match(await wb.treeItem(SECRET).innerText(), /text\/plain/, 'without presentation mode the content type shows');
    await toggle('off').click();
    await toggle('on').waitFor({ timeout: 10000 });
    await wb.page.waitForFunction(`!document.querySelector('.part.sidebar').textContent.includes('text/plain')`, undefined, { timeout: 10000 });

    const hover = await wb.hoverUntil(wb.treeItem(SECRET),
      wb.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /Tag.owner/ }).first());
    assert.match((await hover.innerText()).replace(/\u00a0/g, ' '), /Tag owner = •••/);
    await wb.screenshot('presentation-hover', { parkMouse: false });
    let text = await pageText();
    for (const hidden of HIDDEN) assert.ok(!text.includes(hidden), `"${hidden}" is on the page while presenting`);

    await wb.contextMenu(SECRET, 'Reveal Secret Value');
    const lens = wb.page.locator('.contentWidgets .codelens-decoration a, .codelens-decoration a', { hasText: 'Show Value' }).first();
    await lens.waitFor({ timeout: 15000 });
    assert.match(await wb.editorText(), /hidden: presentation mode is on/);
    await wb.screenshot('presentation');
    text = await pageText();
    for (const hidden of [...HIDDEN, value]) assert.ok(!text.includes(hidden), `"${hidden}" is on the page while presenting`);

    await lens.click();
    await wb.page.waitForFunction(`document.body.innerText.replace(/\\u00a0/g, ' ').includes(${JSON.stringify(value)})`, undefined, { timeout: 15000 });
    assert.strictEqual(await wb.editorText(), value);
  });

  it('turns off from the status bar, and the tree shows content types again', async () => {
    await toggle('on').click();
    await toggle('off').waitFor({ timeout: 10000 });
    await wb.page.waitForFunction(`document.querySelector('.part.sidebar').textContent.includes('text/plain')`, undefined, { timeout: 10000 });
  });
});
