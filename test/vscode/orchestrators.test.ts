// Orchestrator awareness in the real extension host, against the demo seed's vaults (added to this run's
// emulator): Airflow groups, connection form, variables, backend configuration; Union/Flyte requests and
// envelopes; ZenML secrets; SDK and App Service snippets. Every write is checked in the vault with the SDK,
// every copy by the exact clipboard text.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../src/extension';
import { AIRFLOW_DEFAULTS, airflowCodeSnippet, backendConfigSnippets } from '../../src/integrations/airflow';
import { sdkSnippet } from '../../src/integrations/sdk';
import type { Node } from '../../src/tree/nodes';
import {
  adminRequest, adminStats, children, contextValue, directClient, emulatorInfo, extensionApi, findNode, kind, label, runExpectingError,
  runWith, ScriptedPrompter, uniqueName, waitFor,
} from './support/harness';

const VAULT = 'contoso-orchestr-dev';
const DEV = ['Local emulator', VAULT];
const CONNECTIONS = [...DEV, 'Airflow connections'];
const VARIABLES = [...DEV, 'Airflow variables'];
const vaultUrl = () => {
  const v = emulatorInfo().vaults.find((x) => x.name === VAULT);
  assert.ok(v, `the run's emulator has no ${VAULT}`);
  return `https://${new URL(v.url).host.toLowerCase()}/`;
};
const config = () => vscode.workspace.getConfiguration('keyVault');
const description = (n: Node) => String(n.treeItem().description ?? '');
/** Tooltip text; markdown tooltips are unescaped (appendText escapes punctuation and spaces). */
const tooltip = (n: Node) => {
  // secrets build their tooltip on hover (resolveTreeItem), as VS Code asks for it
  const t = n.treeItem().tooltip ?? n.lazyTooltip?.();
  const text = typeof t === 'string' ? t : t?.value ?? '';
  return text.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
};
const labels = async (api: KeyVaultExtensionApi, p: string[]) => (await children(api, await findNode(api, p))).map(label);
const clipboard = () => vscode.env.clipboard.readText();

