// Key Vault's timing windows in the real extension host: delete, recover and purge finish seconds after the
// service answers, and until then it answers 409 "currently being deleted / recovered" (docs/emulator.md, timing
// windows). Non-zero windows are set on the test vault "app" through the admin API for each test and put back
// after. The commands wait (with progress) within a bound and then say what Key Vault is still doing.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../src/extension';
import type { Node } from '../../src/tree/nodes';
import {
  adminRequest, adminStats, children, directClient, extensionApi, findNode, label, runExpectingError, runWith, uniqueName,
} from './support/harness';

const APP = ['Local emulator', 'app'];

interface Windows { deleteDelayMs: number; recoverDelayMs: number; purgeDelayMs: number }

async function setWindows(w: Partial<Windows>): Promise<void> {
  await adminRequest('PATCH', '/_admin/windows', { vault: 'app', ...w });
}

describe('timing windows: delete, recover and purge that take a while (local emulator)', function () {
  this.timeout(90000);
  let api: KeyVaultExtensionApi;
  let saved: Windows;
  let savedBound: number;
  const app = () => directClient('app');

  before(async () => {
    api = await extensionApi();
    saved = ((await adminRequest('GET', '/_admin/windows')) as { vaults: Record<string, Windows> }).vaults.app!;
    savedBound = api.hub.windowBoundMs;
  });

  afterEach(async () => {
    api.setPrompter(undefined);
    api.hub.windowBoundMs = savedBound;
    await setWindows(saved);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** A secret with a value, deleted (the delete finished), and its node under "Deleted secrets". */
  async function deletedSecret(prefix: string, value: string): Promise<{ name: string; node: Node }> {
    const name = uniqueName(prefix);
    await app().setSecret(name, value);
    await (await app().beginDeleteSecret(name, { intervalInMs: 100 })).pollUntilDone();
    api.tree.refresh();
    const node = (await children(api, await findNode(api, [...APP, 'Deleted secrets']))).find((n) => label(n) === name);
    assert.ok(node, `${name} is listed under Deleted secrets`);
    return { name, node };
  }

  /** Another client recovers the secret and deletes it again: the tree's deleted node is stale while that delete finishes. */
  async function deleteAgainElsewhere(name: string): Promise<void> {
    await (await app().beginRecoverDeletedSecret(name, { intervalInMs: 100 })).pollUntilDone();
    await app().beginDeleteSecret(name); // answers at once; Key Vault is still deleting
    await assert.rejects(app().getDeletedSecret(name), /not found/i, 'the delete is still in progress');
  }

  /** The answers of Set Secret on the vault's item with a plain save. */
  function setAnswers(name: string, value: string) {
    return [
      { inputBox: name },
      { quickPick: /Enter the value/ },
      { inputBox: value },
      { quickPick: /Save$/ },
    ];
  }

  async function versionCount(name: string): Promise<number> {
    let n = 0;
    for await (const _ of app().listPropertiesOfSecretVersions(name)) n++;
    return n;
  }

  it('set right after purge: the save waits until Key Vault has released the name, and the value lands', async () => {
    await setWindows({ purgeDelayMs: 3000 });
    const { name, node } = await deletedSecret('win-purgeset', 'old-value');
    const vault = await findNode(api, APP);
    await runWith(api, [{ inputBox: name }], 'keyVault.purgeSecret', node);
    const setsBefore = (await adminStats())['secrets.set'] ?? 0;
    await runWith(api, setAnswers(name, 'after-purge'), 'keyVault.setSecret', vault);
    assert.ok(((await adminStats())['secrets.set'] ?? 0) - setsBefore >= 2, 'the first save met the purge window and was sent again');
    assert.strictEqual((await app().getSecret(name)).value, 'after-purge');
    assert.strictEqual(await versionCount(name), 1, 'a new secret: the purged versions are gone');
  });

  it('Purge and Create waits out a long purge, then creates the secret', async () => {
    // longer than the ten 1 s retries the command used to make
    await setWindows({ purgeDelayMs: 11000 });
    const { name } = await deletedSecret('win-purgecreate', 'old-value');
    await runWith(api, [...setAnswers(name, 'fresh-value'),
      { confirm: 'Purge and Create', expectMessage: /deleted secret .* still holds this name/ }], 'keyVault.setSecret', await findNode(api, APP));
    assert.strictEqual((await app().getSecret(name)).value, 'fresh-value');
    assert.strictEqual(await versionCount(name), 1);
  });

  it('recover then reveal shows the value, also when the recover is sent while Key Vault is still finishing a delete', async () => {
    await setWindows({ deleteDelayMs: 2000, recoverDelayMs: 2000 });
    // a plain recover: done only when the secret answers again
    const first = await deletedSecret('win-recover', 'recovered-value');
    await runWith(api, [], 'keyVault.recoverSecret', first.node);
    let editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, [...APP, first.name]));
    assert.strictEqual(editor.document.getText(), 'recovered-value');

    // a recover from a stale tree while another client's delete is still in progress: it waits for the delete first
    const second = await deletedSecret('win-recover2', 'second-value');
    await deleteAgainElsewhere(second.name);
    await runWith(api, [], 'keyVault.recoverSecret', second.node);
    editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, [...APP, second.name]));
    assert.strictEqual(editor.document.getText(), 'second-value');
  });

  it('delete then set the same name: Delete ends when the tree lists the deleted secret, and a set offers Recover, also while another client\'s delete is still finishing', async () => {
    await setWindows({ deleteDelayMs: 2500 });
    const vault = await findNode(api, APP);
    // Delete from the tree: done only once the deleted secret is there
    const name = uniqueName('win-del');
    await app().setSecret(name, 'old-value');
    api.tree.refresh();
    await runWith(api, [{ confirm: 'Delete' }], 'keyVault.deleteSecret', await findNode(api, [...APP, name]));
    assert.strictEqual((await app().getDeletedSecret(name)).name, name);
    const deleted = (await children(api, await findNode(api, [...APP, 'Deleted secrets']))).map(label);
    assert.ok(deleted.includes(name), `listed under Deleted secrets: [${deleted.join(', ')}]`);
    await runWith(api, [...setAnswers(name, 'new-value'),
      { confirm: 'Recover', expectMessage: /deleted secret .* still holds this name/ }], 'keyVault.setSecret', vault);
    assert.strictEqual((await app().getSecret(name)).value, 'new-value');
    assert.strictEqual(await versionCount(name), 2, 'the recovered secret keeps its old version');

    // deleted by another client a moment ago: the save waits for the delete to finish, then offers the same choice
    const other = uniqueName('win-delset');
    await app().setSecret(other, 'old-value');
    await app().beginDeleteSecret(other); // answers at once; Key Vault is still deleting
    await runWith(api, [...setAnswers(other, 'newer-value'),
      { confirm: 'Recover', expectMessage: /deleted secret .* still holds this name/ }], 'keyVault.setSecret', vault);
    assert.strictEqual((await app().getSecret(other)).value, 'newer-value');
    assert.strictEqual(await versionCount(other), 2);
  });

  it('purge while the delete is still in progress waits for the delete, then purges', async () => {
    await setWindows({ deleteDelayMs: 3000 });
    const { name, node } = await deletedSecret('win-purgedel', 'purge-me');
    await deleteAgainElsewhere(name);
    await runWith(api, [{ inputBox: name }], 'keyVault.purgeSecret', node);
    await assert.rejects(app().getDeletedSecret(name), /not found/i);
    await assert.rejects(app().getSecret(name), /not found/i);
  });

  it('past the bound: a message that says Key Vault is still deleting, and nothing saved', async () => {
    api.hub.windowBoundMs = 3000;
    await setWindows({ purgeDelayMs: 600000 });
    const { name } = await deletedSecret('win-bound', 'old-value');
    const vault = await findNode(api, APP);
    await app().purgeDeletedSecret(name);
    const message = await runExpectingError(api, setAnswers(name, 'never-saved'), 'keyVault.setSecret', vault);
    assert.match(message, new RegExp(`Key Vault is still deleting "${name}" in app\\. Nothing was saved: try again in a minute\\.`));
    assert.doesNotMatch(message, /409|Conflict/);
    await assert.rejects(app().getSecret(name), /not found/i);
    const live: string[] = [];
    for await (const s of app().listPropertiesOfSecrets()) live.push(s.name);
    assert.ok(!live.includes(name), 'no secret of that name');

    // a delete whose window outlasts the bound: said so, with where the secret will show
    await setWindows({ deleteDelayMs: 600000 });
    const other = uniqueName('win-bound-del');
    await app().setSecret(other, 'v');
    api.tree.refresh();
    const deleting = await runExpectingError(api, [{ confirm: 'Delete' }], 'keyVault.deleteSecret', await findNode(api, [...APP, other]));
    assert.match(deleting, new RegExp(`Key Vault is still deleting "${other}" in app\\. It shows under "Deleted secrets"`));
  });
});
