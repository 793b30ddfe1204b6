// What an orchestrator sees in a vault's secret names: Airflow groups, Union-managed names, ZenML secrets.
// Pure (no vscode): the tree turns these into items, the commands into warnings.
import type { SecretProps } from '../azure/model';
import { airflowIdWarnings, parseAirflowSecretName, type AirflowBackendConfig, type AirflowKind } from './airflow';
import { decodeUnionEnvelope, FLYTE_ROLE_NOTE, parseUnionSecretName, type UnionSecretName } from './flyte';
import { recognizeZenml, zenmlLabel, type ZenmlSecretInfo } from './zenml';

export const AIRFLOW_KINDS: readonly AirflowKind[] = ['connection', 'variable', 'config'];

export const AIRFLOW_GROUP_LABELS: Record<AirflowKind, string> = {
  connection: 'Airflow connections',
  variable: 'Airflow variables',
  config: 'Airflow config',
};

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
      const what = kind.kind === 'connection' ? 'conn id' : kind.kind === 'variable' ? 'variable key' : 'config key';
      const flags = [`airflow${kind.kind[0].toUpperCase()}${kind.kind.slice(1)}`];
      const alt = kind.tail !== kind.id ? ` (or "${kind.tail}": Airflow writes every "_" of an id as the separator)` : '';
      return {
        label: grouped ? kind.id : props.name,
        prefix: grouped ? undefined : `Airflow ${kind.kind} ${kind.id}`,
        tooltip: [`Airflow ${what} "${kind.id}"${alt}`, `Key Vault secret: ${props.name}`, ...kind.warnings.map((w) => `⚠ ${w}`)],
        flags,
        warning: kind.warnings[0],
      };
    }
    case 'union': {
      const u = kind.union;
      return {
        label: `${u.project} / ${u.name}`,
        prefix: 'Union secret',
        tooltip: [`Union secret "${u.name}" of project ${u.project}`, `Organization: ${u.org}`, `Domain: ${u.domain}`,
          `Key Vault secret: ${props.name}`, 'Its value is a JSON envelope {"type": "STRING"|"BINARY", "value": …}; Reveal shows it decoded.',
          FLYTE_ROLE_NOTE],
        flags: ['union'],
      };
    }
    case 'zenml': {
      const z = kind.zenml;
      return {
        label: zenmlTreeLabel(z) ?? props.name,
        prefix: zenmlScope(z),
        tooltip: [zenmlLabel(z), `Key Vault secret: ${props.name}`, ...zenmlTooltip(z),
          'ZenML finds this secret by its name and tags: editing the tags can hide it from ZenML.'],
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
  if (z.format === 'store') return 'ZenML secret';
  if (z.format === 'legacy') return 'ZenML legacy secrets manager';
  const where = z.scope === 'component' ? `component ${z.componentName ?? z.componentUuid ?? ''}`.trim()
    : z.scope === 'namespace' ? `namespace ${z.namespace ?? ''}`.trim() : z.scope ?? 'scoped';
  return `ZenML ${where}`;
}

function zenmlTooltip(z: ZenmlSecretInfo): string[] {
  const lines: string[] = [`Format: ${z.format === 'store' ? 'ZenML secrets store' : z.format === 'scoped' ? 'scoped secrets manager (deprecated)' : 'legacy secrets manager (deprecated)'}`];
  if (z.scope) lines.push(`Scope: ${z.scope}`);
  if (z.componentName || z.componentUuid) lines.push(`Component: ${[z.componentName, z.componentUuid].filter(Boolean).join(' ')}`);
  if (z.namespace) lines.push(`Namespace: ${z.namespace}`);
  if (z.key) lines.push(`Key: ${z.key}`);
  if (z.schema) lines.push(`Schema: ${z.schema}`);
  if (z.deploymentId) lines.push(`ZenML deployment: ${z.deploymentId}`);
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
  if (!env) return { text: value, note: 'Not a Union envelope: shown as stored.' };
  if (env.type === 'STRING') return { text: env.text, note: 'Union envelope (STRING) decoded.' };
  if (env.text !== undefined) return { text: env.text, note: `Union envelope (BINARY, ${env.byteLength} bytes) decoded as UTF-8.` };
  return { text: env.base64, note: `Union envelope (BINARY, ${env.byteLength} bytes, not text): shown as base64.` };
}
