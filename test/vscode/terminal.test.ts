// Terminals with secrets in their environment, and `.env` reference lines, in the real extension host. A process
// started in the terminal writes SHA-256 hashes of the variables it sees (never the values) to a temp file; the test
// compares them with hashes of the values read with the SDK. Then everything the extension or VS Code could have
// written is scanned for the values: 0 occurrences.
import * as assert from 'assert';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../src/extension';
import {
  children, directClient, emulatorInfo, extensionApi, findNode, label, runExpectingError, runWith, ScriptedPrompter, uniqueName, waitFor,
  type Answer,
} from './support/harness';
import { files, occurrences } from './support/scan';

const APP = ['Local emulator', 'app'];
const DEV_VAULT = 'contoso-orchestr-dev';
const DEV = ['Local emulator', DEV_VAULT];
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const vaultUrl = (name: string) => {
  const v = emulatorInfo().vaults.find((x) => x.name === name);
  assert.ok(v, `the run's emulator has no ${name}`);
  return `https://${new URL(v.url).host.toLowerCase()}/`;
};

/** Records the value each input box starts with (the defaults the command offers). */
class DefaultsPrompter extends ScriptedPrompter {
  readonly inputValues: (string | undefined)[] = [];
  override async inputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    this.inputValues.push(options.value);
    return super.inputBox(options);
  }
}

async function runRecording<T>(api: KeyVaultExtensionApi, answers: Answer[], command: string, ...args: unknown[]): Promise<{ result: T; prompter: DefaultsPrompter }> {
  const prompter = new DefaultsPrompter(answers);
  api.setPrompter(prompter);
  try {
    const result = await vscode.commands.executeCommand<T>(command, ...(args.length ? args : [undefined]), { rethrow: true });
    prompter.assertDone();
    return { result, prompter };
  } finally {
    api.setPrompter(undefined);
  }
}



