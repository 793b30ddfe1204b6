// Secret references in code, in the real extension host: fixture files in the workspace reference the demo vault's
// secrets; diagnostics for each problem, hovers with metadata (never a value: the emulator's counters prove it),
// quick fixes whose effect is checked in the vault, "Show in tree", and the workspace's default vault.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../src/extension';
import type { ReferenceTarget } from '../../src/ui/references';
import { adminRequest, adminStats, directClient, emulatorInfo, extensionApi, label, runWith, waitFor } from './support/harness';

const VAULT = 'contoso-orchestr-dev';
const vaultUrl = () => `https://${new URL(emulatorInfo().vaults.find((v) => v.name === VAULT)!.url).host.toLowerCase()}/`;

const DAG = `from airflow.models import Variable
from airflow.hooks.base import BaseHook

hello = Variable.get("hello_world")
ftp = BaseHook.get_connection("legacy_ftp")
missing = Variable.get("nope_missing")
old = Variable.get("old_bucket")
# Variable.get("in_a_comment") is not a reference
`;

const sdkFile = () => `from azure.identity import DefaultAzureCredential
from azure.keyvault.secrets import SecretClient

client = SecretClient(vault_url="${vaultUrl()}", credential=DefaultAzureCredential())
token = client.get_secret("partner-api-token").value
upcoming = client.get_secret("partner-api-token-next").value
`;

const flyteFile = () => `from flytekit import Secret, current_context, task

DB = Secret(group="${vaultUrl()}secrets/db-password", group_version="0000deadbeef0000", mount_requirement=Secret.MountType.FILE)
`;

