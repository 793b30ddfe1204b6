// "Faults survived by the extension": the emulator injects throttling, outages, connection resets and delays
// (docs/emulator.md, "faults") under the real extension in the extension host. Transient faults are retried by
// the SDK and the command succeeds, writing once; lasting faults end with a message that says what to do, and a
// failed listing becomes an error row whose click (Retry) lists it again. The whole file also counts unhandled
// promise rejections in the extension host (the tests run in its process): there must be none.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../../src/extension';
import type { VaultRef } from '../../../src/azure/model';
import type { Node } from '../../../src/tree/nodes';
import {
  adminRequest, adminStats, children, contextValue, directClient, EXTENSION_ID, extensionApi, findNode, kind, label,
  runExpectingError, runWith, uniqueName, waitFor, type Answer,
} from '../../vscode/support/harness';
import { spyOnMessages } from './support/messages';

const APP = ['Local emulator', 'app'];
const TEAM = ['Local emulator', 'team'];

interface FaultRule {
  operation: string; vault?: string; status?: number; retryAfterSeconds?: number; delayMs?: number; reset?: boolean; count?: number;
}


const setFaults = (rules: FaultRule[]) => adminRequest('PUT', '/_admin/faults', { rules });
const activeFaults = async () => ((await adminRequest('GET', '/_admin/faults')) as { rules: unknown[] }).rules;
const resetStats = () => adminRequest('POST', '/_admin/stats/reset');

function setPlain(name: string, value: string): Answer[] {
  return [{ inputBox: name }, { quickPick: /Enter the value/ }, { inputBox: value, expectPassword: true }, { quickPick: /Save$/ }];
}

