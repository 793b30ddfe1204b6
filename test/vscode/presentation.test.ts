// Screen-sharing safety in the real extension host: presentation mode hides tag values and content types in the
// tree, reveal views open masked (nothing read) until "Show Value", and reveal views close themselves.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../src/extension';
import type { Node } from '../../src/tree/nodes';
import { adminStats, directClient, extensionApi, findNode, runWith, waitFor } from './support/harness';

const SECRET = ['Local emulator', 'app', 'db-password'];
const CONNECTION = ['Local emulator', 'contoso-orchestr-dev', 'Airflow connections', 'smtp_default'];

const config = () => vscode.workspace.getConfiguration('keyVault');
const tooltipText = (node: Node) => {
  // secrets build their tooltip on hover (resolveTreeItem), as VS Code asks for it
  const t = node.treeItem().tooltip ?? node.lazyTooltip?.();
  return (typeof t === 'string' ? t : t?.value ?? '').replace(/\\/g, '').replace(/&nbsp;/g, ' '); // appendText escapes punctuation and spaces
};
const openTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
  .map((t) => (t.input instanceof vscode.TabInputText ? t.input.uri.toString() : '')).filter(Boolean);

async function present(api: KeyVaultExtensionApi, on: boolean): Promise<void> {
  if (config().get('presentationMode') !== on) await vscode.commands.executeCommand('keyVault.togglePresentationMode');
  await waitFor(`presentation mode ${on ? 'on' : 'off'}`, () => config().get('presentationMode') === on);
  void api;
}

describe('presentation mode and reveal views', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;

  before(async () => {
    api = await extensionApi();
  });

  afterEach(async () => {
    api.setPrompter(undefined);
    await present(api, false);
    await config().update('reveal.closeAfterSeconds', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('hides content types and tag values in the tree while presenting, and shows them again after', async () => {
    await present(api, false);
    const before = await findNode(api, SECRET);
    assert.match(String(before.treeItem().description), /text\/plain/);
    assert.match(tooltipText(before), /Tag owner = data-team/);

    await present(api, true);
    const during = await findNode(api, SECRET);
    assert.doesNotMatch(String(during.treeItem().description), /text\/plain/);
    assert.match(String(during.treeItem().description), /1 tag/, 'the tag count stays');
    assert.doesNotMatch(tooltipText(during), /data-team|text\/plain/);
    assert.match(tooltipText(during), /Tag owner = •••/, 'tag keys stay, values are hidden');

    await present(api, false);
    assert.match(String((await findNode(api, SECRET)).treeItem().description), /text\/plain/);
  });

  it('reveals masked while presenting: nothing is read until "Show Value", then the value shows', async () => {
    const value = (await directClient('app').getSecret('db-password')).value!;
    await present(api, true);
    const readsBefore = (await adminStats())['secrets.get'] ?? 0;
    const masked = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, SECRET));
    assert.ok(!masked.document.getText().includes(value), 'the masked view holds no value');
    assert.match(masked.document.getText(), /hidden: presentation mode is on/);
    assert.match(masked.document.uri.path, /\(hidden\)$/);
    assert.strictEqual((await adminStats())['secrets.get'] ?? 0, readsBefore, 'the value was not even read');

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', masked.document.uri);
    const show = lenses.find((l) => l.command?.command === 'keyVault.showHiddenValue');
    assert.ok(show?.command, 'a "Show Value" lens above the masked view');
    assert.match(show.command.title, /Show Value/);
    const shown = await vscode.commands.executeCommand<vscode.TextEditor>(show.command.command, ...(show.command.arguments ?? []));
    assert.strictEqual(shown.document.getText(), value);
    assert.ok(!openTabs().includes(masked.document.uri.toString()), 'the masked view was replaced');
  });

  it('opens an Airflow connection view masked while presenting, every field hidden until "Show Value"', async () => {
    await present(api, true);
    const masked = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealAirflowConnection', await findNode(api, CONNECTION));
    const text = masked.document.getText();
    assert.doesNotMatch(text, /smtp\.contoso-data\.example|alerts@contoso-data/, 'no host or login on a shared screen');
    const shown = await vscode.commands.executeCommand<vscode.TextEditor>('keyVault.showHiddenValue', masked.document.uri);
    assert.match(shown.document.getText(), /^host {8}smtp\.contoso-data\.example$/m);
    assert.match(shown.document.getText(), /^password {4}••••••••/m, 'the password stays masked as usual');
  });

  it('copies while presenting: the value reaches the clipboard', async () => {
    await present(api, true);
    await runWith(api, [], 'keyVault.copySecretValue', await findNode(api, SECRET));
    assert.strictEqual(await vscode.env.clipboard.readText(), (await directClient('app').getSecret('db-password')).value);
    await vscode.env.clipboard.writeText('');
  });

  it('closes reveal views after keyVault.reveal.closeAfterSeconds, and leaves them open when it is 0', async () => {
    await config().update('reveal.closeAfterSeconds', 1, vscode.ConfigurationTarget.Global);
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, SECRET));
    const uri = editor.document.uri.toString();
    assert.ok(openTabs().includes(uri));
    await waitFor('the reveal view to close itself', () => !openTabs().includes(uri), 10000);

    await config().update('reveal.closeAfterSeconds', 0, vscode.ConfigurationTarget.Global);
    const kept = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, SECRET));
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(openTabs().includes(kept.document.uri.toString()), 'with 0 the view stays open');
  });
});
