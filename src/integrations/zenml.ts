// ZenML's three ways of keeping secrets in Azure Key Vault. Pure (no vscode).
//
// store  — the current Azure secrets store (zenml-io/zenml src/zenml/zen_stores/secrets_stores/azure_secrets_store.py,
//          base_secrets_store.py): Key Vault name zenml-<secret uuid>, value json.dumps({key: value}),
//          content type application/json, tags zenml=<deployment id> and zenml_secret_id=<uuid>. get_secret_values
//          reads by the computed name and _verify_secret_metadata raises KeyError ("not found") unless tag zenml
//          equals the server's id and zenml_secret_id equals the id. Releases before the secrets-in-database
//          migration (7b651bf6822e, Dec 2023, between the 0.53.1 and 0.54.0 migrations) also kept zenml_secret_name,
//          zenml_secret_scope, zenml_secret_workspace, zenml_secret_user, zenml_secret_created and
//          zenml_secret_updated in tags and skipped secrets lacking any of them.
// scoped — the deprecated Azure secrets manager with a scope (integrations/azure/secrets_managers/
//          azure_secrets_manager.py, secrets_managers/base_secrets_manager.py): name
//          "-".join(["zenml", scope, <component uuid> | <namespace> | nothing, name]); value JSON of all keys plus
//          "zenml_schema_name"; tags zenml_scope, zenml_secret_name, zenml_namespace (namespace scope),
//          zenml_component_uuid, zenml_component_name, zenml_secret_schema. get_secret reads by the computed name and
//          treats the secret as missing unless the scope tags (zenml_scope, zenml_secret_name, plus
//          zenml_component_uuid or zenml_namespace for those scopes) are all present with the expected values.
// legacy — the same manager with scope "none": one Key Vault secret per key, raw value, name
//          zenml-<hex(base64("<secret>-<key>"))>, tags zenml-group-key, zenml-key-name, zenml-schema-name; ZenML
//          finds the keys by listing tags, not by name. The first release named them "<secret>-<key>" with only
//          zenml-group-key and zenml-schema-name, and took the key from the name.
import * as l10n from '@vscode/l10n';

export type ZenmlFormat = 'legacy' | 'scoped' | 'store';

export interface ZenmlSecretInfo {
  format: ZenmlFormat;
  /** The ZenML secret name when known (store: tag zenml_secret_name if present; scoped: tag or name; legacy: group key). */
  secretName?: string;
  /** legacy: the one key this Key Vault secret holds. */
  key?: string;
  scope?: 'global' | 'component' | 'namespace' | string;
  componentUuid?: string;
  componentName?: string;
  namespace?: string;
  /** store: tag zenml (the ZenML deployment id). */
  deploymentId?: string;
  /** store: tag zenml_secret_id, or the uuid in the name. */
  secretId?: string;
  schema?: string;
  /** Decoded name text that cannot be split without tags: legacy "<secret>-<key>", namespace "<namespace>-<name>". */
  rawName?: string;
  /** Why ZenML would not find this secret as it stands (missing tags, name that does not match the tags). */
  issues?: string[];
}

export const ZENML_STORE_TAGS = ['zenml', 'zenml_secret_id'] as const;
/** Store tags that ZenML releases before the secrets-in-database migration also required. */
export const ZENML_OLD_STORE_TAGS = ['zenml_secret_name', 'zenml_secret_scope', 'zenml_secret_workspace', 'zenml_secret_user',
  'zenml_secret_created', 'zenml_secret_updated'] as const;
const LEGACY_GROUP = 'zenml-group-key';
const LEGACY_KEY = 'zenml-key-name';
const LEGACY_SCHEMA = 'zenml-schema-name';
const SCHEMA_KEY = 'zenml_schema_name';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const STORE_NAME = new RegExp(`^zenml-(${UUID})$`, 'i');
const SCOPED_NAME = /^zenml-(global|component|namespace)-(.+)$/i;
const COMPONENT_REST = new RegExp(`^(${UUID})-(.+)$`);
const LEGACY_HEX_NAME = /^zenml-((?:[0-9a-fA-F]{2})+)$/;

/** Decodes zenml-<hex(base64(text))> to text; undefined unless every step is canonical and the text is UTF-8. */
export function decodeLegacyZenmlName(name: string): string | undefined {
  const m = LEGACY_HEX_NAME.exec(name);
  if (!m) return undefined;
  const b64 = Buffer.from(m[1]!, 'hex').toString('latin1');
  if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.toString('base64') !== b64) return undefined;
  try { return new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { return undefined; }
}

