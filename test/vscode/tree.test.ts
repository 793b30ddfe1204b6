// The vault tree in the real extension host against the emulator of this run (test/fixtures/vscode-seed.json).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../src/extension';
import type { Node } from '../../src/tree/nodes';
import { adminRequest, adminStats, children, contextValue, emulatorInfo, extensionApi, findNode, kind, label, runWith, waitFor } from './support/harness';

describe('vault tree (local emulator)', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;

  before(async () => {
    api = await extensionApi();
  });

  it('shows the emulator of this run under "Local emulator" with its vaults', async () => {
    const roots = await children(api);
    assert.ok(roots.some((r) => label(r) === 'Local emulator'), `roots: ${roots.map(label).join(', ')}`);
    const emulatorRoot = await findNode(api, ['Local emulator']);
    const vaults = (await children(api, emulatorRoot)).map(label);
    for (const v of ['app', 'big', 'locked', 'team']) assert.ok(vaults.includes(v), `vaults: ${vaults.join(', ')}`);
  });

  it('lists secrets of a vault with descriptions, never values', async () => {
    const vault = await findNode(api, ['Local emulator', 'app']);
    const secrets = await children(api, vault);
    const byName = new Map(secrets.map((s) => [label(s), s]));
    const disabled = byName.get('disabled-secret')!.treeItem();
    assert.match(String(disabled.description), /disabled/);
    assert.match(String(byName.get('expired-secret')!.treeItem().description), /expired/);
    assert.match(String(byName.get('expiring-secret')!.treeItem().description), /expires in [45] days/);
    const cert = byName.get('tls-cert')!;
    assert.match(String(cert.treeItem().description), /certificate/);
    assert.match(contextValue(cert), /\bmanaged\b/);
    assert.doesNotMatch(contextValue(cert), /\beditable\b/, 'certificate-backed secrets are read-only');
    assert.match(String(byName.get('db-password')!.treeItem().description), /text\/plain/);
    // no value anywhere in what the tree renders
    for (const s of secrets) {
      const ti = api.tree.resolveTreeItem(s.treeItem(), s);
      if (s.lazyTooltip) {
        // a secret's tooltip is built on hover only (resolveTreeItem), not with every render of the list
        assert.strictEqual(s.treeItem().tooltip, undefined);
        const md = typeof ti.tooltip === 'string' ? ti.tooltip : ti.tooltip?.value ?? '';
        assert.ok(md.replace(/\\(.)/g, '$1').includes(s.id.split('|').pop()!), `${s.id}: ${md}`);
      }
      const text = JSON.stringify([ti.label, ti.description, typeof ti.tooltip === 'string' ? ti.tooltip : ti.tooltip?.value]);
      assert.doesNotMatch(text, /initial-db-password|disabled-value|expired-value|api-key-v/);
    }
    assert.ok(secrets.some((s) => label(s) === 'Deleted secrets'));
  });

  it('pages a 120-secret vault (flat view): the first page after one request, the rest with "Load more"', async () => {
    // grouped (the default), Airflow groups need every name and the pages load by themselves (orchestrators.test)
    await vscode.workspace.getConfiguration('keyVault').update('airflow.groupSecrets', false, vscode.ConfigurationTarget.Global);
    try {
      await pagesWithLoadMore();
    } finally {
      await vscode.workspace.getConfiguration('keyVault').update('airflow.groupSecrets', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  async function pagesWithLoadMore(): Promise<void> {
    const vault = (await findNode(api, ['Local emulator', 'big'])) as Node;
    await children(api, vault); // the client's first request meets the 401 challenge: not counted below
    await adminRequest('POST', '/_admin/stats/reset');
    api.tree.refresh(vault);
    let kids = await children(api, vault);
    const stats = await adminStats();
    assert.strictEqual(stats['secrets.list'], 1, `one list request for the first page: ${JSON.stringify(stats)}`);
    assert.strictEqual(kids.filter((k) => kind(k) === 'secret').length, 25);
    let more = kids.find((k) => kind(k) === 'loadMore');
    assert.ok(more, 'a "Load more" row after the first page');
    let rounds = 0;
    while (more) {
      await vscode.commands.executeCommand('keyVault.loadMore', more);
      kids = await children(api, vault);
      more = kids.find((k) => kind(k) === 'loadMore');
      assert.ok(++rounds < 10, 'too many pages');
    }
    const names = kids.filter((k) => kind(k) === 'secret').map(label);
    assert.strictEqual(names.length, 120);
    assert.strictEqual(new Set(names).size, 120, 'no duplicates across pages');
    assert.strictEqual(rounds, 4);
  }

  it('keeps tree ids stable across refreshes', async () => {
    // both sides from a fresh listing: earlier suites change the vault behind the view's cache (the terminal suite
    // deletes its secrets through the SDK), and a cached listing against a fresh one compares those, not the ids
    api.tree.refresh();
    const before = (await children(api, await findNode(api, ['Local emulator', 'app']))).map((n) => n.id);
    api.tree.refresh();
    const after = (await children(api, await findNode(api, ['Local emulator', 'app']))).map((n) => n.id);
    assert.deepStrictEqual(after, before);
    assert.ok(before.every((id) => id.startsWith('emulator|https://app.vault.localhost:')), before[0]);
  });

  it('loads versions only when a secret is expanded, newest first', async () => {
    await adminRequest('POST', '/_admin/stats/reset');
    const vault = (await findNode(api, ['Local emulator', 'app'])) as Node;
    api.tree.refresh(vault);
    const secrets = await children(api, vault);
    assert.strictEqual((await adminStats())['secrets.listVersions'] ?? 0, 0, 'browsing does not list versions');
    const apiKey = secrets.find((s) => label(s) === 'api-key')!;
    const versions = await children(api, apiKey);
    assert.strictEqual((await adminStats())['secrets.listVersions'], 1);
    assert.strictEqual(versions.length, 3);
    assert.match(String(versions[0].treeItem().description), /latest/);
    assert.doesNotMatch(contextValue(versions[0]), /\bold\b/);
    assert.match(contextValue(versions[2]), /\bold\b/);
    assert.strictEqual((await adminStats())['secrets.get'] ?? 0, 0, 'browsing never reads a value');
  });

  it('lists deleted secrets in their folder; purge is offered only without purge protection', async () => {
    const deleted = await children(api, await findNode(api, ['Local emulator', 'app', 'Deleted secrets']));
    const old = deleted.find((d) => label(d) === 'old-deleted');
    assert.ok(old, `deleted: ${deleted.map(label).join(', ')}`);
    assert.match(contextValue(old), /\bpurgeable\b/);
    const locked = await children(api, await findNode(api, ['Local emulator', 'locked', 'Deleted secrets']));
    const prot = locked.find((d) => label(d) === 'protected-deleted');
    assert.ok(prot);
    assert.match(contextValue(prot), /\bdeletedSecret\b/);
    assert.doesNotMatch(contextValue(prot), /\bpurgeable\b/, 'purge hidden under purge protection');
  });

  it('filters secrets by name (palette: Filter Secrets, then Clear)', async () => {
    await runWith(api, [{ inputBox: 'bulk-11' }], 'keyVault.filterSecrets');
    const vault = await findNode(api, ['Local emulator', 'big']);
    const names = (await children(api, vault)).filter((k) => kind(k) === 'secret').map(label);
    assert.deepStrictEqual(names.sort(), ['bulk-110', 'bulk-111', 'bulk-112', 'bulk-113', 'bulk-114', 'bulk-115', 'bulk-116', 'bulk-117', 'bulk-118', 'bulk-119']);
    await vscode.commands.executeCommand('keyVault.clearFilter');
    const all = (await children(api, await findNode(api, ['Local emulator', 'app']))).filter((k) => kind(k) === 'secret');
    assert.ok(all.length >= 7);
  });

  it('filters one vault from its context menu', async () => {
    const vault = await findNode(api, ['Local emulator', 'app']);
    await runWith(api, [{ inputBox: 'SECRET' }], 'keyVault.filterSecrets', vault);
    const names = (await children(api, await findNode(api, ['Local emulator', 'app']))).filter((k) => kind(k) === 'secret').map(label);
    assert.deepStrictEqual(names.sort(), ['disabled-secret', 'expired-secret', 'expiring-secret']);
    const other = (await children(api, await findNode(api, ['Local emulator', 'team']))).filter((k) => kind(k) === 'secret');
    assert.strictEqual(other.length, 1, 'other vaults are not filtered');
    await vscode.commands.executeCommand('keyVault.clearFilter');
  });

  it('shows the view in its own activity-bar container', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.keyVault');
    await new Promise((r) => setTimeout(r, 300));
    const deadline = Date.now() + 10000;
    while (!api.view.visible && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.strictEqual(api.view.visible, true);
  });
});


describe('welcome view', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;
  before(async () => { api = await extensionApi(); });
  after(async () => {
    await vscode.commands.executeCommand('keyvaultTestAuth.usePrincipal', emulatorInfo().principals[0].clientId);
    api.hub.setEmulator(emulatorInfo(), false);
    api.tree.refresh();
  });

  it('signed out with no emulator: only a stopped "Local emulator" root offering Start; the welcome view offers the three ways in', async () => {
    await vscode.commands.executeCommand('keyvaultTestAuth.signOut');
    api.hub.setEmulator(undefined, false);
    // the provider's sign-out event reaches the hub asynchronously: look again until it has
    const roots = await waitFor('the signed-out roots', async () => {
      api.tree.refresh();
      const r = (await children(api)).map(label);
      return r.includes('Azure') ? undefined : r;
    });
    // no Azure root when signed out; the emulator was used in this profile, so its root stays (stopped)
    assert.deepStrictEqual(roots, ['Local emulator']);
    const start = await children(api, await findNode(api, ['Local emulator']));
    assert.strictEqual(label(start[0]), 'Start local emulator');
    assert.strictEqual(start[0].treeItem().command?.command, 'keyVault.startLocalEmulator');
    const pkg = vscode.extensions.getExtension('keyvault-tools.vscode-keyvault')!.packageJSON as {
      contributes: { viewsWelcome: { view: string; contents: string }[] } };
    const welcome = pkg.contributes.viewsWelcome.find((w) => w.view === 'keyVault.vaults')!;
    for (const cmd of ['keyVault.signIn', 'keyVault.addVaultByUrl', 'keyVault.startLocalEmulator']) {
      assert.ok(welcome.contents.includes(`command:${cmd}`), `welcome offers ${cmd}`);
    }
  });
});
