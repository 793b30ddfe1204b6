// Airflow in the real workbench, as a person uses it against the emulator (demo seed): the vault's Airflow
// secrets grouped by conn id / variable key, a new connection through the form (input boxes and quick picks
// of the real quick input), and the read-only connection view with the password masked. What the form wrote
// is checked in the vault with the real SDK. Screenshots for the README: airflow-groups.png, airflow-form.png,
// airflow-connection.png.
import * as assert from 'assert';
import { vaultClient } from './support/vault';
import { Workbench } from './support/workbench';

const VAULT = 'contoso-orchestr-dev';
const CONNECTIONS = 'Airflow connections';
const VARIABLES = 'Airflow variables';
const CONN_IDS = ['aws_default', 'legacy_ftp', 'smtp_default', 'warehouse_pg'];
const VAR_KEYS = ['feature_flags', 'hello_world', 'landing_bucket'];
// each run starts a fresh emulator from the demo seed: a fixed conn id does not collide
const NEW_ID = 'ui_reporting_pg';
const NEW_NAME = 'airflow-connections-ui-reporting-pg';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));



/** Waits until the open quick input (input box or quick pick) shows `prompt` — the previous step's may still be up. */
async function waitForPrompt(wb: Workbench, prompt: RegExp): Promise<string> {
  let last = '';
  for (let i = 0; i < 75; i++) {
    last = await wb.inputPrompt().catch(() => '');
    if (prompt.test(last)) return last;
    await sleep(200);
  }
  throw new Error(`the quick input never asked ${prompt} (last: ${JSON.stringify(last)})`);
}

/** Answers the input box that asks `prompt`. */
async function answer(wb: Workbench, prompt: RegExp, text: string): Promise<void> {
  await waitForPrompt(wb, prompt);
  await wb.answerInput(text);
}

/** Picks `label` in the quick pick whose placeholder / title matches `prompt`. */
async function choose(wb: Workbench, prompt: RegExp, label: string): Promise<void> {
  await waitForPrompt(wb, prompt);
  await wb.pick(label);
}

