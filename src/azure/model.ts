// The data model shared by the services (src/azure, src/auth) and the UI (src/tree, src/commands).
// No vscode import here or anywhere under src/azure, src/auth, src/emulator.

/** Where a vault came from; decides which credential may be used for it. */
export type VaultSource = 'arm' | 'url' | 'emulator';

export interface VaultRef {
  /** Vault name (first DNS label of the URL). */
  name: string;
  /** Normalised vault URL: lower-case origin with a trailing slash, e.g. https://myvault.vault.azure.net/ */
  url: string;
  source: VaultSource;
  subscriptionId?: string;
  tenantId?: string;
  /** ARM resource id when known. */
  resourceId?: string;
  resourceGroup?: string;
  location?: string;
  /** From ARM when known: purge protection makes purge impossible; soft-delete retention in days. */
  purgeProtection?: boolean;
  softDeleteRetentionDays?: number;
  rbacAuthorization?: boolean;
}

export interface TenantRef {
  tenantId: string;
  displayName?: string;
  defaultDomain?: string;
}

export interface SubscriptionRef {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
}

/** Metadata of one secret or one version. Never carries a value. */
export interface SecretProps {
  name: string;
  vaultUrl: string;
  /** Secret id; for list items the versionless id. */
  id: string;
  /** Undefined for a versionless list item. */
  version?: string;
  enabled: boolean;
  notBefore?: Date;
  expiresOn?: Date;
  createdOn?: Date;
  updatedOn?: Date;
  contentType?: string;
  tags?: Record<string, string>;
  /** true for secrets that back a certificate: read-only. */
  managed: boolean;
  recoveryLevel?: string;
  recoverableDays?: number;
}

export interface DeletedSecretProps extends SecretProps {
  recoveryId?: string;
  deletedOn?: Date;
  scheduledPurgeDate?: Date;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Undefined on the last page. */
  continuationToken?: string;
}

export interface PageOptions {
  continuationToken?: string;
  /** 1–25 for Key Vault. */
  maxPageSize?: number;
  abortSignal?: AbortSignal;
}

export interface SecretWrite {
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  notBefore?: Date;
  expiresOn?: Date;
}

export interface SecretPropertiesUpdate {
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  /** null clears the date. */
  notBefore?: Date | null;
  expiresOn?: Date | null;
}

export interface SecretValue {
  value: string;
  properties: SecretProps;
}

export interface OperationOptions {
  abortSignal?: AbortSignal;
  /** Called while a long-running operation (delete, recover) polls. */
  onProgress?: (message: string) => void;
}

/** Data-plane operations on one vault. Implemented over @azure/keyvault-secrets. */
export interface SecretsService {
  readonly vault: VaultRef;
  listSecrets(options?: PageOptions): Promise<Page<SecretProps>>;
  listVersions(name: string, options?: PageOptions): Promise<Page<SecretProps>>;
  listDeletedSecrets(options?: PageOptions): Promise<Page<DeletedSecretProps>>;
  /** Reads the value: only on an explicit user action (reveal, copy), never while browsing. */
  getSecretValue(name: string, version?: string, options?: OperationOptions): Promise<SecretValue>;
  setSecret(name: string, write: SecretWrite, options?: OperationOptions): Promise<SecretProps>;
  updateProperties(name: string, version: string | undefined, update: SecretPropertiesUpdate,
    options?: OperationOptions): Promise<SecretProps>;
  /** Deletes and waits for the poller to finish. */
  deleteSecret(name: string, options?: OperationOptions): Promise<DeletedSecretProps>;
  getDeletedSecret(name: string, options?: OperationOptions): Promise<DeletedSecretProps | undefined>;
  /** Recovers and waits for the poller to finish. */
  recoverSecret(name: string, options?: OperationOptions): Promise<SecretProps>;
  purgeSecret(name: string, options?: OperationOptions): Promise<void>;
  backupSecret(name: string, options?: OperationOptions): Promise<Uint8Array>;
  restoreSecretBackup(backup: Uint8Array, options?: OperationOptions): Promise<SecretProps>;
}

/** Sovereign or custom cloud endpoints. */
export interface CloudEnvironment {
  name: string;
  /** e.g. https://management.azure.com/ */
  resourceManagerEndpoint: string;
  /** e.g. https://login.microsoftonline.com/ */
  authorityHost: string;
  /** e.g. vault.azure.net (no leading dot) */
  keyVaultDnsSuffix: string;
  /** Scope for ARM tokens, e.g. https://management.azure.com/.default */
  managementScope: string;
  /** Resource for Key Vault tokens, e.g. https://vault.azure.net */
  keyVaultResource: string;
  portalUrl?: string;
}

/** The emulator's ready line (`node dist/emulator.js` prints it as one JSON line on stdout). */
export interface EmulatorReadyInfo {
  ready: true;
  port: number;
  /** Absolute path of the emulator's CA certificate (PEM). */
  ca: string;
  authorityHost: string;
  armEndpoint: string;
  tenantId: string;
  vaults: { name: string; url: string }[];
  principals: { clientId: string; clientSecret: string; roles: string[] }[];
  /** Per-run token of the emulator's admin API (/_admin/*), sent as `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
}
