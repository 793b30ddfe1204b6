// The comparison as a read-only Markdown document: names and metadata, never a value or a fingerprint.
// Pure: no vscode. With `hideMetadata` (presentation mode) content types and tag values are left out too.
import type { SecretProps } from '../azure/model';
import type { Comparison, DiffField, DifferentSecret } from './compare';

export interface VaultLabel {
  name: string;
  url: string;
}

export interface RenderOptions {
  scope?: string;
  hideMetadata?: boolean;
  now?: Date;
}

function esc(s: string): string {
  return s.replace(/[\\`*_[\]|<>]/g, (c) => `\\${c}`);
}

const day = (d: Date | undefined) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : 'none');

function tagDiff(a: Record<string, string> | undefined, b: Record<string, string> | undefined): string[] {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...keys].filter((k) => (a ?? {})[k] !== (b ?? {})[k]).sort();
}

function describeField(f: DiffField, d: DifferentSecret, hide: boolean): string {
  switch (f) {
    case 'enabled': return `enabled: ${d.a.enabled ? 'yes' : 'no'} → ${d.b.enabled ? 'yes' : 'no'}`;
    case 'contentType': return hide ? 'content type differs' : `content type: ${esc(d.a.contentType ?? 'none')} → ${esc(d.b.contentType ?? 'none')}`;
    case 'tags': return `tags differ: ${tagDiff(d.a.tags, d.b.tags).map(esc).join(', ')}`;
    case 'expiresOn': return `expiry: ${day(d.a.expiresOn)} → ${day(d.b.expiresOn)}`;
    case 'value': return 'value differs';
  }
}

function brief(s: SecretProps, hide: boolean): string {
  const parts = [s.enabled ? '' : 'disabled', s.managed ? 'certificate' : '', hide ? '' : s.contentType ?? '',
    s.expiresOn ? `expires ${day(s.expiresOn)}` : ''].filter(Boolean);
  return parts.length ? ` — ${parts.map(esc).join(' · ')}` : '';
}

export function renderComparison(c: Comparison, a: VaultLabel, b: VaultLabel, options: RenderOptions = {}): string {
  const hide = !!options.hideMetadata;
  const out: string[] = [];
  out.push(`# ${esc(a.name)} ↔ ${esc(b.name)}`, '');
  out.push(`- **A**: ${esc(a.name)} (${a.url})`, `- **B**: ${esc(b.name)} (${b.url})`);
  if (options.scope) out.push(`- **Scope**: ${esc(options.scope)}`);
  out.push(`- **Values**: ${c.valuesCompared ? 'compared as salted hashes in memory (no value is shown or kept)' : 'not compared (metadata only)'}`);
  out.push(`- **Compared**: ${(options.now ?? new Date()).toISOString().slice(0, 19).replace('T', ' ')} UTC`, '');
  out.push(`| only in A | only in B | different | same |`, `|---:|---:|---:|---:|`,
    `| ${c.onlyInA.length} | ${c.onlyInB.length} | ${c.different.length} | ${c.same.length} |`, '');
  const section = (title: string, lines: string[]) => {
    out.push(`## ${title} (${lines.length})`, '');
    out.push(...(lines.length ? lines : ['_none_']), '');
  };
  section(`Only in A — ${esc(a.name)}`, c.onlyInA.map((s) => `- \`${s.name}\`${brief(s, hide)}`));
  section(`Only in B — ${esc(b.name)}`, c.onlyInB.map((s) => `- \`${s.name}\`${brief(s, hide)}`));
  section('Different', c.different.map((d) =>
    `- \`${d.name}\`${d.nameB ? ` (B: \`${d.nameB}\`)` : ''}: ${d.fields.map((f) => describeField(f, d, hide)).join('; ')}`));
  section('Same', c.same.map((s) => `- \`${s.name}\`${s.nameB ? ` (B: \`${s.nameB}\`)` : ''}`));
  if (c.valueUnread.length) {
    out.push(`Values not read (disabled or not yet active), compared on metadata only: ${c.valueUnread.map((n) => `\`${n}\``).join(', ')}`, '');
  }
  return out.join('\n');
}
