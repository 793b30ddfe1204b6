// Every command that acts on a secret also works from the command palette: with no tree item it asks for
// the vault, the secret (or deleted secret) and, where it matters, the version, with quick picks.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../src/extension';
import { directClient, extensionApi, runExpectingError, runWith, uniqueName } from './support/harness';

describe('command palette paths (quick picks)', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;
  const app = () => directClient('app');
  let name: string;
  let versions: string[];

  before(async () => {
    api = await extensionApi();
    name = uniqueName('palette');
    await app().setSecret(name, 'palette-v1', { contentType: 'text/plain' });
    await new Promise((r) => setTimeout(r, 1100));
    await app().setSecret(name, 'palette-v2');
    const found: { v: string; t: number }[] = [];
    for await (const p of app().listPropertiesOfSecretVersions(name)) found.push({ v: p.version!, t: p.createdOn!.getTime() });
    versions = found.sort((a, b) => b.t - a.t).map((f) => f.v); // newest first
    api.tree.refresh();
  });

  after(() => api.setPrompter(undefined));

  it('copy value: vault, secret, then "Latest" or a version', async () => {
    await runWith(api, [{ quickPick: 'app' }, { quickPick: name }, { quickPick: 'Latest' }], 'keyVault.copySecretValue');
    assert.strictEqual(await vscode.env.clipboard.readText(), 'palette-v2');
    await runWith(api, [{ quickPick: 'app' }, { quickPick: name }, { quickPick: versions[1] }], 'keyVault.copySecretValue');
    assert.strictEqual(await vscode.env.clipboard.readText(), 'palette-v1');
    await vscode.env.clipboard.writeText('');
  });

  it('copy URI: vault, secret, then "Latest" or a version', async () => {
    const uri = await runWith<string>(api, [{ quickPick: 'app' }, { quickPick: name }, { quickPick: 'Latest' }], 'keyVault.copySecretUri');
    assert.ok(uri.endsWith(`/secrets/${name}`), uri);
    const versioned = await runWith<string>(api, [{ quickPick: 'app' }, { quickPick: name }, { quickPick: versions[0] }], 'keyVault.copySecretUri');
    assert.ok(versioned.endsWith(`/secrets/${name}/${versions[0]}`), versioned);
  });

  it('edit properties: vault, secret, version, property', async () => {
    await runWith(api, [{ quickPick: 'app' }, { quickPick: name }, { quickPick: versions[1] }, { quickPick: 'Tags' },
      { inputBox: 'stage=old' }], 'keyVault.editSecretProperties');
    const old = await app().getSecret(name, { version: versions[1] });
    assert.deepStrictEqual(old.properties.tags, { stage: 'old' });
    const latest = await app().getSecret(name);
    assert.strictEqual(latest.properties.tags?.stage, undefined, 'only the chosen version changed');
  });

  it('restore version: vault, secret, version, confirm', async () => {
    await runWith(api, [{ quickPick: 'app' }, { quickPick: name }, { quickPick: versions[1] }, { confirm: 'Restore' }],
      'keyVault.restoreVersion');
    assert.strictEqual((await app().getSecret(name)).value, 'palette-v1');
  });

  it('backup: vault, secret, file', async () => {
    const file = vscode.Uri.file(path.join(os.tmpdir(), `${name}.keyvault-backup`));
    await runWith(api, [{ quickPick: 'app' }, { quickPick: name }, { saveFile: file }], 'keyVault.backupSecret');
    assert.ok(fs.statSync(file.fsPath).size > 0);
    fs.rmSync(file.fsPath, { force: true });
  });

  it('purge: vault, deleted secret, typed name', async () => {
    await (await app().beginDeleteSecret(name, { intervalInMs: 100 })).pollUntilDone();
    api.tree.refresh();
    await runWith(api, [{ quickPick: 'app' }, { quickPick: name }, { inputBox: name }], 'keyVault.purgeSecret');
    await assert.rejects(app().getDeletedSecret(name), /not found/i);
  });

  it('reveal: vault, secret, "Latest"', async () => {
    const editor = await runWith<vscode.TextEditor>(api, [{ quickPick: 'app' }, { quickPick: 'api-key' }, { quickPick: 'Latest' }],
      'keyVault.revealSecret');
    assert.strictEqual(editor.document.getText(), 'api-key-v3');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a vault with no deleted secrets says so instead of showing an empty pick', async () => {
    const message = await runExpectingError(api, [{ quickPick: 'team' }], 'keyVault.recoverSecret');
    assert.match(message, /no deleted secrets/);
  });

  it('open in portal says why a vault not found through ARM has no portal page', async () => {
    const message = await runExpectingError(api, [{ quickPick: 'app' }], 'keyVault.openInPortal');
    assert.match(message, /portal/);
  });

  it('remove vault with nothing added by URL says so', async () => {
    const message = await runExpectingError(api, [], 'keyVault.removeVault');
    assert.match(message, /No vaults were added by URL/);
  });
});