/** The Key Vault name the hex-named legacy manager uses for one key: zenml-<hex(base64("<secret>-<key>"))>. */
export function legacyZenmlName(secretName: string, key: string): string {
  return `zenml-${Buffer.from(Buffer.from(`${secretName}-${key}`, 'utf8').toString('base64'), 'latin1').toString('hex')}`;
}

/** The Key Vault name ZenML reads this secret under, when the info says enough to know it. */
export function zenmlExpectedName(info: ZenmlSecretInfo): string | undefined {
  switch (info.format) {
    case 'store':
      return info.secretId ? `zenml-${info.secretId}` : undefined;
    case 'scoped': {
      if (!info.scope || !info.secretName) return undefined;
      const middle = info.scope === 'component' ? info.componentUuid : info.scope === 'namespace' ? info.namespace : '';
      if (middle === undefined) return undefined;
      return ['zenml', info.scope, ...(middle ? [middle] : []), info.secretName].join('-');
    }
    case 'legacy':
      return info.secretName !== undefined && info.key !== undefined ? legacyZenmlName(info.secretName, info.key) : undefined;
  }
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase(); // Key Vault names are case-insensitive
}

/** Drops properties that are undefined (so results compare and print cleanly) and adds the issues, if any. */
function withIssues(info: ZenmlSecretInfo, issues: string[]): ZenmlSecretInfo {
  const out = Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as unknown as ZenmlSecretInfo;
  if (issues.length) out.issues = issues;
  return out;
}

function splitOnce(text: string): [string, string] | undefined {
  const parts = text.split('-');
  return parts.length === 2 && parts[0] && parts[1] ? [parts[0], parts[1]] : undefined;
}

function legacyInfo(name: string, tags: Record<string, string>): ZenmlSecretInfo {
  const decoded = decodeLegacyZenmlName(name);
  const group = tags[LEGACY_GROUP];
  let key = tags[LEGACY_KEY];
  const issues: string[] = [];
  if (group === undefined) {
    issues.push(l10n.t('ZenML finds legacy keys by the tag {0}; without it ZenML does not see this key.', LEGACY_GROUP));
  }
  if (key === undefined && group !== undefined) {
    if (decoded !== undefined) {
      issues.push(l10n.t('The tag {0} is missing: ZenML fails to read the secret ("Missing secret key tag.").', LEGACY_KEY));
    } else if (name.startsWith(`${group}-`)) {
      key = name.slice(group.length + 1); // first release: the key is the rest of the name
    }
  }
  const info: ZenmlSecretInfo = { format: 'legacy', secretName: group, key, schema: tags[LEGACY_SCHEMA] };
  if (decoded !== undefined) {
    if (group !== undefined && key !== undefined && decoded !== `${group}-${key}`) {
      issues.push(l10n.t('The name encodes "{0}" but the tags say {1}/{2}: ZenML writes updates to {3}.', decoded, group, key, legacyZenmlName(group, key)));
    }
    if (group === undefined || key === undefined) info.rawName = decoded;
  }
  return withIssues(info, issues);
}

function scopedInfo(name: string, tags: Record<string, string>): ZenmlSecretInfo {
  const info: ZenmlSecretInfo = {
    format: 'scoped', scope: tags.zenml_scope, secretName: tags.zenml_secret_name, componentUuid: tags.zenml_component_uuid,
    componentName: tags.zenml_component_name, namespace: tags.zenml_namespace, schema: tags.zenml_secret_schema,
  };
  const issues: string[] = [];
  if (info.secretName === undefined) issues.push(l10n.t('The tag zenml_secret_name is missing: ZenML does not find this secret.'));
  if (info.scope === 'component' && info.componentUuid === undefined) {
    issues.push(l10n.t('The tag zenml_component_uuid is missing: ZenML does not find this component-scoped secret.'));
  }
  if (info.scope === 'namespace' && info.namespace === undefined) {
    issues.push(l10n.t('The tag zenml_namespace is missing: ZenML does not find this namespace-scoped secret.'));
  }
  const expected = zenmlExpectedName(info);
  if (expected && !sameName(expected, name)) {
    issues.push(l10n.t('ZenML reads this secret under the name {0}, so it does not find it under this name.', expected));
  }
  return withIssues(info, issues);
}

