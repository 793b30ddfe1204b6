// Secret hygiene: a random canary value goes through every command that touches values (set, reveal, copy, new
// version, restore version, edit, backup/restore, delete/recover/purge, the Airflow connection and variable
// forms and views, the Union reveal, ZenML keys, an error path); then everything the extension could have
// written is scanned for it — output channel and log folder, globalState/workspaceState, the workspace, the
// extension's storage, the temp folder (the user-chosen backup file excepted). Expected: 0 occurrences.
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../../src/extension';
import type { Node } from '../../../src/tree/nodes';
import {
  adminRequest, children, directClient, extensionApi, findNode, label, runExpectingError, runWith, uniqueName, waitFor,
} from '../../vscode/support/harness';
import { files, occurrences } from '../../vscode/support/scan';

const G = vscode.ConfigurationTarget.Global;
const APP = ['Local emulator', 'app'];
const DEV = ['Local emulator', 'contoso-orchestr-dev'];



describe('reliability: canary value never leaves the vault except where the user asks', function () {
  this.timeout(240000);
  let api: KeyVaultExtensionApi;
  const canary = `canary-${randomBytes(12).toString('hex')}`;
  const canary2 = `${canary}-v2`;
  const canaryPassword = `pw-${canary}`;
  const name = uniqueName('canary');
  const conn = `canary_${randomBytes(4).toString('hex')}`;
  const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyvault-canary-backup-'));
  const backupFile = vscode.Uri.file(path.join(backupDir, `${name}.keyvault-backup`));
  const node = (p: string[]) => findNode(api, p);
  let started = 0;

  before(async () => {
    api = await extensionApi();
    started = Date.now();
    await vscode.workspace.getConfiguration('keyVault').update('clipboard.clearAfterSeconds', 1, G);
  });

  after(async () => {
    api.setPrompter(undefined);
    await vscode.workspace.getConfiguration('keyVault').update('clipboard.clearAfterSeconds', undefined, G);
    fs.rmSync(backupDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    api.setPrompter(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('sets, reveals and copies the canary (the clipboard clears itself)', async () => {
    await runWith(api, [{ inputBox: name }, { quickPick: /Enter the value/ }, { inputBox: canary, expectPassword: true },
      { quickPick: /Save$/ }], 'keyVault.setSecret', await node(APP));
    assert.strictEqual((await directClient('app').getSecret(name)).value, canary);
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await node([...APP, name]));
    assert.strictEqual(editor.document.getText(), canary);
    await runWith(api, [], 'keyVault.copySecretValue', await node([...APP, name]));
    assert.strictEqual(await vscode.env.clipboard.readText(), canary);
    assert.strictEqual(await api.clipboard.pending, true, 'the clear ran');
    assert.strictEqual(await vscode.env.clipboard.readText(), '');
  });

  it('writes a new version, restores the old one, edits properties', async () => {
    await runWith(api, [{ quickPick: /Enter the value/ }, { inputBox: canary2 }, { quickPick: /Save$/ }], 'keyVault.setSecret', await node([...APP, name]));
    const versions = await children(api, await node([...APP, name]));
    assert.ok(versions.length >= 2);
    await runWith(api, [{ confirm: 'Restore' }], 'keyVault.restoreVersion', versions[1]);
    assert.strictEqual((await directClient('app').getSecret(name)).value, canary);
    await runWith(api, [{ quickPick: 'Content type' }, { inputBox: 'text/plain' }], 'keyVault.editSecretProperties', await node([...APP, name]));
  });

  it('backs up, deletes, recovers, purges and restores from the backup file', async () => {
    await runWith(api, [{ saveFile: backupFile }], 'keyVault.backupSecret', await node([...APP, name]));
    assert.ok(!fs.readFileSync(backupFile.fsPath).includes(Buffer.from(canary)), 'the backup blob holds no plain value');
    await runWith(api, [{ confirm: 'Delete' }], 'keyVault.deleteSecret', await node([...APP, name]));
    await runWith(api, [], 'keyVault.recoverSecret', await waitFor('the deleted row', () => node([...APP, 'Deleted secrets', name])));
    await runWith(api, [{ confirm: 'Delete' }], 'keyVault.deleteSecret', await waitFor('the recovered row', () => node([...APP, name])));
    await runWith(api, [{ inputBox: name }], 'keyVault.purgeSecret', await waitFor('the deleted row', () => node([...APP, 'Deleted secrets', name])));
    await waitFor('the name to be free', async () => {
      try {
        await runWith(api, [{ openFile: backupFile }], 'keyVault.restoreSecretBackup', await node(APP));
        return true;
      } catch {
        return undefined;
      }
    }, 30000);
    assert.strictEqual((await directClient('app').getSecret(name)).value, canary);
  });

  it('a response the client cannot parse (corruptBody fault) fails with a message that quotes nothing', async () => {
    await adminRequest('PUT', '/_admin/faults', { rules: [{ operation: 'secrets.get', vault: 'app', corruptBody: true, count: 1 }] });
    try {
      const message = await runExpectingError(api, [], 'keyVault.revealSecret', await node([...APP, name]));
      assert.match(message, /could not be read/);
      assert.ok(!message.includes(canary), message);
    } finally {
      await adminRequest('DELETE', '/_admin/faults');
    }
  });

  it('fails to reveal a disabled canary with a message that holds no value', async () => {
    const latest = await directClient('app').getSecret(name);
    await directClient('app').updateSecretProperties(name, latest.properties.version!, { enabled: false });
    api.tree.refresh();
    const message = await runExpectingError(api, [], 'keyVault.revealSecret', await node([...APP, name]));
    assert.match(message, /disabled/i);
    assert.ok(!message.includes(canary));
  });

  it('the Airflow connection form, view and password, and a variable, with canary values', async () => {
    await runWith(api, [
      { inputBox: conn }, { quickPick: 'postgres' }, { inputBox: 'pg.example' }, { inputBox: 'etl' },
      { inputBox: canaryPassword, expectPassword: true }, { inputBox: '5432' }, { inputBox: 'dw' },
      { quickPick: 'No extras' }, { quickPick: 'JSON form' },
    ], 'keyVault.newAirflowConnection', await node([...DEV, 'Airflow connections']));
    const row = await node([...DEV, 'Airflow connections', conn]);
    const view = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealAirflowConnection', row);
    assert.ok(!view.document.getText().includes(canaryPassword), 'masked');
    const shown = await runWith<vscode.TextEditor>(api, [], 'keyVault.showConnectionPassword', view.document.uri);
    assert.ok(shown.document.getText().includes(canaryPassword), 'shown when asked');
    await runWith(api, [{ inputBox: `${conn}_var` }, { quickPick: 'Plain text' }, { inputBox: canary }],
      'keyVault.newAirflowVariable', await node([...DEV, 'Airflow variables']));
  });

  it('a Union envelope and a ZenML secret holding the canary: decoded on reveal, keys only for ZenML', async () => {
    const dev = directClient('contoso-orchestr-dev');
    const union = '1-contoso-development-forecasting-MNQW4YLSPE'; // "canary"
    await dev.setSecret(union, JSON.stringify({ type: 'STRING', value: canary }));
    const zenId = '7d1c0b2a-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
    await dev.setSecret(`zenml-${zenId}`, JSON.stringify({ token: canary }), { contentType: 'application/json',
      tags: { zenml: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', zenml_secret_id: zenId, zenml_secret_name: 'canary_secret' } });
    api.tree.refresh();
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await node([...DEV, 'forecasting / canary']));
    assert.strictEqual(editor.document.getText(), canary);
    const keys = await runWith<string[]>(api, [], 'keyVault.showZenmlKeys', await node([...DEV, 'canary_secret']));
    assert.deepStrictEqual(keys, ['token']);
    const row = (await children(api, await node(DEV))).find((n: Node) => label(n) === 'canary_secret')!;
    assert.ok(!JSON.stringify(row.treeItem()).includes(canary));
  });

  it('finds 0 occurrences of the canary in logs, state, workspace, storage and temp files', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const s = api.storage;
    // mementos
    for (const m of [s.globalState, s.workspaceState]) {
      const dump = JSON.stringify(m.keys().map((k) => [k, m.get(k)]));
      assert.ok(![canary, canaryPassword].some((c) => dump.includes(c)), 'a memento holds the canary');
    }
    // the log folder of this window (output channels, the extension's logs) — it must exist and be written
    const logs = path.dirname(path.dirname(s.logUri.fsPath)); // <logs>/<window>/exthost/<extension> → <logs>/<window>
    const logFiles = files(logs);
    assert.ok(logFiles.some((f) => /Key Vault/.test(path.basename(f))), `the "Key Vault" output channel log is among ${logFiles.length} files`);
    assert.ok(logFiles.some((f) => fs.readFileSync(f, 'utf8').includes(name)), 'the scan reads the logs: the secret name is in them');
    const dirs = [logs, s.globalStorageUri.fsPath, ...(s.storageUri ? [s.storageUri.fsPath] : []),
      ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), os.tmpdir()];
    const skip = (p: string) => p.startsWith(backupDir) || (p.startsWith(os.tmpdir()) && (() => {
      try { return fs.statSync(p).isFile() && fs.statSync(p).mtimeMs < started; } catch { return true; }
    })());
    const hits = occurrences(dirs, [canary, canaryPassword], skip);
    assert.deepStrictEqual(hits, [], 'files holding the canary');
  });
});
