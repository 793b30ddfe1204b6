// Sanity of the test host itself: the real extension host, on Node 22, with our extension under development
// loaded and able to activate, and the emulator of this run handed over through the environment.
import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'keyvault-tools.vscode-keyvault';

describe('VS Code test host', () => {
  it('runs the extension host on Node 22', () => {
    assert.strictEqual(process.versions.node.split('.')[0], '22', `extension host runs Node ${process.version}`);
  });

  it('is a real VS Code 1.117 with a remote (server-side) extension host', () => {
    assert.match(vscode.version, /^1\.117\./);
    assert.ok(vscode.env.remoteName, 'extensions should run in the remote host of code-server');
  });

  it('has the extension under development and activates it', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    assert.strictEqual(ext.packageJSON.displayName, 'Key Vault for VS Code');
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('receives the emulator of this run through KEYVAULT_TEST_EMULATOR', () => {
    const line = process.env.KEYVAULT_TEST_EMULATOR;
    assert.ok(line, 'KEYVAULT_TEST_EMULATOR is not set in the extension host');
    const ready = JSON.parse(line) as { ready: boolean; port: number };
    assert.strictEqual(ready.ready, true);
    assert.ok(ready.port > 0);
  });
});
