// Commands for the orchestrators our users run: Airflow (connections, variables, backend configuration,
// snippets), Union/Flyte (secret requests), ZenML (keys), the SDK quickstart and App Service references.
// The conventions live in src/integrations (pure); these handlers only ask, write and copy.
import * as vscode from 'vscode';
import type { SecretProps, VaultRef } from '../azure/model';
import { validateSecretValue } from '../azure/names';
import {
  airflowCodeSnippet, airflowIdWarnings, airflowSecretName, backendConfigSnippets, connectionToJson, connectionToUri, parseConnectionValue,
  validateAirflowId, type AirflowBackendConfig, type AirflowConnection, type AirflowKind,
} from '../integrations/airflow';
import { describeOrigin } from '../integrations/airflowSources';
import { flyteRoleNote, flyteSecretRequest } from '../integrations/flyte';
import { appServiceReference, sdkSnippet, type AppServiceForm, type SdkLanguage } from '../integrations/sdk';
import { groupForAirflow, secretKind, type SecretKind } from '../integrations/secretKinds';
import { zenmlKeys } from '../integrations/zenml';
import { AirflowGroupNode, SecretNode, VaultNode, VersionNode } from '../tree/nodes';
import { connectionUri, parseConnectionUri } from '../ui/connectionDocument';
import { isPresenting } from '../ui/presentation';
import { required, UserCancelled } from '../ui/prompts';
import { allSecrets, pickVault, secretTarget, secretUrl, withProgress, type CommandContext, type SecretRef } from './context';
import { writeSecret } from './secretCommands';

// ---- targets ----

async function airflowVault(ctx: CommandContext, node: unknown): Promise<VaultRef> {
  if (node instanceof VaultNode || node instanceof AirflowGroupNode) return node.vault;
  if (node instanceof SecretNode || node instanceof VersionNode) return node.vault;
  return pickVault(ctx);
}

/** An Airflow connection or variable: the tree item, or vault + quick pick among the vault's Airflow secrets. */
async function airflowTarget(ctx: CommandContext, node: unknown, kinds: readonly AirflowKind[]): Promise<SecretRef & { id: string; kind: AirflowKind }> {
  if (node instanceof SecretNode || node instanceof VersionNode) {
    const secret = node instanceof VersionNode ? node.secretNode : node;
    const k = secret.kind;
    if (k?.orchestrator !== 'airflow' || !kinds.includes(k.kind)) {
      throw new Error(kinds.length === 1 && kinds[0] === 'connection'
        ? vscode.l10n.t('"{0}" is not an Airflow connection under this vault\'s backend configuration.', node.name)
        : vscode.l10n.t('"{0}" is not an Airflow connection or variable under this vault\'s backend configuration.', node.name));
    }
    return { vault: node.vault, name: node.name, version: node instanceof VersionNode ? node.version : undefined, props: node.props, id: k.id, kind: k.kind };
  }
  const vault = await airflowVault(ctx, node);
  const { config } = await ctx.hub.integrations.airflow.configFor(vault);
  const items = allSecrets(ctx, vault).then((secrets) => {
    const grouping = groupForAirflow(secrets, config);
    const picks = kinds.flatMap((k) => (grouping.groups.get(k) ?? []).map((m) => ({
      label: m.id, description: `${k} · ${m.item.name}`, secret: m.item, airflowKind: k,
    })));
    if (picks.length === 0) {
      throw new Error(kinds.length === 1 && kinds[0] === 'connection'
        ? vscode.l10n.t('Vault "{0}" has no Airflow connections under its backend configuration.', vault.name)
        : vscode.l10n.t('Vault "{0}" has no Airflow connections or variables under its backend configuration.', vault.name));
    }
    return picks;
  });
  const picked = required(await ctx.prompter.quickPick(items, { placeHolder: kinds.length === 1 && kinds[0] === 'connection'
    ? vscode.l10n.t('Airflow connection in {0}', vault.name) : vscode.l10n.t('Airflow connection or variable in {0}', vault.name) }));
  return { vault, name: picked.secret.name, props: picked.secret, id: picked.label, kind: picked.airflowKind };
}

// ---- Airflow: new connection / variable ----

const CONN_TYPES = ['postgres', 'mysql', 'mssql', 'oracle', 'snowflake', 'databricks', 'http', 'smtp', 'ftp', 'sftp', 'ssh',
  'aws', 'wasb', 'azure_data_lake', 'azure_data_factory', 'google_cloud_platform', 'redis', 'mongo', 'generic'];

