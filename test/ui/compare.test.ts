// Comparing two vaults as a person does it: the vault's context menu, quick picks, and the read-only report in an
// editor. The page must never hold a value of either vault.
import * as assert from 'assert';
import { vaultClient } from './support/vault';
import { Workbench } from './support/workbench';

const A = 'contoso-orchestr-dev';
const B = 'contoso-analytics-prd';

describe('vault comparison in the real workbench', () => {
  let wb: Workbench;
  before(async () => {
    wb = await Workbench.open();
    await wb.openKeyVaultView();
    await wb.widenSideBar(380);
    await wb.waitForTreeItem(A);
  });
  after(async () => { await wb?.close(); });

  it('opens the comparison of two vaults from the vault context menu, with no value on the page', async () => {
    await wb.contextMenu(A, 'Compare with Another Vault…');
    await wb.pick(B);
    await wb.pick('All secrets');
    await wb.pick('Metadata only');
    await wb.page.locator('.tab', { hasText: `${A} ↔ ${B}` }).first().waitFor({ timeout: 30000 });
    const text = await wb.editorText();
    assert.match(text, new RegExp(`# ${A} ↔ ${B}`));
    assert.match(text, /Only in A/);
    await wb.screenshot('compare');
    const page = (await wb.page.content()) + (await wb.page.locator('body').innerText());
    for (const vault of [A, B]) {
      for await (const p of vaultClient(vault).listPropertiesOfSecrets()) {
        if (!p.enabled) continue;
        const value = (await vaultClient(vault).getSecret(p.name).catch(() => undefined))?.value;
        if (value && value.length >= 6) assert.ok(!page.includes(value), `a value of ${vault}/${p.name} is on the page`);
      }
    }
  });
});