describe('reliability: faults survived by the extension', function () {
  this.timeout(90000);
  let api: KeyVaultExtensionApi;
  let messages: ReturnType<typeof spyOnMessages>;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => { rejections.push(reason); };
  const app = () => directClient('app');
  const errorsShown = () => messages.shown.filter((m) => m.level === 'error').map((m) => m.message);

  before(async () => {
    process.on('unhandledRejection', onRejection);
    api = await extensionApi();
    messages = spyOnMessages();
    await setFaults([]);
  });

  beforeEach(async () => {
    messages.shown.length = 0;
    await resetStats();
  });

  afterEach(async () => {
    await setFaults([]);
    api.setPrompter(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  after(async () => {
    process.off('unhandledRejection', onRejection);
    messages?.restore();
    api?.tree.refresh();
  });

  async function versionCount(name: string): Promise<number> {
    let n = 0;
    for await (const _ of app().listPropertiesOfSecretVersions(name)) n++;
    return n;
  }

  /** A vault node listed afresh (its cached pages dropped), and its children. */
  async function relist(path: string[]): Promise<{ vault: Node; rows: Node[] }> {
    const vault = await findNode(api, path);
    api.tree.refresh(vault);
    return { vault, rows: await children(api, vault) };
  }

  /** Clicks a tree row as VS Code would: runs its command with its arguments. */
  async function click(row: Node): Promise<void> {
    const command = row.treeItem().command;
    assert.ok(command, `"${label(row)}" has a command`);
    await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
  }

  /** Collects the ids of the nodes the tree re-renders. */
  function watchTree(): { ids: (string | undefined)[]; dispose(): void } {
    const ids: (string | undefined)[] = [];
    const sub = api.tree.onDidChangeTreeData((n) => ids.push(n?.id));
    return { ids, dispose: () => sub.dispose() };
  }

  // ---- transient faults: the SDK retries, the command succeeds ----

  it('429 with Retry-After twice on secrets.get: Reveal still shows the value', async () => {
    await setFaults([{ operation: 'secrets.get', vault: 'app', status: 429, retryAfterSeconds: 1, count: 2 }]);
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, [...APP, 'api-key']));
    assert.strictEqual(editor.document.getText(), 'api-key-v3');
    assert.deepStrictEqual(await activeFaults(), [], 'both throttled answers were used');
    assert.ok(((await adminStats())['secrets.get'] ?? 0) >= 3, 'two throttled reads, then the one that succeeded');
    assert.deepStrictEqual(errorsShown(), []);
  });

  it('503 once on secrets.set: Set Secret succeeds and saves exactly one version', async () => {
    const name = uniqueName('f503');
    await setFaults([{ operation: 'secrets.set', vault: 'app', status: 503, count: 1 }]);
    await runWith(api, setPlain(name, 'after-503'), 'keyVault.setSecret', await findNode(api, APP));
    assert.strictEqual((await app().getSecret(name)).value, 'after-503');
    assert.strictEqual(await versionCount(name), 1, 'the retried write did not make a second version');
    assert.strictEqual((await adminStats())['secrets.set'], 2, 'one refused write, one retried write');
    assert.deepStrictEqual(errorsShown(), []);
  });

  it('503 once on secrets.update: Edit Properties succeeds', async () => {
    const name = uniqueName('fupd');
    await app().setSecret(name, 'v');
    api.tree.refresh();
    const node = await findNode(api, [...APP, name]);
    await setFaults([{ operation: 'secrets.update', vault: 'app', status: 503, count: 1 }]);
    await runWith(api, [{ quickPick: 'Content type' }, { inputBox: 'application/json' }], 'keyVault.editSecretProperties', node);
    assert.strictEqual((await app().getSecret(name)).properties.contentType, 'application/json');
    assert.deepStrictEqual(await activeFaults(), []);
  });

  it('a connection reset on secrets.get: the SDK retries and Reveal completes with the value', async () => {
    await setFaults([{ operation: 'secrets.get', vault: 'app', reset: true, count: 1 }]);
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, [...APP, 'db-password']));
    assert.match(editor.document.getText(), /db-password/);
    assert.deepStrictEqual(await activeFaults(), [], 'the reset happened');
    assert.ok(((await adminStats())['secrets.get'] ?? 0) >= 2, 'the reset read was sent again');
    assert.deepStrictEqual(errorsShown(), []);
  });

  it('a connection reset on secrets.set: the write is retried and saved once', async () => {
    const name = uniqueName('freset');
    await setFaults([{ operation: 'secrets.set', vault: 'app', reset: true, count: 1 }]);
    await runWith(api, setPlain(name, 'after-reset'), 'keyVault.setSecret', await findNode(api, APP));
    assert.strictEqual((await app().getSecret(name)).value, 'after-reset');
    assert.strictEqual(await versionCount(name), 1);
    assert.deepStrictEqual(await activeFaults(), []);
  });

  it('429 twice on secrets.list: the tree lists the vault as usual', async () => {
    await setFaults([{ operation: 'secrets.list', vault: 'team', status: 429, retryAfterSeconds: 0, count: 2 }]);
    const { rows } = await relist(TEAM);
    assert.ok(rows.some((r) => label(r) === 'flyte-token'), `listed: ${rows.map(label).join(', ')}`);
    assert.ok(!rows.some((r) => /errorRow/.test(contextValue(r))), 'no error row');
    assert.deepStrictEqual(await activeFaults(), []);
  });

  it('a 3 s delay on secrets.get: Reveal waits and completes with the value', async () => {
    await setFaults([{ operation: 'secrets.get', vault: 'app', delayMs: 3000, count: 1 }]);
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, [...APP, 'api-key']));
    assert.strictEqual(editor.document.getText(), 'api-key-v3');
    assert.deepStrictEqual(await activeFaults(), [], 'the delayed read was the one answered');
  });

  // ---- lasting faults: a clear message, nothing half-done ----

  it('429 on every secrets.get (more than the SDK retries): Reveal says the vault is throttling and what to do', async () => {
    await setFaults([{ operation: 'secrets.get', vault: 'app', status: 429, retryAfterSeconds: 0 }]);
    const message = await runExpectingError(api, [], 'keyVault.revealSecret', await findNode(api, [...APP, 'api-key']));
    assert.match(message, /Vault "app" is throttling requests; the SDK already retried\. Try again in a minute\./);
    assert.doesNotMatch(message, /api-key-v/, 'no value in the message');
    assert.ok(errorsShown().includes(message), 'shown to the user');
    assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.getText().includes('api-key-v')), 'no document opened');
    assert.ok(((await adminStats())['secrets.get'] ?? 0) >= 4, 'the SDK retried before giving up');
  });

  it('503 on every secrets.set: Set Secret says the vault is unavailable and nothing is saved', async () => {
    const name = uniqueName('fdown');
    await setFaults([{ operation: 'secrets.set', vault: 'app', status: 503 }]);
    const message = await runExpectingError(api, setPlain(name, 'never-saved'), 'keyVault.setSecret', await findNode(api, APP));
    assert.match(message, /Vault "app" is temporarily unavailable \(503\); the SDK already retried\. Try again later\./);
    assert.ok(errorsShown().includes(message));
    await setFaults([]);
    await assert.rejects(app().getSecret(name), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  it('429 on every secrets.list: the vault shows an error row that says what to do (not an empty vault); Retry lists it again', async () => {
    await setFaults([{ operation: 'secrets.list', vault: 'team', status: 429, retryAfterSeconds: 0 }]);
    const { vault, rows } = await relist(TEAM);
    assert.strictEqual(rows.length, 1, `only the error row — no empty listing, no "Deleted secrets": ${rows.map(label).join(', ')}`);
    const row = rows[0]!;
    assert.match(label(row), /Vault "team" is throttling requests; the SDK already retried\. Try again in a minute\./);
    assert.strictEqual(kind(row), 'message');
    assert.match(contextValue(row), /\berrorRow\b/);
    const item = row.treeItem();
    assert.strictEqual(item.command?.command, 'keyVault.retry');
    assert.strictEqual(item.command?.title, 'Retry');
    assert.match(String(item.tooltip), /Click to retry/);
    // while the fault lasts, Retry shows the error again
    await click(row);
    assert.match(label((await children(api, vault))[0]!), /throttling/);
    await setFaults([]);
    const watch = watchTree();
    try {
      await click(row);
      assert.ok(watch.ids.includes(vault.id), `Retry refreshed the vault node (re-rendered: ${JSON.stringify(watch.ids)})`);
    } finally {
      watch.dispose();
    }
    const back = await children(api, vault);
    assert.ok(back.some((r) => label(r) === 'flyte-token'), `listed again: ${back.map(label).join(', ')}`);
    assert.ok(back.some((r) => label(r) === 'Deleted secrets'));
  });

  it('503 on every secrets.list: the error row says the vault is unavailable; after the outage Retry lists it again', async () => {
    await setFaults([{ operation: 'secrets.list', vault: 'team', status: 503 }]);
    const { vault, rows } = await relist(TEAM);
    assert.strictEqual(rows.length, 1, rows.map(label).join(', '));
    assert.match(label(rows[0]!), /Vault "team" is temporarily unavailable \(503\); the SDK already retried\. Try again later\./);
    await setFaults([]);
    await click(rows[0]!);
    const back = await children(api, vault);
    assert.ok(back.some((r) => label(r) === 'flyte-token'), back.map(label).join(', '));
  });

  it('429 on every secrets.listDeleted: the Deleted secrets folder shows an error row; Retry lists it again', async () => {
    await setFaults([{ operation: 'secrets.listDeleted', vault: 'locked', status: 429, retryAfterSeconds: 0 }]);
    const folder = await findNode(api, ['Local emulator', 'locked', 'Deleted secrets']);
    api.tree.refresh(folder);
    const rows = await children(api, folder);
    assert.strictEqual(rows.length, 1, rows.map(label).join(', '));
    assert.match(label(rows[0]!), /Vault "locked" is throttling requests/);
    assert.notStrictEqual(label(rows[0]!), 'No deleted secrets', 'not shown as an empty folder');
    await setFaults([]);
    await click(rows[0]!);
    const back = await children(api, folder);
    assert.ok(back.some((r) => label(r) === 'protected-deleted'), back.map(label).join(', '));
  });

  it('the error row offers Show Details inline and Retry in its menu; Retry is not in the command palette', async () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string; when?: string; group?: string }[]> };
    };
    assert.ok(pkg.contributes.commands.some((c) => c.command === 'keyVault.retry' && c.title === 'Retry'));
    assert.ok(pkg.contributes.menus.commandPalette!.some((m) => m.command === 'keyVault.retry' && m.when === 'false'));
    await setFaults([{ operation: 'secrets.list', vault: 'team', status: 429, retryAfterSeconds: 0 }]);
    const { rows } = await relist(TEAM);
    const rowContext = contextValue(rows[0]!);
    const entries = pkg.contributes.menus['view/item/context']!;
    const matching = entries.filter((m) => {
      const re = /viewItem =~ \/(.*)\/$/.exec(m.when ?? '');
      return re && new RegExp(re[1]!).test(rowContext);
    });
    assert.ok(matching.some((m) => m.command === 'keyVault.showOutput' && m.group?.startsWith('inline')),
      `Show Details inline for "${rowContext}": ${JSON.stringify(matching)}`);
    assert.ok(matching.some((m) => m.command === 'keyVault.retry'));
    assert.ok(!matching.some((m) => /setSecret|deleteSecret|revealSecret/.test(m.command)), 'no secret or vault actions on an error row');
    // what the inline button runs: the output channel, no error
    await vscode.commands.executeCommand('keyVault.showOutput', rows[0]);
  });

  it('429 on every secrets.list: the palette\'s secret quick pick fails with the same clear message', async () => {
    await setFaults([{ operation: 'secrets.list', vault: 'team', status: 429, retryAfterSeconds: 0 }]);
    const message = await runExpectingError(api, [{ quickPick: 'team' }], 'keyVault.revealSecret');
    assert.match(message, /Vault "team" is throttling requests; the SDK already retried\. Try again in a minute\./);
    assert.ok(errorsShown().includes(message));
  });

  // ---- cancelled while waiting ----

  it('a 10 s delay on secrets.set, cancelled from the progress notification: ends quietly, says the save may still land, never half-saves', async () => {
    const name = uniqueName('fcancel');
    const value = 'value-sent-before-the-cancel';
    await setFaults([{ operation: 'secrets.set', vault: 'app', delayMs: 10000, count: 1 }]);
    await vscode.commands.executeCommand('notifications.clearAll');
    const running = runExpectingError(api, setPlain(name, value), 'keyVault.setSecret', await findNode(api, APP));
    // the authenticated request is at the vault, held by the delay (the rule is used up once it applies): cancel the
    // command's progress as the user would, with the notification's Cancel
    await waitFor('the delayed write to reach the vault', async () => (await activeFaults()).length === 0 || undefined);
    await vscode.commands.executeCommand('notification.acceptPrimaryAction');
    const message = await running;
    assert.strictEqual(message, 'Cancelled.', 'the cancel ends the command quietly');
    assert.deepStrictEqual(errorsShown(), [], 'no error for a cancel');
    const warning = messages.shown.find((m) => m.level === 'warning');
    assert.ok(warning, `a warning says what happened: ${JSON.stringify(messages.shown)}`);
    assert.match(warning.message, new RegExp(`Stopped waiting for "${name}" to be saved in app\\. If the vault had already received the value, it is saved`));
    assert.ok(!messages.shown.some((m) => m.level === 'info' && /^Saved/.test(m.message)), 'no "Saved" message');
    // The vault finishes what it received (like Key Vault, the emulator does not know the client gave up): once it
    // has answered the closed connection, the secret is either there whole, as one version, or not there at all.
    const lookup = () => app().getSecret(name).catch(() => undefined);
    await waitFor('the vault to finish the delayed write', async () => {
      if (await lookup()) return true;
      const stats = (await adminRequest('GET', '/_admin/stats')) as { aborted?: number };
      return (stats.aborted ?? 0) >= 1 || undefined;
    }, 30000);
    const found = await lookup();
    if (found) {
      assert.strictEqual(found.value, value, 'saved whole');
      assert.strictEqual(await versionCount(name), 1, 'one version');
    } else {
      await assert.rejects(app().getSecret(name), (e: { statusCode?: number }) => e.statusCode === 404, 'not saved at all');
    }
    assert.strictEqual((await adminStats())['secrets.set'], 1, 'the cancelled write was not sent again');
  });

  it('a write through the API with an already aborted signal is cancelled before any request', async () => {
    const name = uniqueName('fabort');
    const vault = (await findNode(api, APP)) as unknown as { vault: VaultRef };
    await assert.rejects(api.hub.service(vault.vault).setSecret(name, { value: 'x' }, { abortSignal: AbortSignal.abort() }),
      (e: { kind?: string; message?: string }) => e.kind === 'cancelled' && e.message === 'Cancelled.');
    assert.strictEqual((await adminStats())['secrets.set'] ?? 0, 0, 'nothing was sent');
    await assert.rejects(app().getSecret(name), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  it('no unhandled promise rejection in the extension host during these faults', async () => {
    // give late rejections (background paging, pollers) a moment to surface
    await new Promise((r) => setTimeout(r, 500));
    assert.deepStrictEqual(rejections.map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r))), []);
  });
});
