// Token lifecycle: the reliability runner gives the emulator 20-second tokens, so tokens expire mid-session; commands
// keep working on fresh ones. A role removed at runtime gives the RBAC message on the next call, not a stale success.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { createEmulatorCredential } from '../../../src/auth/emulatorCredential';
import type { KeyVaultExtensionApi } from '../../../src/extension';
import {
  adminRequest, adminStats, emulatorInfo, extensionApi, findNode, runExpectingError, runWith, sleep,
} from '../../vscode/support/harness';

describe('reliability: token lifecycle', function () {
  this.timeout(120000);
  let api: KeyVaultExtensionApi;
  before(async () => { api = await extensionApi(); });
  afterEach(async () => {
    api.setPrompter(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const reveal = async (path: string[]) => (await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, path))).document.getText();

  it('keeps revealing after the token it used has expired', async () => {
    const info = emulatorInfo();
    const token = await createEmulatorCredential(info).getToken(`https://vault.localhost:${info.port}/.default`);
    assert.ok(token, 'a token');
    const lifetime = (token.expiresOnTimestamp - Date.now()) / 1000;
    assert.ok(lifetime <= 60, `the reliability runner starts the emulator with short-lived tokens (this one lives ${Math.round(lifetime)} s)`);
    const first = await reveal(['Local emulator', 'app', 'db-password']);
    const before = (await adminStats()).token ?? 0;
    await sleep((lifetime + 6) * 1000); // past expiry and the emulator's clock-skew allowance
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.strictEqual(await reveal(['Local emulator', 'app', 'db-password']), first);
    assert.ok(((await adminStats()).token ?? 0) > before, 'a new token was requested');
  });

  it('a role removed at runtime is refused on the next call with the RBAC message, and restored works again', async () => {
    const info = emulatorInfo();
    const assignment = { clientId: info.principals[0].clientId, role: 'Key Vault Administrator', subscription: 'bbbb0001-0000-4000-8000-000000000001' };
    const path = ['Local emulator', 'team', 'flyte-token'];
    assert.strictEqual(await reveal(path), 'flyte-token-value');
    await adminRequest('DELETE', '/_admin/roles', assignment);
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const message = await runExpectingError(api, [], 'keyVault.revealSecret', await findNode(api, path));
      assert.match(message, /Key Vault Secrets User|role/i);
    } finally {
      await adminRequest('POST', '/_admin/roles', assignment);
    }
    assert.strictEqual(await reveal(path), 'flyte-token-value');
  });
});