/** Airflow masks these variable/extra names (airflow.utils.log.secrets_masker DEFAULT_SENSITIVE_FIELDS). */
const SENSITIVE = ['access_token', 'api_key', 'apikey', 'authorization', 'passphrase', 'passwd', 'password', 'private_key',
  'secret', 'token', 'keyfile_dict', 'service_account'];
const isSensitive = (key: string) => SENSITIVE.some((s) => key.toLowerCase().includes(s));

/** The name Airflow reads for this id, or an error that says why there is none. */
function secretNameFor(kind: AirflowKind, id: string, config: AirflowBackendConfig, where: string): string {
  const name = airflowSecretName(kind, id, config);
  if (name === undefined) {
    const key = kind === 'connection' ? 'connections_prefix' : kind === 'variable' ? 'variables_prefix' : 'config_prefix';
    throw new Error(kind === 'connection' ? vscode.l10n.t('Airflow does not look up connections in this vault: {0} is null in its backend configuration ({1}).', key, where)
      : kind === 'variable' ? vscode.l10n.t('Airflow does not look up variables in this vault: {0} is null in its backend configuration ({1}).', key, where)
        : vscode.l10n.t('Airflow does not look up configs in this vault: {0} is null in its backend configuration ({1}).', key, where));
  }
  return name;
}

/** An existing secret under that name would get a new version: ask first. */
async function confirmOverwrite(ctx: CommandContext, vault: VaultRef, name: string, what: string): Promise<void> {
  const existing = await ctx.hub.service(vault).listVersions(name, { maxPageSize: 1 });
  if (existing.items.length === 0) return;
  const saveNewVersion = vscode.l10n.t('Save New Version');
  const answer = await ctx.prompter.confirm(vscode.l10n.t('{0} already exists in {1} as secret "{2}".', what, vault.name, name),
    vscode.l10n.t('Saving writes a new version; Airflow reads the latest. Names differing only in case or in "_" versus the separator are the same secret.'),
    saveNewVersion);
  if (answer !== saveNewVersion) throw new UserCancelled();
}

