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
import { FLYTE_ROLE_NOTE, flyteSecretRequest } from '../integrations/flyte';
import { appServiceReference, sdkSnippet, type AppServiceForm, type SdkLanguage } from '../integrations/sdk';
import { groupForAirflow, secretKind, type SecretKind } from '../integrations/secretKinds';
import { zenmlKeys } from '../integrations/zenml';
import { AirflowGroupNode, SecretNode, VaultNode, VersionNode } from '../tree/nodes';
import { connectionUri, parseConnectionUri } from '../ui/connectionDocument';
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
      throw new Error(`"${node.name}" is not an Airflow ${kinds.join(' or ')} under this vault's backend configuration.`);
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
    if (picks.length === 0) throw new Error(`Vault "${vault.name}" has no Airflow ${kinds.map((k) => `${k}s`).join(' or ')} under its backend configuration.`);
    return picks;
  });
  const picked = required(await ctx.prompter.quickPick(items, { placeHolder: `Airflow ${kinds.join(' or ')} in ${vault.name}` }));
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
    throw new Error(`Airflow does not look up ${kind}s in this vault: ${key} is null in its backend configuration (${where}).`);
  }
  return name;
}

/** An existing secret under that name would get a new version: ask first. */
async function confirmOverwrite(ctx: CommandContext, vault: VaultRef, name: string, what: string): Promise<void> {
  const existing = await ctx.hub.service(vault).listVersions(name, { maxPageSize: 1 });
  if (existing.items.length === 0) return;
  const answer = await ctx.prompter.confirm(`${what} already exists in ${vault.name} as secret "${name}".`,
    'Saving writes a new version; Airflow reads the latest. Names differing only in case or in "_" versus the separator are the same secret.',
    'Save New Version');
  if (answer !== 'Save New Version') throw new UserCancelled();
}

function parseExtras(text: string, as: 'pairs' | 'json'): Record<string, unknown> | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (as === 'json') {
    let v: unknown;
    try { v = JSON.parse(t); } catch (e) { throw new Error(`Extras are not valid JSON: ${(e as Error).message}`); }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('Extras must be a JSON object, e.g. {"sslmode": "require"}.');
    return v as Record<string, unknown>;
  }
  const out: Record<string, string> = {};
  for (const part of t.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`"${part}" is not key=value.`);
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
    prompt: `Airflow conn id (stored as ${airflowSecretName('connection', 'conn_id', config)} for conn_id; backend configuration: ${where})`,
    placeHolder: 'e.g. warehouse_pg', validateInput: (v) => idValidation('connection', v, config),
  })).trim();
  const name = secretNameFor('connection', connId, config, where);
  const typePick = required(await ctx.prompter.quickPick([...CONN_TYPES.map((t) => ({ label: t })), { label: 'Other…' }],
    { placeHolder: `Connection type of "${connId}"` }));
  const connType = typePick.label !== 'Other…' ? typePick.label : required(await ctx.prompter.inputBox({
    prompt: 'Connection type (Airflow conn_type, e.g. postgres, http)', validateInput: (v) => (/^[A-Za-z][\w.+-]*$/.test(v.trim()) ? undefined : 'A connection type starts with a letter and has letters, digits, _ . + -'),
  })).trim();
  const c: AirflowConnection = { connType };
  const host = required(await ctx.prompter.inputBox({ prompt: 'Host (optional)' })).trim();
  if (host) c.host = host;
  const login = required(await ctx.prompter.inputBox({ prompt: 'Login (optional)' }));
  if (login) c.login = login;
  const password = required(await ctx.prompter.inputBox({ prompt: 'Password (optional, hidden)', password: true }));
  if (password) c.password = password;
  const port = required(await ctx.prompter.inputBox({ prompt: 'Port (optional)',
    validateInput: (v) => (!v.trim() || (/^\d+$/.test(v.trim()) && Number(v) <= 65535) ? undefined : 'A port is a whole number from 0 to 65535.') })).trim();
  if (port) c.port = Number(port);
  const schema = required(await ctx.prompter.inputBox({ prompt: 'Schema (optional; the database for SQL connections)' }));
  if (schema) c.schema = schema;
  const extrasKind = required(await ctx.prompter.quickPick([
    { label: 'No extras', id: 'none' as const },
    { label: 'Extras as key=value pairs', id: 'pairs' as const },
    { label: 'Extras as a JSON object', id: 'json' as const },
  ], { placeHolder: 'Extras (connection options such as sslmode, region_name)' }));
  if (extrasKind.id !== 'none') {
    const as = extrasKind.id;
    const text = required(await ctx.prompter.inputBox({
      prompt: as === 'json' ? 'Extras: a JSON object, e.g. {"sslmode": "require"}' : 'Extras: key=value, key2=value2',
      validateInput: validator((v) => parseExtras(v, as)),
    }));
    c.extra = parseExtras(text, as);
  }
  const form = required(await ctx.prompter.quickPick([
    { label: 'URI form', description: 'conn-type://login:password@host:port/schema?extras — every Airflow version', id: 'uri' as const },
    { label: 'JSON form', description: 'content type application/json — Airflow 2.3 and later', id: 'json' as const },
  ], { placeHolder: `Store "${connId}" as` }));
  const value = form.id === 'json' ? connectionToJson(c) : connectionToUri(c);
  const problem = validateSecretValue(value);
  if (problem) throw new Error(problem);
  // what we write must read back as what was entered
  const check = parseConnectionValue(value);
  if (!check.ok) throw new Error(`The connection would not parse in Airflow: ${check.error}`);
  await confirmOverwrite(ctx, vault, name, `Airflow connection "${connId}"`);
  const result = await writeSecret(ctx, vault, name, { value, contentType: form.id === 'json' ? 'application/json' : undefined });
  void vscode.window.showInformationMessage(`Saved Airflow connection "${connId}" as "${name}" in ${vault.name} (${form.label}).`);
  return result;
}

