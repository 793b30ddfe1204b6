// Vault to vault and in bulk: compare two vaults (a read-only report), copy secrets (a preview, then a run with
// progress, cancellation between secrets and a per-secret report), export names and metadata (values only after
// a separate confirmation naming the file), import .env / JSON / CSV. The planning is pure (src/bulk); this file
// asks the questions and talks to the vaults. Values are read only to be written or hashed, never shown, logged
// or kept.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { classifyError } from '../azure/errors';
import type { DeletedSecretProps, SecretProps, SecretsService, SecretWrite, VaultRef } from '../azure/model';
import { isPurgeable } from '../azure/rules';
import { retryWhileInWindow } from '../azure/serviceWindows';
import { compareListings, Fingerprinter, keyOf, prefixFilter, type Comparison } from '../bulk/compare';
import { executePlan, formatReport, mapLimit, type ExecutionReport, type PlanIo } from '../bulk/execute';
import {
  exportCsv, exportJson, formatFromFileName, hasAirflowEnvKeys, nameEntries, parseImport, type ImportEntry, type ImportFormat,
  type NamedEntry,
} from '../bulk/files';
import { planCopy, planImport, resolveDeleted, runnable, summarize, type PlanItem } from '../bulk/plan';
import { renderComparison } from '../bulk/render';
import { airflowNamePrefix, parseAirflowSecretName } from '../integrations/airflow';
import { AirflowGroupNode, SecretNode, VaultNode, VersionNode } from '../tree/nodes';
import { outputChannel } from '../ui/output';
import { comparisonDocuments } from '../ui/comparisonDocuments';
import { isPresenting } from '../ui/presentation';
import { required, UserCancelled } from '../ui/prompts';
import { allSecrets, pickVault, withProgress, type CommandContext } from './context';


interface LastComparison {
  a: VaultRef;
  b: VaultRef;
  comparison: Comparison;
}
let lastComparison: LastComparison | undefined;

/** The run in progress (copy or import), so "Cancel Copy or Import" can stop it between secrets. */
let activeRun: AbortController | undefined;

const CONCURRENCY = 8;

async function listDeleted(service: SecretsService): Promise<DeletedSecretProps[]> {
  const out: DeletedSecretProps[] = [];
  let token: string | undefined;
  do {
    const page = await service.listDeletedSecrets({ continuationToken: token, maxPageSize: 25 });
    out.push(...page.items);
    token = page.continuationToken;
  } while (token);
  return out;
}

async function listVersions(service: SecretsService, name: string): Promise<SecretProps[]> {
  const out: SecretProps[] = [];
  let token: string | undefined;
  do {
    const page = await service.listVersions(name, { continuationToken: token, maxPageSize: 25 });
    out.push(...page.items);
    token = page.continuationToken;
  } while (token);
  return out;
}

async function pickOtherVault(ctx: CommandContext, other: VaultRef, placeHolder: string): Promise<VaultRef> {
  const items = ctx.hub.knownVaults().then((vs) => {
    const rest = vs.filter((v) => v.url !== other.url);
    if (rest.length === 0) throw new Error(vscode.l10n.t('There is no other key vault: add one by URL, sign in, or start the local emulator.'));
    return rest.map((v) => ({ label: v.name, description: v.source === 'emulator' ? vscode.l10n.t('local emulator') : v.tenantId, detail: v.url, vault: v }));
  });
  return required(await ctx.prompter.quickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true })).vault;
}

function describeError(err: unknown, secret: string, vault: VaultRef, operation: string): string {
  return classifyError(err, { vault: vault.name, secret, operation }).message;
}

