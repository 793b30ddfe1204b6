// Search All Vaults in the real extension host: one quick pick over every vault's secret names with their vault and
// state; picking selects the secret in the tree; names are listed once and then kept fresh (a vault the extension
// changed is listed again, an unchanged one is not).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { SearchResult } from '../../src/commands/searchCommands';
import type { KeyVaultExtensionApi } from '../../src/extension';
import { directClient, extensionApi, findNode, label, runWith, ScriptedPrompter, uniqueName, waitFor } from './support/harness';

async function search(api: KeyVaultExtensionApi, pick: RegExp): Promise<{ result: SearchResult; labels: string[] }> {
  const prompter = new ScriptedPrompter([{ quickPick: pick }]);
  api.setPrompter(prompter);
  try {
    const result = await vscode.commands.executeCommand<SearchResult>('keyVault.searchAllVaults', undefined, { rethrow: true });
    prompter.assertDone();
    return { result, labels: prompter.pickItems[0] };
  } finally {
    api.setPrompter(undefined);
  }
}

describe('search all vaults', function () {
  this.timeout(90000);
  let api: KeyVaultExtensionApi;
  before(async () => {
    api = await extensionApi();
  });
  afterEach(() => api.setPrompter(undefined));

  it('lists the names of every vault with their state, and picking one selects it in the tree', async () => {
    const live = uniqueName('find-me');
    const gone = uniqueName('find-gone');
    const app = directClient('app');
    await app.setSecret(live, 'not-shown');
    await app.setSecret(gone, 'not-shown');
    await (await app.beginDeleteSecret(gone)).pollUntilDone();
    api.search.invalidate(); // the vault changed behind the extension's back

    const { result, labels } = await search(api, new RegExp(` ${live}$`));
    assert.strictEqual(result.hit.vaultName, 'app');
    assert.strictEqual(result.hit.state, 'enabled');
    assert.ok(labels.includes(`$(trash) ${gone}`), 'a deleted secret is listed as deleted');
    assert.ok(labels.includes('$(key) airflow-connections-smtp-default'), 'names of another vault (contoso-orchestr-dev) are there');
    assert.ok(labels.every((l) => !l.includes('not-shown')), 'never a value');
    await waitFor('the picked secret selected in the tree', () => api.view.selection.some((n) => label(n) === live));
  });

  it('lists a vault once, and again only after the extension changed it', async () => {
    await search(api, / airflow-connections-smtp-default$/);
    const before = api.search.requests;
    await search(api, / airflow-connections-smtp-default$/);
    assert.strictEqual(api.search.requests, before, 'an unchanged index is not listed again');

    const name = uniqueName('set-then-found');
    await runWith(api, [
      { inputBox: name }, { quickPick: /Enter the value/ }, { inputBox: 'v1', expectPassword: true }, { quickPick: /Save$/ },
    ], 'keyVault.setSecret', await findNode(api, ['Local emulator', 'app']));
    const { result } = await search(api, new RegExp(` ${name}$`));
    assert.strictEqual(result.hit.vaultName, 'app');
    assert.ok(api.search.requests > before, 'the changed vault was listed again');
  });
});