/** keyVault.newAirflowVariable: plain text or JSON (content type application/json). */
export async function newAirflowVariable(ctx: CommandContext, node?: unknown): Promise<SecretProps> {
  const vault = await airflowVault(ctx, node);
  const { config, origin } = await ctx.hub.integrations.airflow.configFor(vault);
  const where = describeOrigin(origin);
  secretNameFor('variable', 'x', config, where);
  const key = required(await ctx.prompter.inputBox({
    prompt: `Airflow variable key (stored as ${airflowSecretName('variable', 'key', config)} for key; backend configuration: ${where})`,
    placeHolder: 'e.g. landing_bucket', validateInput: (v) => idValidation('variable', v, config),
  })).trim();
  const name = secretNameFor('variable', key, config, where);
  const kind = required(await ctx.prompter.quickPick([
    { label: 'Plain text', description: 'Variable.get("…") returns the text', id: 'text' as const },
    { label: 'JSON', description: 'Variable.get("…", deserialize_json=True); content type application/json', id: 'json' as const },
  ], { placeHolder: `Value of "${key}"` }));
  const value = required(await ctx.prompter.inputBox({
    prompt: `Value of "${key}"${isSensitive(key) ? ' (hidden: Airflow treats this key as sensitive)' : ''}`,
    password: isSensitive(key),
    validateInput: (v) => validateSecretValue(v) ?? (kind.id === 'json' ? validator((t) => JSON.parse(t))(v) : undefined),
  }));
  await confirmOverwrite(ctx, vault, name, `Airflow variable "${key}"`);
  const result = await writeSecret(ctx, vault, name, { value, contentType: kind.id === 'json' ? 'application/json' : undefined });
  void vscode.window.showInformationMessage(`Saved Airflow variable "${key}" as "${name}" in ${vault.name}.`);
  return result;
}

// ---- Airflow: reveal a connection, copy configuration and snippets ----

