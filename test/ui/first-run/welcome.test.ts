// The first five minutes: a workbench with no emulator announced and nobody signed in shows the view's welcome
// content. Each of its buttons is clicked as a newcomer would, and each does what it says. Run by the UI runner
// with --unannounced (scripts/test.js, ui tier, "first run" part): an emulator backs the test sign-in and the
// custom cloud, but nothing tells the extension about it.
import * as assert from 'assert';
import type { Locator } from 'playwright-core';
import { Workbench } from '../support/workbench';

describe('first run: the welcome view', () => {
  let wb: Workbench;
  before(async () => {
    wb = await Workbench.open();
    await wb.openKeyVaultView();
  });
  after(async () => {
    await wb.runCommand('Key Vault tests: sign out').catch(() => undefined);
    await wb.runCommand('Key Vault: Stop Local Emulator').catch(() => undefined);
    await wb?.close();
  });

  const welcome = () => wb.page.locator('.part.sidebar .welcome-view-content');
  const button = (text: string): Locator => welcome().locator('a.monaco-button, .monaco-button', { hasText: text }).first();

  async function waitForWelcome(): Promise<void> {
    await welcome().waitFor({ state: 'visible', timeout: 30000 });
  }

  it('renders its text and three buttons when there is nothing to show', async () => {
    await waitForWelcome();
    assert.match(await welcome().innerText(), /Browse Azure Key Vault secrets/);
    for (const b of ['Sign In to Azure', 'Add Vault by URL', 'Start Local Emulator']) {
      assert.ok(await button(b).isVisible(), `button "${b}" is visible`);
    }
    assert.deepStrictEqual(await wb.treeLabels(), [], 'no tree rows yet');
    await wb.screenshot('welcome');
    await wb.screenshot('walkthrough-welcome', { clip: { x: 0, y: 0, width: 560, height: 320 } });
  });

  it('"Add Vault by URL" asks for the URL and shows the vault; removing it brings the welcome back', async () => {
    await button('Add Vault by URL').click();
    assert.match(await wb.inputPrompt(), /vault/i);
    await wb.screenshot('add-vault', { clip: { x: 300, y: 0, width: 1000, height: 160 } });
    await wb.answerInput('contoso-newcomer'); // a name: the URL under the cloud's vault suffix
    await wb.waitForTreeItem('Vaults added by URL');
    await wb.expand('Vaults added by URL');
    await wb.waitForTreeItem('contoso-newcomer');
    await wb.contextMenu('contoso-newcomer', 'Remove Vault');
    await waitForWelcome();
  });

  it('"Sign In to Azure" asks for consent and shows the Azure root; signing out brings the welcome back', async () => {
    await waitForWelcome();
    await button('Sign In to Azure').click();
    const dialog = await wb.dialogButton('Allow');
    assert.match(dialog, /Key Vault for VS Code/);
    await wb.waitForTreeItem('Azure');
    await wb.runCommand('Key Vault tests: sign out');
    await waitForWelcome();
  });

  it('"Start Local Emulator" starts the emulator that ships with the extension and lists its vaults', async () => {
    await waitForWelcome();
    await button('Start Local Emulator').click();
    await wb.notification(/Local Key Vault emulator running on port \d+/, 60000);
    await wb.waitForTreeItem('Local emulator', 60000);
    await wb.expand('Local emulator');
    const labels = await wb.waitForTree('the emulator\'s vaults', (l) => l.length > 1, 30000);
    assert.ok(labels.indexOf('Local emulator') < labels.length - 1, `vaults under Local emulator: ${JSON.stringify(labels)}`);
    await wb.screenshot('welcome-emulator-started');
  });
});
