// Start and stop a local emulator from the view, like Azurite: a child process with data in the extension's
// global storage, its vaults under "Local emulator"; and attach one started outside VS Code.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../src/extension';
import { children, emulatorInfo, extensionApi, findNode, label, runWith } from './support/harness';

describe('local emulator from the view', function () {
  this.timeout(90000);
  let api: KeyVaultExtensionApi;

  before(async () => {
    api = await extensionApi();
  });

  after(async () => {
    await vscode.commands.executeCommand('keyVault.stopLocalEmulator');
    api.hub.setEmulator(emulatorInfo(), false);
  });

  it('starts an emulator, shows its vault, sets and reads a secret in it, and stops it', async () => {
    const runPort = emulatorInfo().port;
    const port = await runWith<number>(api, [], 'keyVault.startLocalEmulator');
    assert.ok(port > 0 && port !== runPort, `a second emulator on its own port (${port})`);
    const em = api.hub.emulator();
    assert.ok(em?.owned);
    const root = await findNode(api, ['Local emulator']);
    assert.match(String(root.treeItem().description), new RegExp(`localhost:${port}`));
    assert.match(root.treeItem().contextValue ?? '', /\bowned\b/);
    const dev = await findNode(api, ['Local emulator', 'dev']);
    await runWith(api, [{ inputBox: 'from-view' }, { quickPick: /Enter the value/ }, { inputBox: 'emulator-value' }, { quickPick: /Save$/ }],
      'keyVault.setSecret', dev);
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, ['Local emulator', 'dev', 'from-view']));
    assert.strictEqual(editor.document.getText(), 'emulator-value');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    const child = (api as unknown as { hub: { emulator(): unknown } }).hub.emulator();
    assert.ok(child);
    await runWith(api, [], 'keyVault.stopLocalEmulator');
    assert.strictEqual(api.hub.emulator(), undefined);
    const rootAfter = await findNode(api, ['Local emulator']);
    assert.match(String(rootAfter.treeItem().description), /stopped/);
  });

  it('keeps data across restarts (global storage)', async () => {
    await runWith(api, [], 'keyVault.startLocalEmulator');
    const names = (await children(api, await findNode(api, ['Local emulator', 'dev']))).map(label);
    assert.ok(names.includes('from-view'), `persisted: ${names.join(', ')}`);
    await runWith(api, [], 'keyVault.stopLocalEmulator');
  });

  it('attaches an emulator started outside VS Code by its ready line', async () => {
    const info = emulatorInfo();
    api.hub.setEmulator(undefined, false);
    const port = await runWith<number>(api, [{ inputBox: JSON.stringify(info) }], 'keyVault.attachLocalEmulator');
    assert.strictEqual(port, info.port);
    const vaults = (await children(api, await findNode(api, ['Local emulator']))).map(label);
    assert.ok(vaults.includes('app'));
    assert.strictEqual(api.hub.emulator()?.owned, false);
  });
});