function storeInfo(name: string, tags: Record<string, string>): ZenmlSecretInfo {
  const nameId = STORE_NAME.exec(name)?.[1];
  const info: ZenmlSecretInfo = {
    format: 'store', deploymentId: tags.zenml, secretId: tags.zenml_secret_id ?? nameId,
    secretName: tags.zenml_secret_name, scope: tags.zenml_secret_scope,
  };
  const issues: string[] = [];
  if (tags.zenml === undefined) issues.push(l10n.t('The tag zenml (the ZenML deployment id) is missing: ZenML treats this secret as not found.'));
  if (tags.zenml_secret_id === undefined) issues.push(l10n.t('The tag zenml_secret_id is missing: ZenML treats this secret as not found.'));
  else if (!nameId || !sameName(nameId, tags.zenml_secret_id)) {
    issues.push(l10n.t('ZenML reads the secret with id {0} under the name zenml-{0}, so it does not find it under this name.', tags.zenml_secret_id));
  }
  return withIssues(info, issues);
}

/**
 * Recognises a ZenML-owned Key Vault secret by name and tags (tags may be undefined when not known). Also decodes the
 * legacy name zenml-<hex(base64("<secret>-<key>"))> when the tags are missing.
 */
export function recognizeZenml(name: string, tags: Record<string, string> | undefined): ZenmlSecretInfo | undefined {
  const t = tags ?? {};
  if (LEGACY_GROUP in t || LEGACY_KEY in t) return legacyInfo(name, t);
  if ('zenml_scope' in t) return scopedInfo(name, t);
  if ('zenml' in t || 'zenml_secret_id' in t) return storeInfo(name, t);

  // By name only. When tags are known (but lack ZenML's), ZenML itself would not find the secret.
  const tagsKnown = tags !== undefined;
  const storeId = STORE_NAME.exec(name)?.[1];
  if (storeId) {
    return withIssues({ format: 'store', secretId: storeId },
      tagsKnown ? [l10n.t('The tags zenml and zenml_secret_id are missing: ZenML treats this secret as not found.')] : []);
  }
  const scoped = SCOPED_NAME.exec(name);
  if (scoped) {
    const scope = scoped[1]!.toLowerCase();
    const rest = scoped[2]!;
    const info: ZenmlSecretInfo = { format: 'scoped', scope };
    if (scope === 'global') {
      info.secretName = rest;
    } else if (scope === 'component') {
      const m = COMPONENT_REST.exec(rest);
      if (m) { info.componentUuid = m[1]; info.secretName = m[2]; } else info.rawName = rest;
    } else {
      const split = splitOnce(rest);
      if (split) [info.namespace, info.secretName] = split; else info.rawName = rest;
    }
    return withIssues(info, tagsKnown ? [l10n.t('The tags zenml_scope and zenml_secret_name are missing: ZenML does not find this secret.')] : []);
  }
  const decoded = decodeLegacyZenmlName(name);
  if (decoded !== undefined && decoded.includes('-')) {
    // "<secret>-<key>": either part may contain "-", so split only when there is exactly one.
    const split = splitOnce(decoded);
    const info: ZenmlSecretInfo = split ? { format: 'legacy', secretName: split[0], key: split[1] } : { format: 'legacy', rawName: decoded };
    return withIssues(info, tagsKnown ? [l10n.t('The tags {0} and {1} are missing: ZenML does not see this key.', LEGACY_GROUP, LEGACY_KEY)] : []);
  }
  return undefined;
}

/**
 * Keys of a ZenML secret value (a JSON object), never values: scoped without "zenml_schema_name"; store as stored (an
 * empty value reads as no keys, as in ZenML); legacy: [info.key] (the value is the raw key value). Undefined when the
 * value is not a JSON object.
 */
export function zenmlKeys(info: ZenmlSecretInfo, value: string): string[] | undefined {
  if (info.format === 'legacy') return info.key !== undefined ? [info.key] : [];
  if (info.format === 'store' && value === '') return [];
  let parsed: unknown;
  try { parsed = JSON.parse(value); } catch { return undefined; }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const keys = Object.keys(parsed);
  return info.format === 'scoped' ? keys.filter((k) => k !== SCHEMA_KEY) : keys;
}

interface TagRule { tag: string; effect: string }

