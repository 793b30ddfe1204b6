// The read-only view of an Airflow connection: its fields as Airflow parses them, the password masked until
// the user asks for it. Pure text; the UI shows it in a virtual document.
import type { ParsedConnection } from './airflow';

export interface ConnectionViewMeta {
  connId: string;
  secretName: string;
  vaultName: string;
  version?: string;
}

export const MASK = '••••••••';

export function formatConnectionView(parsed: ParsedConnection, meta: ConnectionViewMeta, showPassword: boolean): string {
  const lines = [
    `# Airflow connection "${meta.connId}" (${parsed.form === 'json' ? 'JSON' : 'URI'} form)`,
    `# Key Vault secret ${meta.secretName} in ${meta.vaultName}`,
    `# ${meta.version ? `Version ${meta.version}` : 'Latest version'}`,
  ];
  if (!parsed.ok) {
    lines.push(`# ⚠ Airflow would not parse this value: ${parsed.error}`,
      '# Reveal Secret Value shows it as stored; New Airflow Connection… writes a valid one.');
    return lines.join('\n') + '\n';
  }
  for (const w of parsed.warnings) lines.push(`# ⚠ ${w}`);
  const c = parsed.connection;
  const extra = c.extra === undefined ? '' : typeof c.extra === 'string' ? c.extra : JSON.stringify(c.extra);
  const password = c.password === undefined || c.password === '' ? ''
    : showPassword ? c.password : `${MASK} (hidden)`;
  if (password && !showPassword) lines.push('# Show Connection Password (editor title) shows the password.');
  const fields: [string, string][] = [
    ['conn_type', c.connType], ['description', c.description ?? ''], ['host', c.host ?? ''], ['login', c.login ?? ''],
    ['password', password], ['port', c.port === undefined ? '' : String(c.port)], ['schema', c.schema ?? ''], ['extra', extra],
  ];
  for (const [k, v] of fields) lines.push(`${k.padEnd(12)}${v}`.trimEnd());
  return lines.join('\n') + '\n';
}