/** keyVault.revealAirflowConnection: the parsed fields, password masked; warns when Airflow would not parse it. */
export async function revealAirflowConnection(ctx: CommandContext, node?: unknown): Promise<vscode.TextEditor> {
  const ref = await airflowTarget(ctx, node, ['connection']);
  // read first: a service error (disabled, RBAC, …) is reported as such, not as "cannot open document"
  const { value } = await ctx.hub.service(ref.vault).getSecretValue(ref.name, ref.version);
  const parsed = parseConnectionValue(value);
  if (!parsed.ok) void vscode.window.showWarningMessage(`Airflow would not parse connection "${ref.id}": ${parsed.error}`);
  const uri = connectionUri({ vault: ref.vault, name: ref.name, version: ref.version, connId: ref.id, showPassword: false });
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: true });
}

/** keyVault.showConnectionPassword: re-opens the connection view with the password shown. */
export async function showConnectionPassword(_ctx: CommandContext, node?: unknown): Promise<vscode.TextEditor> {
  const uri = node instanceof vscode.Uri ? node : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'keyvault-airflow') throw new Error('Open an Airflow connection first (Reveal Airflow Connection).');
  const loc = parseConnectionUri(uri);
  const shown = connectionUri({ ...loc, showPassword: true });
  const doc = await vscode.workspace.openTextDocument(shown);
  return vscode.window.showTextDocument(doc, { preview: true });
}

const showPrefix = (p: string | null) => (p === null ? 'off' : p === '' ? '(none)' : p);

/** The prefixes in force, or others the user types ("null" turns a lookup off, empty means no prefix). */
async function choosePrefixes(ctx: CommandContext, config: AirflowBackendConfig, origin: string): Promise<AirflowBackendConfig> {
  const choice = required(await ctx.prompter.quickPick([
    { label: 'Prefixes in force', description: `${[config.connectionsPrefix, config.variablesPrefix, config.configPrefix].map(showPrefix).join(' · ')} — ${origin}`, id: 'keep' },
    { label: 'Other prefixes…', description: 'connections, variables, config prefix and separator', id: 'edit' },
  ], { placeHolder: 'Which prefixes should Airflow use for this vault?' }));
  if (choice.id === 'keep') return config;
  const ask = async (what: string, current: string | null): Promise<string | null> => {
    const text = required(await ctx.prompter.inputBox({
      prompt: `${what} prefix: empty for no prefix, null to turn the lookup off`, value: current === null ? 'null' : current,
      validateInput: (v) => (v.trim() === 'null' || /^[0-9A-Za-z_-]*$/.test(v.trim()) ? undefined : 'A prefix has letters, digits, "-" and "_" (Key Vault names allow no other characters).'),
    })).trim();
    return text === 'null' ? null : text;
  };
  const connectionsPrefix = await ask('Connections', config.connectionsPrefix);
  const variablesPrefix = await ask('Variables', config.variablesPrefix);
  const configPrefix = await ask('Config', config.configPrefix);
  const sep = required(await ctx.prompter.inputBox({ prompt: 'Separator (sep)', value: config.sep,
    validateInput: (v) => (/^[0-9A-Za-z-]+$/.test(v) ? undefined : 'The separator must be valid in Key Vault names: letters, digits or "-".') }));
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
    { label: '.env', description: 'Astro, docker-compose: AIRFLOW__SECRETS__BACKEND and …_BACKEND_KWARGS', text: snippets.env },
    { label: 'Azure Data Factory Workflow Orchestration Manager', description: 'Airflow configuration overrides', text: snippets.adf },
    { label: 'airflow.cfg', description: '[secrets] backend and backend_kwargs', text: snippets.airflowCfg },
  ], { placeHolder: `Airflow backend configuration for ${vault.name}` }));
  await vscode.env.clipboard.writeText(form.text);
  void vscode.window.showInformationMessage(`Copied the ${form.label} backend configuration for ${vault.name}. It holds no credential: ` +
    'Airflow signs in with DefaultAzureCredential (managed or workload identity, or AZURE_* variables), which needs "Key Vault Secrets User" on the vault.');
  return form.text;
}

