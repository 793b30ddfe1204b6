// The Key Vault view in the real workbench shows the emulator's vaults.
import * as assert from 'assert';
import { session } from './support/session';
import { Workbench } from './support/workbench';

describe('Key Vault view', () => {
  let wb: Workbench;
  before(async () => { wb = await Workbench.open(); });
  after(async () => { await wb?.close(); });

  it('opens from the activity bar and lists the emulator vault "dev"', async () => {
    const vault = session().emulator?.vaults.find((v) => v.name === 'dev');
    assert.ok(vault, 'the emulator of this run has no vault "dev"');
    await wb.openKeyVaultView();
    const row = await wb.waitForTreeItem('dev', 30000).catch(async (e: Error) => {
      await wb.screenshot('view-missing-dev');
      throw new Error(`${e.message}; tree shows ${JSON.stringify(await wb.treeLabels())}`);
    });
    assert.ok(await row.isVisible());
    await wb.screenshot('view');
  });
});