describe('terminal with secrets', function () {
  this.timeout(120000);
  let api: KeyVaultExtensionApi;
  let started = 0;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keyvault-terminal-test-'));
  const hashScript = path.join(work, 'hash-env.js');
  const prefix = uniqueName('term');
  const a = `${prefix}-alpha`;
  const b = `${prefix}-beta`;
  const valueA = `tv-a-${randomBytes(12).toString('hex')}`;
  const valueB1 = `tv-b1-${randomBytes(12).toString('hex')}`;
  const valueB2 = `tv-b2 with spaces, "quotes" and $HOME ${randomBytes(8).toString('hex')}`;
  /** This run's random values, and (added by the Airflow test) the demo seed's connection values. */
  const needles: string[] = [valueA, valueB1, valueB2];
  const randomValues = [...needles];
  const terminals: vscode.Terminal[] = [];
  let runs = 0;
  const app = () => directClient('app');

  /** Starts a process in the terminal that writes {NAME: sha256 of its value | null} for each name. */
  async function hashesSeenIn(terminal: vscode.Terminal, names: string[]): Promise<Record<string, string | null>> {
    const out = path.join(work, `hashes-${++runs}.json`);
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    terminal.sendText(`ELECTRON_RUN_AS_NODE=1 ${q(process.execPath)} ${q(hashScript)} ${q(out)} ${names.join(' ')}`);
    return waitFor('the hashes from the terminal', () => (fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, string | null> : undefined), 45000);
  }

  /** The app vault filtered to this test's secrets (other tests add many secrets to it). */
  async function appNode(): Promise<void> {
    await runWith(api, [{ inputBox: prefix }], 'keyVault.filterSecrets', await findNode(api, APP));
  }

  before(async () => {
    api = await extensionApi();
    started = Date.now();
    fs.writeFileSync(hashScript, [
      'const crypto = require("crypto"); const fs = require("fs");',
      'const [out, ...names] = process.argv.slice(2); const r = {};',
      'for (const n of names) r[n] = n in process.env ? crypto.createHash("sha256").update(process.env[n], "utf8").digest("hex") : null;',
      'fs.writeFileSync(out + ".tmp", JSON.stringify(r)); fs.renameSync(out + ".tmp", out);',
    ].join('\n'));
    await app().setSecret(a, valueA);
    await app().setSecret(b, valueB1);
    await new Promise((r) => setTimeout(r, 1100));
    await app().setSecret(b, valueB2);
    await vscode.workspace.getConfiguration('keyVault').update('airflow.groupSecrets', true, vscode.ConfigurationTarget.Global);
    api.tree.refresh();
  });

  afterEach(async () => {
    api.setPrompter(undefined);
    await vscode.commands.executeCommand('keyVault.clearFilter');
  });

  after(async () => {
    for (const t of terminals) t.dispose();
    for (const n of [a, b]) {
      await (await app().beginDeleteSecret(n, { intervalInMs: 100 })).pollUntilDone().catch(() => undefined);
      await app().purgeDeletedSecret(n).catch(() => undefined);
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('from a vault: picks two secrets, offers their default names, and a process in the terminal sees them', async () => {
    await appNode();
    const { result: terminal, prompter } = await runRecording<vscode.Terminal>(api, [
      { quickPickMany: [a, b], expectPlaceholder: /Secrets of app/ },
      { inputBox: `MY_ALPHA=${a}, ${b.toUpperCase().replace(/-/g, '_')}=${b}` },
    ], 'keyVault.openTerminalWithSecrets', await findNode(api, APP));
    terminals.push(terminal);
    const envA = a.toUpperCase().replace(/-/g, '_');
    const envB = b.toUpperCase().replace(/-/g, '_');
    assert.deepStrictEqual(prompter.inputValues, [`${envA}=${a}, ${envB}=${b}`], 'the default names');
    assert.ok(prompter.pickItems[0]!.includes(a) && prompter.pickItems[0]!.includes(b));
    assert.strictEqual(terminal.name, 'Key Vault: app (2 secrets)');
    const options = terminal.creationOptions as vscode.TerminalOptions;
    assert.strictEqual(options.isTransient, true, 'never restored after a reload');
    assert.deepStrictEqual(Object.keys(options.env ?? {}).sort(), [envB, 'MY_ALPHA'].sort());
    const seen = await hashesSeenIn(terminal, ['MY_ALPHA', envB, envA]);
    assert.deepStrictEqual(seen, { MY_ALPHA: sha256(valueA), [envB]: sha256(valueB2), [envA]: null });
  });

  it('from the "Airflow connections" group: every connection as AIRFLOW_CONN_<CONN_ID>, in the form Airflow reads', async () => {
    const dev = directClient(DEV_VAULT);
    const conns: { id: string; name: string }[] = [];
    const disabled: string[] = [];
    for await (const p of dev.listPropertiesOfSecrets()) {
      if (!/^airflow-connections-/i.test(p.name)) continue;
      const id = p.name.slice('airflow-connections-'.length).replace(/-/g, '_');
      if (p.enabled === false) disabled.push(id);
      else conns.push({ id, name: p.name });
    }
    conns.sort((x, y) => x.id.localeCompare(y.id));
    for (const demo of ['aws_default', 'smtp_default', 'warehouse_pg']) assert.ok(conns.some((c) => c.id === demo), demo);
    assert.ok(disabled.includes('legacy_ftp'), 'the demo\'s disabled connection is left out (and the command says so)');
    const text = conns.map((c) => `AIRFLOW_CONN_${c.id.toUpperCase()}=${c.name}`).join(', ');
    const { result: terminal, prompter } = await runRecording<vscode.Terminal>(api, [{ inputBox: text }],
      'keyVault.openTerminalWithSecrets', await findNode(api, [...DEV, 'Airflow connections']));
    terminals.push(terminal);
    assert.deepStrictEqual(prompter.inputValues, [text], 'Airflow\'s names by default, in conn id order');
    assert.strictEqual(terminal.name, `Key Vault: ${DEV_VAULT} (${conns.length} secrets)`);
    const expected: Record<string, string> = {};
    for (const c of conns) {
      const value = (await dev.getSecret(c.name)).value!;
      expected[`AIRFLOW_CONN_${c.id.toUpperCase()}`] = sha256(value);
      if (value.length >= 12) needles.push(value);
    }
    assert.match(Object.keys(expected).join(' '), /AIRFLOW_CONN_SMTP_DEFAULT/);
    assert.deepStrictEqual(await hashesSeenIn(terminal, [...Object.keys(expected), 'AIRFLOW_CONN_LEGACY_FTP']),
      { ...expected, AIRFLOW_CONN_LEGACY_FTP: null });
  });

  it('from a version item: that version; from {vault, names, envNames}: no pick, the given names', async () => {
    await appNode();
    const versions = await children(api, await findNode(api, [...APP, b]));
    const old = versions.find((v) => !String(v.treeItem().description ?? '').startsWith('latest'));
    assert.ok(old, `an older version of ${b}: ${versions.map(label).join(', ')}`);
    const envB = b.toUpperCase().replace(/-/g, '_');
    const t1 = await runWith<vscode.Terminal>(api, [{ inputBox: `${envB}=${b}` }], 'keyVault.openTerminalWithSecrets', old);
    terminals.push(t1);
    assert.strictEqual(t1.name, 'Key Vault: app (1 secret)');
    assert.deepStrictEqual(await hashesSeenIn(t1, [envB]), { [envB]: sha256(valueB1) });

    const vault = (await api.hub.knownVaults()).find((v) => v.name === 'app');
    assert.ok(vault);
    const { result: t2, prompter } = await runRecording<vscode.Terminal>(api, [{ inputBox: `PGPASSWORD=db-password, GIVEN=${a}` }],
      'keyVault.openTerminalWithSecrets', { vault, names: ['db-password', a], envNames: { [a]: 'GIVEN' } });
    terminals.push(t2);
    assert.deepStrictEqual(prompter.inputValues, [`DB_PASSWORD=db-password, GIVEN=${a}`]);
    const dbPassword = (await app().getSecret('db-password')).value!;
    assert.deepStrictEqual(await hashesSeenIn(t2, ['PGPASSWORD', 'GIVEN', 'DB_PASSWORD']),
      { PGPASSWORD: sha256(dbPassword), GIVEN: sha256(valueA), DB_PASSWORD: null });
  });

  it('validates the names before reading anything, and a dismissed pick opens nothing', async () => {
    const before = vscode.window.terminals.length;
    await appNode();
    const bad = await runExpectingError(api, [{ quickPickMany: [a] }, { inputBox: `PATH=${a}` }], 'keyVault.openTerminalWithSecrets', await findNode(api, APP));
    assert.match(bad, /rejected by validation: PATH is used by the shell/);
    const unknown = await runExpectingError(api, [{ quickPickMany: [a] }, { inputBox: `X=${b}` }], 'keyVault.openTerminalWithSecrets', await findNode(api, APP));
    assert.match(unknown, /is not one of the chosen secrets/);
    const dismissed = await runExpectingError(api, [{ quickPick: 'app' }, { quickPickMany: undefined }], 'keyVault.openTerminalWithSecrets');
    assert.match(dismissed, /Cancelled/);
    assert.strictEqual(vscode.window.terminals.length, before);
  });

  it('copies .env reference lines — never a value', async () => {
    const appUrl = vaultUrl('app');
    const devUrl = vaultUrl(DEV_VAULT);
    const r1 = await runRecording<string>(api, [{ quickPick: 'App Service reference' }, { inputBox: 'DB_PASSWORD' }],
      'keyVault.copyEnvReference', await findNode(api, [...APP, 'db-password']));
    assert.deepStrictEqual(r1.prompter.inputValues, ['DB_PASSWORD']);
    assert.strictEqual(r1.result, `DB_PASSWORD=@Microsoft.KeyVault(SecretUri=${appUrl}secrets/db-password/)`);
    assert.strictEqual(await vscode.env.clipboard.readText(), r1.result);

    const r2 = await runRecording<string>(api, [{ quickPick: 'Comment' }, { inputBox: 'AIRFLOW_CONN_SMTP_DEFAULT' }],
      'keyVault.copyEnvReference', await findNode(api, [...DEV, 'Airflow connections', 'smtp_default']));
    assert.deepStrictEqual(r2.prompter.inputValues, ['AIRFLOW_CONN_SMTP_DEFAULT'], 'Airflow\'s name by default');
    assert.strictEqual(await vscode.env.clipboard.readText(),
      `# AIRFLOW_CONN_SMTP_DEFAULT: Key Vault secret airflow-connections-smtp-default in ${devUrl} (value not stored here)`);

    const versions: { v: string; t: number }[] = [];
    for await (const p of app().listPropertiesOfSecretVersions(b)) versions.push({ v: p.version!, t: p.createdOn!.getTime() });
    const oldest = versions.sort((x, y) => x.t - y.t)[0]!.v;
    const r3 = await runWith<string>(api, [{ quickPick: 'app' }, { quickPick: b }, { quickPick: oldest },
      { quickPick: 'App Service reference' }, { inputBox: 'B_PINNED' }], 'keyVault.copyEnvReference');
    assert.strictEqual(r3, `B_PINNED=@Microsoft.KeyVault(SecretUri=${appUrl}secrets/${b}/${oldest})`);
    assert.strictEqual(await vscode.env.clipboard.readText(), r3);

    const bad = await runExpectingError(api, [{ quickPick: 'Comment' }, { inputBox: 'DB-PASSWORD' }], 'keyVault.copyEnvReference',
      await findNode(api, [...APP, 'db-password']));
    assert.match(bad, /rejected by validation: "-" at position 3/);
    for (const text of [r1.result, r3]) assert.ok(!needles.some((n) => text.includes(n)));
    await vscode.env.clipboard.writeText('');
  });

  it('keeps the values in the terminals only: nothing in state, settings, the workspace, storage, logs or temp files', async () => {
    for (const t of terminals.splice(0)) t.dispose();
    await new Promise((r) => setTimeout(r, 1500)); // the shells exit
    const ctx = api.storage as vscode.ExtensionContext;
    let contributed = 0;
    ctx.environmentVariableCollection.forEach(() => { contributed++; });
    assert.strictEqual(contributed, 0, 'no EnvironmentVariableCollection entry');
    for (const m of [ctx.globalState, ctx.workspaceState]) {
      const dump = JSON.stringify(m.keys().map((k) => [k, m.get(k)]));
      assert.ok(!needles.some((n) => dump.includes(n)), 'a memento holds a value');
    }
    const settings = JSON.stringify(vscode.workspace.getConfiguration());
    assert.ok(!needles.some((n) => settings.includes(n)), 'a setting holds a value');
    // <logs>/<window>/exthost/<extension> → the window's logs, and the session's (pty host, server) beside them
    const windowLogs = path.dirname(path.dirname(ctx.logUri.fsPath));
    const logs = path.dirname(windowLogs);
    const logFiles = files(logs, () => false);
    assert.ok(logFiles.some((f) => /Key Vault/.test(path.basename(f))), `the "Key Vault" output channel log is among ${logFiles.length} files under ${logs}`);
    const tmp = os.tmpdir();
    // this run's folder under the temp folder (user data, browser profile, server logs), when it is there
    const ownRun = logs.startsWith(tmp + path.sep) ? path.join(tmp, path.relative(tmp, logs).split(path.sep)[0]!) : undefined;
    const ours = [logs, ctx.globalStorageUri.fsPath, ...(ctx.storageUri ? [ctx.storageUri.fsPath] : []),
      ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), ...(ownRun ? [ownRun] : []), work];
    const olderTempFile = (p: string) => p.startsWith(tmp) && !p.startsWith(logs) && (() => {
      try { return fs.statSync(p).isFile() && fs.statSync(p).mtimeMs < started; } catch { return true; }
    })();
    assert.ok(files(work, () => false).some((f) => f.endsWith('.json')), 'the scan reads the hash files the terminals wrote');
    assert.ok(needles.length >= 6, `values to look for: ${needles.length}`);
    assert.deepStrictEqual(occurrences(ours, needles, olderTempFile), [], 'files of this window holding a secret value');
    // The rest of the temp folder (files written while these tests ran) may hold other runs' copies of the demo seed:
    // look there for this run's random values only.
    const elsewhere = (p: string) => olderTempFile(p) || ours.some((o) => p === o || p.startsWith(o + path.sep));
    assert.deepStrictEqual(occurrences([tmp], randomValues, elsewhere), [], 'temp files holding a secret value');
  });
});
