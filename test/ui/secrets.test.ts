// The secret flows as a person does them: right-click in the tree, answer the input boxes and quick picks,
// confirm the dialog, read the notification — in the real workbench against the emulator (demo seed).
// What the clicks did is checked in the vault with the real SDK.
import * as assert from 'assert';
import { vaultClient } from './support/vault';
import { Workbench } from './support/workbench';

const LAB = 'fabrikam-ml-lab'; // one secret: hf-token
const PROD = 'contoso-analytics-prd'; // purge protection; powerbi-refresh-token is deleted



/** Waits until `label` shows in exactly one tree row and that row's text (label + description) passes `check`. */
async function waitForRow(wb: Workbench, label: string, check: (text: string) => boolean): Promise<void> {
  let last = '';
  for (let i = 0; i < 100; i++) {
    const labels = await wb.treeLabels();
    if (labels.filter((l) => l === label).length === 1) {
      last = await wb.treeItem(label).innerText().catch(() => '');
      if (check(last)) return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`tree row "${label}" never reached the expected state (last: ${JSON.stringify(last)})`);
}

describe('secrets in the real workbench', function () {
  let wb: Workbench;
  const name = `ui-${Date.now().toString(36)}`;

  before(async () => {
    wb = await Workbench.open();
    await wb.openKeyVaultView();
    await wb.expand(LAB);
  });
  after(async () => { await wb?.close(); });

  it('sets a secret from the vault\'s context menu: name, hidden value, save', async () => {
    await wb.contextMenu(LAB, 'Set Secret…');
    assert.match(await wb.inputPrompt(), /Name of the secret/);
    await wb.answerInput(name);
    await wb.pick('Enter the value');
    const valueBox = wb.page.locator('.quick-input-widget:visible .quick-input-box input');
    await valueBox.waitFor();
    assert.strictEqual(await valueBox.getAttribute('type'), 'password', 'the value is typed into a password box');
    await wb.answerInput('ui-value-1');
    await wb.pick('Save');
    assert.match(await wb.notification(/Saved/), new RegExp(`Saved "${name}" in ${LAB}`));
    await wb.waitForTreeItem(name);
    assert.strictEqual((await vaultClient(LAB).getSecret(name)).value, 'ui-value-1');
  });

  it('rejects an invalid name as it is typed', async () => {
    await wb.contextMenu(LAB, 'Set Secret…');
    const input = wb.page.locator('.quick-input-widget:visible .quick-input-box input');
    await input.fill('bad_name');
    const message = wb.page.locator('.quick-input-widget:visible .quick-input-message', { hasText: /letters|character|hyphen/i });
    await message.waitFor({ timeout: 10000 });
    assert.match(await message.innerText(), /_/);
    await wb.page.keyboard.press('Escape');
  });

  it('reveals the value in a read-only editor from the context menu', async () => {
    await wb.contextMenu(name, 'Reveal Secret Value');
    assert.strictEqual(await wb.editorText(), 'ui-value-1');
    const tab = wb.page.locator('.tabs-container .tab.active');
    assert.match(await tab.innerText(), new RegExp(name));
    await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await wb.page.keyboard.type('typed');
    assert.strictEqual(await wb.editorText(), 'ui-value-1', 'the document does not take edits');
    assert.strictEqual(await wb.page.locator('.tabs-container .tab.active.dirty').count(), 0, 'not dirty');
    await wb.screenshot('reveal');
    await wb.runCommand('View: Close All Editors');
  });

  it('deletes after the confirmation dialog, then recovers from the notification\'s Recover', async () => {
    await wb.contextMenu(name, 'Delete Secret…');
    const dialog = await wb.dialogButton('Delete');
    assert.match(dialog, new RegExp(`Delete secret "${name}" from vault "${LAB}"`));
    assert.match(dialog, /recovered for \d+ days/);
    await wb.notification(/Deleted/);
    await assert.rejects(vaultClient(LAB).getSecret(name), /not found|deleted/i);
    await wb.clickNotificationButton(/Deleted/, 'Recover');
    // the recovery's own toast may be gone again by the time we look: check the vault and the tree
    let value: string | undefined;
    for (let i = 0; i < 100 && value === undefined; i++) {
      value = await vaultClient(LAB).getSecret(name).then((s) => s.value, () => undefined);
      if (value === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    assert.strictEqual(value, 'ui-value-1');
    await wb.waitForTree('the recovered secret back in the vault', (labels) => labels.includes(name));
  });

  it('recovers a deleted secret from the Deleted secrets folder', async () => {
    // the previous test's "Recovered" toast would answer for this one: the vault's windows make the recovery take a
    // few seconds, and its notification comes only when the secret can be read again
    await wb.runCommand('Notifications: Clear All Notifications');
    await wb.contextMenu(name, 'Delete Secret…');
    await wb.dialogButton('Delete');
    await wb.notification(/Deleted "/);
    await wb.expand('Deleted secrets');
    await wb.waitForTreeItem(name);
    await wb.screenshot('deleted-folder');
    await wb.contextMenu(name, 'Recover Deleted Secret');
    await wb.notification(/Recovered/);
    assert.strictEqual((await vaultClient(LAB).getSecret(name)).value, 'ui-value-1');
  });

  it('purges a deleted secret after the name is typed', async () => {
    // after the recovery the name shows once, as a secret (no longer in the Deleted secrets folder)
    await waitForRow(wb, name, (text) => !/deleted \d{4}/.test(text));
    await wb.contextMenu(name, 'Delete Secret…');
    await wb.dialogButton('Delete');
    await wb.notification(new RegExp(`Deleted "${name}"`));
    // the row moves from the secrets to the Deleted secrets folder
    await waitForRow(wb, name, (text) => /deleted \d{4}/.test(text));
    await wb.contextMenu(name, 'Purge Deleted Secret…');
    assert.match(await wb.inputPrompt(), /permanently/);
    await wb.answerInput(name);
    await wb.notification(/Purged/);
    await assert.rejects(vaultClient(LAB).getDeletedSecret(name), /not found/i);
  });
});

describe('purge protection in the real workbench', function () {
  let wb: Workbench;
  before(async () => {
    wb = await Workbench.open();
    await wb.openKeyVaultView();
  });
  after(async () => { await wb?.close(); });

  it('does not offer Purge for a deleted secret of a purge-protected vault; Recover is there', async () => {
    await wb.expand(PROD);
    await wb.expand('Deleted secrets');
    const row = await wb.waitForTreeItem('powerbi-refresh-token');
    await row.click({ button: 'right' });
    const entries = await wb.menuEntries();
    assert.ok(entries.includes('Recover Deleted Secret'), JSON.stringify(entries));
    assert.ok(!entries.includes('Purge Deleted Secret…'), JSON.stringify(entries));
    await wb.page.keyboard.press('Escape');
  });
});

describe('the tree for the README', function () {
  let wb: Workbench;
  before(async () => {
    wb = await Workbench.open();
    await wb.openKeyVaultView();
  });
  after(async () => { await wb?.close(); });

  it('describes secrets (disabled, certificate, content type) and takes screenshots of the tree and a menu', async () => {
    await wb.expand('contoso-orchestr-dev');
    await wb.expand('Airflow connections'); // grouped by conn id (the default)
    const disabled = await wb.waitForTreeItem('legacy_ftp');
    assert.match(await disabled.innerText(), /disabled/);
    const cert = await wb.waitForTreeItem('contoso-ingest-tls');
    assert.match(await cert.innerText(), /certificate/);
    await wb.screenshot('tree');
    const row = await wb.waitForTreeItem('warehouse_pg');
    await row.click({ button: 'right' });
    const entries = await wb.menuEntries();
    for (const e of ['Reveal Secret Value', 'Copy Secret Value', 'Reveal Airflow Connection', 'Copy As', 'New Version…',
      'Edit Secret Properties…', 'Back Up Secret to File…', 'Delete Secret…']) {
      assert.ok(entries.includes(e), `${e} in ${JSON.stringify(entries)}`);
    }
    await wb.screenshot('menu', { parkMouse: false });
    await wb.page.keyboard.press('Escape');
  });

  it('reveals through the command palette and quick picks', async () => {
    await wb.runCommand('Key Vault: Reveal Secret Value');
    await wb.pick('fabrikam-ml-lab');
    await wb.pick('hf-token');
    await wb.pick('Latest');
    const lines = wb.page.locator('.editor-group-container.active .monaco-editor .view-lines');
    await lines.first().waitFor({ timeout: 15000 });
    assert.ok((await lines.first().innerText()).trim().length > 0);
    assert.strictEqual((await lines.first().innerText()).replace(/\u00a0/g, ' ').trim(), (await vaultClient(LAB).getSecret('hf-token')).value);
  });
});