function parseExtras(text: string, as: 'pairs' | 'json'): Record<string, unknown> | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (as === 'json') {
    let v: unknown;
    try { v = JSON.parse(t); } catch (e) { throw new Error(vscode.l10n.t('Extras are not valid JSON: {0}', (e as Error).message)); }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(vscode.l10n.t('Extras must be a JSON object, e.g. {"sslmode": "require"}.'));
    return v as Record<string, unknown>;
  }
  const out: Record<string, string> = {};
  for (const part of t.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(vscode.l10n.t('"{0}" is not key=value.', part));
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** An id Key Vault cannot name is an error; one Airflow may not look up as expected gets a warning. */
function idValidation(kind: AirflowKind, value: string, config: AirflowBackendConfig): string | vscode.InputBoxValidationMessage | undefined {
  const id = value.trim();
  const error = validateAirflowId(kind, id, config);
  if (error) return error;
  const warning = airflowIdWarnings(kind, id, config)[0];
  return warning ? { message: warning, severity: vscode.InputBoxValidationSeverity.Warning } : undefined;
}

const validator = (f: (v: string) => unknown) => (v: string): string | undefined => {
  try { f(v); return undefined; } catch (e) { return (e as Error).message; }
};

/** keyVault.newAirflowConnection: a guided form that writes the URI or the JSON form Airflow reads. */
export async function newAirflowConnection(ctx: CommandContext, node?: unknown): Promise<SecretProps> {
  const vault = await airflowVault(ctx, node);
  const { config, origin } = await ctx.hub.integrations.airflow.configFor(vault);
  const where = describeOrigin(origin);
  secretNameFor('connection', 'x', config, where); // a disabled lookup says so before the questions
  const connId = required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Airflow conn id (stored as {0} for conn_id; backend configuration: {1})', String(airflowSecretName('connection', 'conn_id', config)), where),
    placeHolder: vscode.l10n.t('e.g. warehouse_pg'), validateInput: (v) => idValidation('connection', v, config),
  })).trim();
  const name = secretNameFor('connection', connId, config, where);
  const other = vscode.l10n.t('Other…');
  const typePick = required(await ctx.prompter.quickPick([...CONN_TYPES.map((t) => ({ label: t })), { label: other }],
    { placeHolder: vscode.l10n.t('Connection type of "{0}"', connId) }));
  const connType = typePick.label !== other ? typePick.label : required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Connection type (Airflow conn_type, e.g. postgres, http)'), validateInput: (v) => (/^[A-Za-z][\w.+-]*$/.test(v.trim()) ? undefined : vscode.l10n.t('A connection type starts with a letter and has letters, digits, _ . + -')),
  })).trim();
  const c: AirflowConnection = { connType };
  const host = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Host (optional)') })).trim();
  if (host) c.host = host;
  const login = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Login (optional)') }));
  if (login) c.login = login;
  const password = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Password (optional, hidden)'), password: true }));
  if (password) c.password = password;
  const port = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Port (optional)'),
    validateInput: (v) => (!v.trim() || (/^\d+$/.test(v.trim()) && Number(v) <= 65535) ? undefined : vscode.l10n.t('A port is a whole number from 0 to 65535.')) })).trim();
  if (port) c.port = Number(port);
  const schema = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Schema (optional; the database for SQL connections)') }));
  if (schema) c.schema = schema;
  const extrasKind = required(await ctx.prompter.quickPick([
    { label: vscode.l10n.t('No extras'), id: 'none' as const },
    { label: vscode.l10n.t('Extras as key=value pairs'), id: 'pairs' as const },
    { label: vscode.l10n.t('Extras as a JSON object'), id: 'json' as const },
  ], { placeHolder: vscode.l10n.t('Extras (connection options such as sslmode, region_name)') }));
  if (extrasKind.id !== 'none') {
    const as = extrasKind.id;
    const text = required(await ctx.prompter.inputBox({
      prompt: as === 'json' ? vscode.l10n.t('Extras: a JSON object, e.g. {"sslmode": "require"}') : vscode.l10n.t('Extras: key=value, key2=value2'),
      validateInput: validator((v) => parseExtras(v, as)),
    }));
    c.extra = parseExtras(text, as);
  }
  const form = required(await ctx.prompter.quickPick([
    { label: vscode.l10n.t('URI form'), description: vscode.l10n.t('conn-type://login:password@host:port/schema?extras — every Airflow version'), id: 'uri' as const },
    { label: vscode.l10n.t('JSON form'), description: vscode.l10n.t('content type application/json — Airflow 2.3 and later'), id: 'json' as const },
  ], { placeHolder: vscode.l10n.t('Store "{0}" as', connId) }));
  const value = form.id === 'json' ? connectionToJson(c) : connectionToUri(c);
  const problem = validateSecretValue(value);
  if (problem) throw new Error(problem);
  // what we write must read back as what was entered
  const check = parseConnectionValue(value);
  if (!check.ok) throw new Error(vscode.l10n.t('The connection would not parse in Airflow: {0}', check.error));
  await confirmOverwrite(ctx, vault, name, vscode.l10n.t('Airflow connection "{0}"', connId));
  const result = await writeSecret(ctx, vault, name, { value, contentType: form.id === 'json' ? 'application/json' : undefined });
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved Airflow connection "{0}" as "{1}" in {2} ({3}).', connId, name, vault.name, form.label));
  return result;
}

/** keyVault.newAirflowVariable: plain text or JSON (content type application/json). */
export async function newAirflowVariable(ctx: CommandContext, node?: unknown): Promise<SecretProps> {
  const vault = await airflowVault(ctx, node);
  const { config, origin } = await ctx.hub.integrations.airflow.configFor(vault);
  const where = describeOrigin(origin);
  secretNameFor('variable', 'x', config, where);
  const key = required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Airflow variable key (stored as {0} for key; backend configuration: {1})', String(airflowSecretName('variable', 'key', config)), where),
    placeHolder: vscode.l10n.t('e.g. landing_bucket'), validateInput: (v) => idValidation('variable', v, config),
  })).trim();
  const name = secretNameFor('variable', key, config, where);
  const kind = required(await ctx.prompter.quickPick([
    { label: vscode.l10n.t('Plain text'), description: vscode.l10n.t('Variable.get("…") returns the text'), id: 'text' as const },
    { label: vscode.l10n.t('JSON'), description: vscode.l10n.t('Variable.get("…", deserialize_json=True); content type application/json'), id: 'json' as const },
  ], { placeHolder: vscode.l10n.t('Value of "{0}"', key) }));
  const value = required(await ctx.prompter.inputBox({
    prompt: isSensitive(key) ? vscode.l10n.t('Value of "{0}" (hidden: Airflow treats this key as sensitive)', key) : vscode.l10n.t('Value of "{0}"', key),
    password: isSensitive(key),
    validateInput: (v) => validateSecretValue(v) ?? (kind.id === 'json' ? validator((t) => JSON.parse(t))(v) : undefined),
  }));
  await confirmOverwrite(ctx, vault, name, vscode.l10n.t('Airflow variable "{0}"', key));
  const result = await writeSecret(ctx, vault, name, { value, contentType: kind.id === 'json' ? 'application/json' : undefined });
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved Airflow variable "{0}" as "{1}" in {2}.', key, name, vault.name));
  return result;
}

