// A terminal whose environment holds secret values (for a local run of a DAG, a script, a CLI), and `.env` lines
// that point at a secret without holding its value. The naming rules live in src/references/env.ts (pure).
//
// Values go only into the new terminal's process environment: no EnvironmentVariableCollection, no setting, no
// file, no state. The terminal is transient (never restored after a reload, its buffer never persisted).
import * as vscode from 'vscode';
import type { SecretProps, VaultRef } from '../azure/model';
import { parseConnectionValue } from '../integrations/airflow';
import { groupForAirflow, secretKind, type SecretKind } from '../integrations/secretKinds';
import {
  airflowEnvName, defaultEnvName, envReferenceLine, formatEnvAssignments, parseEnvAssignments, validateEnvName,
  type EnvAssignment, type EnvReferenceForm,
} from '../references/env';
import { AirflowGroupNode, SecretNode, VaultNode, VersionNode } from '../tree/nodes';
import { required, UserCancelled } from '../ui/prompts';
import { allSecrets, pickVault, secretTarget, withProgress, type CommandContext } from './context';

/**
 * What another command passes to keyVault.openTerminalWithSecrets to skip the pick, e.g. the secrets the current
 * file references: a vault, secret names, and optionally the variable each secret should get (else the defaults).
 */
export interface TerminalSecretsRequest {
  vault: VaultRef;
  names: string[];
  envNames?: Record<string, string>;
}

function isRequest(arg: unknown): arg is TerminalSecretsRequest {
  const r = arg as Partial<TerminalSecretsRequest> | undefined;
  return typeof r === 'object' && r !== null && typeof r.vault?.url === 'string' && typeof r.vault.name === 'string'
    && Array.isArray(r.names) && r.names.every((n) => typeof n === 'string');
}

/** One secret going into the terminal. */
interface Candidate {
  name: string;
  version?: string;
  kind?: SecretKind;
  envName: string;
}

/** AIRFLOW_CONN_<ID> / AIRFLOW_VAR_<KEY> for what Airflow reads as a connection or a variable, else DB_PASSWORD style. */
function envNameFor(name: string, kind: SecretKind | undefined): string {
  if (kind?.orchestrator === 'airflow' && (kind.kind === 'connection' || kind.kind === 'variable')) return airflowEnvName(kind.kind, kind.id);
  return defaultEnvName(name);
}

function describeKind(kind: SecretKind | undefined): string | undefined {
  if (kind?.orchestrator !== 'airflow') return undefined;
  return kind.kind === 'connection' ? vscode.l10n.t('Airflow connection {0}', kind.id)
    : kind.kind === 'variable' ? vscode.l10n.t('Airflow variable {0}', kind.id) : vscode.l10n.t('Airflow config {0}', kind.id);
}

const enabled = (s: SecretProps) => s.enabled !== false;

