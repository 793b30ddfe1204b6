// What an orchestrator sees in a vault's secret names: Airflow groups, Union-managed names, ZenML secrets.
// Pure (no vscode): the tree turns these into items, the commands into warnings.
import * as l10n from '@vscode/l10n';
import type { SecretProps } from '../azure/model';
import { airflowIdWarnings, parseAirflowSecretName, type AirflowBackendConfig, type AirflowKind } from './airflow';
import { decodeUnionEnvelope, flyteRoleNote, parseUnionSecretName, type UnionSecretName } from './flyte';
import { recognizeZenml, zenmlLabel, type ZenmlSecretInfo } from './zenml';

export const AIRFLOW_KINDS: readonly AirflowKind[] = ['connection', 'variable', 'config'];

/** Localised when read (not when the module loads, before the extension has configured l10n). */
export const AIRFLOW_GROUP_LABELS: Readonly<Record<AirflowKind, string>> = {
  get connection() { return l10n.t('Airflow connections'); },
  get variable() { return l10n.t('Airflow variables'); },
  get config() { return l10n.t('Airflow config'); },
};

/** The first tooltip line of an Airflow secret: its id, and the id as written in the name when that differs. */
function airflowIdLine(kind: AirflowKind, id: string, tail: string): string {
  const same = tail === id;
  switch (kind) {
    case 'connection': return same ? l10n.t('Airflow conn id "{0}"', id)
      : l10n.t('Airflow conn id "{0}" (or "{1}": Airflow writes every "_" of an id as the separator)', id, tail);
    case 'variable': return same ? l10n.t('Airflow variable key "{0}"', id)
      : l10n.t('Airflow variable key "{0}" (or "{1}": Airflow writes every "_" of an id as the separator)', id, tail);
    case 'config': return same ? l10n.t('Airflow config key "{0}"', id)
      : l10n.t('Airflow config key "{0}" (or "{1}": Airflow writes every "_" of an id as the separator)', id, tail);
  }
}

function airflowPrefix(kind: AirflowKind, id: string): string {
  switch (kind) {
    case 'connection': return l10n.t('Airflow connection {0}', id);
    case 'variable': return l10n.t('Airflow variable {0}', id);
    case 'config': return l10n.t('Airflow config {0}', id);
  }
}

/** The orchestrator reading of one secret name (and its tags, for ZenML). */
export type SecretKind =
  | { orchestrator: 'airflow'; kind: AirflowKind; id: string; tail: string; warnings: string[] }
  | { orchestrator: 'union'; union: UnionSecretName }
  | { orchestrator: 'zenml'; zenml: ZenmlSecretInfo };

export function secretKind(props: Pick<SecretProps, 'name' | 'tags'>, airflow: AirflowBackendConfig | undefined): SecretKind | undefined {
  // Union and ZenML names are unambiguous; Airflow's can be any name (an empty prefix claims every name), so last
  const union = parseUnionSecretName(props.name);
  if (union) return { orchestrator: 'union', union };
  const zenml = recognizeZenml(props.name, props.tags);
  if (zenml) return { orchestrator: 'zenml', zenml };
  const af = airflow && parseAirflowSecretName(props.name, airflow);
  return af ? { orchestrator: 'airflow', ...af, warnings: airflowIdWarnings(af.kind, af.id, airflow) } : undefined;
}

/** How a secret reads in the tree: a label in the orchestrator's terms, context flags, tooltip lines. */
export interface SecretDisplay {
  label: string;
  /** Put before the usual description (content type, expiry, tags). */
  prefix?: string;
  tooltip: string[];
  flags: string[];
  /** Airflow would not find it as expected: shown with a warning icon. */
  warning?: string;
}

export function secretDisplay(props: Pick<SecretProps, 'name' | 'tags'>, kind: SecretKind | undefined, grouped: boolean): SecretDisplay {
  if (!kind) return { label: props.name, tooltip: [], flags: [] };
  switch (kind.orchestrator) {
    case 'airflow': {
      const flags = [`airflow${kind.kind[0].toUpperCase()}${kind.kind.slice(1)}`];
      return {
        label: grouped ? kind.id : props.name,
        prefix: grouped ? undefined : airflowPrefix(kind.kind, kind.id),
        tooltip: [airflowIdLine(kind.kind, kind.id, kind.tail), l10n.t('Key Vault secret: {0}', props.name), ...kind.warnings.map((w) => `⚠ ${w}`)],
        flags,
        warning: kind.warnings[0],
      };
    }
    case 'union': {
      const u = kind.union;
      return {
        label: `${u.project} / ${u.name}`,
        prefix: l10n.t('Union secret'),
        tooltip: [l10n.t('Union secret "{0}" of project {1}', u.name, u.project), l10n.t('Organization: {0}', u.org), l10n.t('Domain: {0}', u.domain),
          l10n.t('Key Vault secret: {0}', props.name), l10n.t('Its value is a JSON envelope {"type": "STRING"|"BINARY", "value": …}; Reveal shows it decoded.'),
          flyteRoleNote()],
        flags: ['union'],
      };
    }
    case 'zenml': {
      const z = kind.zenml;
      return {
        label: zenmlTreeLabel(z) ?? props.name,
        prefix: zenmlScope(z),
        tooltip: [zenmlLabel(z), l10n.t('Key Vault secret: {0}', props.name), ...zenmlTooltip(z),
          l10n.t('ZenML finds this secret by its name and tags: editing the tags can hide it from ZenML.')],
        flags: ['zenml'],
      };
    }
  }
}

