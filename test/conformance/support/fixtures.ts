// Names and ids in test/fixtures/conformance-seed.json, in one place so tests and seed stay in step.

export const TENANT_A = '7c1f2a40-0000-4000-8000-00000000000a';
export const TENANT_B = '7c1f2a40-0000-4000-8000-00000000000b';
export const SUB_A1 = '5a0b0000-0000-4000-8000-0000000000a1';
export const SUB_A2 = '5a0b0000-0000-4000-8000-0000000000a2';
export const SUB_B1 = '5a0b0000-0000-4000-8000-0000000000b1';

/** RBAC vault, 90 days soft delete, no purge protection: most data-plane tests run here. */
export const VAULT_MAIN = 'conf-main';
/** Purge protection on (90 days): deleted secrets are Recoverable, purge is refused. */
export const VAULT_PROTECTED = 'conf-protected';
/** 7 days retention: CustomizedRecoverable+Purgeable. Deletes take a while (poller sees 404 first). */
export const VAULT_SLOW = 'conf-slowdelete';
/** Firewall mode: every authenticated data-plane call gets 403 ForbiddenByFirewall. */
export const VAULT_FIREWALL = 'conf-firewall';
/** Access-policy vault (no RBAC): the reader may only list. */
export const VAULT_POLICY = 'conf-policy';
/** Vault in the second tenant (subscription SUB_B1). */
export const VAULT_TENANT_B = 'conf-tenantb';
/** Second subscription of tenant A. */
export const VAULT_SUB_A2 = 'conf-suba2';

export const ALL_VAULTS = [VAULT_MAIN, VAULT_PROTECTED, VAULT_SLOW, VAULT_FIREWALL, VAULT_POLICY, VAULT_SUB_A2, VAULT_TENANT_B];

/** Key Vault Administrator on every subscription, home tenant A, guest in tenant B. */
export const ADMIN = 'c0ffee00-0000-4000-8000-0000000000ad';
/** Key Vault Reader on conf-main; "list" only in conf-policy's access policies. */
export const READER = 'c0ffee00-0000-4000-8000-0000000000e1';
/** Key Vault Secrets User on conf-main, data plane only (the vault stays invisible through ARM). */
export const SECRETS_USER = 'c0ffee00-0000-4000-8000-0000000000e2';
/** Key Vault Administrator in tenant B only. */
export const ADMIN_B = 'c0ffee00-0000-4000-8000-0000000000b0';

export const SEED_DISABLED = 'seed-disabled';
export const SEED_CERT = 'seed-cert';
export const SEED_MANY = 'seed-many-versions';
export const SEED_MANY_COUNT = 30;
export const SEED_EXPIRED = 'seed-expired';
export const SEED_FUTURE = 'seed-not-yet-valid';
export const SEED_TAGGED = 'seed-tagged';
export const SEED_DELETED = ['seed-deleted-1', 'seed-deleted-2', 'seed-deleted-3', 'seed-deleted-4', 'seed-deleted-5', 'seed-deleted-6'];
export const SEED_FILLERS = Array.from({ length: 10 }, (_, i) => `seed-filler-${String(i + 1).padStart(2, '0')}`);
/** In tenant B's vault. */
export const SEED_TENANT_B_SECRET = 'tenantb-secret';
