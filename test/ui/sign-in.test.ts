// Sign-in as a person does it: "Sign In to Azure", VS Code's own consent dialog ("Allow"), then the Azure root
// with the subscriptions and vaults of the cloud — here a custom cloud whose endpoints are the emulator (the
// UI runner configures it; the `microsoft-sovereign-cloud` provider of the test host mints emulator tokens).
import * as assert from 'assert';
import { Workbench } from './support/workbench';

describe('sign in with the VS Code account', () => {
  let wb: Workbench;
  before(async () => {
    wb = await Workbench.open();
    await wb.openKeyVaultView();
  });
  after(async () => {
    // leave the next tests signed out, as they started
    await wb.runCommand('Key Vault tests: sign out').catch(() => undefined);
    await wb?.close();
  });

  it('asks for consent, then shows subscriptions grouped by tenant and their vaults', async () => {
    await wb.waitForTreeItem('Local emulator');
    assert.ok(!(await wb.treeLabels()).includes('Azure'), 'signed out: no Azure root');
    await wb.runCommand('Key Vault: Sign In to Azure');
    const dialog = await wb.dialogButton('Allow');
    assert.match(dialog, /Key Vault for VS Code/);
    assert.match(dialog, /sign in/i);
    await wb.waitForTreeItem('Azure');
    await wb.waitForTree('the demo tenants', (labels) => labels.includes('Contoso Data (demo)'));
    await wb.expand('Data Platform - dev');
    await wb.waitForTree('the discovered vault', (labels) => labels.filter((l) => l === 'contoso-orchestr-dev').length === 2);
    await wb.screenshot('signed-in');
  });
});