// ---- Airflow: reveal a connection, copy configuration and snippets ----

/** keyVault.revealAirflowConnection: the parsed fields, password masked; warns when Airflow would not parse it. */
export async function revealAirflowConnection(ctx: CommandContext, node?: unknown): Promise<vscode.TextEditor> {
  const ref = await airflowTarget(ctx, node, ['connection']);
  if (isPresenting()) {
    // presentation mode: a masked view; nothing is read until "Show Value" is clicked
    const hidden = connectionUri({ vault: ref.vault, name: ref.name, version: ref.version, connId: ref.id, showPassword: false, hidden: true });
    return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(hidden), { preview: true });
  }
  // read first: a service error (disabled, RBAC, …) is reported as such, not as "cannot open document"
  const { value } = await ctx.hub.service(ref.vault).getSecretValue(ref.name, ref.version);
  const parsed = parseConnectionValue(value);
  if (!parsed.ok) void vscode.window.showWarningMessage(vscode.l10n.t('Airflow would not parse connection "{0}": {1}', ref.id, parsed.error));
  const uri = connectionUri({ vault: ref.vault, name: ref.name, version: ref.version, connId: ref.id, showPassword: false });
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: true });
}

/** keyVault.showConnectionPassword: re-opens the connection view with the password shown. */
export async function showConnectionPassword(_ctx: CommandContext, node?: unknown): Promise<vscode.TextEditor> {
  const uri = node instanceof vscode.Uri ? node : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'keyvault-airflow') throw new Error(vscode.l10n.t('Open an Airflow connection first (Reveal Airflow Connection).'));
  const loc = parseConnectionUri(uri);
  const shown = connectionUri({ ...loc, showPassword: true });
  const doc = await vscode.workspace.openTextDocument(shown);
  return vscode.window.showTextDocument(doc, { preview: true });
}

const showPrefix = (p: string | null) => (p === null ? vscode.l10n.t('off') : p === '' ? vscode.l10n.t('(none)') : p);

/** The prefixes in force, or others the user types ("null" turns a lookup off, empty means no prefix). */
async function choosePrefixes(ctx: CommandContext, config: AirflowBackendConfig, origin: string): Promise<AirflowBackendConfig> {
  const choice = required(await ctx.prompter.quickPick([
    { label: vscode.l10n.t('Prefixes in force'), description: `${[config.connectionsPrefix, config.variablesPrefix, config.configPrefix].map(showPrefix).join(' · ')} — ${origin}`, id: 'keep' },
    { label: vscode.l10n.t('Other prefixes…'), description: vscode.l10n.t('connections, variables, config prefix and separator'), id: 'edit' },
  ], { placeHolder: vscode.l10n.t('Which prefixes should Airflow use for this vault?') }));
  if (choice.id === 'keep') return config;
  const ask = async (what: string, current: string | null): Promise<string | null> => {
    const text = required(await ctx.prompter.inputBox({
      prompt: vscode.l10n.t('{0} prefix: empty for no prefix, null to turn the lookup off', what), value: current === null ? 'null' : current,
      validateInput: (v) => (v.trim() === 'null' || /^[0-9A-Za-z_-]*$/.test(v.trim()) ? undefined : vscode.l10n.t('A prefix has letters, digits, "-" and "_" (Key Vault names allow no other characters).')),
    })).trim();
    return text === 'null' ? null : text;
  };
  const connectionsPrefix = await ask(vscode.l10n.t('Connections'), config.connectionsPrefix);
  const variablesPrefix = await ask(vscode.l10n.t('Variables'), config.variablesPrefix);
  const configPrefix = await ask(vscode.l10n.t('Config'), config.configPrefix);
  const sep = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Separator (sep)'), value: config.sep,
    validateInput: (v) => (/^[0-9A-Za-z-]+$/.test(v) ? undefined : vscode.l10n.t('The separator must be valid in Key Vault names: letters, digits or "-".')) }));
  return { ...config, connectionsPrefix, variablesPrefix, configPrefix, sep };
}