/** The ZenML name a user knows it by: the secret name, or secret/key for the legacy one-key-per-secret format. */
function zenmlTreeLabel(z: ZenmlSecretInfo): string | undefined {
  if (z.format === 'legacy' && z.secretName !== undefined && z.key !== undefined) return `${z.secretName}/${z.key}`;
  return z.secretName ?? z.rawName;
}

/** Where the secret lives in ZenML, beside its label: "ZenML secret", "ZenML component acr-registry", … */
function zenmlScope(z: ZenmlSecretInfo): string {
  if (z.format === 'store') return l10n.t('ZenML secret');
  if (z.format === 'legacy') return l10n.t('ZenML legacy secrets manager');
  if (z.scope === 'component') {
    const c = z.componentName ?? z.componentUuid ?? '';
    return c ? l10n.t('ZenML component {0}', c) : l10n.t('ZenML component');
  }
  if (z.scope === 'namespace') return z.namespace ? l10n.t('ZenML namespace {0}', z.namespace) : l10n.t('ZenML namespace');
  return z.scope ? l10n.t('ZenML {0}', z.scope) : l10n.t('ZenML scoped');
}

function zenmlTooltip(z: ZenmlSecretInfo): string[] {
  const lines: string[] = [z.format === 'store' ? l10n.t('Format: ZenML secrets store')
    : z.format === 'scoped' ? l10n.t('Format: scoped secrets manager (deprecated)') : l10n.t('Format: legacy secrets manager (deprecated)')];
  if (z.scope) lines.push(l10n.t('Scope: {0}', z.scope));
  if (z.componentName || z.componentUuid) lines.push(l10n.t('Component: {0}', [z.componentName, z.componentUuid].filter(Boolean).join(' ')));
  if (z.namespace) lines.push(l10n.t('Namespace: {0}', z.namespace));
  if (z.key) lines.push(l10n.t('Key: {0}', z.key));
  if (z.schema) lines.push(l10n.t('Schema: {0}', z.schema));
  if (z.deploymentId) lines.push(l10n.t('ZenML deployment: {0}', z.deploymentId));
  return lines;
}

export interface AirflowMember<T> {
  id: string;
  item: T;
}

export interface AirflowGrouping<T> {
  groups: Map<AirflowKind, AirflowMember<T>[]>;
  others: T[];
}

/** Splits a listing into Airflow groups (members sorted by id) and everything else (in listing order). */
export function groupForAirflow<T extends Pick<SecretProps, 'name' | 'tags'>>(items: readonly T[], config: AirflowBackendConfig): AirflowGrouping<T> {
  const groups = new Map<AirflowKind, AirflowMember<T>[]>();
  const others: T[] = [];
  for (const item of items) {
    const k = secretKind(item, config);
    if (k?.orchestrator !== 'airflow') {
      others.push(item);
      continue;
    }
    const list = groups.get(k.kind) ?? [];
    list.push({ id: k.id, item });
    groups.set(k.kind, list);
  }
  for (const list of groups.values()) list.sort((a, b) => a.id.localeCompare(b.id));
  return { groups, others };
}

/**
 * What Reveal shows for a value: a Union-managed secret's envelope decoded (the text the task reads), else the
 * value as stored. `note` says what was done.
 */
export function revealText(name: string, value: string): { text: string; note?: string } {
  if (!parseUnionSecretName(name)) return { text: value };
  const env = decodeUnionEnvelope(value);
  if (!env) return { text: value, note: l10n.t('Not a Union envelope: shown as stored.') };
  if (env.type === 'STRING') return { text: env.text, note: l10n.t('Union envelope (STRING) decoded.') };
  if (env.text !== undefined) return { text: env.text, note: l10n.t('Union envelope (BINARY, {0} bytes) decoded as UTF-8.', env.byteLength) };
  return { text: env.base64, note: l10n.t('Union envelope (BINARY, {0} bytes, not text): shown as base64.', env.byteLength) };
}
