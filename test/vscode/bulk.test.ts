// Vault to vault in the real extension host: compare and copy between two emulator vaults in different tenants
// (stage in Fabrikam ML, prod in Contoso Data — test/fixtures/vscode-seed.json), import a .env and a CSV, export
// metadata (and values only after the confirmation), cancel a copy half-way, and faults (429/503) mid-copy — each
// report checked against what the target vault really holds, with the real SDK.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../src/extension';
import type { ExecutionReport } from '../../src/bulk/execute';
import type { CompareResult } from '../../src/commands/bulkCommands';
import { adminRequest, directClient, extensionApi, findNode, runExpectingError, runWith, waitFor } from './support/harness';

const STAGE = ['Local emulator', 'stage'];

async function names(vault: string): Promise<string[]> {
  const out: string[] = [];
  for await (const p of directClient(vault).listPropertiesOfSecrets()) out.push(p.name);
  return out.sort();
}

function entry(report: ExecutionReport, name: string) {
  const e = report.entries.find((x) => x.source === name);
  assert.ok(e, `no report entry for ${name}: ${report.entries.map((x) => x.source).join(', ')}`);
  return e;
}

/** The report never carries a value: none of these strings appears in it. */
function assertNoValues(text: string, values: string[]): void {
  for (const v of values) assert.ok(!text.includes(v), `a value (${v.slice(0, 3)}…) appears in the report`);
}