/** keyVault.copyAirflowBackendConfig: .env (Astro), ADF Workflow Orchestration Manager overrides or airflow.cfg. */
export async function copyAirflowBackendConfig(ctx: CommandContext, node?: unknown): Promise<string> {
  const vault = await airflowVault(ctx, node);
  const inForce = await ctx.hub.integrations.airflow.configFor(vault);
  const origin = describeOrigin(inForce.origin);
  const config = await choosePrefixes(ctx, inForce.config, origin);
  const snippets = backendConfigSnippets(vault.url, config);
  const form = required(await ctx.prompter.quickPick([
    { label: '.env', description: vscode.l10n.t('Astro, docker-compose: AIRFLOW__SECRETS__BACKEND and …_BACKEND_KWARGS'), text: snippets.env },
    { label: vscode.l10n.t('Azure Data Factory Workflow Orchestration Manager'), description: vscode.l10n.t('Airflow configuration overrides'), text: snippets.adf },
    { label: 'airflow.cfg', description: vscode.l10n.t('[secrets] backend and backend_kwargs'), text: snippets.airflowCfg },
  ], { placeHolder: vscode.l10n.t('Airflow backend configuration for {0}', vault.name) }));
  await vscode.env.clipboard.writeText(form.text);
  void vscode.window.showInformationMessage(vscode.l10n.t('Copied the {0} backend configuration for {1}. It holds no credential: Airflow signs in with DefaultAzureCredential (managed or workload identity, or AZURE_* variables), which needs "Key Vault Secrets User" on the vault.', form.label, vault.name));
  return form.text;
}

/** keyVault.copyAirflowSnippet: BaseHook.get_connection("…") / Variable.get("…"). */
export async function copyAirflowSnippet(ctx: CommandContext, node?: unknown): Promise<string> {
  const ref = await airflowTarget(ctx, node, ['connection', 'variable']);
  const text = airflowCodeSnippet(ref.kind === 'connection' ? 'connection' : 'variable', ref.id);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage('$(code) ' + (ref.kind === 'connection' ? vscode.l10n.t('Copied the Airflow snippet for connection "{0}"', ref.id) : vscode.l10n.t('Copied the Airflow snippet for variable "{0}"', ref.id)), 5000);
  return text;
}

// ---- Union / Flyte, SDK, App Service ----

/** keyVault.copyFlyteSecretRequest: the flytekit Secret(...) request and the matching read line. */
export async function copyFlyteSecretRequest(ctx: CommandContext, node?: unknown): Promise<string> {
  const ref = await secretTarget(ctx, node, 'latestOrVersion');
  const { request, read } = flyteSecretRequest(secretUrl({ vault: ref.vault, name: ref.name }), ref.name, ref.version);
  const text = `${request}\n${read}\n`;
  await vscode.env.clipboard.writeText(text);
  void vscode.window.showInformationMessage(vscode.l10n.t('Copied the Union/Flyte secret request for "{0}". {1}', ref.name, flyteRoleNote()));
  return text;
}

/** keyVault.copySdkSnippet: the quickstart flow (Python or TypeScript) for a vault or a secret. */
export async function copySdkSnippet(ctx: CommandContext, node?: unknown): Promise<string> {
  let vault: VaultRef;
  let name: string | undefined;
  if (node instanceof SecretNode || node instanceof VersionNode) {
    vault = node.vault;
    name = node.name;
  } else {
    vault = node instanceof VaultNode ? node.vault : await pickVault(ctx);
  }
  const lang = required(await ctx.prompter.quickPick([
    { label: 'Python', description: 'azure-keyvault-secrets + azure-identity', id: 'python' as SdkLanguage },
    { label: 'TypeScript', description: '@azure/keyvault-secrets + @azure/identity', id: 'typescript' as SdkLanguage },
  ], { placeHolder: name ? vscode.l10n.t('SDK snippet for "{0}" in {1}', name, vault.name) : vscode.l10n.t('SDK snippet for {0}', vault.name) }));
  const text = sdkSnippet(lang.id, vault.url, name);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage('$(code) ' + vscode.l10n.t('Copied the {0} SDK snippet for {1}', lang.label, vault.name), 5000);
  return text;
}