/** The secrets a terminal gets: the tree item's, the request's, or picked from a vault. `skipped`: disabled ones left out. */
async function terminalTargets(ctx: CommandContext, node: unknown): Promise<{ vault: VaultRef; candidates: Candidate[]; skipped: string[] }> {
  if (node instanceof VersionNode) {
    const kind = node.secretNode.kind;
    return { vault: node.vault, candidates: [{ name: node.name, version: node.version, kind, envName: envNameFor(node.name, kind) }], skipped: [] };
  }
  if (node instanceof SecretNode) {
    return { vault: node.vault, candidates: [{ name: node.name, kind: node.kind, envName: envNameFor(node.name, node.kind) }], skipped: [] };
  }
  if (isRequest(node)) {
    const { vault } = node;
    const { config } = await ctx.hub.integrations.airflow.configFor(vault);
    const seen = new Set<string>();
    const candidates: Candidate[] = [];
    for (const name of node.names) {
      if (seen.has(name.toLowerCase())) continue;
      seen.add(name.toLowerCase());
      const kind = secretKind({ name }, config);
      candidates.push({ name, kind, envName: node.envNames?.[name] ?? envNameFor(name, kind) });
    }
    if (candidates.length === 0) throw new Error(vscode.l10n.t('No secrets were given for the terminal.'));
    return { vault, candidates, skipped: [] };
  }
  if (node instanceof AirflowGroupNode) {
    // every member, from a full listing (the tree's group may still be filling in)
    const { vault } = node;
    const { config } = await ctx.hub.integrations.airflow.configFor(vault);
    const members = groupForAirflow(await allSecrets(ctx, vault), config).groups.get(node.kind) ?? [];
    const candidates = members.filter((m) => enabled(m.item)).map((m) => {
      const kind = secretKind(m.item, config);
      return { name: m.item.name, kind, envName: envNameFor(m.item.name, kind) };
    });
    const skipped = members.filter((m) => !enabled(m.item)).map((m) => m.id);
    if (candidates.length === 0) throw new Error(vscode.l10n.t('This group of {0} has no enabled secrets to put in a terminal.', vault.name));
    return { vault, candidates, skipped };
  }
  const vault = node instanceof VaultNode ? node.vault : await pickVault(ctx);
  const { config } = await ctx.hub.integrations.airflow.configFor(vault);
  const items = allSecrets(ctx, vault).then((secrets) => {
    const shown = secrets.filter(enabled);
    if (shown.length === 0) throw new Error(vscode.l10n.t('Vault "{0}" has no enabled secrets to choose from.', vault.name));
    return shown.map((s) => {
      const kind = secretKind(s, config);
      const envName = envNameFor(s.name, kind);
      return { label: s.name, description: [envName, describeKind(kind)].filter(Boolean).join(' · '), candidate: { name: s.name, kind, envName } };
    });
  });
  const picked = required(await ctx.prompter.quickPickMany(items, {
    placeHolder: vscode.l10n.t('Secrets of {0} for the new terminal\'s environment', vault.name), matchOnDescription: true,
  }));
  if (picked.length === 0) throw new UserCancelled();
  return { vault, candidates: picked.map((p) => p.candidate), skipped: [] };
}

/** One input box for every name: `NAME=secret, …`, validated as typed. */
async function askEnvNames(ctx: CommandContext, vault: VaultRef, candidates: readonly Candidate[]): Promise<EnvAssignment[]> {
  const names = candidates.map((c) => c.name);
  const text = required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Variables of the terminal with {0}\'s secrets: NAME=secret, separated by commas. Rename a NAME, or remove an entry to leave that secret out.', vault.name),
    value: formatEnvAssignments(candidates.map((c) => ({ envName: c.envName, secretName: c.name }))),
    validateInput: (v) => {
      try { parseEnvAssignments(v, names); return undefined; } catch (e) { return (e as Error).message; }
    },
  }));
  return parseEnvAssignments(text, names);
}