describe('orchestrators: Airflow groups', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;

  before(async () => {
    api = await extensionApi();
    await config().update('airflow.groupSecrets', true, vscode.ConfigurationTarget.Global);
  });

  afterEach(() => api.setPrompter(undefined));

  it('groups the demo vault\'s Airflow connections and variables by conn id / key', async () => {
    api.tree.refresh();
    const top = await labels(api, DEV);
    assert.deepStrictEqual(top.slice(0, 2), ['Airflow connections', 'Airflow variables'], top.join(', '));
    assert.ok(!top.includes('Airflow config'), 'no config group without airflow-config secrets');
    assert.ok(!top.some((l) => l.startsWith('airflow-')), `no raw Airflow names beside the groups: ${top.join(', ')}`);
    assert.ok(top.includes('partner-api-token') && top.includes('Deleted secrets'), 'the other secrets stay');
    assert.deepStrictEqual(await labels(api, CONNECTIONS), ['aws_default', 'legacy_ftp', 'smtp_default', 'warehouse_pg']);
    assert.deepStrictEqual(await labels(api, VARIABLES), ['feature_flags', 'hello_world', 'landing_bucket']);
  });

  it('marks members with context flags and says which configuration is in force', async () => {
    const smtp = await findNode(api, [...CONNECTIONS, 'smtp_default']);
    assert.match(contextValue(smtp), /^secret editable airflowConnection\b/);
    assert.match(tooltip(smtp), /Key Vault secret: airflow-connections-smtp-default/);
    const hello = await findNode(api, [...VARIABLES, 'hello_world']);
    assert.match(contextValue(hello), /\bairflowVariable\b/);
    const group = await findNode(api, CONNECTIONS);
    assert.strictEqual(contextValue(group), 'airflowGroup airflowConnections');
    assert.strictEqual(description(group), '4');
    assert.match(tooltip(group), /Backend configuration: Airflow defaults/);
    const other = await findNode(api, [...DEV, 'partner-api-token']);
    assert.doesNotMatch(contextValue(other), /airflow|union|zenml/);
  });

  it('switches between grouped and flat from the view title command', async () => {
    try {
      await vscode.commands.executeCommand('keyVault.flattenAirflowSecrets');
      assert.strictEqual(config().get('airflow.groupSecrets'), false);
      const flat = await waitFor('a flat list', async () => {
        const l = await labels(api, DEV);
        return l.includes('airflow-connections-smtp-default') ? l : undefined;
      });
      assert.ok(!flat.includes('Airflow connections'));
      const smtp = await findNode(api, [...DEV, 'airflow-connections-smtp-default']);
      assert.match(description(smtp), /^Airflow connection smtp_default/);
    } finally {
      await vscode.commands.executeCommand('keyVault.groupAirflowSecrets');
    }
    assert.strictEqual(config().get('airflow.groupSecrets'), true);
    await waitFor('the groups again', async () => (await labels(api, DEV)).includes('Airflow connections'));
  });

  it('fills the groups as pages arrive and shows a group as partial until the last page', async () => {
    await config().update('secrets.pageSize', 5, vscode.ConfigurationTarget.Global);
    try {
      const vault = await findNode(api, DEV);
      await children(api, vault); // warm the token
      await adminRequest('POST', '/_admin/stats/reset');
      api.tree.refresh(vault);
      // later pages are slow: the first page must be on screen before them
      // every page is slow: the first page must be on screen (and the groups partial) before the next one arrives
      await adminRequest('PUT', '/_admin/faults', { rules: [{ operation: 'secrets.list', delayMs: 2500 }] });
      try {
        const kids = await children(api, vault);
        const group = kids.find((k) => label(k) === 'Airflow connections');
        assert.ok(group, `a connections group from the first page: ${kids.map(label).join(', ')}`);
        assert.match(description(group), /^\d\+ · partial/);
        assert.ok(kids.some((k) => label(k) === 'Loading more secrets…'), 'a loading row instead of "Load more"');
        assert.ok(!kids.some((k) => kind(k) === 'loadMore'));
      } finally {
        await adminRequest('DELETE', '/_admin/faults');
      }
      const done = await waitFor('every page', async () => {
        const k = await children(api, vault);
        return k.some((x) => kind(x) === 'message' || kind(x) === 'loadMore') ? undefined : k;
      }, 45000);
      assert.strictEqual(description(done.find((k) => label(k) === 'Airflow connections')!), '4');
      const stats = await adminStats();
      assert.ok((stats['secrets.list'] ?? 0) >= 4, `several pages listed: ${JSON.stringify(stats)}`);
    } finally {
      await config().update('secrets.pageSize', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('lists a 120-secret vault completely in the background when grouped, without "Load more"', async () => {
    const vault = await findNode(api, ['Local emulator', 'big']);
    api.tree.refresh(vault);
    const first = await children(api, vault);
    assert.ok(first.filter((k) => kind(k) === 'secret').length >= 25, 'the first page at once');
    const all = await waitFor('all 120', async () => {
      const k = await children(api, vault);
      return k.filter((x) => kind(x) === 'secret').length === 120 ? k : undefined;
    }, 45000);
    assert.ok(!all.some((k) => kind(k) === 'loadMore'));
  });

  it('takes the prefixes from settings when the workspace has none, per vault URL', async () => {
    await config().update('airflow.backendKwargs', [
      { vault_url: 'https://other.vault.azure.net/', variables_prefix: 'elsewhere' },
      { vault_url: vaultUrl(), variables_prefix: null },
    ], vscode.ConfigurationTarget.Global);
    try {
      const top = await waitFor('no variables group', async () => {
        const l = await labels(api, DEV);
        return l.includes('Airflow variables') ? undefined : l;
      });
      assert.ok(top.includes('airflow-variables-hello-world'), 'variables are plain secrets while the lookup is off');
      assert.match(tooltip(await findNode(api, CONNECTIONS)), /Backend configuration: settings \(keyVault\.airflow\.backendKwargs\)/);
      const message = await runExpectingError(api, [], 'keyVault.newAirflowVariable', await findNode(api, DEV));
      assert.match(message, /does not look up variables in this vault: variables_prefix is null .*settings/);
    } finally {
      await config().update('airflow.backendKwargs', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the variables group again', async () => (await labels(api, DEV)).includes('Airflow variables'));
  });

  it('reads non-default prefixes from a workspace .env and says so', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test workspace has a folder');
    const envFile = path.join(folder, '.env');
    await directClient(VAULT).setSecret('af-conn-warehouse-pg',
      '{"conn_type":"postgres","host":"pg.corp","login":"etl","password":"s3cr3t","port":5432,"schema":"dw","extra":{"sslmode":"require"}}',
      { contentType: 'application/json' });
    fs.writeFileSync(envFile, [
      '# Astro project',
      'AIRFLOW__SECRETS__BACKEND=airflow.providers.microsoft.azure.secrets.key_vault.AzureKeyVaultBackend',
      `AIRFLOW__SECRETS__BACKEND_KWARGS='{"connections_prefix": "af-conn", "variables_prefix": "airflow-variables", "config_prefix": null, "vault_url": "${vaultUrl()}"}'`,
      '',
    ].join('\n'));
    try {
      api.tree.refresh();
      const conns = await waitFor('the af-conn prefix', async () => {
        const l = await labels(api, CONNECTIONS).catch(() => []);
        return l.length === 1 ? l : undefined;
      });
      assert.deepStrictEqual(conns, ['warehouse_pg']);
      assert.match(tooltip(await findNode(api, CONNECTIONS)), /Backend configuration: \.env line 3/);
      const top = await labels(api, DEV);
      assert.ok(top.includes('airflow-connections-smtp-default'), 'the default-prefixed names are no longer connections');
      assert.deepStrictEqual(await labels(api, VARIABLES), ['feature_flags', 'hello_world', 'landing_bucket']);
      const conn = await findNode(api, [...CONNECTIONS, 'warehouse_pg']);
      const text = await runWith<string>(api, [{ quickPick: 'Prefixes in force' }, { quickPick: '.env' }], 'keyVault.copyAirflowBackendConfig', conn.parent);
      const kwargs = JSON.parse(text.split('\n')[1].replace(/^AIRFLOW__SECRETS__BACKEND_KWARGS=/, '').replace(/^'|'$/g, '')) as Record<string, unknown>;
      assert.strictEqual(kwargs.connections_prefix, 'af-conn');
      assert.strictEqual(kwargs.config_prefix, null);
    } finally {
      fs.rmSync(envFile, { force: true });
      await directClient(VAULT).beginDeleteSecret('af-conn-warehouse-pg').then((p) => p.pollUntilDone());
      await directClient(VAULT).purgeDeletedSecret('af-conn-warehouse-pg');
    }
    await waitFor('the defaults again', async () => (await labels(api, CONNECTIONS).catch(() => [])).length === 4);
  });
});

describe('orchestrators: Airflow commands', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;
  const dev = () => directClient(VAULT);

  before(async () => {
    api = await extensionApi();
    await config().update('airflow.groupSecrets', true, vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    api.setPrompter(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('writes a new connection in the URI form from the connections group, exactly as Airflow encodes it', async () => {
    const id = `pg_${uniqueName('x').replace(/-/g, '_')}`;
    await runWith(api, [
      { inputBox: id },
      { quickPick: 'postgres' },
      { inputBox: 'pg.contoso-data.example' },
      { inputBox: 'etl user' },
      { inputBox: 'p@ss/w rd', expectPassword: true },
      { inputBox: '5432' },
      { inputBox: 'dw' },
      { quickPick: /key=value/ },
      { inputBox: 'sslmode=require' },
      { quickPick: 'URI form' },
    ], 'keyVault.newAirflowConnection', await findNode(api, CONNECTIONS));
    const name = `airflow-connections-${id.replace(/_/g, '-')}`;
    const s = await dev().getSecret(name);
    assert.strictEqual(s.value, 'postgres://etl%20user:p%40ss%2Fw%20rd@pg.contoso-data.example:5432/dw?sslmode=require');
    assert.strictEqual(s.properties.contentType, undefined);
    await waitFor('the new conn id in the group', async () => (await labels(api, CONNECTIONS)).includes(id));
  });

  it('writes the JSON form with application/json from the palette', async () => {
    const id = `wh_${uniqueName('j').replace(/-/g, '_')}`;
    await runWith(api, [
      { quickPick: VAULT },
      { inputBox: id },
      { quickPick: 'Other…' },
      { inputBox: 'azure_data_explorer' },
      { inputBox: 'https://adx.contoso-data.example' },
      { inputBox: '' },
      { inputBox: '', expectPassword: true },
      { inputBox: '' },
      { inputBox: '' },
      { quickPick: /JSON object/ },
      { inputBox: '{"tenant": "t-1", "retry": {"max": 3}}' },
      { quickPick: 'JSON form' },
    ], 'keyVault.newAirflowConnection');
    const s = await dev().getSecret(`airflow-connections-${id.replace(/_/g, '-')}`);
    assert.strictEqual(s.properties.contentType, 'application/json');
    const parsed = JSON.parse(s.value!) as Record<string, unknown>;
    assert.strictEqual(parsed.conn_type, 'azure_data_explorer');
    assert.strictEqual(parsed.host, 'https://adx.contoso-data.example');
    assert.deepStrictEqual(parsed.extra, { tenant: 't-1', retry: { max: 3 } });
    assert.ok(!('password' in parsed) || parsed.password === null || parsed.password === '', 'no password entered');
  });

  it('rejects a conn id that cannot be a Key Vault name, before any question about the connection', async () => {
    const message = await runExpectingError(api, [{ inputBox: 'my.conn' }], 'keyVault.newAirflowConnection', await findNode(api, CONNECTIONS));
    assert.match(message, /rejected by validation: .*"\."/);
  });

  it('asks before writing a new version over an existing connection, and writes nothing when declined', async () => {
    const before = (await dev().getSecret('airflow-connections-smtp-default')).properties.version;
    const message = await runExpectingError(api, [
      { inputBox: 'smtp_default' },
      { quickPick: 'smtp' }, { inputBox: 'smtp.example' }, { inputBox: '' }, { inputBox: '', expectPassword: true },
      { inputBox: '' }, { inputBox: '' }, { quickPick: 'No extras' }, { quickPick: 'URI form' },
      { confirm: undefined, expectMessage: /Airflow connection "smtp_default" already exists .* "airflow-connections-smtp-default"/ },
    ], 'keyVault.newAirflowConnection', await findNode(api, CONNECTIONS));
    assert.match(message, /Cancelled/);
    assert.strictEqual((await dev().getSecret('airflow-connections-smtp-default')).properties.version, before);
  });

  it('writes variables: plain text from the group, JSON from the palette, a sensitive key in a password box', async () => {
    const key = `bucket_${uniqueName('v').replace(/-/g, '_')}`;
    await runWith(api, [
      { inputBox: key }, { quickPick: 'Plain text' }, { inputBox: 'contoso-landing-zone-2', expectPassword: false },
    ], 'keyVault.newAirflowVariable', await findNode(api, VARIABLES));
    const plain = await dev().getSecret(`airflow-variables-${key.replace(/_/g, '-')}`);
    assert.strictEqual(plain.value, 'contoso-landing-zone-2');
    assert.strictEqual(plain.properties.contentType, undefined);

    const jkey = `flags_${uniqueName('j').replace(/-/g, '_')}`;
    await runWith(api, [
      { quickPick: VAULT }, { inputBox: jkey }, { quickPick: 'JSON' }, { inputBox: '{"enable_backfill": false}' },
    ], 'keyVault.newAirflowVariable');
    const json = await dev().getSecret(`airflow-variables-${jkey.replace(/_/g, '-')}`);
    assert.strictEqual(json.value, '{"enable_backfill": false}');
    assert.strictEqual(json.properties.contentType, 'application/json');

    const skey = `partner_api_token_${uniqueName('s').replace(/-/g, '_')}`;
    await runWith(api, [
      { inputBox: skey }, { quickPick: 'Plain text' }, { inputBox: 'tok-123', expectPassword: true },
    ], 'keyVault.newAirflowVariable', await findNode(api, VARIABLES));
    assert.strictEqual((await dev().getSecret(`airflow-variables-${skey.replace(/_/g, '-')}`)).value, 'tok-123');
  });

  it('refuses invalid JSON for a JSON variable as it is typed', async () => {
    const message = await runExpectingError(api, [
      { inputBox: 'bad_json' }, { quickPick: 'JSON' }, { inputBox: '{"a": ' },
    ], 'keyVault.newAirflowVariable', await findNode(api, VARIABLES));
    assert.match(message, /rejected by validation/);
  });

  it('reveals a connection as its parsed fields with the password masked until asked', async () => {
    const editor = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealAirflowConnection', await findNode(api, [...CONNECTIONS, 'smtp_default']));
    const doc = editor.document;
    assert.strictEqual(doc.uri.scheme, 'keyvault-airflow');
    assert.strictEqual(doc.isDirty, false);
    const text = doc.getText();
    assert.match(text, /^conn_type {3}smtp$/m);
    assert.match(text, /^host {8}smtp\.contoso-data\.example$/m);
    assert.match(text, /^login {7}alerts@contoso-data\.example$/m);
    assert.match(text, /^port {8}587$/m);
    assert.match(text, /^extra {7}\{"timeout":"30"\}$/m);
    assert.doesNotMatch(text, /Demo only/);
    assert.match(text, /^password {4}••••••••/m);
    const shown = await runWith<vscode.TextEditor>(api, [], 'keyVault.showConnectionPassword', doc.uri);
    assert.match(shown.document.getText(), /^password {4}Demo only\/pw 7Qx$/m);
  });

  it('reveals a connection from the palette and warns when Airflow would not parse the stored value', async () => {
    const name = `airflow-connections-${uniqueName('broken')}`;
    await dev().setSecret(name, '{"conn_type": "postgres", "host": ');
    api.tree.refresh();
    const editor = await runWith<vscode.TextEditor>(api, [
      { quickPick: VAULT }, { quickPick: name.slice('airflow-connections-'.length).replace(/-/g, '_') },
    ], 'keyVault.revealAirflowConnection');
    const text = editor.document.getText();
    assert.match(text, /Airflow would not parse this value/);
    assert.doesNotMatch(text, /"host"/, 'the broken value itself is not echoed');
  });

  it('copies the backend configuration in the three forms, never with a credential', async () => {
    const vault = await findNode(api, DEV);
    const env = await runWith<string>(api, [{ quickPick: 'Prefixes in force' }, { quickPick: '.env' }], 'keyVault.copyAirflowBackendConfig', vault);
    assert.strictEqual(await clipboard(), env);
    assert.strictEqual(env, backendConfigSnippets(vaultUrl(), AIRFLOW_DEFAULTS).env);
    const [backend, kwargsLine] = env.trim().split('\n');
    assert.strictEqual(backend, 'AIRFLOW__SECRETS__BACKEND=airflow.providers.microsoft.azure.secrets.key_vault.AzureKeyVaultBackend');
    const kwargs = JSON.parse(kwargsLine.replace(/^AIRFLOW__SECRETS__BACKEND_KWARGS=/, '').replace(/^'|'$/g, '')) as Record<string, unknown>;
    assert.deepStrictEqual(kwargs, { connections_prefix: 'airflow-connections', variables_prefix: 'airflow-variables',
      config_prefix: 'airflow-config', sep: '-', vault_url: vaultUrl() });
    const adf = await runWith<string>(api, [{ quickPick: 'Prefixes in force' }, { quickPick: /Data Factory/ }], 'keyVault.copyAirflowBackendConfig', vault);
    assert.match(adf, /^AIRFLOW__SECRETS__BACKEND: airflow\.providers\.microsoft\.azure\.secrets\.key_vault\.AzureKeyVaultBackend$/m);
    assert.match(adf, /^AIRFLOW__SECRETS__BACKEND_KWARGS: \{.*"vault_url"/m);
    const cfg = await runWith<string>(api, [{ quickPick: 'Prefixes in force' }, { quickPick: 'airflow.cfg' }], 'keyVault.copyAirflowBackendConfig', vault);
    assert.match(cfg, /^\[secrets\]\nbackend = airflow\.providers\.microsoft\.azure\.secrets\.key_vault\.AzureKeyVaultBackend\nbackend_kwargs = \{/);
    for (const t of [env, adf, cfg]) assert.doesNotMatch(t, /client_secret|tenant_id|client_id/);
  });

  it('copies the backend configuration with prefixes chosen in the palette: an empty prefix and a lookup turned off', async () => {
    const text = await runWith<string>(api, [
      { quickPick: VAULT }, { quickPick: 'Other prefixes…' },
      { inputBox: '' }, { inputBox: 'null' }, { inputBox: 'af-config' }, { inputBox: '-' },
      { quickPick: '.env' },
    ], 'keyVault.copyAirflowBackendConfig');
    const kwargs = JSON.parse(text.trim().split('\n')[1].replace(/^AIRFLOW__SECRETS__BACKEND_KWARGS=/, '').replace(/^'|'$/g, '')) as Record<string, unknown>;
    assert.deepStrictEqual(kwargs, { connections_prefix: '', variables_prefix: null, config_prefix: 'af-config', sep: '-', vault_url: vaultUrl() });
  });

  it('accepts a team-shaped conn id with a warning as it is typed', async () => {
    const scripted = new ScriptedPrompter([{ inputBox: 'aws__prod' }, { quickPick: undefined }]);
    api.setPrompter(scripted);
    try {
      await vscode.commands.executeCommand('keyVault.newAirflowConnection', await findNode(api, CONNECTIONS));
    } finally {
      api.setPrompter(undefined);
    }
    assert.match(scripted.validationNotes.join('\n'), /team-scoped/);
  });

  it('copies Airflow code snippets for a connection and a variable, from the tree and the palette', async () => {
    const conn = await runWith<string>(api, [], 'keyVault.copyAirflowSnippet', await findNode(api, [...CONNECTIONS, 'smtp_default']));
    assert.match(conn, /BaseHook\.get_connection\("smtp_default"\)/);
    assert.strictEqual(conn, airflowCodeSnippet('connection', 'smtp_default'));
    assert.strictEqual(await clipboard(), conn);
    const variable = await runWith<string>(api, [{ quickPick: VAULT }, { quickPick: 'hello_world' }], 'keyVault.copyAirflowSnippet');
    assert.match(variable, /Variable\.get\("hello_world"\)/);
    assert.strictEqual(variable, airflowCodeSnippet('variable', 'hello_world'));
  });
});

describe('orchestrators: Union/Flyte, ZenML, SDK and App Service', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;
  const dev = () => directClient(VAULT);

  before(async () => {
    api = await extensionApi();
  });

  afterEach(async () => {
    api.setPrompter(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('copies the Flyte secret request and read line for the latest and for one version', async () => {
    const secret = await findNode(api, [...DEV, 'db-password']);
    const latest = await runWith<string>(api, [], 'keyVault.copyFlyteSecretRequest', secret);
    assert.strictEqual(latest, `Secret(group="${vaultUrl()}secrets/db-password", mount_requirement=Secret.MountType.FILE)\n` +
      'current_context().secrets.get("db-password")\n');
    assert.strictEqual(await clipboard(), latest);
    const version = (await children(api, secret))[0];
    const v = (version as unknown as { version: string }).version;
    const pinned = await runWith<string>(api, [], 'keyVault.copyFlyteSecretRequest', version);
    assert.strictEqual(pinned, `Secret(group="${vaultUrl()}secrets/db-password", group_version="${v}", mount_requirement=Secret.MountType.FILE)\n` +
      `current_context().secrets.get("db-password", group_version="${v}")\n`);
  });

  it('shows Union-managed secrets as project / name with org and domain in the tooltip', async () => {
    const top = await labels(api, DEV);
    for (const l of ['forecasting / snowflake_private_key', 'forecasting / openai_api_key', 'forecasting / model_weights_key']) {
      assert.ok(top.includes(l), `${l} in ${top.join(', ')}`);
    }
    const node = await findNode(api, [...DEV, 'forecasting / openai_api_key']);
    assert.match(contextValue(node), /\bunion\b/);
    assert.match(tooltip(node), /Organization: contoso/);
    assert.match(tooltip(node), /Domain: development/);
    assert.match(tooltip(node), /Key Vault Secrets User/);
  });

  it('reveals a Union secret decoded from its envelope (STRING and BINARY)', async () => {
    const str = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, [...DEV, 'forecasting / openai_api_key']));
    assert.strictEqual(str.document.getText(), 'sk-demo-000000000000000000000000');
    const bin = await runWith<vscode.TextEditor>(api, [], 'keyVault.revealSecret', await findNode(api, [...DEV, 'forecasting / model_weights_key']));
    assert.strictEqual(bin.document.getText(), 'demo-binary-key-material');
  });

  it('shows ZenML secrets by their ZenML name and scope, and their keys only when asked', async () => {
    const top = await labels(api, DEV);
    for (const l of ['mlflow_tracking', 's3-artifacts', 'registry-creds']) assert.ok(top.includes(l), `${l} in ${top.join(', ')}`);
    const store = await findNode(api, [...DEV, 'mlflow_tracking']);
    assert.match(contextValue(store), /\bzenml\b/);
    assert.match(description(store), /ZenML/);
    assert.doesNotMatch(description(store), /username/, 'no keys before they were asked for');
    const registry = await findNode(api, [...DEV, 'registry-creds']);
    assert.match(tooltip(registry), /acr-registry/);
    const keys = await runWith<string[]>(api, [], 'keyVault.showZenmlKeys', store);
    assert.deepStrictEqual([...keys].sort(), ['password', 'username']);
    const after = await findNode(api, [...DEV, 'mlflow_tracking']);
    assert.match(description(after), /keys: username, password|keys: password, username/);
    assert.doesNotMatch(description(after) + tooltip(after), /Demo-mlflow-pass/);
    const scoped = await runWith<string[]>(api, [{ quickPick: VAULT }, { quickPick: 's3-artifacts' }], 'keyVault.showZenmlKeys');
    assert.deepStrictEqual([...scoped].sort(), ['aws_access_key_id', 'aws_secret_access_key']);
  });

  it('warns before a tag edit that would hide a ZenML secret, and keeps the tags when declined', async () => {
    const name = 'zenml-0b7c3a92-5d14-4e8f-9a61-2c3d4e5f6a7b';
    const before = (await dev().getSecret(name)).properties.tags;
    const message = await runExpectingError(api, [
      { quickPick: 'Tags' },
      { inputBox: 'zenml=6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b' },
      { confirm: undefined, expectMessage: /zenml_secret_id/ },
    ], 'keyVault.editSecretProperties', await findNode(api, [...DEV, 'mlflow_tracking']));
    assert.match(message, /Cancelled/);
    assert.deepStrictEqual((await dev().getSecret(name)).properties.tags, before);
  });

  it('copies the SDK quickstart for a vault (Python) and for a secret (TypeScript)', async () => {
    const py = await runWith<string>(api, [{ quickPick: 'Python' }], 'keyVault.copySdkSnippet', await findNode(api, DEV));
    assert.ok(py.includes(vaultUrl().replace(/\/$/, '')), py);
    assert.match(py, /DefaultAzureCredential\(\)/);
    assert.match(py, /begin_delete_secret\(.*\)\.result\(\)/);
    assert.strictEqual(await clipboard(), py);
    assert.strictEqual(py, sdkSnippet('python', vaultUrl()));
    const ts = await runWith<string>(api, [{ quickPick: 'TypeScript' }], 'keyVault.copySdkSnippet', await findNode(api, [...DEV, 'db-password']));
    assert.match(ts, /new SecretClient\(/);
    assert.match(ts, /"db-password"|'db-password'/);
    assert.strictEqual(ts, sdkSnippet('typescript', vaultUrl(), 'db-password'));
    const fromPalette = await runWith<string>(api, [{ quickPick: VAULT }, { quickPick: 'Python' }], 'keyVault.copySdkSnippet');
    assert.strictEqual(fromPalette, py);
  });

  it('copies the Flyte secret request from the palette (vault, secret, Latest)', async () => {
    const text = await runWith<string>(api, [{ quickPick: VAULT }, { quickPick: 'db-password' }, { quickPick: 'Latest' }],
      'keyVault.copyFlyteSecretRequest');
    assert.strictEqual(text, `Secret(group="${vaultUrl()}secrets/db-password", mount_requirement=Secret.MountType.FILE)\n` +
      'current_context().secrets.get("db-password")\n');
  });

  it('copies App Service references: latest, pinned version and VaultName form', async () => {
    const secret = await findNode(api, [...DEV, 'db-password']);
    const latest = await runWith<string>(api, [{ quickPick: 'SecretUri (latest)' }], 'keyVault.copyAppServiceReference', secret);
    assert.match(latest, new RegExp(`^@Microsoft\\.KeyVault\\(SecretUri=${vaultUrl().replace(/[.]/g, '\\.')}secrets/db-password/?\\)$`));
    const version = (await children(api, secret))[0];
    const v = (version as unknown as { version: string }).version;
    const pinned = await runWith<string>(api, [{ quickPick: /^SecretUri \(version/ }], 'keyVault.copyAppServiceReference', version);
    assert.strictEqual(pinned, `@Microsoft.KeyVault(SecretUri=${vaultUrl()}secrets/db-password/${v})`);
    const byName = await runWith<string>(api, [{ quickPick: VAULT }, { quickPick: 'db-password' }, { quickPick: 'Latest' },
      { quickPick: 'VaultName and SecretName' }], 'keyVault.copyAppServiceReference');
    assert.strictEqual(byName, `@Microsoft.KeyVault(VaultName=${VAULT};SecretName=db-password)`);
    assert.strictEqual(await clipboard(), byName);
  });

  it('registers every orchestrator command, with palette entries', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of ['newAirflowConnection', 'newAirflowVariable', 'revealAirflowConnection', 'copyAirflowBackendConfig',
      'copyAirflowSnippet', 'copyFlyteSecretRequest', 'copySdkSnippet', 'copyAppServiceReference', 'showZenmlKeys']) {
      assert.ok(all.has(`keyVault.${id}`), id);
    }
  });
});
