// What the recognisers in src/references report: one place in a file that names a Key Vault secret (or the Airflow id
// that the secrets backend turns into one). Pure (no vscode).

export type ReferenceKind = 'airflowVariable' | 'airflowConnection' | 'flyte' | 'appService' | 'sdk';

export interface SecretReference {
  kind: ReferenceKind;
  /** [start, end) offsets into the text of the literal naming the secret / id (without quotes). */
  start: number;
  end: number;
  /** Airflow: the conn id / variable key as written (the secret name comes from the backend config later). */
  airflowId?: string;
  /** The Key Vault secret name when the reference names it (Flyte, App Service, SDK). */
  secretName?: string;
  version?: string;
  /** Normalised vault URL (lower-case origin + '/') when the reference or its file names one. */
  vaultUrl?: string;
  /** Vault name when only a name is known (App Service VaultName=…). */
  vaultName?: string;
}