/** Waits until the tree row `label` (label + description) matches `text`; returns that text. */
async function waitForRowText(wb: Workbench, label: string, text: RegExp): Promise<string> {
  let last = '';
  for (let i = 0; i < 100; i++) {
    last = (await wb.treeItem(label).innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
    if (text.test(last)) return last;
    await sleep(200);
  }
  throw new Error(`tree row "${label}" never read ${text} (last: ${JSON.stringify(last)})`);
}

/** The labels of the rows right below `label` (its visible children when expanded), `count` of them. */
async function rowsAfter(wb: Workbench, label: string, count: number): Promise<string[]> {
  const labels = await wb.treeLabels();
  const i = labels.indexOf(label);
  return i < 0 ? [] : labels.slice(i + 1, i + 1 + count);
}

describe('Airflow in the real workbench', function () {
  let wb: Workbench;

  before(async () => {
    wb = await Workbench.open();
    await wb.openKeyVaultView();
    await wb.widenSideBar(620); // conn ids and their descriptions readable in the screenshots
  });
  after(async () => { await wb?.close(); });

  it('groups the vault\'s Airflow secrets into "Airflow connections" and "Airflow variables", labelled by conn id / key', async () => {
    await wb.expand(VAULT);
    const top = await wb.waitForTree('the two Airflow groups under the vault',
      (labels) => labels.includes(CONNECTIONS) && labels.includes(VARIABLES) && labels.includes('partner-api-token'));
    assert.deepStrictEqual(await rowsAfter(wb, VAULT, 2), [CONNECTIONS, VARIABLES], 'the groups come first in the vault');
    assert.ok(!top.some((l) => /^airflow-(connections|variables)-/.test(l)), `no raw Airflow names beside the groups: ${JSON.stringify(top)}`);
    // the description counts the members (with "+ · partial" while the vault still lists pages)
    await waitForRowText(wb, CONNECTIONS, /^Airflow connections\s*4$/);
    await waitForRowText(wb, VARIABLES, /^Airflow variables\s*3$/);

    await wb.expand(CONNECTIONS);
    await wb.waitForTree('the conn ids', (labels) => CONN_IDS.every((c) => labels.includes(c)));
    assert.deepStrictEqual(await rowsAfter(wb, CONNECTIONS, CONN_IDS.length), CONN_IDS);
    await wb.expand(VARIABLES);
    await wb.waitForTree('the variable keys', (labels) => VAR_KEYS.every((k) => labels.includes(k)));
    assert.deepStrictEqual(await rowsAfter(wb, VARIABLES, VAR_KEYS.length), VAR_KEYS);
    const all = await wb.treeLabels();
    assert.ok(!all.some((l) => /^airflow-(connections|variables)-/.test(l)), `no raw Airflow names at all: ${JSON.stringify(all)}`);
    await wb.screenshot('airflow-groups');
  });

  it('writes a new connection through the form from the group\'s context menu (URI form, extras as pairs)', async () => {
    await wb.expand(VAULT);
    await wb.expand(CONNECTIONS); // to see the new row arrive
    await wb.contextMenu(CONNECTIONS, 'New Airflow Connection…');
    const idPrompt = await waitForPrompt(wb, /Airflow conn id/);
    assert.match(idPrompt, /airflow-connections-conn-id/, `the prompt shows the secret name a conn id becomes: ${idPrompt}`);

    // a conn id that cannot be a secret name is refused while it is typed
    const input = wb.page.locator('.quick-input-widget:visible .quick-input-box input');
    await input.fill('ui.bad');
    const message = wb.page.locator('.quick-input-widget:visible .quick-input-message', { hasText: /cannot contain/ });
    await message.waitFor({ timeout: 10000 });
    assert.match(await message.innerText(), /"\."/);
    await wb.answerInput(NEW_ID);

    await waitForPrompt(wb, new RegExp(`Connection type of "${NEW_ID}"`));
    await wb.screenshot('airflow-form-type');
    await wb.pick('postgres');
    await answer(wb, /Host \(optional\)/, 'pg.contoso-data.example');
    await answer(wb, /Login \(optional\)/, 'etl');
    await waitForPrompt(wb, /Password \(optional, hidden\)/);
    assert.strictEqual(await input.getAttribute('type'), 'password', 'the password is typed into a password box');
    await wb.answerInput('Ui pass/1');
    await answer(wb, /Port \(optional\)/, '5432');
    await answer(wb, /Schema \(optional/, 'dw');
    await choose(wb, /Extras \(connection options/, 'Extras as key=value pairs');
    await answer(wb, /Extras: key=value/, 'sslmode=require');
    await waitForPrompt(wb, new RegExp(`Store "${NEW_ID}" as`));
    await wb.screenshot('airflow-form');
    await wb.pick('URI form');

    assert.strictEqual(await wb.notification(/Saved Airflow connection/),
      `Saved Airflow connection "${NEW_ID}" as "${NEW_NAME}" in ${VAULT} (URI form).`);
    await wb.waitForTree('the new conn id in the connections group',
      (labels) => labels.includes(NEW_ID) && labels.indexOf(NEW_ID) > labels.indexOf(CONNECTIONS) && labels.indexOf(NEW_ID) < labels.indexOf(VARIABLES));
    assert.deepStrictEqual(await rowsAfter(wb, CONNECTIONS, CONN_IDS.length + 1), [...CONN_IDS, NEW_ID].sort());
    const s = await vaultClient(VAULT).getSecret(NEW_NAME);
    assert.strictEqual(s.value, 'postgres://etl:Ui%20pass%2F1@pg.contoso-data.example:5432/dw?sslmode=require');
    assert.strictEqual(s.properties.contentType, undefined, 'the URI form has no content type');
  });

  it('reveals a connection as its fields, the password masked', async () => {
    await wb.runCommand('Notifications: Clear All Notifications'); // the previous toast would cover the screenshot
    await wb.expand(VAULT);
    await wb.expand(CONNECTIONS);
    await wb.contextMenu('smtp_default', 'Reveal Airflow Connection');
    await wb.page.locator('.tabs-container .tab.active', { hasText: /smtp_default/ }).waitFor({ timeout: 15000 });
    let text = '';
    for (let i = 0; i < 50 && !/conn_type/.test(text); i++) {
      text = await wb.editorText();
      if (!/conn_type/.test(text)) await sleep(200);
    }
    assert.match(text, /^conn_type {3}smtp$/m);
    assert.match(text, /^host {8}smtp\.contoso-data\.example$/m);
    assert.match(text, /^login {7}alerts@contoso-data\.example$/m);
    assert.match(text, /^password {4}•+ \(hidden/m, 'the password is masked');
    assert.match(text, /^port {8}587$/m);
    assert.doesNotMatch(text, /Demo only/, 'the password itself is not shown');
    await wb.screenshot('airflow-connection');
  });

  it('shows the password from the editor title button', async () => {
    const button = wb.page.locator('.editor-group-container.active .editor-actions a.action-label[aria-label^="Show Connection Password"]');
    await button.waitFor({ timeout: 15000 });
    await button.click();
    let text = '';
    for (let i = 0; i < 50 && !/Demo only/.test(text); i++) {
      text = await wb.editorText();
      if (!/Demo only/.test(text)) await sleep(200);
    }
    assert.match(text, /^password {4}Demo only\/pw 7Qx$/m);
    assert.strictEqual(await button.count(), 0, 'no "show" button once the password is shown');
  });
});