/** keyVault.copyAirflowSnippet: BaseHook.get_connection("…") / Variable.get("…"). */
export async function copyAirflowSnippet(ctx: CommandContext, node?: unknown): Promise<string> {
  const ref = await airflowTarget(ctx, node, ['connection', 'variable']);
  const text = airflowCodeSnippet(ref.kind === 'connection' ? 'connection' : 'variable', ref.id);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage(`$(code) Copied the Airflow snippet for ${ref.kind} "${ref.id}"`, 5000);
  return text;
}

// ---- Union / Flyte, SDK, App Service ----

/** keyVault.copyFlyteSecretRequest: the flytekit Secret(...) request and the matching read line. */
export async function copyFlyteSecretRequest(ctx: CommandContext, node?: unknown): Promise<string> {
  const ref = await secretTarget(ctx, node, 'latestOrVersion');
  const { request, read } = flyteSecretRequest(secretUrl({ vault: ref.vault, name: ref.name }), ref.name, ref.version);
  const text = `${request}\n${read}\n`;
  await vscode.env.clipboard.writeText(text);
  void vscode.window.showInformationMessage(`Copied the Union/Flyte secret request for "${ref.name}". ${FLYTE_ROLE_NOTE}`);
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
  ], { placeHolder: `SDK snippet for ${name ? `"${name}" in ` : ''}${vault.name}` }));
  const text = sdkSnippet(lang.id, vault.url, name);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage(`$(code) Copied the ${lang.label} SDK snippet for ${vault.name}`, 5000);
  return text;
}

/** keyVault.copyAppServiceReference: @Microsoft.KeyVault(SecretUri=…) with or without version, or VaultName=…;SecretName=…. */
export async function copyAppServiceReference(ctx: CommandContext, node?: unknown): Promise<string> {
  const ref = await secretTarget(ctx, node, 'latestOrVersion');
  const forms: { label: string; description: string; form: AppServiceForm }[] = [
    { label: 'SecretUri (latest)', description: 'follows new versions (App Service refetches within 24 h)', form: 'secretUri' },
    ...(ref.version ? [{ label: `SecretUri (version ${ref.version.slice(0, 8)})`, description: 'pinned to this version', form: 'secretUriVersion' as const }] : []),
    { label: 'VaultName and SecretName', description: 'resolved in the app\'s own cloud', form: 'vaultName' },
  ];
  const picked = required(await ctx.prompter.quickPick(forms, { placeHolder: `App Service / Functions Key Vault reference to "${ref.name}"` }));
  const text = appServiceReference(picked.form, ref.vault.url, ref.name, ref.version);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage(`$(references) Copied ${text}`, 5000);
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
      if (picks.length === 0) throw new Error(`Vault "${vault.name}" has no ZenML secrets.`);
      return picks;
    });
    const picked = required(await ctx.prompter.quickPick(items, { placeHolder: `ZenML secret in ${vault.name}` }));
    ref = { vault, name: picked.secret.name, props: picked.secret };
    kind = picked.secretKind;
  }
  if (kind?.orchestrator !== 'zenml') throw new Error(`"${ref.name}" is not a ZenML secret (by its name and tags).`);
  const { value } = await withProgress(`Reading the keys of "${ref.name}"…`, (abortSignal) =>
    ctx.hub.service(ref.vault).getSecretValue(ref.name, undefined, { abortSignal }));
  const keys = zenmlKeys(kind.zenml, value);
  if (!keys) throw new Error(`The value of "${ref.name}" is not a JSON object, so ZenML cannot read keys from it.`);
  ctx.hub.integrations.rememberZenmlKeys(ref.vault, ref.name, keys);
  ctx.tree.rerenderVault(ref.vault.url);
  void vscode.window.showInformationMessage(`ZenML secret "${kind.zenml.secretName ?? ref.name}" has ${keys.length} key(s): ${keys.join(', ') || '(none)'}.`);
  return keys;
}

// ---- view ----

export async function groupAirflowSecrets(ctx: CommandContext): Promise<void> {
  await ctx.hub.integrations.airflow.setGrouped(true);
}

export async function flattenAirflowSecrets(ctx: CommandContext): Promise<void> {
  await ctx.hub.integrations.airflow.setGrouped(false);
}
