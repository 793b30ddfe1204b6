// Flyte / Union tasks that read Key Vault secrets through Flyte's Azure secret webhook (see src/integrations/flyte.ts):
//   @task(secret_requests=[Secret(group="https://<vault>/secrets/<name>", group_version="<v>")])
//   current_context().secrets.get("<name>", group_version="<v>")
// Secret(group, key=None, group_version=None, …) and SecretsManager.get(group=None, key=None, group_version=None, …)
// take group first. The webhook writes /etc/flyte/secrets/<name>[/<version>] and flytekit reads
// <dir>/<group>[/<group_version>][/<key>], both lower-cased, so a read is a reference only when the file requests
// that name with the same version and the read passes no key. Pure (no vscode).
import { parseSecretId, validateSecretName } from '../azure/names';
import { callArgs, findArg, isNothing, stringArg, type Arg } from './calls';
import type { Token } from './lexer';
import type { SecretReference } from './model';

const VERSION = /^[0-9A-Za-z-]+$/;

interface Request { name: string; vaultUrl: string; version?: string; anyVersion: boolean }

/** The literal version, undefined when absent/None; `unknown` when given but not a literal we can read. */
function versionOf(toks: readonly Token[], arg: Arg | undefined): string | undefined | 'unknown' {
  if (isNothing(toks, arg)) return undefined;
  const lit = stringArg(toks, arg);
  if (!lit) return 'unknown';
  const v = lit.str!.text.value.trim();
  return VERSION.test(v) ? v : 'unknown';
}

export function flyteReferences(toks: readonly Token[]): SecretReference[] {
  const out: SecretReference[] = [];
  const requests: Request[] = [];
  // Secret(...) requests
  for (let k = 0; k < toks.length - 1; k++) {
    const t = toks[k]!;
    if (t.type !== 'ident' || t.text !== 'Secret' || toks[k + 1]!.text !== '(') continue;
    if (['def', 'class'].includes(toks[k - 1]?.text ?? '')) continue;
    const { args } = callArgs(toks, k + 1, 'python');
    const group = stringArg(toks, findArg(args, 0, 'group'));
    if (!group) continue;
    const uri = group.str!.text.value.trim().replace(/\/+$/, '');
    let id;
    try { id = parseSecretId(uri); } catch { continue; }
    // the webhook takes a versionless /secrets/<name> URI (a version there would become the file name)
    if (id.version !== undefined || !/^https:\/\/[^/]+\/secrets\//i.test(uri)) continue;
    const version = versionOf(toks, findArg(args, 2, 'group_version'));
    const known = version === 'unknown' ? undefined : version;
    requests.push({ name: id.name, vaultUrl: id.vaultUrl, version: known, anyVersion: version === 'unknown' });
    out.push({
      kind: 'flyte', start: group.str!.contentStart, end: group.str!.contentEnd, secretName: id.name, vaultUrl: id.vaultUrl,
      ...(known ? { version: known } : {}),
    });
  }
  // <…>.secrets.get(...) reads of a requested secret
  for (let k = 3; k < toks.length - 1; k++) {
    const t = toks[k]!;
    if (t.type !== 'ident' || t.text !== 'get' || toks[k + 1]!.text !== '(' || toks[k - 1]!.text !== '.') continue;
    if (toks[k - 2]!.text !== 'secrets' || toks[k - 3]!.text !== '.') continue;
    const { args } = callArgs(toks, k + 1, 'python');
    const group = stringArg(toks, findArg(args, 0, 'group'));
    if (!group || !isNothing(toks, findArg(args, 1, 'key'))) continue;
    const name = group.str!.text.value;
    if (validateSecretName(name)) continue;
    const version = versionOf(toks, findArg(args, 2, 'group_version'));
    const matches = requests.filter((r) => r.name.toLowerCase() === name.toLowerCase() &&
      (r.anyVersion || version === 'unknown' || (r.version ?? '').toLowerCase() === (version ?? '').toLowerCase()));
    if (matches.length === 0) continue;
    const vaults = new Set(matches.map((r) => r.vaultUrl));
    out.push({
      kind: 'flyte', start: group.str!.contentStart, end: group.str!.contentEnd, secretName: name,
      ...(version && version !== 'unknown' ? { version } : {}),
      ...(vaults.size === 1 ? { vaultUrl: [...vaults][0]! } : {}),
    });
  }
  return out.sort((a, b) => a.start - b.start);
}