/** Salted fingerprints of the latest values, by lower-case name; a value that cannot be read is left out. */
async function fingerprints(service: SecretsService, names: string[], fp: Fingerprinter, signal: AbortSignal): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await mapLimit(names, CONCURRENCY, async (name) => {
    if (signal.aborted) throw new UserCancelled();
    try {
      const { value } = await service.getSecretValue(name, undefined, { abortSignal: signal });
      out.set(keyOf(name), fp.fingerprint(value));
    } catch (err) {
      if (signal.aborted) throw err;
      // disabled, not yet active, no get permission: compared on metadata only
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Compare
// ---------------------------------------------------------------------------------------------------------

export interface CompareResult {
  uri: vscode.Uri;
  comparison: Comparison;
  text: string;
}

/** keyVault.compareVaults: two vaults, a scope, metadata or also values; opens the read-only report. */
export async function compareVaults(ctx: CommandContext, node?: unknown): Promise<CompareResult> {
  const a = node instanceof VaultNode || node instanceof AirflowGroupNode ? node.vault : await pickVault(ctx, vscode.l10n.t('Compare which vault (A)?'));
  const b = await pickOtherVault(ctx, a, vscode.l10n.t('Compare "{0}" with which vault (B)?', a.name));
  const { config } = await ctx.hub.integrations.airflow.configFor(a);
  const scopes: { label: string; description?: string; id: 'all' | 'prefix' | 'connection' | 'variable' }[] = [
    { label: vscode.l10n.t('All secrets'), id: 'all' },
    { label: vscode.l10n.t('Names starting with…'), id: 'prefix' },
  ];
  for (const kind of ['connection', 'variable'] as const) {
    const p = airflowNamePrefix(kind, config);
    if (p) scopes.push({ label: kind === 'connection' ? vscode.l10n.t('Airflow connections') : vscode.l10n.t('Airflow variables'), description: `${p}…`, id: kind });
  }
  const scope = required(await ctx.prompter.quickPick(scopes, { placeHolder: vscode.l10n.t('Compare which secrets?') }));
  let filter: ((name: string) => boolean) | undefined;
  let scopeText: string | undefined;
  if (scope.id === 'prefix') {
    const prefix = required(await ctx.prompter.inputBox({ prompt: vscode.l10n.t('Compare secrets whose name starts with… (case-insensitive)'),
      validateInput: (v) => (/^[0-9A-Za-z-]*$/.test(v) ? undefined : vscode.l10n.t('A name prefix has letters, digits and hyphens.')) })).trim();
    if (prefix) {
      filter = prefixFilter(prefix);
      scopeText = vscode.l10n.t('names starting with "{0}"', prefix);
    }
  } else if (scope.id !== 'all') {
    const kind = scope.id;
    filter = (name) => parseAirflowSecretName(name, config)?.kind === kind;
    scopeText = `${scope.label} (${scope.description ?? ''})`;
  }
  const how = required(await ctx.prompter.quickPick([
    { label: vscode.l10n.t('Metadata only'), description: vscode.l10n.t('enabled, content type, tags, expiry'), values: false },
    { label: vscode.l10n.t('Also compare values'), description: vscode.l10n.t('read and hashed in memory; no value is shown or kept'), values: true },
  ], { placeHolder: vscode.l10n.t('Compare values too?') }));

  const comparison = await withProgress(vscode.l10n.t('Comparing "{0}" with "{1}"', a.name, b.name), async (signal, report) => {
    report(vscode.l10n.t('Listing secrets…'));
    const [la, lb] = await Promise.all([allSecrets(ctx, a), allSecrets(ctx, b)]);
    if (signal.aborted) throw new UserCancelled();
    if (!how.values) return compareListings(la, lb, { filter });
    // values only for names on both sides, within the scope
    const inB = new Set(lb.filter((s) => !filter || filter(s.name)).map((s) => keyOf(s.name)));
    const both = la.filter((s) => (!filter || filter(s.name)) && inB.has(keyOf(s.name)));
    const namesB = new Map(lb.map((s) => [keyOf(s.name), s.name]));
    report(vscode.l10n.t('Comparing {0} values…', both.length));
    const fp = new Fingerprinter();
    const [fa, fb] = await Promise.all([
      fingerprints(ctx.hub.service(a), both.map((s) => s.name), fp, signal),
      fingerprints(ctx.hub.service(b), both.map((s) => namesB.get(keyOf(s.name))!), fp, signal),
    ]);
    return compareListings(la, lb, { filter, fingerprintsA: fa, fingerprintsB: fb });
  });
  lastComparison = { a, b, comparison };
  const text = renderComparison(comparison, a, b, { scope: scopeText, hideMetadata: isPresenting() });
  const uri = comparisonDocuments.add(`${a.name} ↔ ${b.name}`, text);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  return { uri, comparison, text };
}

// ---------------------------------------------------------------------------------------------------------
// Copy
// ---------------------------------------------------------------------------------------------------------

/** The secrets a copy starts from: a multi-selection, a secret, a vault or Airflow group (pick), or the palette. */
async function copySources(ctx: CommandContext, node: unknown, nodes: unknown[] | undefined): Promise<{ source: VaultRef; secrets: SecretProps[]; target?: VaultRef }> {
  const selected = (nodes && nodes.length ? nodes : [node]).filter((n): n is SecretNode | VersionNode => n instanceof SecretNode || n instanceof VersionNode);
  if (selected.length) {
    const source = selected[0]!.vault;
    if (selected.some((n) => n.vault.url !== source.url)) throw new Error(vscode.l10n.t('Select secrets of one vault to copy.'));
    const seen = new Set<string>();
    const secrets = selected.filter((n) => !seen.has(keyOf(n.name)) && seen.add(keyOf(n.name))).map((n) => ({ ...n.props, version: undefined }));
    return { source, secrets };
  }
  let source: VaultRef;
  let offered: SecretProps[] | undefined;
  let target: VaultRef | undefined;
  let preselect: Set<string> | undefined;
  if (node instanceof AirflowGroupNode) {
    source = node.vault;
    offered = (await node.children()).filter((c): c is SecretNode => c instanceof SecretNode).map((c) => c.props);
  } else if (node instanceof VaultNode) {
    source = node.vault;
  } else if (lastComparison && lastComparison.comparison.onlyInA.length + lastComparison.comparison.different.length > 0) {
    const last = lastComparison;
    const from = required(await ctx.prompter.quickPick([
      { label: vscode.l10n.t('From the last comparison: {0} → {1}', last.a.name, last.b.name),
        description: vscode.l10n.t('{0} only in {1}, {2} different', last.comparison.onlyInA.length, last.a.name, last.comparison.different.length), id: 'last' },
      { label: vscode.l10n.t('Choose a vault and secrets…'), id: 'pick' },
    ], { placeHolder: vscode.l10n.t('Copy which secrets?') }));
    if (from.id === 'last') {
      source = last.a;
      target = last.b;
      offered = [...last.comparison.onlyInA, ...last.comparison.different.map((d) => d.a)];
      preselect = new Set(last.comparison.onlyInA.map((s) => keyOf(s.name)));
    } else source = await pickVault(ctx, vscode.l10n.t('Copy secrets from which vault?'));
  } else {
    source = await pickVault(ctx, vscode.l10n.t('Copy secrets from which vault?'));
  }
  const list = offered ?? await allSecrets(ctx, source);
  if (list.length === 0) throw new Error(vscode.l10n.t('Vault "{0}" has no secrets to copy.', source.name));
  const picked = required(await ctx.prompter.quickPickMany(list.map((s) => ({
    label: s.name, description: [s.managed ? vscode.l10n.t('certificate') : '', s.enabled ? '' : vscode.l10n.t('disabled')].filter(Boolean).join(' · '),
    picked: preselect ? preselect.has(keyOf(s.name)) : false, secret: s,
  })), { placeHolder: vscode.l10n.t('Secrets of "{0}" to copy', source.name) }));
  if (picked.length === 0) throw new UserCancelled();
  return { source, secrets: picked.map((p) => p.secret), target };
}

function actionLabel(item: PlanItem): string {
  switch (item.action) {
    case 'create': return vscode.l10n.t('create');
    case 'newVersion': return vscode.l10n.t('new version');
    case 'recoverAndVersion': return vscode.l10n.t('recover, then new version');
    case 'purgeAndCreate': return vscode.l10n.t('purge, then create');
    case 'deleted': return vscode.l10n.t('held by a deleted secret');
    case 'skip': return vscode.l10n.t('skip');
  }
}

function previewLines(plan: readonly PlanItem[], extra?: (item: PlanItem) => string | undefined): string[] {
  return plan.map((item) => {
    const name = item.source === item.target ? item.target : `${item.source} → ${item.target}`;
    const versions = item.versions.length > 1 ? ` (${vscode.l10n.t('{0} versions', item.versions.length)})` : '';
    const more = extra?.(item);
    return `${actionLabel(item)}: ${name}${versions}${item.reason ? ` — ${item.reason}` : ''}${more ? ` ${more}` : ''}`;
  });
}

/** Existing names and names held by deleted secrets: the user's choices, then the preview. Resolves the final plan. */
async function decide(ctx: CommandContext, target: VaultRef, plan: PlanItem[], replan: (onExisting: 'skip' | 'newVersion') => PlanItem[],
  title: string, extra?: (item: PlanItem) => string | undefined): Promise<PlanItem[]> {
  if (plan.some((p) => p.action === 'skip' && p.reason?.startsWith('the target already has'))) {
    const existing = plan.filter((p) => p.reason?.startsWith('the target already has')).length;
    const choice = required(await ctx.prompter.quickPick([
      { label: vscode.l10n.t('Skip existing names'), description: vscode.l10n.t('{0} in "{1}" stay as they are', existing, target.name), id: 'skip' as const },
      { label: vscode.l10n.t('Add a new version to existing names'), description: vscode.l10n.t('{0} secrets get the copied value as their latest version', existing), id: 'newVersion' as const },
    ], { placeHolder: vscode.l10n.t('{0} names already exist in "{1}"', existing, target.name) }));
    plan = replan(choice.id);
  }
  const held = plan.filter((p) => p.action === 'deleted');
  if (held.length) {
    const names = held.map((p) => p.target).slice(0, 5).join(', ') + (held.length > 5 ? '…' : '');
    const choices: { label: string; description?: string; id: 'recover' | 'purge' | 'skip' }[] = [
      { label: vscode.l10n.t('Skip them'), id: 'skip' },
      { label: vscode.l10n.t('Recover them, then add the copy as a new version'), id: 'recover' },
    ];
    if (held.some((p) => p.purgeable !== false)) {
      choices.push({ label: vscode.l10n.t('Purge them, then create'), description: vscode.l10n.t('permanently deletes the deleted secrets and all their versions'), id: 'purge' });
    }
    const choice = required(await ctx.prompter.quickPick(choices,
      { placeHolder: vscode.l10n.t('{0} names are held by deleted secrets in "{1}": {2}', held.length, target.name, names) }));
    if (choice.id === 'purge') {
      const purge = vscode.l10n.t('Purge');
      const answer = await ctx.prompter.confirm(vscode.l10n.t('Purge {0} deleted secrets in "{1}" for good?', held.length, target.name),
        vscode.l10n.t('Their versions cannot be recovered after a purge: {0}', held.map((p) => p.target).join(', ')), purge);
      if (answer !== purge) throw new UserCancelled();
    }
    plan = resolveDeleted(plan, choice.id);
  }
  const lines = previewLines(plan, extra);
  outputChannel().info(`${title} — ${vscode.l10n.t('preview')}\n${lines.map((l) => `  ${l}`).join('\n')}`);
  const s = summarize(plan);
  if (runnable(plan).length === 0) {
    throw new Error(vscode.l10n.t('Nothing to do: every secret would be skipped ({0}). See the output for the reasons.', lines.length));
  }
  const go = vscode.l10n.t('Run');
  const shown = lines.slice(0, 25).join('\n') + (lines.length > 25 ? '\n' + vscode.l10n.t('…and {0} more (all in the Key Vault output)', lines.length - 25) : '');
  const answer = await ctx.prompter.confirm(
    vscode.l10n.t('{0}: {1} to create, {2} new versions, {3} recovered, {4} purged and created, {5} skipped. Run it?',
      title, s.create, s.newVersion, s.recoverAndVersion, s.purgeAndCreate, s.skip), shown, go);
  if (answer !== go) throw new UserCancelled();
  return plan;
}

async function run(ctx: CommandContext, title: string, target: VaultRef, plan: PlanItem[],
  read: PlanIo['read']): Promise<ExecutionReport> {
  const service = ctx.hub.service(target);
  const controller = new AbortController();
  activeRun = controller;
  void vscode.commands.executeCommand('setContext', 'keyVault.bulkRunning', true);
  try {
    const report = await withProgress(title, async (signal, say) => {
      signal.addEventListener('abort', () => controller.abort(), { once: true });
      return executePlan(plan, {
        read,
        write: (name, w) => service.setSecret(name, w),
        recover: (name) => service.recoverSecret(name),
        purge: (name) => service.purgeSecret(name),
        retryInWindow: (name, op) => retryWhileInWindow(() => op(), { secret: name, vault: target.name }),
      }, {
        concurrency: CONCURRENCY, signal: controller.signal,
        onProgress: (done, total, current) => say(vscode.l10n.t('{0} of {1} · {2}', done, total, current)),
        describeError: (err, name) => describeError(err, name, target, 'set'),
      });
    });
    const text = formatReport(title, report);
    if (report.failed) outputChannel().warn(text);
    else outputChannel().info(text);
    ctx.tree.refresh();
    const showReport = vscode.l10n.t('Show Report');
    const summary = vscode.l10n.t('{0}: {1} copied, {2} skipped, {3} failed{4}.', title, report.copied, report.skipped, report.failed,
      report.cancelled ? vscode.l10n.t(', {0} not run (cancelled)', report.notRun) : '');
    void (report.failed ? vscode.window.showWarningMessage(summary, showReport) : vscode.window.showInformationMessage(summary, showReport))
      .then((c) => { if (c === showReport) outputChannel().show(true); });
    return report;
  } finally {
    if (activeRun === controller) {
      activeRun = undefined;
      void vscode.commands.executeCommand('setContext', 'keyVault.bulkRunning', false);
    }
  }
}

/** keyVault.cancelBulk: stops the running copy or import after the secrets in flight. */
export function cancelBulk(): boolean {
  if (!activeRun) return false;
  activeRun.abort();
  return true;
}

/** keyVault.copySecrets: a preview of every action, then the copy with progress and a per-secret report. */
export async function copySecrets(ctx: CommandContext, node?: unknown, nodes?: unknown[]): Promise<ExecutionReport> {
  const { source, secrets, target: proposed } = await copySources(ctx, node, nodes);
  const target = proposed ?? await pickOtherVault(ctx, source, vscode.l10n.t('Copy {0} secrets from "{1}" to which vault?', secrets.length, source.name));
  const which = required(await ctx.prompter.quickPick([
    { label: vscode.l10n.t('Latest version'), description: vscode.l10n.t('value, content type, tags, enabled and dates'), all: false },
    { label: vscode.l10n.t('All versions, oldest first'), description: vscode.l10n.t('the target gets every version in order; the newest ends up latest'), all: true },
  ], { placeHolder: vscode.l10n.t('Copy which versions?') }));
  const sourceService = ctx.hub.service(source);
  const targetService = ctx.hub.service(target);
  const { targetSecrets, targetDeleted, versions } = await withProgress(vscode.l10n.t('Planning the copy to "{0}"', target.name), async (signal, say) => {
    say(vscode.l10n.t('Listing "{0}"…', target.name));
    const [targetSecrets, targetDeleted] = await Promise.all([allSecrets(ctx, target), listDeleted(targetService)]);
    const versions = new Map<string, SecretProps[]>();
    if (which.all) {
      say(vscode.l10n.t('Listing versions…'));
      await mapLimit(secrets.filter((s) => !s.managed), CONCURRENCY, async (s) => {
        if (signal.aborted) throw new UserCancelled();
        versions.set(keyOf(s.name), await listVersions(sourceService, s.name));
      });
    }
    return { targetSecrets, targetDeleted, versions };
  });
  const purgeOk = (d: DeletedSecretProps) => target.purgeProtection !== true && isPurgeable(d);
  const replan = (onExisting: 'skip' | 'newVersion') =>
    planCopy(secrets, targetSecrets, targetDeleted, { allVersions: which.all, versions, onExisting, isPurgeable: purgeOk });
  const title = vscode.l10n.t('Copy from "{0}" to "{1}"', source.name, target.name);
  const plan = await decide(ctx, target, replan('skip'), replan, title);
  return run(ctx, title, target, plan, async (item, version) => {
    const { value, properties: p } = await sourceService.getSecretValue(item.source, version);
    return { value, contentType: p.contentType, tags: p.tags, enabled: p.enabled, notBefore: p.notBefore, expiresOn: p.expiresOn };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------

function insideWorkspace(file: string): boolean {
  return (vscode.workspace.workspaceFolders ?? []).some((f) => {
    if (f.uri.scheme !== 'file') return false;
    const rel = path.relative(f.uri.fsPath, file);
    return !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}

/** keyVault.exportSecrets: names and metadata to JSON or CSV; values only after a confirmation naming the file. */
export async function exportSecrets(ctx: CommandContext, node?: unknown): Promise<{ file: string; count: number; values: boolean }> {
  const vault = node instanceof VaultNode || node instanceof AirflowGroupNode ? node.vault : await pickVault(ctx, vscode.l10n.t('Export secrets of which vault?'));
  const format = required(await ctx.prompter.quickPick([
    { label: 'JSON', description: vscode.l10n.t('one document; can be imported again when it holds values'), id: 'json' as const },
    { label: 'CSV', description: vscode.l10n.t('one row per secret; tags as name=value;…'), id: 'csv' as const },
  ], { placeHolder: vscode.l10n.t('Export "{0}" as…', vault.name) }));
  const what = required(await ctx.prompter.quickPick([
    { label: vscode.l10n.t('Names and metadata'), description: vscode.l10n.t('no values'), values: false },
    { label: vscode.l10n.t('Names, metadata and plain values…'), description: vscode.l10n.t('asks for a separate confirmation'), values: true },
  ], { placeHolder: vscode.l10n.t('What should the file hold?') }));
  const base = vscode.Uri.file(path.join(what.values ? os.homedir() : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir(),
    `${vault.name}-secrets.${format.id}`));
  const uri = required(await ctx.prompter.saveFile({ defaultUri: base, filters: format.id === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    saveLabel: vscode.l10n.t('Export') }));
  if (uri.scheme !== 'file') throw new Error(vscode.l10n.t('Export writes to a local file only.'));
  const file = uri.fsPath;
  const secrets = await allSecrets(ctx, vault);
  let values: Map<string, string> | undefined;
  if (what.values) {
    const write = vscode.l10n.t('Write Plain Values');
    const detail = [vscode.l10n.t('Anyone who can read this file can read the secrets. Delete it when you are done.'),
      insideWorkspace(file) ? vscode.l10n.t('The file is inside your workspace: it may end up in source control or be synced.') : '',
    ].filter(Boolean).join('\n');
    const answer = await ctx.prompter.confirm(vscode.l10n.t('"{0}" will hold the plain values of {1} secrets of "{2}". Write it?', file, secrets.length, vault.name), detail, write);
    if (answer !== write) throw new UserCancelled();
    const service = ctx.hub.service(vault);
    values = new Map();
    const unread: string[] = [];
    await withProgress(vscode.l10n.t('Reading {0} values of "{1}"', secrets.length, vault.name), async (signal) => {
      await mapLimit(secrets, CONCURRENCY, async (s) => {
        if (signal.aborted) throw new UserCancelled();
        try {
          values!.set(keyOf(s.name), (await service.getSecretValue(s.name, undefined, { abortSignal: signal })).value);
        } catch (err) {
          if (signal.aborted) throw err;
          unread.push(s.name);
        }
      });
    });
    if (unread.length) outputChannel().warn(vscode.l10n.t('Export: values not read (written without a value): {0}', unread.join(', ')));
  }
  const text = format.id === 'json' ? exportJson(vault.url, secrets, values) : exportCsv(secrets, values);
  // a file with values is readable by its owner only
  await fs.writeFile(file, text, { encoding: 'utf8', mode: values ? 0o600 : 0o644 });
  if (values) await fs.chmod(file, 0o600).catch(() => undefined);
  outputChannel().info(vscode.l10n.t('Exported {0} secrets of "{1}" to {2} ({3}).', secrets.length, vault.name, file,
    values ? vscode.l10n.t('with plain values') : vscode.l10n.t('metadata only')));
  void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} secrets of "{1}" to {2}.', secrets.length, vault.name, path.basename(file)));
  return { file, count: secrets.length, values: !!values };
}

// ---------------------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------------------

function mask(value: string): string {
  return value.length === 0 ? vscode.l10n.t('(empty)') : vscode.l10n.t('{0} characters', value.length);
}

/** keyVault.importSecrets: .env, JSON or CSV; a preview with names validated and values masked; then the run. */
export async function importSecrets(ctx: CommandContext, node?: unknown): Promise<ExecutionReport> {
  const target = node instanceof VaultNode || node instanceof AirflowGroupNode ? node.vault : await pickVault(ctx, vscode.l10n.t('Import secrets into which vault?'));
  const uri = required(await ctx.prompter.openFile({ canSelectMany: false, openLabel: vscode.l10n.t('Import'),
    filters: { [vscode.l10n.t('Secrets files')]: ['env', 'json', 'csv'], [vscode.l10n.t('All files')]: ['*'] } }));
  let format: ImportFormat | undefined = formatFromFileName(uri.path);
  format ??= required(await ctx.prompter.quickPick([
    { label: '.env', id: 'env' as const }, { label: 'JSON', id: 'json' as const }, { label: 'CSV', id: 'csv' as const },
  ], { placeHolder: vscode.l10n.t('What kind of file is {0}?', path.basename(uri.path)) })).id;
  const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  const entries: ImportEntry[] = parseImport(text, format);
  if (entries.length === 0) throw new Error(vscode.l10n.t('{0} holds no secrets to import.', path.basename(uri.path)));
  let named: NamedEntry[] = nameEntries(entries);
  if (format === 'env' && hasAirflowEnvKeys(entries)) {
    const { config } = await ctx.hub.integrations.airflow.configFor(target);
    const asAirflow = required(await ctx.prompter.quickPick([
      { label: vscode.l10n.t('As Airflow backend secrets'), description: vscode.l10n.t('AIRFLOW_CONN_X → {0}x, AIRFLOW_VAR_X → {1}x',
        airflowNamePrefix('connection', config) ?? '', airflowNamePrefix('variable', config) ?? ''), airflow: true },
      { label: vscode.l10n.t('As written'), description: vscode.l10n.t('keys as secret names'), airflow: false },
    ], { placeHolder: vscode.l10n.t('The file has AIRFLOW_CONN_* / AIRFLOW_VAR_* lines: import them as…') }));
    if (asAirflow.airflow) named = nameEntries(entries, config);
  }
  let applyFixes = false;
  const invalid = named.filter((e) => e.invalid);
  if (invalid.length) {
    const fixable = invalid.filter((e) => e.invalid?.fix);
    const sample = invalid.slice(0, 3).map((e) => `${e.key}${e.invalid?.fix ? ` → ${e.invalid.fix}` : ''}`).join(', ');
    const choice = required(await ctx.prompter.quickPick([
      ...(fixable.length ? [{ label: vscode.l10n.t('Use the fixed names'), description: sample, fix: true }] : []),
      { label: vscode.l10n.t('Skip the invalid names'), description: vscode.l10n.t('{0} entries', invalid.length), fix: false },
    ], { placeHolder: vscode.l10n.t('{0} names are not valid Key Vault names (letters, digits and hyphens only)', invalid.length) }));
    applyFixes = choice.fix;
  }
  const service = ctx.hub.service(target);
  const [targetSecrets, targetDeleted] = await Promise.all([allSecrets(ctx, target), listDeleted(service)]);
  const purgeOk = (d: DeletedSecretProps) => target.purgeProtection !== true && isPurgeable(d);
  const replan = (onExisting: 'skip' | 'newVersion') => planImport(named, targetSecrets, targetDeleted, { onExisting, applyFixes, isPurgeable: purgeOk });
  const byKey = new Map<string, NamedEntry>();
  for (const e of named) if (!byKey.has(e.key)) byKey.set(e.key, e);
  const title = vscode.l10n.t('Import {0} into "{1}"', path.basename(uri.path), target.name);
  const plan = await decide(ctx, target, replan('skip'), replan, title, (item) => {
    const e = byKey.get(item.source);
    return e && item.action !== 'skip' ? `[${mask(e.value)}]` : undefined;
  });
  return run(ctx, title, target, plan, async (item): Promise<SecretWrite> => {
    const e = byKey.get(item.source);
    if (!e) throw new Error(vscode.l10n.t('"{0}" is not in the file any more.', item.source));
    return { value: e.value, contentType: e.contentType, tags: e.tags, enabled: e.enabled, notBefore: e.notBefore, expiresOn: e.expiresOn };
  });
}