/** keyVault.copyAppServiceReference: @Microsoft.KeyVault(SecretUri=…) with or without version, or VaultName=…;SecretName=…. */
export async function copyAppServiceReference(ctx: CommandContext, node?: unknown): Promise<string> {
  const ref = await secretTarget(ctx, node, 'latestOrVersion');
  const forms: { label: string; description: string; form: AppServiceForm }[] = [
    { label: vscode.l10n.t('SecretUri (latest)'), description: vscode.l10n.t('follows new versions (App Service refetches within 24 h)'), form: 'secretUri' },
    ...(ref.version ? [{ label: vscode.l10n.t('SecretUri (version {0})', ref.version.slice(0, 8)), description: vscode.l10n.t('pinned to this version'), form: 'secretUriVersion' as const }] : []),
    { label: vscode.l10n.t('VaultName and SecretName'), description: vscode.l10n.t('resolved in the app\'s own cloud'), form: 'vaultName' },
  ];
  const picked = required(await ctx.prompter.quickPick(forms, { placeHolder: vscode.l10n.t('App Service / Functions Key Vault reference to "{0}"', ref.name) }));
  const text = appServiceReference(picked.form, ref.vault.url, ref.name, ref.version);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage('$(references) ' + vscode.l10n.t('Copied {0}', text), 5000);
  return text;
}

// ---- ZenML ----

/** keyVault.showZenmlKeys: reads the value once and shows only its key names (kept in memory for the tree). */
export async function showZenmlKeys(ctx: CommandContext, node?: unknown): Promise<string[]> {
  let ref: SecretRef;
  let kind: SecretKind | undefined;
  if (node instanceof SecretNode) {
    ref = { vault: node.vault, name: node.name, props: node.props };
    kind = node.kind;
  } else {
    const vault = node instanceof VaultNode ? node.vault : await pickVault(ctx);
    const items = allSecrets(ctx, vault).then((secrets) => {
      const picks = secrets.flatMap((s) => {
        const k = secretKind(s, undefined);
        return k?.orchestrator === 'zenml' ? [{ label: k.zenml.secretName ?? s.name, description: s.name, secret: s, secretKind: k }] : [];
      });
      if (picks.length === 0) throw new Error(vscode.l10n.t('Vault "{0}" has no ZenML secrets.', vault.name));
      return picks;
    });
    const picked = required(await ctx.prompter.quickPick(items, { placeHolder: vscode.l10n.t('ZenML secret in {0}', vault.name) }));
    ref = { vault, name: picked.secret.name, props: picked.secret };
    kind = picked.secretKind;
  }
  if (kind?.orchestrator !== 'zenml') throw new Error(vscode.l10n.t('"{0}" is not a ZenML secret (by its name and tags).', ref.name));
  const { value } = await withProgress(vscode.l10n.t('Reading the keys of "{0}"…', ref.name), (abortSignal) =>
    ctx.hub.service(ref.vault).getSecretValue(ref.name, undefined, { abortSignal }));
  const keys = zenmlKeys(kind.zenml, value);
  if (!keys) throw new Error(vscode.l10n.t('The value of "{0}" is not a JSON object, so ZenML cannot read keys from it.', ref.name));
  ctx.hub.integrations.rememberZenmlKeys(ref.vault, ref.name, keys);
  ctx.tree.rerenderVault(ref.vault.url);
  void vscode.window.showInformationMessage(vscode.l10n.t('ZenML secret "{0}" has {1} key(s): {2}.', kind.zenml.secretName ?? ref.name, keys.length, keys.join(', ') || vscode.l10n.t('(none)')));
  return keys;
}

// ---- view ----

export async function groupAirflowSecrets(ctx: CommandContext): Promise<void> {
  await ctx.hub.integrations.airflow.setGrouped(true);
}

export async function flattenAirflowSecrets(ctx: CommandContext): Promise<void> {
  await ctx.hub.integrations.airflow.setGrouped(false);
}