/** Reads each secret once (a few at a time), cancellable. */
async function readValues(ctx: CommandContext, vault: VaultRef, wanted: readonly Candidate[]): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  return withProgress(wanted.length === 1 ? vscode.l10n.t('Reading "{0}" from {1}…', wanted[0]!.name, vault.name) : vscode.l10n.t('Reading {0} secrets from {1}…', wanted.length, vault.name), async (abortSignal, report) => {
    const service = ctx.hub.service(vault);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < wanted.length) {
        const c = wanted[next++]!;
        if (abortSignal.aborted) throw new UserCancelled();
        const { value } = await service.getSecretValue(c.name, c.version, { abortSignal });
        values.set(c.name, value);
        report(`${++done}/${wanted.length}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, wanted.length) }, worker));
    if (abortSignal.aborted) throw new UserCancelled();
    return values;
  });
}

/**
 * keyVault.openTerminalWithSecrets: from a vault (pick secrets), an Airflow group (all its members), a secret or a
 * version (that one), a TerminalSecretsRequest, or the palette (vault, then secrets). One input box names the
 * variables (Airflow connections and variables get the names Airflow reads); the values are read, then a transient
 * terminal starts with them in its environment.
 */
export async function openTerminalWithSecrets(ctx: CommandContext, node?: unknown): Promise<vscode.Terminal> {
  // from the palette or the editor's context menu (which passes the file's URI): the file's references first
  const start = node === undefined || node instanceof vscode.Uri ? await fileReferences(ctx) : node;
  const { vault, candidates, skipped } = await terminalTargets(ctx, start);
  const assignments = await askEnvNames(ctx, vault, candidates);
  const byName = new Map(candidates.map((c) => [c.name, c]));
  const wanted = [...new Set(assignments.map((a) => a.secretName))].map((n) => byName.get(n)!);
  const values = await readValues(ctx, vault, wanted);
  const env: Record<string, string> = {};
  for (const a of assignments) env[a.envName] = values.get(a.secretName)!;
  // Airflow reads AIRFLOW_CONN_* as the URI or the JSON form: say so when it would not parse (names only, no value)
  const unparsable = wanted.flatMap((c) => {
    if (c.kind?.orchestrator !== 'airflow' || c.kind.kind !== 'connection') return [];
    const parsed = parseConnectionValue(values.get(c.name)!);
    return parsed.ok ? [] : [`${c.kind.id} (${parsed.error})`];
  });
  values.clear();
  const count = wanted.length;
  const vars = assignments.map((a) => a.envName);
  const terminal = vscode.window.createTerminal({
    name: count === 1 ? vscode.l10n.t('Key Vault: {0} (1 secret)', vault.name) : vscode.l10n.t('Key Vault: {0} ({1} secrets)', vault.name, count),
    env,
    isTransient: true,
    iconPath: new vscode.ThemeIcon('key'),
    message: vscode.l10n.t('Key Vault {0}: {1} set in this terminal\'s environment (values not shown; gone when it closes).', vault.name, vars.join(', ')),
  });
  terminal.show();
  if (unparsable.length) {
    void vscode.window.showWarningMessage(unparsable.length === 1 ? vscode.l10n.t('Airflow would not parse connection {0}.', unparsable.join('; ')) : vscode.l10n.t('Airflow would not parse connections {0}.', unparsable.join('; ')));
  }
  if (skipped.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Left out {0} disabled secret(s): {1}.', skipped.length, skipped.join(', ')));
  }
  void vscode.window.setStatusBarMessage('$(key) ' + vscode.l10n.t('Terminal with {0} from {1}', vars.join(', '), vault.name), 5000);
  return terminal;
}

/** From the palette or the editor: offer the secrets the active file references (resolved against your vaults). */
async function fileReferences(ctx: CommandContext): Promise<TerminalSecretsRequest | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  const groups = doc ? await ctx.references.referencedByVault(doc) : [];
  if (!doc || groups.length === 0) return undefined;
  const file = doc.uri.path.split('/').pop() ?? doc.uri.path;
  const pick = required(await ctx.prompter.quickPick([
    ...groups.map((g) => ({ label: vscode.l10n.t('Secrets referenced in {0}', file), description: vscode.l10n.t('{0} in {1}: {2}', g.names.length, g.vault.name, g.names.join(', ')), group: g })),
    { label: vscode.l10n.t('Choose a vault and secrets…'), description: '', group: undefined },
  ], { placeHolder: vscode.l10n.t('Secrets for the terminal') }));
  return pick.group && { vault: pick.group.vault, names: pick.group.names };
}

/** keyVault.copyEnvReference: `NAME=@Microsoft.KeyVault(SecretUri=…)` or a comment naming the secret — never its value. */
export async function copyEnvReference(ctx: CommandContext, node?: unknown): Promise<string> {
  const ref = await secretTarget(ctx, node, 'latestOrVersion');
  const kind = node instanceof SecretNode ? node.kind : node instanceof VersionNode ? node.secretNode.kind
    : secretKind({ name: ref.name, tags: ref.props?.tags }, (await ctx.hub.integrations.airflow.configFor(ref.vault)).config);
  const forms: { label: string; description: string; form: EnvReferenceForm }[] = [
    { label: vscode.l10n.t('App Service reference'), form: 'appService',
      description: ref.version ? vscode.l10n.t('@Microsoft.KeyVault(SecretUri=…) pinned to version {0} — App Service and Functions resolve it', ref.version.slice(0, 8))
        : vscode.l10n.t('@Microsoft.KeyVault(SecretUri=…), follows new versions — App Service and Functions resolve it') },
    { label: vscode.l10n.t('Comment'), form: 'comment', description: vscode.l10n.t('names the secret and its vault, for whoever fills in the .env') },
  ];
  const form = required(await ctx.prompter.quickPick(forms, { placeHolder: vscode.l10n.t('.env line for "{0}" (never its value)', ref.name) }));
  const envName = required(await ctx.prompter.inputBox({
    prompt: vscode.l10n.t('Variable name for "{0}"', ref.name), value: envNameFor(ref.name, kind), validateInput: (v) => validateEnvName(v.trim()),
  })).trim();
  const text = envReferenceLine(envName, ref.vault.url, ref.name, form.form, ref.version);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage('$(references) ' + vscode.l10n.t('Copied {0}', text), 5000);
  return text;
}
