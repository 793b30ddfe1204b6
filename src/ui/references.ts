// Secrets where the code uses them: hovers, diagnostics and quick fixes for the references the pure recognisers
// (src/references) find in open files. Metadata comes from the tree's listings, refreshed at most once per vault
// per interval; nothing is fetched for files that are not open, and no value is ever read here.
import * as vscode from 'vscode';
import type { SecretProps, VaultRef } from '../azure/model';
import { airflowSecretName } from '../integrations/airflow';
import { normalizeVaultUrlForCompare } from '../integrations/airflowSources';
import { referenceProblem, type ReferenceProblem } from '../references/diagnose';
import { findReferences } from '../references/index';
import type { SecretReference } from '../references/model';
import type { Hub } from './hub';
import { isPresenting } from './presentation';
import { HIDDEN } from '../tree/describe';
import { vaultListKey } from './pagedList';

const DEFAULT_VAULT_KEY = 'keyVault.references.defaultVault';
/** Our own virtual documents hold values: never scanned. */
const SKIP_SCHEMES = new Set(['keyvault-secret', 'keyvault-airflow', 'output', 'vscode-scm', 'git']);

/** What a reference resolves to. `vault` undefined: no vault known (and no workspace default). */
export interface ResolvedReference {
  ref: SecretReference;
  range: vscode.Range;
  vault?: VaultRef;
  name?: string;
  airflow: boolean;
  /** Why it cannot be checked, when it cannot. */
  unresolved?: string;
}

/** Serializable arguments of the reference commands (command links in hovers, quick fixes). */
export interface ReferenceTarget {
  vaultUrl: string;
  source: VaultRef['source'];
  name: string;
  version?: string;
}

