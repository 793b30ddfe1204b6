// Secret commands in the real extension host, from tree items and from the palette (quick picks),
// checked against the emulator with the real SDK.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../src/extension';
import { SECRET_SCHEME } from '../../src/ui/secretDocument';
import {
  adminStats, children, contextValue, directClient, extensionApi, findNode, label, runExpectingError, runWith, uniqueName,
} from './support/harness';

const APP = ['Local emulator', 'app'];

describe('secret commands (local emulator)', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;
  const app = () => directClient('app');

  before(async () => {
    api = await extensionApi();
  });

  afterEach(async () => {
    api.setPrompter(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('sets a new secret from the vault item: name, hidden value, content type and tags', async () => {
    const name = uniqueName('new');
    const vault = await findNode(api, APP);
    await runWith(api, [
      { inputBox: name },
      { quickPick: /Enter the value/ },
      { inputBox: 'first-value', expectPassword: true },
      { quickPick: /with content type/ },
      { inputBox: 'text/plain' },
      { inputBox: 'env=dev, owner=data' },
      { quickPick: 'Enabled' },
      { inputBox: '' },
      { inputBox: '+30d' },
    ], 'keyVault.setSecret', vault);
    const s = await app().getSecret(name);
    assert.strictEqual(s.value, 'first-value');
    assert.strictEqual(s.properties.contentType, 'text/plain');
    assert.deepStrictEqual(s.properties.tags, { env: 'dev', owner: 'data' });
    assert.ok(s.properties.expiresOn && s.properties.expiresOn.getTime() > Date.now() + 29 * 86400e3);
    const names = (await children(api, await findNode(api, APP))).map(label);
    assert.ok(names.includes(name), 'the tree shows the new secret');
  });

  it('rejects an invalid name before any request', async () => {
    const vault = await findNode(api, APP);
    const message = await runExpectingError(api, [{ inputBox: 'bad_name!' }], 'keyVault.setSecret', vault);
    assert.match(message, /rejected by validation: .*(letters|character)/i);
  });

  it('sets a new version from the secret item, keeping content type and tags', async () => {
    const secret = await findNode(api, [...APP, 'db-password']);
    const before = await app().getSecret('db-password');
    await runWith(api, [
      { quickPick: /Enter the value/ },
      { inputBox: 'rotated-db-password', expectPassword: true },
      { quickPick: /Save$/ },
    ], 'keyVault.setSecret', secret);
    const after = await app().getSecret('db-password');
    assert.strictEqual(after.value, 'rotated-db-password');
    assert.notStrictEqual(after.properties.version, before.properties.version);
    assert.strictEqual(after.properties.contentType, 'text/plain');
    assert.deepStrictEqual(after.properties.tags, { owner: 'data-team' });
  });

  it('takes the value from the editor selection', async () => {
    const name = uniqueName('sel');
    const doc = await vscode.workspace.openTextDocument({ content: 'prefix SELECTED-VALUE suffix' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 7, 0, 21);
    await runWith(api, [
      { quickPick: 'app' },
      { inputBox: name },
      { quickPick: /editor selection/ },
      { quickPick: /Save$/ },
    ], 'keyVault.setSecret');
    assert.strictEqual((await app().getSecret(name)).value, 'SELECTED-VALUE');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('reads the value from a file', async () => {
    const name = uniqueName('file');
    const file = path.join(os.tmpdir(), `${name}.txt`);
    fs.writeFileSync(file, '{"conn_type":"postgres","host":"pg"}');
    try {
      await runWith(api, [
        { quickPick: 'app' },
        { inputBox: name },
        { quickPick: /from a file/ },
        { openFile: vscode.Uri.file(file) },
        { quickPick: /Save$/ },
      ], 'keyVault.setSecret');
    } finally {
      fs.rmSync(file, { force: true });
    }
    assert.strictEqual((await app().getSecret(name)).value, '{"conn_type":"postgres","host":"pg"}');
  });

  /** Sets a value from the palette on a name that a deleted secret holds, answering the conflict with `choice`. */
  async function setOverDeleted(prefix: string, value: string, choice: string): Promise<string> {
    const name = uniqueName(prefix);
    await app().setSecret(name, 'old-value');
    await (await app().beginDeleteSecret(name, { intervalInMs: 100 })).pollUntilDone();
    await runWith(api, [
      { quickPick: 'app' },
      { inputBox: name },
      { quickPick: /Enter the value/ },
      { inputBox: value },
      { quickPick: /Save$/ },
      { confirm: choice, expectMessage: /deleted secret .* still holds this name/ },
    ], 'keyVault.setSecret');
    return name;
  }

  it('a name held by a deleted secret offers Recover, which recovers and saves the new version', async () => {
    const name = await setOverDeleted('conflict', 'new-value', 'Recover');
    assert.strictEqual((await app().getSecret(name)).value, 'new-value');
    const versions: string[] = [];
    for await (const v of app().listPropertiesOfSecretVersions(name)) versions.push(v.version!);
    assert.strictEqual(versions.length, 2, 'the recovered secret keeps its old version');
  });

  it('a deleted-name conflict can purge and create instead', async () => {
    const name = await setOverDeleted('purgecreate', 'fresh-value', 'Purge and Create');
    const versions: string[] = [];
    for await (const v of app().listPropertiesOfSecretVersions(name)) versions.push(v.version!);
    assert.strictEqual(versions.length, 1);
    assert.strictEqual((await app().getSecret(name)).value, 'fresh-value');
  });

  it('reveals a value in a read-only virtual document: not dirty, nothing on disk', async () => {
    const secret = await findNode(api, [...APP, 'api-key']);
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', secret);
    const doc = editor.document;
    assert.strictEqual(doc.uri.scheme, SECRET_SCHEME);
    assert.strictEqual(doc.getText(), 'api-key-v3');
    assert.strictEqual(doc.isDirty, false);
    assert.strictEqual(doc.isUntitled, false);
    // typing into it is refused: virtual documents of a content provider are read-only
    const edited = await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'x')).then((ok) => ok, () => false);
    assert.strictEqual(doc.getText(), 'api-key-v3', `edit applied: ${edited}`);
    assert.strictEqual(vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'untitled' && d.getText().includes('api-key-v3')), false);
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (ws) {
      const files = fs.readdirSync(ws, { recursive: true }).map(String);
      for (const f of files) {
        const full = path.join(ws, f);
        if (fs.statSync(full).isFile()) assert.ok(!fs.readFileSync(full, 'utf8').includes('api-key-v3'), `value found in ${f}`);
      }
    }
  });

  it('reveals an older version chosen through the palette quick picks', async () => {
    const versions: { v: string; created: number }[] = [];
    for await (const p of app().listPropertiesOfSecretVersions('api-key')) versions.push({ v: p.version!, created: p.createdOn!.getTime() });
    versions.sort((a, b) => a.created - b.created);
    const oldest = versions[0].v;
    const secret = await findNode(api, [...APP, 'api-key']);
    const versionNode = (await children(api, secret)).find((n) => label(n) === oldest.slice(0, 8))!;
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', versionNode);
    assert.strictEqual(editor.document.getText(), 'api-key-v1');
    const latest = await runWith<vscode.TextEditor>(api, [{ quickPick: 'app' }, { quickPick: 'api-key' }, { quickPick: 'Latest' }],
      'keyVault.revealSecret');
    assert.strictEqual(latest.document.getText(), 'api-key-v3');
    const older = await runWith<vscode.TextEditor>(api, [{ quickPick: 'app' }, { quickPick: 'api-key' }, { quickPick: versions[1].v }],
      'keyVault.revealSecret');
    assert.strictEqual(older.document.getText(), 'api-key-v2');
  });

  it('copies a value and clears the clipboard after the configured delay', async () => {
    const config = vscode.workspace.getConfiguration('keyVault');
    await config.update('clipboard.clearAfterSeconds', 1, vscode.ConfigurationTarget.Global);
    try {
      const secret = await findNode(api, [...APP, 'api-key']);
      await runWith(api, [], 'keyVault.copySecretValue', secret);
      assert.strictEqual(await vscode.env.clipboard.readText(), 'api-key-v3');
      assert.ok(api.clipboard.pending, 'a clear is scheduled');
      assert.strictEqual(await api.clipboard.pending, true);
      assert.strictEqual(await vscode.env.clipboard.readText(), '');
    } finally {
      await config.update('clipboard.clearAfterSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('does not clear the clipboard when it no longer holds the value', async () => {
    const config = vscode.workspace.getConfiguration('keyVault');
    await config.update('clipboard.clearAfterSeconds', 1, vscode.ConfigurationTarget.Global);
    try {
      await runWith(api, [], 'keyVault.copySecretValue', await findNode(api, [...APP, 'api-key']));
      await vscode.env.clipboard.writeText('something the user copied later');
      assert.strictEqual(await api.clipboard.pending, false);
      assert.strictEqual(await vscode.env.clipboard.readText(), 'something the user copied later');
    } finally {
      await config.update('clipboard.clearAfterSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('copies a secret URI', async () => {
    const uri = await runWith<string>(api, [], 'keyVault.copySecretUri', await findNode(api, [...APP, 'api-key']));
    assert.match(uri, /^https:\/\/app\.vault\.localhost:\d+\/secrets\/api-key$/);
    assert.strictEqual(await vscode.env.clipboard.readText(), uri);
  });

  it('edits properties: content type, tags, expiry — and disable makes reveal say it is disabled', async () => {
    const name = uniqueName('props');
    await app().setSecret(name, 'props-value');
    api.tree.refresh();
    const node = () => findNode(api, [...APP, name]);
    await runWith(api, [{ quickPick: 'Content type' }, { inputBox: 'application/json' }], 'keyVault.editSecretProperties', await node());
    await runWith(api, [{ quickPick: 'Tags' }, { inputBox: 'team=ml' }], 'keyVault.editSecretProperties', await node());
    await runWith(api, [{ quickPick: 'Expiry date' }, { inputBox: '2031-01-02' }], 'keyVault.editSecretProperties', await node());
    let p = (await app().getSecret(name)).properties;
    assert.strictEqual(p.contentType, 'application/json');
    assert.deepStrictEqual(p.tags, { team: 'ml' });
    assert.strictEqual(p.expiresOn?.toISOString(), '2031-01-02T00:00:00.000Z');
    await runWith(api, [{ quickPick: 'Disable' }], 'keyVault.editSecretProperties', await node());
    for await (const s of app().listPropertiesOfSecrets()) if (s.name === name) p = s;
    assert.strictEqual(p.enabled, false);
    assert.match(contextValue(await node()), /secret/);
    assert.match(String((await node()).treeItem().description), /disabled/);
    const message = await runExpectingError(api, [], 'keyVault.revealSecret', await node());
    assert.match(message, /disabled/i);
    assert.match(message, /enable/i, `says what to do: ${message}`);
    assert.doesNotMatch(message, /props-value/);
  });

  it('deletes with a confirmation naming vault and recovery days, then recovers', async () => {
    const name = uniqueName('del');
    await app().setSecret(name, 'del-value');
    api.tree.refresh();
    const prompter = await runWith(api, [{ confirm: 'Delete', expectMessage: new RegExp(`"${name}" from vault "app"`) }],
      'keyVault.deleteSecret', await findNode(api, [...APP, name]));
    void prompter;
    const deleted = await app().getDeletedSecret(name);
    assert.strictEqual(deleted.name, name);
    const deletedNode = (await children(api, await findNode(api, [...APP, 'Deleted secrets']))).find((n) => label(n) === name);
    assert.ok(deletedNode, 'the deleted secret shows in the Deleted secrets folder');
    await runWith(api, [], 'keyVault.recoverSecret', deletedNode);
    assert.strictEqual((await app().getSecret(name)).value, 'del-value');
    assert.ok((await children(api, await findNode(api, APP))).some((n) => label(n) === name));
  });

  it('cancelling the delete confirmation deletes nothing', async () => {
    const name = uniqueName('keep');
    await app().setSecret(name, 'keep-value');
    api.tree.refresh();
    await runWith(api, [{ confirm: undefined }], 'keyVault.deleteSecret', await findNode(api, [...APP, name]));
    assert.strictEqual((await app().getSecret(name)).value, 'keep-value');
  });

  it('deletes and recovers through the palette quick picks', async () => {
    const name = uniqueName('paldel');
    await app().setSecret(name, 'v');
    await runWith(api, [{ quickPick: 'app' }, { quickPick: name }, { confirm: 'Delete' }], 'keyVault.deleteSecret');
    await runWith(api, [{ quickPick: 'app' }, { quickPick: name }], 'keyVault.recoverSecret');
    assert.strictEqual((await app().getSecret(name)).value, 'v');
  });

  it('purges only after the user types the name', async () => {
    const name = uniqueName('purge');
    await app().setSecret(name, 'purge-value');
    await (await app().beginDeleteSecret(name, { intervalInMs: 100 })).pollUntilDone();
    api.tree.refresh();
    const node = (await children(api, await findNode(api, [...APP, 'Deleted secrets']))).find((n) => label(n) === name)!;
    const wrong = await runExpectingError(api, [{ inputBox: 'not-the-name' }], 'keyVault.purgeSecret', node);
    assert.match(wrong, /Type ".*" exactly/);
    assert.strictEqual((await app().getDeletedSecret(name)).name, name, 'nothing purged after a wrong name');
    await runWith(api, [{ inputBox: name }], 'keyVault.purgeSecret', node);
    await assert.rejects(app().getDeletedSecret(name), /not found/i);
  });

  it('refuses to purge under purge protection with a message that says why', async () => {
    const node = (await children(api, await findNode(api, ['Local emulator', 'locked', 'Deleted secrets'])))
      .find((n) => label(n) === 'protected-deleted')!;
    const message = await runExpectingError(api, [], 'keyVault.purgeSecret', node);
    assert.match(message, /purge protection/i);
  });

  it('restores an old version as the new latest version', async () => {
    const name = uniqueName('restore');
    await app().setSecret(name, 'version-one', { contentType: 'text/plain' });
    await new Promise((r) => setTimeout(r, 1100));
    await app().setSecret(name, 'version-two');
    api.tree.refresh();
    const versions = await children(api, await findNode(api, [...APP, name]));
    assert.strictEqual(versions.length, 2);
    await runWith(api, [{ confirm: 'Restore' }], 'keyVault.restoreVersion', versions[1]);
    const latest = await app().getSecret(name);
    assert.strictEqual(latest.value, 'version-one');
    assert.strictEqual(latest.properties.contentType, 'text/plain');
    let count = 0;
    for await (const _ of app().listPropertiesOfSecretVersions(name)) count++;
    assert.strictEqual(count, 3);
  });

  it('backs a secret up to a file and restores it after purge', async () => {
    const name = uniqueName('backup');
    await app().setSecret(name, 'backup-value');
    api.tree.refresh();
    const file = vscode.Uri.file(path.join(os.tmpdir(), `${name}.keyvault-backup`));
    await runWith(api, [{ saveFile: file }], 'keyVault.backupSecret', await findNode(api, [...APP, name]));
    const blob = fs.readFileSync(file.fsPath);
    assert.ok(blob.length > 0);
    assert.ok(!blob.toString('utf8').includes('backup-value'), 'the backup file does not hold the plain value');
    await (await app().beginDeleteSecret(name, { intervalInMs: 100 })).pollUntilDone();
    await app().purgeDeletedSecret(name);
    await runWith(api, [{ quickPick: 'app' }, { openFile: file }], 'keyVault.restoreSecretBackup');
    assert.strictEqual((await app().getSecret(name)).value, 'backup-value');
    fs.rmSync(file.fsPath, { force: true });
  });

  it('certificate-backed secrets are read-only: set and delete are refused with a clear message', async () => {
    const cert = await findNode(api, [...APP, 'tls-cert']);
    assert.match(await runExpectingError(api, [], 'keyVault.deleteSecret', cert), /certificate/);
    assert.match(await runExpectingError(api, [], 'keyVault.setSecret', cert), /certificate/);
  });

  it('never reads a value while browsing the tree', async () => {
    const before = (await adminStats())['secrets.get'] ?? 0;
    api.tree.refresh();
    const vault = await findNode(api, APP);
    for (const s of (await children(api, vault)).slice(0, 5)) {
      if (s.treeItem().collapsibleState) await children(api, s);
    }
    assert.strictEqual((await adminStats())['secrets.get'] ?? 0, before);
  });
});