describe('vault to vault (compare, copy, export, import)', function () {
  this.timeout(90000);
  let api: KeyVaultExtensionApi;
  let tmp: string;

  before(async () => {
    api = await extensionApi();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-bulk-'));
  });

  afterEach(async () => {
    api.setPrompter(undefined);
    await adminRequest('PUT', '/_admin/faults', { rules: [] });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('compares two vaults in different tenants: metadata, then values as hashes, in a read-only view', async () => {
    const vault = await findNode(api, STAGE);
    const meta = await runWith<CompareResult>(api, [
      { quickPick: 'prod' }, { quickPick: 'All secrets' }, { quickPick: 'Metadata only' },
    ], 'keyVault.compareVaults', vault);
    const c = meta.comparison;
    assert.deepStrictEqual(c.onlyInA.map((s) => s.name), ['conn-a', 'held-name', 'stage-cert']);
    assert.deepStrictEqual(c.onlyInB.map((s) => s.name), ['only-prod']);
    assert.deepStrictEqual(c.different.map((d) => [d.name, d.fields]), [['diff-meta', ['tags']]]);
    assert.deepStrictEqual(c.same.map((s) => [s.name, s.nameB]), [['diff-value', undefined], ['Shared-Name', 'shared-name']], 'names compared case-insensitively');
    const editor = vscode.window.activeTextEditor;
    assert.strictEqual(editor?.document.uri.scheme, 'keyvault-compare', 'the report is a virtual document');
    assert.match(editor.document.getText(), /## Only in A — stage \(3\)/);

    const withValues = await runWith<CompareResult>(api, [
      { quickPick: 'stage' }, { quickPick: 'prod' }, { quickPick: 'All secrets' }, { quickPick: 'Also compare values' },
    ], 'keyVault.compareVaults');
    assert.deepStrictEqual(withValues.comparison.different.map((d) => [d.name, d.fields]), [['diff-meta', ['tags']], ['diff-value', ['value']]]);
    assert.deepStrictEqual(withValues.comparison.same.map((s) => s.name), ['Shared-Name']);
    const shown = vscode.window.activeTextEditor!.document.getText();
    assert.match(shown, /value differs/);
    assertNoValues(shown + JSON.stringify(withValues.comparison), ['stage-only-value', 'prod-only-value', 'same-value', 'meta-value']);
  });

  it('limits a comparison to a name prefix', async () => {
    const r = await runWith<CompareResult>(api, [
      { quickPick: 'stage' }, { quickPick: 'prod' }, { quickPick: 'Names starting with…' }, { inputBox: 'DIFF-' }, { quickPick: 'Metadata only' },
    ], 'keyVault.compareVaults');
    const all = [...r.comparison.onlyInA, ...r.comparison.onlyInB, ...r.comparison.different, ...r.comparison.same].map((s) => s.name).sort();
    assert.deepStrictEqual(all, ['diff-meta', 'diff-value']);
  });

  it('copies a multi-selection across tenants: all versions oldest first, existing skipped, a deleted name recovered, a certificate skipped', async () => {
    const nodes = await Promise.all(['conn-a', 'Shared-Name', 'stage-cert', 'held-name'].map((n) => findNode(api, [...STAGE, n])));
    const report = await runWith<ExecutionReport>(api, [
      { quickPick: 'prod' },
      { quickPick: 'All versions, oldest first' },
      { quickPick: 'Skip existing names', expectPlaceholder: /1 names already exist in "prod"/ },
      { quickPick: 'Recover them, then add the copy as a new version', expectPlaceholder: /held by deleted secrets in "prod": held-name/ },
      { confirm: 'Run', expectMessage: /1 to create, 0 new versions, 1 recovered, 0 purged and created, 2 skipped/ },
    ], 'keyVault.copySecrets', nodes[0], nodes);
    assert.deepStrictEqual([report.copied, report.skipped, report.failed, report.notRun], [2, 2, 0, 0]);
    assert.deepStrictEqual([entry(report, 'conn-a').written, entry(report, 'conn-a').action], [2, 'created']);
    assert.match(entry(report, 'Shared-Name').detail ?? '', /already has this name/);
    assert.strictEqual(entry(report, 'Shared-Name').target, 'shared-name');
    assert.match(entry(report, 'stage-cert').detail ?? '', /certificate/);
    assert.strictEqual(entry(report, 'held-name').action, 'recovered + new version');
    assertNoValues(JSON.stringify(report), ['conn-a-v1', 'conn-a-v2', 'held-value', 'same-value']);

    const prod = directClient('prod');
    const latest = await prod.getSecret('conn-a');
    assert.strictEqual(latest.value, 'conn-a-v2', 'the newest version ends up latest');
    assert.strictEqual(latest.properties.contentType, 'text/plain');
    assert.deepStrictEqual(latest.properties.tags, { env: 'stage' });
    const versions: { v?: string; created?: Date }[] = [];
    for await (const v of prod.listPropertiesOfSecretVersions('conn-a')) versions.push({ v: v.version, created: v.createdOn });
    assert.strictEqual(versions.length, 2);
    const oldest = versions.sort((x, y) => (x.created?.getTime() ?? 0) - (y.created?.getTime() ?? 0))[0]!;
    assert.strictEqual((await prod.getSecret('conn-a', { version: oldest.v })).value, 'conn-a-v1');
    assert.strictEqual((await prod.getSecret('held-name')).value, 'held-value');
    assert.strictEqual((await prod.getSecret('shared-name')).value, 'same-value', 'an existing secret is untouched');
    assert.ok(!(await names('prod')).includes('stage-cert'));
  });

  it('copies what the last comparison found only in A, from the palette', async () => {
    await runWith<CompareResult>(api, [
      { quickPick: 'stage' }, { quickPick: 'prod' }, { quickPick: 'All secrets' }, { quickPick: 'Metadata only' },
    ], 'keyVault.compareVaults');
    const report = await runWith<ExecutionReport>(api, [
      { quickPick: /From the last comparison: stage → prod/ },
      { quickPickMany: ['diff-meta'] },
      { quickPick: 'Latest version' },
      { quickPick: 'Add a new version to existing names' },
      { confirm: 'Run', expectMessage: /0 to create, 1 new versions/ },
    ], 'keyVault.copySecrets');
    assert.deepStrictEqual([report.copied, entry(report, 'diff-meta').action], [1, 'new version']);
    assert.deepStrictEqual((await directClient('prod').getSecret('diff-meta')).properties.tags, { env: 'stage' });
  });

  it('imports a .env: Airflow lines as backend secrets, invalid names fixed, an existing name versioned', async () => {
    const file = path.join(tmp, 'import.env');
    fs.writeFileSync(file, [
      '# exported from Astro', 'AIRFLOW_CONN_MY_WAREHOUSE=postgres://loader:imp0rt-pw@db:5432/dw',
      "AIRFLOW_VAR_ALERT_EMAIL='alerts@corp.example'", 'PLAIN_KEY=plain-import-value', 'only-prod=only-prod-v2', '',
    ].join('\n'));
    const report = await runWith<ExecutionReport>(api, [
      { openFile: vscode.Uri.file(file) },
      { quickPick: 'As Airflow backend secrets' },
      { quickPick: 'Use the fixed names', expectPlaceholder: /^1 names are not valid/ },
      { quickPick: 'Add a new version to existing names' },
      { confirm: 'Run', expectMessage: /3 to create, 1 new versions/ },
    ], 'keyVault.importSecrets', await findNode(api, ['Local emulator', 'prod']));
    assert.deepStrictEqual([report.copied, report.skipped, report.failed], [4, 0, 0]);
    assert.deepStrictEqual(report.entries.map((e) => [e.source, e.target]), [
      ['AIRFLOW_CONN_MY_WAREHOUSE', 'airflow-connections-my-warehouse'], ['AIRFLOW_VAR_ALERT_EMAIL', 'airflow-variables-alert-email'],
      ['PLAIN_KEY', 'PLAIN-KEY'], ['only-prod', 'only-prod']]);
    const prod = directClient('prod');
    assert.strictEqual((await prod.getSecret('airflow-connections-my-warehouse')).value, 'postgres://loader:imp0rt-pw@db:5432/dw');
    assert.strictEqual((await prod.getSecret('airflow-variables-alert-email')).value, 'alerts@corp.example');
    assert.strictEqual((await prod.getSecret('PLAIN-KEY')).value, 'plain-import-value');
    assert.strictEqual((await prod.getSecret('only-prod')).value, 'only-prod-v2');
    assertNoValues(JSON.stringify(report), ['imp0rt-pw', 'plain-import-value', 'only-prod-v2']);
  });

  it('imports a CSV with content types and tags; invalid names skipped with the fix in the report', async () => {
    const file = path.join(tmp, 'import.csv');
    fs.writeFileSync(file, 'name,value,contentType,tags\r\ncsv-one,"csv,value ""1""",text/plain,team=data;env=prd\r\ncsv_two,csv-value-2,,\r\n');
    const report = await runWith<ExecutionReport>(api, [
      { quickPick: 'prod' },
      { openFile: vscode.Uri.file(file) },
      { quickPick: 'Skip the invalid names' },
      { confirm: 'Run', expectMessage: /1 to create, .* 1 skipped/ },
    ], 'keyVault.importSecrets');
    assert.deepStrictEqual([report.copied, report.skipped], [1, 1]);
    assert.match(entry(report, 'csv_two').detail ?? '', /Fix: "csv-two"/);
    const one = await directClient('prod').getSecret('csv-one');
    assert.deepStrictEqual([one.value, one.properties.contentType, one.properties.tags], ['csv,value "1"', 'text/plain', { team: 'data', env: 'prd' }]);
    assert.ok(!(await names('prod')).some((n) => /csv.two/i.test(n)));
  });

  it('exports names and metadata without values; values only after the confirmation naming the file', async () => {
    const file = path.join(tmp, 'stage.json');
    const meta = await runWith<{ file: string; count: number; values: boolean }>(api, [
      { quickPick: 'JSON' }, { quickPick: 'Names and metadata' }, { saveFile: vscode.Uri.file(file) },
    ], 'keyVault.exportSecrets', await findNode(api, STAGE));
    assert.deepStrictEqual([meta.count, meta.values], [6, false]);
    const text = fs.readFileSync(file, 'utf8');
    const doc = JSON.parse(text) as { secrets: { name: string; tags?: Record<string, string>; value?: string }[] };
    assert.deepStrictEqual(doc.secrets.map((s) => s.name).sort(), ['conn-a', 'diff-meta', 'diff-value', 'held-name', 'Shared-Name', 'stage-cert'].sort());
    assert.deepStrictEqual(doc.secrets.find((s) => s.name === 'conn-a')?.tags, { env: 'stage' });
    assertNoValues(text, ['conn-a-v2', 'stage-only-value', 'same-value', 'held-value']);

    const csv = path.join(tmp, 'stage-values.csv');
    const dismissed = await runExpectingError(api, [
      { quickPick: 'CSV' }, { quickPick: /plain values/ }, { saveFile: vscode.Uri.file(csv) },
      { confirm: undefined, expectMessage: new RegExp(`${csv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" will hold the plain values of 6 secrets`) },
    ], 'keyVault.exportSecrets', await findNode(api, STAGE));
    assert.match(dismissed, /Cancelled/);
    assert.ok(!fs.existsSync(csv), 'nothing is written without the confirmation');
    await runWith(api, [
      { quickPick: 'CSV' }, { quickPick: /plain values/ }, { saveFile: vscode.Uri.file(csv) }, { confirm: 'Write Plain Values' },
    ], 'keyVault.exportSecrets', await findNode(api, STAGE));
    assert.match(fs.readFileSync(csv, 'utf8'), /conn-a-v2/);
    if (process.platform !== 'win32') assert.strictEqual(fs.statSync(csv).mode & 0o777, 0o600, 'readable by its owner only');
  });

  it('cancels a copy half-way: the report says exactly what was copied, and the target holds exactly that', async () => {
    await adminRequest('PUT', '/_admin/faults', { rules: [{ operation: 'secrets.set', vault: 'stage', delayMs: 150 }] });
    const done = runWith<ExecutionReport>(api, [
      { quickPickMany: [/^bulk-/] }, { quickPick: 'stage' }, { quickPick: 'Latest version' }, { confirm: 'Run' },
    ], 'keyVault.copySecrets', await findNode(api, ['Local emulator', 'big']));
    await waitFor('some copies', async () => ((await names('stage')).filter((n) => n.startsWith('bulk-')).length >= 10 ? true : undefined), 30000);
    assert.strictEqual(await vscode.commands.executeCommand('keyVault.cancelBulk'), true);
    const report = await done;
    assert.strictEqual(report.cancelled, true);
    const copied = report.entries.filter((e) => e.outcome === 'copied').map((e) => e.target).sort();
    const held = (await names('stage')).filter((n) => n.startsWith('bulk-'));
    assert.deepStrictEqual(held, copied, 'the target holds exactly what the report says was copied');
    assert.ok(copied.length >= 10 && copied.length < 120, `copied ${copied.length}`);
    assert.strictEqual(report.notRun, 120 - copied.length);
    assert.strictEqual(report.failed, 0);
  });

  it('a 503 that clears is retried by the SDK; a 429 that lasts mid-copy ends in a correct report', async () => {
    // a transient 503: retried, every secret copied
    await adminRequest('PUT', '/_admin/faults', { rules: [{ operation: 'secrets.set', vault: 'prod', status: 503, count: 2 }] });
    const first = await runWith<ExecutionReport>(api, [
      { quickPickMany: ['bulk-000', 'bulk-001', 'bulk-002'] }, { quickPick: 'prod' }, { quickPick: 'Latest version' }, { confirm: 'Run' },
    ], 'keyVault.copySecrets', await findNode(api, ['Local emulator', 'big']));
    assert.deepStrictEqual([first.copied, first.failed], [3, 0]);

    // throttling that outlasts the SDK's retries, installed mid-copy
    await adminRequest('PUT', '/_admin/faults', { rules: [{ operation: 'secrets.set', vault: 'prod', delayMs: 200 }] });
    const picks = Array.from({ length: 40 }, (_, i) => `bulk-${String(i + 10).padStart(3, '0')}`);
    const done = runWith<ExecutionReport>(api, [
      { quickPickMany: picks }, { quickPick: 'prod' }, { quickPick: 'Latest version' }, { confirm: 'Run' },
    ], 'keyVault.copySecrets', await findNode(api, ['Local emulator', 'big']));
    await waitFor('some copies', async () => ((await names('prod')).filter((n) => picks.includes(n)).length >= 4 ? true : undefined), 30000);
    await adminRequest('PUT', '/_admin/faults', { rules: [{ operation: 'secrets.set', vault: 'prod', status: 429, retryAfterSeconds: 0 }] });
    const report = await done;
    await adminRequest('PUT', '/_admin/faults', { rules: [] });
    const copied = report.entries.filter((e) => e.outcome === 'copied').map((e) => e.target).sort();
    const failed = report.entries.filter((e) => e.outcome === 'failed');
    assert.strictEqual(copied.length + failed.length, 40);
    assert.ok(failed.length > 0 && copied.length >= 4, `copied ${copied.length}, failed ${failed.length}`);
    for (const f of failed) assert.match(f.detail ?? '', /throttl|429|too many/i);
    assert.deepStrictEqual((await names('prod')).filter((n) => picks.includes(n)), copied, 'the target holds exactly what the report says');
  });
});