describe('secret references in code', function () {
  this.timeout(90000);
  let api: KeyVaultExtensionApi;
  let folder: string;
  const files: Record<string, string> = {};
  const uri = (f: string) => vscode.Uri.file(path.join(folder, f));
  const codes = (u: vscode.Uri) => vscode.languages.getDiagnostics(u).filter((d) => d.source === 'Key Vault').map((d) => String(d.code));
  const offsetOf = (text: string, needle: string) => text.indexOf(needle) + 1;
  const positionOf = async (f: string, needle: string) => (await vscode.workspace.openTextDocument(uri(f))).positionAt(offsetOf(files[f], needle));

  before(async () => {
    api = await extensionApi();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    files['dags/refs_dag.py'] = DAG;
    files['app/kv_app.py'] = sdkFile();
    files['flyte/refs_flyte.py'] = flyteFile();
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(folder, f)), { recursive: true });
      fs.writeFileSync(path.join(folder, f), text);
    }
    await api.references.setDefaultVault(undefined);
    // drop the listings earlier suites left in the tree's cache: the counters below then see the references' own
    api.tree.refresh();
    await adminRequest('POST', '/_admin/stats/reset');
  });

  after(async () => {
    await api.references.setDefaultVault(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const f of Object.keys(files)) fs.rmSync(path.join(folder, f), { force: true });
    // put the demo vault back as the other suites expect it
    const dev = directClient(VAULT);
    await dev.beginDeleteSecret('airflow-variables-old-bucket').then((p) => p.pollUntilDone()).catch(() => undefined);
    const ftp = await dev.getSecret('airflow-connections-legacy-ftp').catch(() => undefined);
    if (ftp?.properties.version) await dev.updateSecretProperties('airflow-connections-legacy-ftp', ftp.properties.version, { enabled: false }).catch(() => undefined);
    for (const n of ['airflow-variables-nope-missing']) {
      await dev.beginDeleteSecret(n).then((p) => p.pollUntilDone()).catch(() => undefined);
      await dev.purgeDeletedSecret(n).catch(() => undefined);
    }
  });

  it('without a vault, Airflow references say so and offer to choose the workspace\'s default vault', async () => {
    const doc = await vscode.workspace.openTextDocument(uri('dags/refs_dag.py'));
    await vscode.window.showTextDocument(doc);
    const found = await waitFor('no-vault diagnostics', () => (codes(doc.uri).length === 4 ? codes(doc.uri) : undefined));
    assert.deepStrictEqual(found, ['noVault', 'noVault', 'noVault', 'noVault'], 'four references, the comment is not one');
    const d = vscode.languages.getDiagnostics(doc.uri)[0];
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Information);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
    assert.ok(actions.some((a) => /default vault/.test(a.title)), actions.map((a) => a.title).join(', '));
  });

  it('with the default vault chosen: missing, disabled and deleted-but-recoverable, at the id\'s range', async () => {
    await runWith(api, [{ quickPick: VAULT }], 'keyVault.selectDefaultVault');
    const u = uri('dags/refs_dag.py');
    const found = await waitFor('problem diagnostics', () => {
      const c = codes(u);
      return c.length === 3 && !c.includes('noVault') ? c : undefined;
    });
    assert.deepStrictEqual([...found].sort(), ['deleted', 'disabled', 'missing']);
    const missing = vscode.languages.getDiagnostics(u).find((d) => d.code === 'missing')!;
    const doc = await vscode.workspace.openTextDocument(u);
    assert.strictEqual(doc.getText(missing.range), 'nope_missing');
    assert.strictEqual(missing.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(missing.message, /airflow-variables-nope-missing.*does not exist in contoso-orchestr-dev.*next secrets backend/);
  });

  it('expired and not yet valid through an SDK client of the vault; version not found through a Flyte request', async () => {
    for (const f of ['app/kv_app.py', 'flyte/refs_flyte.py']) await vscode.workspace.openTextDocument(uri(f));
    const sdk = await waitFor('SDK diagnostics', () => (codes(uri('app/kv_app.py')).length === 2 ? codes(uri('app/kv_app.py')) : undefined));
    assert.deepStrictEqual([...sdk].sort(), ['expired', 'notYetValid']);
    const flyte = await waitFor('Flyte diagnostics', () => (codes(uri('flyte/refs_flyte.py')).length === 1 ? codes(uri('flyte/refs_flyte.py')) : undefined));
    assert.deepStrictEqual(flyte, ['versionNotFound']);
  });

  it('hovers show metadata and links, never the value', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri('dags/refs_dag.py'),
      await positionOf('dags/refs_dag.py', '"hello_world"'));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /Airflow variable `hello_world`/);
    assert.match(text, /airflow-variables-hello-world/);
    assert.match(text, /contoso-orchestr-dev/);
    assert.match(text, /Enabled: yes/);
    assert.match(text, /command:keyVault\.revealReference/);
    assert.match(text, /command:keyVault\.showReferenceInTree/);
    assert.doesNotMatch(text, /Hello from the local Key Vault emulator/);
  });

  it('read no value while diagnosing and hovering (emulator counters)', async () => {
    const stats = await adminStats();
    assert.strictEqual(stats['secrets.get'] ?? 0, 0, JSON.stringify(stats));
    assert.ok((stats['secrets.list'] ?? 0) >= 1, 'metadata came from listings');
  });

  it('lists a vault at most once per interval while files change', async () => {
    await adminRequest('POST', '/_admin/stats/reset');
    const doc = await vscode.workspace.openTextDocument(uri('dags/refs_dag.py'));
    const editor = await vscode.window.showTextDocument(doc);
    for (let i = 0; i < 3; i++) {
      await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount, 0), `x${i} = 1\n`));
      await api.references.diagnose(doc);
    }
    const stats = await adminStats();
    assert.strictEqual(stats['secrets.list'] ?? 0, 0, `no new listing within the interval: ${JSON.stringify(stats)}`);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('"Show in tree" selects the referenced secret in its Airflow group; the reveal link shows the value', async () => {
    const target: ReferenceTarget = { vaultUrl: vaultUrl(), source: 'emulator', name: 'airflow-variables-hello-world' };
    const node = await runWith<import('../../src/tree/nodes').Node>(api, [], 'keyVault.showReferenceInTree', target);
    assert.strictEqual(label(node), 'hello_world');
    assert.ok(api.view.selection.some((n) => n.id === node.id), 'selected in the view');
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealReference', target);
    assert.strictEqual(editor.document.getText(), 'Hello from the local Key Vault emulator');
    assert.strictEqual(editor.document.uri.scheme, 'keyvault-secret');
  });

  async function quickFix(file: string, code: string): Promise<vscode.CodeAction> {
    const d = vscode.languages.getDiagnostics(uri(file)).find((x) => x.code === code);
    assert.ok(d, `a ${code} diagnostic`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri(file), d.range);
    const fix = actions.find((a) => a.command?.command.startsWith('keyVault.'));
    assert.ok(fix?.command, `a quick fix for ${code}: ${actions.map((a) => a.title).join(', ')}`);
    return fix;
  }

  it('quick fix "Create" opens Set Secret with the name; the diagnostic goes away', async () => {
    const fix = await quickFix('dags/refs_dag.py', 'missing');
    assert.match(fix.title, /Create secret "airflow-variables-nope-missing"/);
    await runWith(api, [{ quickPick: /Enter the value/ }, { inputBox: 'created-by-quick-fix' }, { quickPick: /Save$/ }],
      fix.command!.command, ...(fix.command!.arguments ?? []));
    assert.strictEqual((await directClient(VAULT).getSecret('airflow-variables-nope-missing')).value, 'created-by-quick-fix');
    await waitFor('no missing diagnostic', () => (codes(uri('dags/refs_dag.py')).includes('missing') ? undefined : true));
  });

  it('quick fix "Recover" brings the deleted secret back', async () => {
    const fix = await quickFix('dags/refs_dag.py', 'deleted');
    assert.match(fix.title, /Recover deleted secret "airflow-variables-old-bucket"/);
    await runWith(api, [], fix.command!.command, ...(fix.command!.arguments ?? []));
    assert.strictEqual((await directClient(VAULT).getSecret('airflow-variables-old-bucket')).value, 'contoso-landing-legacy');
    await waitFor('no deleted diagnostic', () => (codes(uri('dags/refs_dag.py')).includes('deleted') ? undefined : true));
  });

  it('quick fix "Enable" enables the disabled connection', async () => {
    const fix = await quickFix('dags/refs_dag.py', 'disabled');
    await runWith(api, [], fix.command!.command, ...(fix.command!.arguments ?? []));
    assert.strictEqual((await directClient(VAULT).getSecret('airflow-connections-legacy-ftp')).properties.enabled, true);
    await waitFor('no diagnostics left', () => (codes(uri('dags/refs_dag.py')).length === 0 ? true : undefined));
  });

  it('opens a terminal with the secrets the active file references', async () => {
    const doc = await vscode.workspace.openTextDocument(uri('dags/refs_dag.py'));
    await vscode.window.showTextDocument(doc);
    const terminal = await runWith<vscode.Terminal>(api, [
      { quickPick: /^Secrets referenced in refs_dag\.py$/ },
      { inputBox: 'HELLO=airflow-variables-hello-world' },
    ], 'keyVault.openTerminalWithSecrets');
    try {
      assert.strictEqual(terminal.name, 'Key Vault: contoso-orchestr-dev (1 secret)');
      const env = (terminal.creationOptions as vscode.TerminalOptions).env ?? {};
      assert.deepStrictEqual(Object.keys(env), ['HELLO']);
      assert.strictEqual(env.HELLO, 'Hello from the local Key Vault emulator');
    } finally {
      terminal.dispose();
    }
  });

  it('the severity follows the setting, and "off" clears the diagnostics', async () => {
    const c = vscode.workspace.getConfiguration('keyVault');
    await c.update('references.diagnosticSeverity', 'error', vscode.ConfigurationTarget.Global);
    try {
      const d = await waitFor('an error diagnostic', () => vscode.languages.getDiagnostics(uri('app/kv_app.py'))
        .find((x) => x.code === 'expired' && x.severity === vscode.DiagnosticSeverity.Error));
      assert.ok(d);
      await c.update('references.diagnosticSeverity', 'off', vscode.ConfigurationTarget.Global);
      await waitFor('no diagnostics', () => (codes(uri('app/kv_app.py')).length === 0 ? true : undefined));
    } finally {
      await c.update('references.diagnosticSeverity', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
