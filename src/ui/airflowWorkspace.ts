// The Airflow AzureKeyVaultBackend configuration in force per vault: read from the workspace (.env files,
// docker-compose environments, airflow.cfg), else from settings, else the backend's defaults. The files only
// choose prefixes for vaults the user already has: they never add a vault or a host that tokens go to.
import * as vscode from 'vscode';
import type { VaultRef } from '../azure/model';
import type { AirflowBackendConfig } from '../integrations/airflow';
import {
  configForVault, normalizeVaultUrlForCompare, sourcesFromAirflowCfg, sourcesFromCompose, sourcesFromEnvFile, type BackendConfigSource, type ConfigOrigin,
} from '../integrations/airflowSources';

const ENV_GLOB = '**/{.env,.env.*,*.env}';
const COMPOSE_GLOB = '**/{docker-compose,compose}*.{yml,yaml}';
const CFG_GLOB = '**/airflow.cfg';
const EXCLUDE = '**/{node_modules,.git,.venv,venv,__pycache__}/**';
const MAX_FILES = 200;

interface SettingsEntry {
  vault_url?: string;
  connections_prefix?: string | null;
  variables_prefix?: string | null;
  config_prefix?: string | null;
  sep?: string;
}

export class AirflowWorkspace implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private sources: Promise<BackendConfigSource[]> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  private watching = false;

  constructor() {
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.invalidate()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('keyVault.airflow')) this.changed.fire();
      }));
  }

  /**
   * Watches the configuration files from the first scan on (not from activation: each watcher's glob costs the
   * extension host milliseconds to compile, and nothing is cached before the first scan).
   */
  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    for (const glob of [ENV_GLOB, COMPOSE_GLOB, CFG_GLOB]) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      const invalidate = () => this.invalidate();
      this.disposables.push(watcher, watcher.onDidChange(invalidate), watcher.onDidCreate(invalidate), watcher.onDidDelete(invalidate));
    }
  }

  invalidate(): void {
    this.sources = undefined;
    this.changed.fire();
  }

  grouped(): boolean {
    return vscode.workspace.getConfiguration('keyVault').get<boolean>('airflow.groupSecrets', true);
  }

  async setGrouped(on: boolean): Promise<void> {
    await vscode.workspace.getConfiguration('keyVault').update('airflow.groupSecrets', on, vscode.ConfigurationTarget.Global);
  }

  /** Every backend configuration found in the workspace (files read once, again after a change). */
  workspaceSources(): Promise<BackendConfigSource[]> {
    this.watch();
    this.sources ??= this.scan();
    return this.sources;
  }

  private async scan(): Promise<BackendConfigSource[]> {
    // an untrusted workspace's files do not decide anything here (package.json capabilities say so)
    if (!vscode.workspace.workspaceFolders?.length || !vscode.workspace.isTrusted) return [];
    const readers: [string, (text: string, file: string) => BackendConfigSource[]][] = [
      [ENV_GLOB, sourcesFromEnvFile], [COMPOSE_GLOB, sourcesFromCompose], [CFG_GLOB, sourcesFromAirflowCfg]];
    const out: BackendConfigSource[] = [];
    for (const [glob, read] of readers) {
      const files = await vscode.workspace.findFiles(glob, EXCLUDE, MAX_FILES);
      files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
      for (const uri of files) {
        try {
          const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
          out.push(...read(text, vscode.workspace.asRelativePath(uri)));
        } catch {
          // an unreadable file is skipped; the others still count
        }
      }
    }
    return out;
  }

  private settingsFor(vault: VaultRef): Partial<AirflowBackendConfig> | undefined {
    const entries = vscode.workspace.getConfiguration('keyVault').get<SettingsEntry[]>('airflow.backendKwargs') ?? [];
    const norm = normalizeVaultUrlForCompare;
    const entry = entries.find((e) => e.vault_url && norm(e.vault_url) === norm(vault.url)) ??
      entries.find((e) => !e.vault_url);
    if (!entry) return undefined;
    const out: Partial<AirflowBackendConfig> = {};
    if (entry.connections_prefix !== undefined) out.connectionsPrefix = entry.connections_prefix;
    if (entry.variables_prefix !== undefined) out.variablesPrefix = entry.variables_prefix;
    if (entry.config_prefix !== undefined) out.configPrefix = entry.config_prefix;
    if (entry.sep !== undefined) out.sep = entry.sep;
    return out;
  }

  /** The configuration in force for a vault, and where it comes from. */
  async configFor(vault: VaultRef): Promise<{ config: AirflowBackendConfig; origin: ConfigOrigin }> {
    let sources: BackendConfigSource[] = [];
    try {
      sources = await this.workspaceSources();
    } catch {
      // no workspace access: settings and defaults still apply
    }
    return configForVault(vault.url, sources, this.settingsFor(vault));
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
