// Orchestrator state the tree and the commands share: the Airflow backend configuration per vault, and the key
// names of ZenML secrets the user asked to see (names only, never values; in memory only).
import * as vscode from 'vscode';
import type { VaultRef } from '../azure/model';
import { AirflowWorkspace } from './airflowWorkspace';

export class Integrations implements vscode.Disposable {
  readonly airflow = new AirflowWorkspace();
  private readonly zenmlKeys = new Map<string, string[]>();

  private static key(vault: VaultRef, name: string): string {
    return `${vault.source}|${vault.url.toLowerCase()}|${name.toLowerCase()}`;
  }

  rememberZenmlKeys(vault: VaultRef, name: string, keys: string[]): void {
    this.zenmlKeys.set(Integrations.key(vault, name), keys);
  }

  knownZenmlKeys(vault: VaultRef, name: string): string[] | undefined {
    return this.zenmlKeys.get(Integrations.key(vault, name));
  }

  dispose(): void {
    this.airflow.dispose();
  }
}
