// The Key Vault view in the real workbench shows the emulator's vaults.
import * as assert from 'assert';
import { session } from './support/session';
import { Workbench } from './support/workbench';

describe('Key Vault view', () => {
  let wb: Workbench;
  before(async () => { wb = await Workbench.open(); });
  after(async () => { await wb?.close(); });

  it('opens from the activity bar and lists every vault of the emulator under "Local emulator"', async () => {
    const vaults = session().emulator?.vaults ?? [];
    assert.ok(vaults.length > 0, 'the emulator of this run has no vault');
    await wb.openKeyVaultView();
    await wb.waitForTreeItem('Local emulator');
    for (const v of vaults) {
      await wb.waitForTreeItem(v.name).catch(async (e: Error) => {
        await wb.screenshot('view-missing-vault');
        throw new Error(`${e.message}; tree shows ${JSON.stringify(await wb.treeLabels())}`);
      });
    }
    await wb.screenshot('view');
  });
});
