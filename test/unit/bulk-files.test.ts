// Import and export files: .env, JSON and CSV parsing, names (validation, the fix, Airflow backend names), and
// exports that hold values only when asked.
import * as assert from 'node:assert/strict';
import type { SecretProps } from '../../src/azure/model';
import { AIRFLOW_DEFAULTS } from '../../src/integrations/airflow';
import {
  exportCsv, exportJson, fixSecretName, formatFromFileName, ImportFormatError, nameEntries, parseCsvImport, parseDotEnv,
  parseJsonImport,
} from '../../src/bulk/files';

const secret = (name: string, extra: Partial<SecretProps> = {}): SecretProps =>
  ({ name, vaultUrl: 'https://a.vault.azure.net/', id: `https://a.vault.azure.net/secrets/${name}`, enabled: true, managed: false, ...extra });

describe('bulk: import files', () => {
  it('reads .env: export prefixes, comments, quotes, escapes and multi-line values', () => {
    const entries = parseDotEnv([
      '# a comment', 'export PLAIN=abc # trailing comment', "SINGLE='a # b'", 'DOUBLE="line1\\nline2"',
      'MULTI="first', 'second"', 'EMPTY=', '',
    ].join('\n'));
    assert.deepEqual(entries.map((e) => [e.key, e.value, e.line]),
      [['PLAIN', 'abc', 2], ['SINGLE', 'a # b', 3], ['DOUBLE', 'line1\nline2', 4], ['MULTI', 'first\nsecond', 5], ['EMPTY', '', 7]]);
  });

  it('says which .env line is wrong without quoting it', () => {
    assert.throws(() => parseDotEnv('OK=1\nnot a line with s3cr3t'), (e: Error) => e instanceof ImportFormatError && /line 2/.test(e.message) && !e.message.includes('s3cr3t'));
    assert.throws(() => parseDotEnv('X="never closed s3cr3t'), (e: Error) => /line 1.*never closed/.test(e.message) && !e.message.includes('s3cr3t'));
  });

  it('reads JSON {name: value} and the export format', () => {
    assert.deepEqual(parseJsonImport('{"a": "1", "b-c": "2"}').map((e) => [e.key, e.value]), [['a', '1'], ['b-c', '2']]);
    const doc = exportJson('https://v/', [secret('x', { contentType: 'text/plain', tags: { env: 'dev' }, enabled: false })], new Map([['x', 'val']]));
    const [e] = parseJsonImport(doc);
    assert.deepEqual([e!.key, e!.value, e!.contentType, e!.tags, e!.enabled], ['x', 'val', 'text/plain', { env: 'dev' }, false]);
    assert.throws(() => parseJsonImport(exportJson('https://v/', [secret('x')])), /without values cannot be imported/);
    assert.throws(() => parseJsonImport('{"a": "s3cr3t", '), (e: Error) => /not valid JSON/.test(e.message) && !e.message.includes('s3cr3t'));
  });

  it('reads CSV with quoted fields, tags and dates', () => {
    const entries = parseCsvImport('name,value,contentType,tags,enabled,expiresOn\r\n' +
      'one,"a,b ""q""",text/plain,env=dev;team=data,false,2030-01-01T00:00:00Z\r\ntwo,"multi\nline",,,,\r\n');
    assert.deepEqual(entries.map((e) => [e.key, e.value, e.contentType, e.tags, e.enabled, e.expiresOn?.toISOString(), e.line]), [
      ['one', 'a,b "q"', 'text/plain', { env: 'dev', team: 'data' }, false, '2030-01-01T00:00:00.000Z', 2],
      ['two', 'multi\nline', undefined, undefined, undefined, undefined, 3],
    ]);
    assert.throws(() => parseCsvImport('key,secret\nx,y'), /"name" and "value"/);
  });

  it('knows the format from the file name', () => {
    assert.deepEqual(['.env', 'prod.env', '.env.local', 'a.JSON', 'b.csv', 'c.txt'].map(formatFromFileName), ['env', 'env', 'env', 'json', 'csv', undefined]);
  });

  it('validates names and offers the fix (_ → -)', () => {
    assert.equal(fixSecretName('DB_PASSWORD'), 'DB-PASSWORD');
    const [bad, good] = nameEntries([{ key: 'DB_PASSWORD', value: 'x', line: 1 }, { key: 'db-password', value: 'y', line: 2 }]);
    assert.match(bad!.invalid!.problem, /letters, digits and hyphens/);
    assert.equal(bad!.invalid!.fix, 'DB-PASSWORD');
    assert.equal(good!.invalid, undefined);
  });

  it('maps AIRFLOW_CONN_* and AIRFLOW_VAR_* to the backend names under the vault prefixes', () => {
    const entries = [
      { key: 'AIRFLOW_CONN_MY_POSTGRES', value: 'postgres://u:p@h/db', line: 1 },
      { key: 'AIRFLOW_VAR_ALERT_EMAIL', value: 'a@b.c', line: 2 },
      { key: 'OTHER_KEY', value: 'z', line: 3 },
    ];
    const named = nameEntries(entries, AIRFLOW_DEFAULTS);
    assert.deepEqual(named.map((e) => [e.name, e.airflow]), [
      ['airflow-connections-my-postgres', 'connection'], ['airflow-variables-alert-email', 'variable'], ['OTHER_KEY', undefined]]);
    const custom = nameEntries(entries, { ...AIRFLOW_DEFAULTS, connectionsPrefix: 'conns', sep: '-' });
    assert.equal(custom[0]!.name, 'conns-my-postgres');
  });
});

describe('bulk: export', () => {
  const list = [secret('a', { contentType: 'text/plain', tags: { env: 'dev', 'k': 'v,w' }, expiresOn: new Date('2030-01-01T00:00:00Z') }), secret('b', { enabled: false })];

  it('writes metadata only by default', () => {
    const json = JSON.parse(exportJson('https://v/', list, undefined, new Date(0))) as { includesValues: boolean; secrets: Record<string, unknown>[] };
    assert.equal(json.includesValues, false);
    assert.deepEqual(json.secrets[0], { name: 'a', enabled: true, contentType: 'text/plain', tags: { env: 'dev', k: 'v,w' }, expiresOn: '2030-01-01T00:00:00.000Z' });
    assert.ok(json.secrets.every((s) => !('value' in s)));
    const csv = exportCsv(list);
    assert.equal(csv.split('\r\n')[0], 'name,enabled,contentType,tags,notBefore,expiresOn,createdOn,updatedOn,managed');
    assert.equal(csv.split('\r\n')[1], 'a,true,text/plain,"env=dev;k=v,w",,2030-01-01T00:00:00.000Z,,,false');
  });

  it('round-trips values through CSV when they were asked for', () => {
    const values = new Map([['a', 'va,"lue'], ['b', ' spaced ']]);
    const back = parseCsvImport(exportCsv(list, values));
    assert.deepEqual(back.map((e) => [e.key, e.value, e.enabled]), [['a', 'va,"lue', true], ['b', ' spaced ', false]]);
  });
});
