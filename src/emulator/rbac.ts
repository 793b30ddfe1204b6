// Authorization on a vault: Azure RBAC with Microsoft's built-in Key Vault roles, or access policies.
import type { EmulatorConfig, Principal, RoleAssignment, RoleName, SecretPermission, VaultConfig } from './model';

export const SECRETS = 'Microsoft.KeyVault/vaults/secrets';
/** Data actions of the secrets operations (the names Azure uses in role definitions and 403 messages). */
export const Actions = {
  get: `${SECRETS}/getSecret/action`,
  readMetadata: `${SECRETS}/readMetadata/action`,
  set: `${SECRETS}/setSecret/action`,
  update: `${SECRETS}/update/action`,
  delete: `${SECRETS}/delete`,
  backup: `${SECRETS}/backup/action`,
  restore: `${SECRETS}/restore/action`,
  recover: `${SECRETS}/recover/action`,
  purge: `${SECRETS}/purge/action`,
} as const;

/** Data actions of the built-in roles (secrets part), as in Azure's role definitions. */
export const ROLE_DATA_ACTIONS: Record<RoleName, string[]> = {
  'Key Vault Administrator': ['Microsoft.KeyVault/vaults/*'],
  'Key Vault Secrets Officer': [`${SECRETS}/*`],
  'Key Vault Secrets User': [Actions.get, Actions.readMetadata],
  'Key Vault Reader': [Actions.readMetadata],
};

export const ROLE_NAMES = Object.keys(ROLE_DATA_ACTIONS) as RoleName[];

function matches(pattern: string, action: string): boolean {
  if (pattern.endsWith('/*')) return action.toLowerCase().startsWith(pattern.slice(0, -1).toLowerCase());
  return pattern.toLowerCase() === action.toLowerCase();
}

export function rolesOn(principal: Principal, vault: VaultConfig): RoleName[] {
  return principal.roles
    .filter((r) => (r.vault !== undefined && r.vault.toLowerCase() === vault.name.toLowerCase())
      || (r.subscription !== undefined && r.subscription.toLowerCase() === vault.subscriptionId.toLowerCase()))
    .map((r) => r.role);
}

/**
 * Decisions per role list: assignments change only by adding one (push), replacing one with the same role and
 * scope (only `arm` may differ, which the data plane ignores) or filtering into a new array — so a list with the
 * same identity and length decides the same way, and a principal with hundreds of assignments is not rescanned
 * on every request.
 */
const decisions = new WeakMap<RoleAssignment[], { length: number; byScope: Map<string, Map<string, Map<string, boolean>>> }>();

export function rbacAllows(principal: Principal, vault: VaultConfig, action: string): boolean {
  let c = decisions.get(principal.roles);
  if (!c || c.length !== principal.roles.length) {
    c = { length: principal.roles.length, byScope: new Map() };
    decisions.set(principal.roles, c);
  }
  // vault name → subscription → action: no key string is built per request
  let bySubscription = c.byScope.get(vault.name);
  if (!bySubscription) c.byScope.set(vault.name, bySubscription = new Map());
  let byAction = bySubscription.get(vault.subscriptionId);
  if (!byAction) bySubscription.set(vault.subscriptionId, byAction = new Map());
  let allowed = byAction.get(action);
  if (allowed === undefined) {
    allowed = rolesOn(principal, vault).some((role) => ROLE_DATA_ACTIONS[role].some((p) => matches(p, action)));
    byAction.set(action, allowed);
  }
  return allowed;
}

/** Access-policy permission needed for each data action. */
export const POLICY_PERMISSION: Record<string, SecretPermission> = {
  [Actions.get]: 'get',
  [Actions.readMetadata]: 'list',
  [Actions.set]: 'set',
  [Actions.update]: 'set',
  [Actions.delete]: 'delete',
  [Actions.backup]: 'backup',
  [Actions.restore]: 'restore',
  [Actions.recover]: 'recover',
  [Actions.purge]: 'purge',
};

export function policyAllows(principal: Principal, vault: VaultConfig, action: string): boolean {
  const perm = POLICY_PERMISSION[action];
  return vault.accessPolicies.some((p) =>
    (p.objectId.toLowerCase() === principal.objectId.toLowerCase() || p.objectId.toLowerCase() === principal.clientId.toLowerCase())
    && p.secrets.includes(perm));
}

/** Can the principal see the vault through ARM (any role assignment in scope that is not data-plane only). */
export function armVisible(principal: Principal, vault: VaultConfig): boolean {
  return principal.roles.some((r) => r.arm !== false
    && ((r.vault !== undefined && r.vault.toLowerCase() === vault.name.toLowerCase())
      || (r.subscription !== undefined && r.subscription.toLowerCase() === vault.subscriptionId.toLowerCase())));
}

export function armSubscriptions(config: EmulatorConfig, principal: Principal, tenant: string): string[] {
  return config.subscriptions
    .filter((s) => s.tenantId.toLowerCase() === tenant.toLowerCase())
    .filter((s) => principal.roles.some((r) => r.arm !== false
      && (r.subscription?.toLowerCase() === s.id.toLowerCase()
        || config.vaults.some((v) => v.subscriptionId === s.id && v.name.toLowerCase() === r.vault?.toLowerCase()))))
    .map((s) => s.id);
}

/** Same role on the same scope (vault names and subscription ids compared case-insensitively). */
export function sameAssignment(a: RoleAssignment, b: RoleAssignment): boolean {
  return a.role === b.role
    && (a.vault ?? '').toLowerCase() === (b.vault ?? '').toLowerCase()
    && (a.subscription ?? '').toLowerCase() === (b.subscription ?? '').toLowerCase();
}
