// Secret references as a person meets them: a DAG file in the workspace, a hover on a variable key (metadata, no
// value), a squiggle on a missing one and its quick fix. Screenshots: test-output/ui/references-hover.png,
// references-quickfix.png (the README's media/screenshot-references.png).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { session } from './support/session';
import { Workbench } from './support/workbench';

const VAULT = 'contoso-orchestr-dev'; // demo seed
const FILE = 'ui_refs_dag.py';

describe('secret references in the real workbench', function () {
  let wb: Workbench;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  before(async () => {
    const s = session();
    const vault = s.emulator!.vaults.find((v) => v.name === VAULT)!;
    const url = `https://${new URL(vault.url).host}/`;
    // the Astro .env names the vault: Airflow references resolve against it
    fs.writeFileSync(path.join(s.workspace, '.env'), 'AIRFLOW__SECRETS__BACKEND=airflow.providers.microsoft.azure.secrets.key_vault.AzureKeyVaultBackend\n' +
      `AIRFLOW__SECRETS__BACKEND_KWARGS='{"connections_prefix": "airflow-connections", "variables_prefix": "airflow-variables", "vault_url": "${url}"}'\n`);
    fs.writeFileSync(path.join(s.workspace, FILE), [
      'from airflow.models import Variable',
      '',
      'bucket = Variable.get("landing_bucket")',
      'window = Variable.get("reporting_window")',
      '',
    ].join('\n'));
    wb = await Workbench.open();
    await wb.openKeyVaultView();
    await wb.page.keyboard.press('Control+P');
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: 10000 });
    await input.fill(FILE);
    await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: FILE }).first().waitFor({ timeout: 15000 });
    await wb.page.keyboard.press('Enter');
    await wb.page.locator('.tabs-container .tab.active', { hasText: FILE }).waitFor({ timeout: 15000 });
  });

  after(async () => {
    await wb?.close();
    const s = session();
    for (const f of ['.env', FILE]) fs.rmSync(path.join(s.workspace, f), { force: true });
  });

  const token = (text: string) => wb.page.locator('.editor-group-container.active .view-line span', { hasText: text }).last();

  it('underlines a missing variable and hovers show the secret\'s metadata, not its value', async () => {
    const squiggle = wb.page.locator('.editor-group-container.active .squiggly-warning');
    await squiggle.first().waitFor({ timeout: 30000 });
    assert.strictEqual(await squiggle.count(), 1, 'one warning: reporting_window');
    const hover = await wb.hoverUntil(token('landing_bucket'), wb.page.locator('.monaco-hover:visible', { hasText: 'Airflow variable' }));
    const text = await hover.innerText();
    assert.match(text, /airflow-variables-landing-bucket/);
    assert.match(text, new RegExp(VAULT));
    assert.match(text, /Reveal value/);
    assert.doesNotMatch(text, /contoso-landing-zone-dev/, 'the value is not in the hover');
    await sleep(300);
    await wb.screenshot('references-hover', { parkMouse: false });
  });

  it('offers "Create secret" as the quick fix of the missing variable', async () => {
    await wb.page.mouse.move(900, 700);
    await wb.page.keyboard.press('Escape');
    // the cursor onto "reporting_window" (line 4, column 24) through Go to Line, so the editor does not scroll
    await wb.page.keyboard.press('Control+G');
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: 10000 });
    await input.fill(':4:24');
    await wb.page.keyboard.press('Enter');
    await sleep(300);
    await wb.page.keyboard.press('Control+.');
    const fix = wb.page.locator('.action-widget, .context-view', { hasText: 'Create secret "airflow-variables-reporting-window"' });
    await fix.first().waitFor({ timeout: 20000 });
    await sleep(300);
    await wb.screenshot('references-quickfix', { parkMouse: false });
    await wb.page.keyboard.press('Escape');
  });
});