function tagRules(info: ZenmlSecretInfo): TagRule[] {
  switch (info.format) {
    case 'store':
      return [
        { tag: 'zenml', effect: l10n.t('ZenML only reads secrets whose tag zenml is its deployment id and otherwise treats the secret as not found') },
        { tag: 'zenml_secret_id', effect: l10n.t('ZenML checks that the tag zenml_secret_id is the secret\'s id and otherwise treats the secret as not found') },
        ...ZENML_OLD_STORE_TAGS.map((tag) => ({
          tag, effect: l10n.t('ZenML servers older than the secrets-in-database migration (0.54) require the tag {0} and skip the secret without it', tag),
        })),
      ];
    case 'scoped':
      return [
        { tag: 'zenml_scope', effect: l10n.t('ZenML only finds a scoped secret whose tag zenml_scope matches its scope and otherwise treats it as not found') },
        { tag: 'zenml_secret_name', effect: l10n.t('ZenML only finds a scoped secret whose tag zenml_secret_name is its name and otherwise treats it as not found') },
        ...(info.scope === 'component' ? [{ tag: 'zenml_component_uuid', effect: l10n.t('ZenML only finds a component-scoped secret whose tag zenml_component_uuid is the component\'s id and otherwise treats it as not found') }] : []),
        ...(info.scope === 'namespace' ? [{ tag: 'zenml_namespace', effect: l10n.t('ZenML only finds a namespace-scoped secret whose tag zenml_namespace is its namespace and otherwise treats it as not found') }] : []),
      ];
    case 'legacy':
      return [
        { tag: LEGACY_GROUP, effect: l10n.t('ZenML finds the keys of a legacy secret by the tag {0}; this key would drop out of the ZenML secret (which is not found if this was its only key)', LEGACY_GROUP) },
        { tag: LEGACY_KEY, effect: l10n.t('ZenML takes the key name from the tag {0}; without it reading the secret fails ("Missing secret key tag."), and a changed value renames the key', LEGACY_KEY) },
        { tag: LEGACY_SCHEMA, effect: l10n.t('ZenML picks the secret schema from the tag {0}', LEGACY_SCHEMA) },
      ];
  }
}

/**
 * A warning when replacing `oldTags` by `newTags` would make ZenML stop finding (or misread) this secret, naming the
 * tag and what ZenML does; undefined otherwise. Tag values are never quoted.
 */
export function zenmlTagEditWarning(info: ZenmlSecretInfo, oldTags: Record<string, string> | undefined,
  newTags: Record<string, string> | undefined): string | undefined {
  const before = oldTags ?? {};
  const after = newTags ?? {};
  const hits: string[] = [];
  for (const { tag, effect } of tagRules(info)) {
    if (!(tag in before)) continue; // already absent: this edit changes nothing about it
    if (!(tag in after)) hits.push(l10n.t('Removing the tag {0}: {1}.', tag, effect));
    else if (after[tag] !== before[tag]) hits.push(l10n.t('Changing the tag {0}: {1}.', tag, effect));
  }
  return hits.length ? hits.join(' ') : undefined;
}

/** A warning when this secret would be written under another Key Vault name (rename, copy to a new name), else undefined. */
export function zenmlRenameWarning(info: ZenmlSecretInfo, newName: string): string | undefined {
  const expected = zenmlExpectedName(info);
  if (expected && sameName(expected, newName)) return undefined;
  switch (info.format) {
    case 'store':
      return l10n.t('ZenML reads this secret only under the name {0} (from tag zenml_secret_id); under "{1}" ZenML treats it as not found.',
        expected ?? 'zenml-<secret id>', newName);
    case 'scoped':
      return l10n.t('ZenML reads a scoped secret only under the name {0}; under "{1}" ZenML treats it as not found.',
        expected ?? 'zenml-<scope>-[<component id or namespace>-]<name>', newName);
    case 'legacy':
      return l10n.t('ZenML finds legacy keys by their tags ({0}, {1}), not by name, but writes updates to {2}: a copy under "{3}" that keeps the tags is read as the same key, so while both exist ZenML sees two values for it.',
        LEGACY_GROUP, LEGACY_KEY, expected ?? 'zenml-<hex of base64("<secret>-<key>")>', newName);
  }
}

/** One-line description for the tree, e.g. "ZenML secret mlflow_tracking", "ZenML (component acr-registry) registry-creds". */
export function zenmlLabel(info: ZenmlSecretInfo): string {
  switch (info.format) {
    case 'store': {
      const id = info.secretName ?? info.secretId;
      return id !== undefined ? l10n.t('ZenML secret {0}', id) : l10n.t('ZenML secret (unknown id)');
    }
    case 'scoped': {
      const name = info.secretName ?? info.rawName ?? '?';
      if (info.scope === 'component') return l10n.t('ZenML (component {0}) {1}', info.componentName ?? info.componentUuid ?? '?', name);
      if (info.scope === 'namespace' && info.namespace) return l10n.t('ZenML (namespace {0}) {1}', info.namespace, name);
      return info.scope !== undefined ? l10n.t('ZenML ({0}) {1}', info.scope, name) : l10n.t('ZenML (scoped) {0}', name);
    }
    case 'legacy':
      return l10n.t('ZenML legacy {0}', info.secretName !== undefined && info.key !== undefined ? `${info.secretName}/${info.key}`
        : info.secretName ?? info.rawName ?? '?');
  }
}
