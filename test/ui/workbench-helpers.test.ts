// The page helpers against the real workbench: expand a vault, read a secret's context menu, answer an input
// box (Filter Secrets…) and see the tree follow. Screenshots: test-output/ui/context-menu.png, filtered.png.
import * as assert from 'assert';
import { Workbench } from './support/workbench';

const VAULT = 'contoso-orchestr-dev'; // test/fixtures/demo-seed.json
const SECRET = 'db-password';

describe('workbench page helpers (demo seed)', () => {
  let wb: Workbench;
  before(async () => { wb = await Workbench.open(); });
  after(async () => { await wb?.close(); });

  it('expands a vault and shows the secret context menu', async () => {
    await wb.openKeyVaultView();
    await wb.expand(VAULT);
    const row = await wb.waitForTreeItem(SECRET);
    await row.click({ button: 'right' });
    const entries = await wb.menuEntries();
    assert.ok(entries.includes('Reveal Secret Value'), JSON.stringify(entries));
    assert.ok(entries.includes('Copy Secret URI'), JSON.stringify(entries));
    await wb.screenshot('context-menu', { parkMouse: false });
    await wb.page.keyboard.press('Escape');
  });

  it('filters a vault through its context menu and an input box', async () => {
    await wb.contextMenu(VAULT, 'Filter Secrets…');
    await wb.answerInput('db-pass');
    await wb.waitForTree('only the filtered secret',
      (labels) => labels.includes(SECRET) && !labels.includes('partner-api-token') && !labels.includes('Airflow connections'));
    await wb.screenshot('filtered');
  });
});