export class SecretReferences implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('keyVault');
  private readonly disposables: vscode.Disposable[] = [];
  /** When each vault's listings were last loaded for references (vault list key → ms). */
  private readonly listedAt = new Map<string, number>();
  private readonly versionLists = new Map<string, { at: number; items: Promise<SecretProps[]> }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly hub: Hub, private readonly workspaceState: vscode.Memento) {
    this.disposables.push(this.collection,
      vscode.languages.registerHoverProvider({ scheme: 'file' }, { provideHover: (d, p) => this.hover(d, p) }),
      vscode.languages.registerHoverProvider({ scheme: 'untitled' }, { provideHover: (d, p) => this.hover(d, p) }),
      vscode.languages.registerCodeActionsProvider([{ scheme: 'file' }, { scheme: 'untitled' }],
        { provideCodeActions: (d, r, c) => this.codeActions(d, r, c) }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 500)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('keyVault.references')) this.recheckAll(); }),
      hub.onDidChange(() => { this.azure = undefined; this.recheckAll(); }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private enabled(): boolean {
    return vscode.workspace.getConfiguration('keyVault').get<boolean>('references.enabled', true);
  }

  private intervalMs(): number {
    return Math.max(0, vscode.workspace.getConfiguration('keyVault').get<number>('references.refreshIntervalSeconds', 300)) * 1000;
  }

  private severity(): vscode.DiagnosticSeverity | undefined {
    switch (vscode.workspace.getConfiguration('keyVault').get<string>('references.diagnosticSeverity', 'warning')) {
      case 'error': return vscode.DiagnosticSeverity.Error;
      case 'information': return vscode.DiagnosticSeverity.Information;
      case 'hint': return vscode.DiagnosticSeverity.Hint;
      case 'off': return undefined;
      default: return vscode.DiagnosticSeverity.Warning;
    }
  }

  // ---- the workspace's default vault (workspace state; only selects among vaults the user already has) ----

  defaultVaultUrl(): string | undefined {
    return this.workspaceState.get<string>(DEFAULT_VAULT_KEY);
  }

  async setDefaultVault(vault: VaultRef | undefined): Promise<void> {
    await this.workspaceState.update(DEFAULT_VAULT_KEY, vault ? `${vault.source}|${vault.url}` : undefined);
    this.recheckAll();
  }

  private azure: { at: number; vaults: Promise<VaultRef[]> } | undefined;

  /** The user's vaults: the emulator's and those added by URL at once; Azure's discovered ones only when needed. */
  private async knownVaults(match: (v: VaultRef) => boolean): Promise<VaultRef | undefined> {
    const local = [...(this.hub.emulator()?.vaults ?? []), ...this.hub.urlVaults()];
    const found = local.find(match);
    if (found) return found;
    // discovery may be slow or failing (offline): once per interval, whatever the number of references
    if (!this.azure || Date.now() - this.azure.at >= this.intervalMs()) {
      const vaults = (async () => {
        try {
          return (await this.hub.isAzureSignedIn()) ? await this.hub.knownVaults() : [];
        } catch {
          return [];
        }
      })();
      this.azure = { at: Date.now(), vaults };
    }
    return (await this.azure.vaults).find(match);
  }

  /** A vault the user already has: by URL, by name, or the workspace default. Never a new host. */
  private async vaultFor(ref: SecretReference): Promise<VaultRef | undefined> {
    if (ref.vaultUrl) return this.knownVaults((v) => v.url.toLowerCase() === ref.vaultUrl!.toLowerCase());
    if (ref.vaultName) return this.knownVaults((v) => v.name.toLowerCase() === ref.vaultName!.toLowerCase());
    const d = this.defaultVaultUrl();
    if (d) return this.knownVaults((v) => `${v.source}|${v.url}` === d);
    // Airflow reads the vault its backend configuration names: a workspace .env / compose / airflow.cfg with one vault_url
    if (ref.kind === 'airflowConnection' || ref.kind === 'airflowVariable') {
      const norm = normalizeVaultUrlForCompare;
      const urls = new Set((await this.hub.integrations.airflow.workspaceSources())
        .map((src) => src.config?.vaultUrl).filter((u): u is string => !!u).map(norm));
      if (urls.size === 1) {
        const [only] = urls;
        return this.knownVaults((v) => norm(v.url) === only);
      }
    }
    return undefined;
  }

  // ---- resolving ----

  async resolve(document: vscode.TextDocument): Promise<ResolvedReference[]> {
    if (SKIP_SCHEMES.has(document.uri.scheme) || !this.enabled()) return [];
    const refs = findReferences(document.getText(), document.languageId, document.fileName);
    const out: ResolvedReference[] = [];
    for (const ref of refs) {
      const range = new vscode.Range(document.positionAt(ref.start), document.positionAt(ref.end));
      const airflow = ref.kind === 'airflowConnection' || ref.kind === 'airflowVariable';
      const vault = await this.vaultFor(ref);
      if (!vault) {
        out.push({ ref, range, airflow, unresolved: ref.vaultUrl || ref.vaultName
          ? vscode.l10n.t('The vault {0} is not one of yours here (sign in, add it by URL, or start the emulator).', String(String(ref.vaultUrl ?? ref.vaultName)))
          : vscode.l10n.t('No vault is named here: choose the workspace\'s default vault to check this reference.') });
        continue;
      }
      let name = ref.secretName;
      if (airflow && ref.airflowId !== undefined) {
        const { config } = await this.hub.integrations.airflow.configFor(vault);
        name = airflowSecretName(ref.kind === 'airflowConnection' ? 'connection' : 'variable', ref.airflowId, config);
        if (!name) {
          out.push({ ref, range, airflow, vault, unresolved: ref.kind === 'airflowConnection' ? vscode.l10n.t('Airflow does not look up connections in {0} (its prefix is null).', vault.name) : vscode.l10n.t('Airflow does not look up variables in {0} (its prefix is null).', vault.name) });
          continue;
        }
      }
      out.push({ ref, range, vault, name, airflow });
    }
    return out;
  }

  /** The vault's listings, loaded at most once per interval (shared with the tree). */
  private async listings(vault: VaultRef): Promise<{ secrets: SecretProps[]; deleted: SecretProps[] }> {
    const key = vaultListKey(vault);
    const at = this.listedAt.get(key);
    if (at !== undefined && Date.now() - at >= this.intervalMs()) this.forget(vault);
    const secrets = this.hub.secretsList(vault);
    const deleted = this.hub.deletedList(vault);
    // a listing the tree already completed is used as it is; otherwise every page, once
    if (secrets.token || !secrets.loaded || deleted.token || !deleted.loaded) await Promise.all([secrets.all(), deleted.all()]);
    if (!this.listedAt.has(key)) this.listedAt.set(key, Date.now());
    return { secrets: secrets.items, deleted: deleted.items };
  }

  /** Drops what is known of a vault: the next check lists it again. */
  private forget(vault: VaultRef): void {
    const key = vaultListKey(vault);
    this.listedAt.delete(key);
    this.hub.resetPagedLists(`${key}|secrets`);
    this.hub.resetPagedLists(`${key}|deleted`);
    for (const k of [...this.versionLists.keys()]) if (k.startsWith(key)) this.versionLists.delete(k);
  }

  private versions(vault: VaultRef, name: string): Promise<SecretProps[]> {
    const key = `${vaultListKey(vault)}|${name.toLowerCase()}`;
    const cached = this.versionLists.get(key);
    if (cached && Date.now() - cached.at < this.intervalMs()) return cached.items;
    const items = (async () => {
      const out: SecretProps[] = [];
      let token: string | undefined;
      do {
        const page = await this.hub.service(vault).listVersions(name, { continuationToken: token, maxPageSize: 25 });
        out.push(...page.items);
        token = page.continuationToken;
      } while (token);
      return out;
    })();
    this.versionLists.set(key, { at: Date.now(), items });
    items.catch(() => this.versionLists.delete(key));
    return items;
  }

  /** Metadata and problem of a resolved reference. */
  async check(r: ResolvedReference): Promise<{ secret?: SecretProps; versions?: SecretProps[]; problem?: { problem: ReferenceProblem; message: string } }> {
    if (!r.vault || !r.name) return {};
    const { secrets, deleted } = await this.listings(r.vault);
    const lower = r.name.toLowerCase();
    const secret = secrets.find((s) => s.name.toLowerCase() === lower);
    const gone = secret ? undefined : deleted.find((s) => s.name.toLowerCase() === lower);
    const versions = secret && r.ref.version ? await this.versions(r.vault, secret.name) : undefined;
    return { secret, versions, problem: referenceProblem(r.vault.name, r.name, r.ref.version, { secret, deleted: gone, versions }, r.airflow) };
  }

  // ---- diagnostics ----

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (SKIP_SCHEMES.has(document.uri.scheme)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.diagnose(document);
    }, delayMs));
  }

  recheckAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 100);
  }

  /** Recomputes the diagnostics of one document; resolves when they are set (tests await it). */
  async diagnose(document: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
    const severity = this.severity();
    if (document.isClosed) return [];
    let resolved: ResolvedReference[];
    try {
      resolved = severity === undefined ? [] : await this.resolve(document);
    } catch {
      resolved = [];
    }
    const diagnostics: vscode.Diagnostic[] = [];
    for (const r of resolved) {
      if (r.unresolved) {
        const d = new vscode.Diagnostic(r.range, r.unresolved, vscode.DiagnosticSeverity.Information);
        d.source = 'Key Vault';
        d.code = 'noVault';
        diagnostics.push(d);
        continue;
      }
      let result: Awaited<ReturnType<SecretReferences['check']>>;
      try {
        result = await this.check(r);
      } catch {
        continue; // the vault cannot be listed now: the tree says why; no guess here
      }
      if (!result.problem) continue;
      const d = new vscode.Diagnostic(r.range, result.problem.message, severity!);
      d.source = 'Key Vault';
      d.code = result.problem.problem;
      diagnostics.push(d);
    }
    if (!document.isClosed) this.collection.set(document.uri, diagnostics);
    return diagnostics;
  }

  // ---- hover ----

  private async at(document: vscode.TextDocument, position: vscode.Position): Promise<ResolvedReference | undefined> {
    const all = await this.resolve(document);
    return all.find((r) => r.range.contains(position));
  }

  async hover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const r = await this.at(document, position);
    if (!r) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['keyVault.revealReference', 'keyVault.showReferenceInTree', 'keyVault.selectDefaultVault'] };
    const what = r.ref.kind === 'airflowConnection' ? vscode.l10n.t('Airflow connection `{0}`', r.ref.airflowId ?? '')
      : r.ref.kind === 'airflowVariable' ? vscode.l10n.t('Airflow variable `{0}`', r.ref.airflowId ?? '') : vscode.l10n.t('Key Vault secret');
    if (!r.vault || !r.name) {
      md.appendMarkdown(`**${what}**\n\n`);
      md.appendText(r.unresolved ?? '');
      md.appendMarkdown('\n\n' + vscode.l10n.t('[Choose the workspace\'s default vault](command:keyVault.selectDefaultVault)'));
      return new vscode.Hover(md, r.range);
    }
    const { secret, versions, problem } = await this.check(r);
    md.appendMarkdown((r.ref.version
      ? vscode.l10n.t('**{0}** — `{1}` in **{2}** (version `{3}`)', what, r.name, r.vault.name, r.ref.version)
      : vscode.l10n.t('**{0}** — `{1}` in **{2}**', what, r.name, r.vault.name)) + '\n\n');
    if (problem) md.appendMarkdown(`⚠ ${escape(problem.message)}\n\n`);
    if (secret) {
      const p: SecretProps = (r.ref.version ? versions?.find((v) => v.version?.toLowerCase() === r.ref.version!.toLowerCase()) : undefined) ?? secret;
      const rows: [string, string][] = [[vscode.l10n.t('Enabled'), p.enabled ? vscode.l10n.t('yes') : vscode.l10n.t('no')]];
      const hide = isPresenting();
      if (p.contentType) rows.push([vscode.l10n.t('Content type'), hide ? HIDDEN : p.contentType]);
      if (p.notBefore) rows.push([vscode.l10n.t('Activation'), p.notBefore.toISOString().slice(0, 16).replace('T', ' ')]);
      if (p.expiresOn) rows.push([vscode.l10n.t('Expiry'), p.expiresOn.toISOString().slice(0, 16).replace('T', ' ')]);
      if (p.updatedOn) rows.push([vscode.l10n.t('Updated'), p.updatedOn.toISOString().slice(0, 16).replace('T', ' ')]);
      if (versions) rows.push([vscode.l10n.t('Versions'), String(versions.length)]);
      for (const [k, v] of Object.entries(p.tags ?? {})) rows.push([vscode.l10n.t('Tag {0}', k), hide ? HIDDEN : v]);
      md.appendMarkdown(rows.map(([k, v]) => `${k}: ${escape(String(v))}`).join('  \n') + '\n\n');
      const target: ReferenceTarget = { vaultUrl: r.vault.url, source: r.vault.source, name: secret.name, version: r.ref.version };
      const arg = encodeURIComponent(JSON.stringify([target]));
      md.appendMarkdown(vscode.l10n.t('[Reveal value](command:keyVault.revealReference?{0}) · [Show in tree](command:keyVault.showReferenceInTree?{0})', arg));
    }
    return new vscode.Hover(md, r.range);
  }

  // ---- quick fixes ----

  async codeActions(document: vscode.TextDocument, _range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const ours = context.diagnostics.filter((d) => d.source === 'Key Vault');
    if (ours.length === 0) return [];
    const resolved = await this.resolve(document);
    const actions: vscode.CodeAction[] = [];
    for (const d of ours) {
      const r = resolved.find((x) => x.range.isEqual(d.range));
      if (!r) continue;
      const fix = (title: string, command: string, args: unknown[]) => {
        const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [d];
        a.command = { command, title, arguments: args };
        actions.push(a);
      };
      if (d.code === 'noVault') {
        fix(vscode.l10n.t('Choose the workspace\'s default vault…'), 'keyVault.selectDefaultVault', []);
        continue;
      }
      if (!r.vault || !r.name) continue;
      const target: ReferenceTarget = { vaultUrl: r.vault.url, source: r.vault.source, name: r.name, version: r.ref.version };
      if (d.code === 'missing') fix(vscode.l10n.t('Create secret "{0}" in {1}…', r.name, r.vault.name), 'keyVault.createReferencedSecret', [target]);
      if (d.code === 'deleted') fix(vscode.l10n.t('Recover deleted secret "{0}"', r.name), 'keyVault.recoverReferencedSecret', [target]);
      if (d.code === 'disabled') fix(vscode.l10n.t('Enable secret "{0}"', r.name), 'keyVault.enableReferencedSecret', [target]);
    }
    return actions;
  }

  /** The secrets a document references, per vault (for a terminal with the file's secrets). */
  async referencedByVault(document: vscode.TextDocument): Promise<{ vault: VaultRef; names: string[] }[]> {
    const groups = new Map<string, { vault: VaultRef; names: string[] }>();
    for (const r of await this.resolve(document)) {
      if (!r.vault || !r.name) continue;
      const key = vaultListKey(r.vault);
      const g = groups.get(key) ?? { vault: r.vault, names: [] };
      if (!g.names.some((n) => n.toLowerCase() === r.name!.toLowerCase())) g.names.push(r.name);
      groups.set(key, g);
    }
    return [...groups.values()];
  }

  /** The vault of a reference command's target, among the user's vaults. */
  async vaultOf(target: ReferenceTarget): Promise<VaultRef> {
    const url = target.vaultUrl.toLowerCase();
    const vault = await this.knownVaults((v) => v.url.toLowerCase() === url && v.source === target.source) ??
      await this.knownVaults((v) => v.url.toLowerCase() === url);
    if (!vault) throw new Error(vscode.l10n.t('The vault {0} is no longer available here: refresh the Key Vault view.', target.vaultUrl));
    return vault;
  }

  /** After a quick fix changed the vault: list it again and re-check open files. */
  invalidate(vault: VaultRef): void {
    this.forget(vault);
    this.recheckAll();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
