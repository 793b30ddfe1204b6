import * as assert from 'node:assert/strict';
import {
  AIRFLOW_BACKEND_CLASS, AIRFLOW_DEFAULTS, airflowCodeSnippet, airflowIdWarnings, airflowSecretName, backendConfigSnippets,
  connectionToJson, connectionToUri, findAirflowCollisions, findAirflowIdCollisions, parseAirflowSecretName, parseBackendKwargs,
  parseConnectionValue, pyFloatRepr, pyJsonDumps, pyJsonLoads, pyQuote, validateAirflowId,
  type AirflowBackendConfig, type AirflowConnection, type ParsedConnection,
} from '../../src/integrations/airflow';

const D = AIRFLOW_DEFAULTS;
const cfg = (over: Partial<AirflowBackendConfig>): AirflowBackendConfig => ({ ...D, ...over });

function okConn(p: ParsedConnection): AirflowConnection {
  assert.ok(p.ok, p.ok ? '' : `expected ok, got error: ${p.error}`);
  return p.connection;
}

function errorOf(p: ParsedConnection): string {
  assert.ok(!p.ok, 'expected an error');
  return p.error;
}

const SMTP_URI = 'smtp://alerts%40corp.com:p%40ss%2Fw%20rd@smtp.corp.com:587/?timeout=30';
const PG_JSON = '{"conn_type":"postgres","host":"pg.corp","login":"etl","password":"s3cr3t","port":5432,"schema":"dw","extra":{"sslmode":"require"}}';

describe('integrations/airflow: secret names', () => {
  it('has the backend defaults', () => {
    assert.deepEqual({ ...AIRFLOW_DEFAULTS }, {
      connectionsPrefix: 'airflow-connections', variablesPrefix: 'airflow-variables', configPrefix: 'airflow-config', sep: '-',
    });
  });

  it('builds the worked examples of the conventions', () => {
    assert.equal(airflowSecretName('connection', 'smtp_default', D), 'airflow-connections-smtp-default');
    assert.equal(airflowSecretName('connection', 'warehouse_pg', cfg({ connectionsPrefix: 'af-conn' })), 'af-conn-warehouse-pg');
    assert.equal(airflowSecretName('variable', 'hello_world', D), 'airflow-variables-hello-world');
    assert.equal(airflowSecretName('config', 'sql_alchemy_conn', D), 'airflow-config-sql-alchemy-conn');
  });

  it('adds no separator for an empty prefix', () => {
    const c = cfg({ connectionsPrefix: '', variablesPrefix: '' });
    assert.equal(airflowSecretName('connection', 'smtp_default', c), 'smtp-default');
    assert.equal(airflowSecretName('variable', 'x', c), 'x');
  });

  it('returns undefined for a kind whose prefix is null', () => {
    const c = cfg({ variablesPrefix: null, configPrefix: null });
    assert.equal(airflowSecretName('variable', 'hello_world', c), undefined);
    assert.equal(airflowSecretName('config', 'k', c), undefined);
    assert.equal(airflowSecretName('connection', 'k', c), 'airflow-connections-k');
  });

  it('strips every trailing separator character from a prefix (rstrip), but not from the id', () => {
    assert.equal(airflowSecretName('connection', 'a', cfg({ connectionsPrefix: 'airflow-connections-' })), 'airflow-connections-a');
    assert.equal(airflowSecretName('connection', 'a', cfg({ connectionsPrefix: 'airflow-connections---' })), 'airflow-connections-a');
    assert.equal(airflowSecretName('connection', 'a-', D), 'airflow-connections-a-');
    // A prefix made only of separator characters becomes '' after rstrip: then no separator at all.
    assert.equal(airflowSecretName('connection', 'a', cfg({ connectionsPrefix: '--' })), 'a');
  });

  it('uses a custom separator and replaces "_" in the whole name, prefix included', () => {
    const c = cfg({ sep: '--', connectionsPrefix: 'airflow_conn' });
    assert.equal(airflowSecretName('connection', 'smtp_default', c), 'airflow--conn--smtp--default');
    assert.equal(airflowSecretName('variable', 'a_b', cfg({ sep: 'x' })), 'airflow-variablesxaxb');
  });

  it('reads a secret name back into its lookup, matching the prefix case-insensitively', () => {
    assert.deepEqual(parseAirflowSecretName('airflow-connections-smtp-default', D), { kind: 'connection', id: 'smtp_default', tail: 'smtp-default' });
    assert.deepEqual(parseAirflowSecretName('AIRFLOW-Variables-Hello-World', D), { kind: 'variable', id: 'Hello_World', tail: 'Hello-World' });
    assert.deepEqual(parseAirflowSecretName('af-conn-warehouse-pg', cfg({ connectionsPrefix: 'af-conn-' })), { kind: 'connection', id: 'warehouse_pg', tail: 'warehouse-pg' });
    assert.equal(parseAirflowSecretName('unrelated-secret', D), undefined);
  });

  it('needs at least one character after the prefix, and ignores null prefixes', () => {
    assert.equal(parseAirflowSecretName('airflow-connections-', D), undefined);
    assert.equal(parseAirflowSecretName('airflow-connections', D), undefined);
    assert.equal(parseAirflowSecretName('airflow-variables-x', cfg({ variablesPrefix: null })), undefined);
  });

  it('gives a name to the longest matching prefix', () => {
    const c = cfg({ variablesPrefix: 'airflow', connectionsPrefix: 'airflow-conn' });
    assert.deepEqual(parseAirflowSecretName('airflow-conn-x', c), { kind: 'connection', id: 'x', tail: 'x' });
    assert.deepEqual(parseAirflowSecretName('airflow-other-x', c), { kind: 'variable', id: 'other_x', tail: 'other-x' });
  });

  it('lets an empty prefix claim only the names no other prefix claims, connections first', () => {
    const c = cfg({ connectionsPrefix: '', variablesPrefix: '' });
    assert.deepEqual(parseAirflowSecretName('smtp-default', c), { kind: 'connection', id: 'smtp_default', tail: 'smtp-default' });
    assert.deepEqual(parseAirflowSecretName('airflow-config-core-x', c), { kind: 'config', id: 'core_x', tail: 'core-x' });
    const onlyVars = cfg({ variablesPrefix: '' });
    assert.equal(parseAirflowSecretName('anything', onlyVars)?.kind, 'variable');
    assert.equal(parseAirflowSecretName('airflow-connections-a', onlyVars)?.kind, 'connection');
  });

  it('round-trips ids through name building and parsing', () => {
    for (const c of [D, cfg({ sep: '--' }), cfg({ connectionsPrefix: '' }), cfg({ connectionsPrefix: 'a_b_' })]) {
      for (const id of ['smtp_default', 'x', 'a_b_c', 'My_DB']) {
        const name = airflowSecretName('connection', id, c)!;
        assert.equal(parseAirflowSecretName(name, c)?.id, id, `${id} with ${JSON.stringify(c)}`);
      }
    }
  });
});

describe('integrations/airflow: backend_kwargs', () => {
  it('fills missing keys with the defaults and keeps JSON null as null', () => {
    const c = parseBackendKwargs('{"connections_prefix": "af-conn", "variables_prefix": null, "vault_url": "https://kv.vault.azure.net/"}');
    assert.deepEqual(c, { connectionsPrefix: 'af-conn', variablesPrefix: null, configPrefix: 'airflow-config', sep: '-', vaultUrl: 'https://kv.vault.azure.net/' });
    assert.deepEqual(parseBackendKwargs('{"sep": "_", "config_prefix": ""}'), { ...D, sep: '_', configPrefix: '' });
  });

  it('treats an empty text or JSON null as no kwargs at all', () => {
    assert.deepEqual(parseBackendKwargs(''), { ...D });
    assert.deepEqual(parseBackendKwargs('  null '), { ...D });
  });

  it('ignores credential keys and never returns them', () => {
    const c = parseBackendKwargs('{"tenant_id": "t", "client_id": "c", "client_secret": "hunter2-secret", "managed_identity_client_id": 5}');
    assert.deepEqual(c, { ...D });
    assert.ok(!JSON.stringify(c).includes('hunter2'));
  });

  it('throws on bad JSON without quoting the text', () => {
    const bad = '{"client_secret": "hunter2-secret", "connections_prefix": }';
    assert.throws(() => parseBackendKwargs(bad), (e: Error) => {
      assert.match(e.message, /not valid JSON.*line 1 column \d+/);
      assert.ok(!e.message.includes('hunter2'), e.message);
      return true;
    });
  });

  it('throws on wrong types, naming the key and not the value', () => {
    assert.throws(() => parseBackendKwargs('{"connections_prefix": 5}'), /connections_prefix must be a string or null, not a number/);
    assert.throws(() => parseBackendKwargs('{"sep": null}'), /sep must be a string, not null/);
    assert.throws(() => parseBackendKwargs('{"vault_url": ["https://x"]}'), /vault_url must be a string, not an array/);
    assert.throws(() => parseBackendKwargs('["client_secret-hunter2"]'), (e: Error) => /must be a JSON object/.test(e.message) && !e.message.includes('hunter2'));
  });
});

describe('integrations/airflow: id validation, warnings and collisions', () => {
  it('accepts ids that make valid secret names', () => {
    assert.equal(validateAirflowId('connection', 'smtp_default', D), undefined);
    assert.equal(validateAirflowId('variable', 'Hello-World_2', D), undefined);
  });

  it('names the offending character and its position', () => {
    const cases: [string, RegExp][] = [
      ['my.db', /"\." \(position 3\)/], ['a:b', /":" \(position 2\)/], ['s3/x', /"\/" \(position 3\)/], ['#x', /"#" \(position 1\)/],
      ['x!', /"!" \(position 2\)/], ['f(x)', /"\(" \(position 2\)/], ['a\\b', /"\\" \(position 2\)/], ['my db', /a space \(position 3\)/],
      ['naïve', /"ï" \(position 3\)/],
    ];
    for (const [id, re] of cases) assert.match(validateAirflowId('connection', id, D) ?? '', re, id);
  });

  it('limits the id so that the whole name has at most 127 characters', () => {
    const room = 127 - 'airflow-connections-'.length;
    assert.equal(validateAirflowId('connection', 'a'.repeat(room), D), undefined);
    assert.match(validateAirflowId('connection', 'a'.repeat(room + 1), D)!, /128 characters.*at most 107/);
    assert.equal(validateAirflowId('connection', 'a'.repeat(127), cfg({ connectionsPrefix: '' })), undefined);
  });

  it('refuses ids of a kind that is not looked up, and empty ids', () => {
    assert.match(validateAirflowId('variable', 'x', cfg({ variablesPrefix: null }))!, /variables_prefix is null/);
    assert.match(validateAirflowId('connection', '', D)!, /Enter a conn id/);
  });

  it('refuses "_" when the separator cannot be in a secret name, and a bad prefix', () => {
    assert.match(validateAirflowId('connection', 'a_b', cfg({ sep: '.' }))!, /"_" at position 2 becomes the separator "\."/);
    assert.match(validateAirflowId('connection', 'ab', cfg({ connectionsPrefix: 'air flow' }))!, /connections_prefix "air flow".*a space/);
  });

  it('warns about team-shaped ids and ids that spell the separator', () => {
    assert.equal(airflowIdWarnings('connection', 'aws__prod', D).filter((w) => /team-scoped/.test(w)).length, 1);
    assert.equal(airflowIdWarnings('connection', 'my_team__conn', D).filter((w) => /team-scoped/.test(w)).length, 0);
    assert.equal(airflowIdWarnings('config', 'a__b', D).filter((w) => /team-scoped/.test(w)).length, 0);
    assert.match(airflowIdWarnings('variable', 'smtp-default', D)[0]!, /read the same secret/);
    assert.deepEqual(airflowIdWarnings('variable', 'smtp_default', D), []);
  });

  it('groups names Airflow cannot tell apart: "_" vs sep and case', () => {
    const got = findAirflowCollisions(['airflow-connections-My-DB', 'airflow-connections-my_db', 'airflow-variables-my-db', 'airflow-connections-other'], D);
    assert.deepEqual(got, [{ kind: 'connection', id: 'My_DB', names: ['airflow-connections-My-DB', 'airflow-connections-my_db'] }]);
  });

  it('ignores names no lookup claims and counts exact duplicates once', () => {
    assert.deepEqual(findAirflowCollisions(['x-a', 'X-A', 'airflow-variables-a', 'airflow-variables-a'], D), []);
    assert.equal(findAirflowCollisions(['a-b', 'A_B'], cfg({ connectionsPrefix: '' })).length, 1);
  });

  it('groups ids about to be written that read the same secret', () => {
    assert.deepEqual(findAirflowIdCollisions('connection', ['a_b', 'a-b', 'A_B', 'c'], D), [{ kind: 'connection', id: 'a_b', names: ['a_b', 'a-b', 'A_B'] }]);
    assert.deepEqual(findAirflowIdCollisions('variable', ['a_b', 'a-b'], cfg({ variablesPrefix: null })), []);
  });
});

describe('integrations/airflow: connection URIs', () => {
  it('decodes the smtp_default example', () => {
    const p = parseConnectionValue(SMTP_URI);
    assert.equal(p.form, 'uri');
    assert.deepEqual(okConn(p), {
      connType: 'smtp', host: 'smtp.corp.com', login: 'alerts@corp.com', password: 'p@ss/w rd', port: 587, extra: { timeout: '30' },
    });
    assert.ok(p.ok && p.warnings.length === 0);
  });

  it('writes the smtp_default example byte for byte', () => {
    assert.equal(connectionToUri({ connType: 'smtp', host: 'smtp.corp.com', login: 'alerts@corp.com', password: 'p@ss/w rd', port: 587, extra: { timeout: '30' } }), SMTP_URI);
  });

  it('writes "/?" before the extra without a schema, "?" after one', () => {
    assert.equal(connectionToUri({ connType: 'x', host: 'h', extra: { a: 'b' } }), 'x://h/?a=b');
    assert.equal(connectionToUri({ connType: 'x', host: 'h', schema: 'db', extra: { a: 'b c' } }), 'x://h/db?a=b+c');
    assert.equal(connectionToUri({ connType: 'x', host: 'h', schema: 'my db' }), 'x://h/my%20db');
  });

  it('puts nested or non-string extras in __extra__ as Python JSON, and reads them back with their types', () => {
    const extra = { a: { b: 1 }, c: 'd', n: 1.5, t: true, z: null };
    const uri = connectionToUri({ connType: 'aws', extra });
    assert.equal(uri, 'aws:///?__extra__=%7B%22a%22%3A+%7B%22b%22%3A+1%7D%2C+%22c%22%3A+%22d%22%2C+%22n%22%3A+1.5%2C+%22t%22%3A+true%2C+%22z%22%3A+null%7D');
    assert.deepEqual(okConn(parseConnectionValue(uri)).extra, extra);
  });

  it('keeps an extra given as a string byte for byte in __extra__', () => {
    const uri = connectionToUri({ connType: 'x', extra: '{"b":1,  "a": [2]}' });
    assert.equal(uri, `x:///?__extra__=${encodeURIComponent('{"b":1,  "a": [2]}').replaceAll('%20', '+')}`);
    // An extra of '{}' is truthy text to Airflow but urlencodes to nothing, so it goes to __extra__ too.
    assert.equal(connectionToUri({ connType: 'x', extra: '{}' }), 'x:///?__extra__=%7B%7D');
    assert.equal(connectionToUri({ connType: 'x', extra: {} }), 'x://');
  });

  it('writes an empty login with a password as ":password@" and keeps it apart from no login', () => {
    const uri = connectionToUri({ connType: 'x', host: 'h', login: '', password: 'p w' });
    assert.equal(uri, 'x://:p%20w@h');
    const c = okConn(parseConnectionValue(uri));
    assert.equal(c.login, '');
    assert.equal(c.password, 'p w');
    assert.equal(connectionToUri(c), uri);
    assert.equal(connectionToUri({ connType: 'x', host: 'h', login: 'l' }), 'x://l@h');
    assert.equal(okConn(parseConnectionValue('x://l@h')).password, undefined);
    assert.equal(connectionToUri({ connType: 'x', host: 'h', password: '' }), 'x://:@h');
  });

  it('writes conn types with "_" as "-" and reads them back; postgresql reads as postgres', () => {
    assert.equal(connectionToUri({ connType: 'google_cloud_platform', host: 'h' }), 'google-cloud-platform://h');
    assert.equal(okConn(parseConnectionValue('google-cloud-platform://h')).connType, 'google_cloud_platform');
    assert.equal(okConn(parseConnectionValue('postgresql://u:p@h/db')).connType, 'postgres');
    assert.equal(connectionToUri({ connType: 'My_Type', host: 'h' }), 'my-type://h');
  });

  it('writes a port without host or login as "@:port"', () => {
    assert.equal(connectionToUri({ connType: 'x', port: 8 }), 'x://@:8');
    assert.equal(okConn(parseConnectionValue('x://@:8')).port, 8);
    // get_uri tests `if self.port:`, so a port of 0 is not written.
    assert.equal(connectionToUri({ connType: 'x', host: 'h', port: 0 }), 'x://h');
  });

  it('handles a host that carries its own protocol', () => {
    assert.equal(connectionToUri({ connType: 'http', host: 'https://api.corp/v1', login: 'u', password: 'p' }), 'http://https://u:p@api.corp%2Fv1');
    assert.equal(okConn(parseConnectionValue('http://https://u:p@api.corp%2Fv1')).host, 'https://api.corp/v1');
    // Same protocol as the conn type: the whole host is quoted, so it keeps its protocol when read back.
    assert.equal(connectionToUri({ connType: 'http', host: 'http://host' }), 'http://http%3A%2F%2Fhost');
    assert.equal(okConn(parseConnectionValue('http://http%3A%2F%2Fhost')).host, 'http://host');
  });

  it('round-trips special characters in every field: build → parse → build', () => {
    const weird = ['p@ss/w rd', 'a:b@c#d?e&f=g', 'ümlaut €', "it's (x)*!~", '%41%zz', '+plus+', 'tab\tnl\n', '😀', 'a\\b;c', ' lead'];
    for (const w of weird) {
      const c: AirflowConnection = { connType: 'ftp', host: 'files.corp', login: w, password: w, schema: w, port: 21, extra: { [w]: w, plain: 'v' } };
      const uri = connectionToUri(c);
      const back = okConn(parseConnectionValue(uri));
      assert.deepEqual(back, c, JSON.stringify(w));
      assert.equal(connectionToUri(back), uri);
    }
  });

  it('reads a host in lower case (Python lower-cases it) and says so', () => {
    const p = parseConnectionValue('x://u:p@Smtp.Corp.COM/db');
    assert.equal(okConn(p).host, 'smtp.corp.com');
    assert.ok(p.ok && p.warnings.some((w) => /lower-cases the host/.test(w)));
  });

  it('ignores other query parameters when __extra__ is there, and warns', () => {
    const p = parseConnectionValue('x://h/?__extra__=%7B%22a%22%3A+1%7D&c=d');
    assert.deepEqual(okConn(p).extra, { a: 1 });
    assert.ok(p.ok && p.warnings.some((w) => /ignores every other query parameter/.test(w)));
  });

  it('keeps the last of repeated query parameters and warns without quoting them', () => {
    const p = parseConnectionValue('x://h/?token=first-secret&token=second-secret&b');
    assert.deepEqual(okConn(p).extra, { token: 'second-secret', b: '' });
    assert.ok(p.ok && p.warnings.length === 1 && !p.warnings[0]!.includes('secret'));
  });

  it('warns that "#" ends the URI', () => {
    const p = parseConnectionValue('x://h/db?a=1#rest');
    assert.deepEqual(okConn(p).extra, { a: '1' });
    assert.ok(p.ok && p.warnings.some((w) => /"#" ends the URI/.test(w)));
  });

  it('explains a scheme with "_" and a value without a scheme', () => {
    assert.match(errorOf(parseConnectionValue('google_cloud_platform://h')), /contains "_".*google-cloud-platform/);
    assert.match(errorOf(parseConnectionValue('just-some-text')), /does not start with a connection type/);
    assert.match(errorOf(parseConnectionValue('  \n ')), /empty/);
  });

  it('refuses a port that is not a number or out of range', () => {
    assert.match(errorOf(parseConnectionValue('x://h:99999')), /out of the range/);
    assert.match(errorOf(parseConnectionValue('x://h:8o')), /port is not a number/);
  });

  it('refuses three "://", a login before a second "://", and bad brackets', () => {
    assert.match(errorOf(parseConnectionValue('a://b://c://d')), /more than twice/);
    assert.match(errorOf(parseConnectionValue('http://u:p@https://h')), /before the second one/);
    assert.match(errorOf(parseConnectionValue('x://[::1/db')), /unbalanced/);
    assert.match(errorOf(parseConnectionValue('x://[1.2.3.4]/db')), /IPv4 address cannot be in brackets/);
    assert.equal(okConn(parseConnectionValue('x://[::1]:5/s')).host, '::1');
  });

  it('strips the value before parsing it', () => {
    assert.equal(okConn(parseConnectionValue(`\n  ${SMTP_URI}  \t`)).port, 587);
    assert.equal(parseConnectionValue(`\n  ${PG_JSON}\n`).form, 'json');
  });

  it('throws on an invalid port or extra when writing, quoting neither', () => {
    assert.throws(() => connectionToUri({ connType: 'x', port: 70000 }), /between 0 and 65535/);
    assert.throws(() => connectionToUri({ connType: 'x', port: 1.5 }), /whole number/);
    assert.throws(() => connectionToUri({ connType: 'x', extra: 'not json hunter2' }), (e: Error) => /not valid JSON/.test(e.message) && !e.message.includes('hunter2'));
    assert.throws(() => connectionToJson({ connType: 'x', extra: '[1, "hunter2"]' }), (e: Error) => /must be a JSON object, not an array/.test(e.message) && !e.message.includes('hunter2'));
  });
});

describe('integrations/airflow: connection JSON', () => {
  it('reads the af-conn / warehouse_pg example', () => {
    const p = parseConnectionValue(PG_JSON);
    assert.equal(p.form, 'json');
    assert.deepEqual(okConn(p), {
      connType: 'postgres', host: 'pg.corp', login: 'etl', password: 's3cr3t', schema: 'dw', port: 5432, extra: { sslmode: 'require' },
    });
  });

  it('writes JSON as Connection.as_json does (Python separators, field order)', () => {
    const json = connectionToJson(okConn(parseConnectionValue(PG_JSON)));
    assert.equal(json, '{"conn_type": "postgres", "host": "pg.corp", "login": "etl", "password": "s3cr3t", "schema": "dw", "port": 5432, "extra": {"sslmode": "require"}}');
    assert.deepEqual(JSON.parse(json), JSON.parse(PG_JSON));
  });

  it('leaves out undefined fields and an empty extra, keeps empty strings, escapes non-ASCII', () => {
    assert.equal(connectionToJson({ connType: 'http', host: '', description: 'café', extra: {} }), '{"conn_type": "http", "description": "caf\\u00e9", "host": ""}');
    assert.equal(connectionToJson({ connType: 'x', port: 0 }), '{"conn_type": "x", "port": 0}');
  });

  it('round-trips special characters in every field: build → parse → build', () => {
    const c: AirflowConnection = {
      connType: 'my_type', description: 'd "q" \\ é 😀', host: 'h:1/x', login: 'l@x', password: 'p"w\\d\n€', schema: 's',
      port: 65535, extra: { nested: { list: [1, 2.5, 'x'], none: null }, flag: false },
    };
    const json = connectionToJson(c);
    const back = okConn(parseConnectionValue(json));
    assert.deepEqual(back, c);
    assert.equal(connectionToJson(back), json);
  });

  it('normalizes the conn type and accepts an extra given as a JSON string', () => {
    const c = okConn(parseConnectionValue('{"conn_type": "google-cloud-platform", "extra": "{\\"project\\": \\"p\\"}"}'));
    assert.equal(c.connType, 'google_cloud_platform');
    assert.deepEqual(c.extra, { project: 'p' });
    assert.equal(okConn(parseConnectionValue('{"conn_type": "postgresql"}')).connType, 'postgres');
  });

  it('reads a port given as a string, refuses fractions, booleans and ports out of range', () => {
    assert.equal(okConn(parseConnectionValue('{"conn_type": "x", "port": "5432"}')).port, 5432);
    assert.match(errorOf(parseConnectionValue('{"conn_type": "x", "port": 5432.5}')), /not a whole number/);
    assert.match(errorOf(parseConnectionValue('{"conn_type": "x", "port": true}')), /a boolean/);
    assert.match(errorOf(parseConnectionValue('{"conn_type": "x", "port": 70000}')), /outside 0–65535/);
  });

  it('refuses keys a Connection does not take, and conn_id', () => {
    assert.match(errorOf(parseConnectionValue('{"conn_type": "x", "hostname": "h"}')), /key "hostname".*unexpected keyword/);
    assert.match(errorOf(parseConnectionValue('{"conn_type": "x", "p@ss w0rd!": 1}')), /key number 2/);
    assert.match(errorOf(parseConnectionValue('{"conn_id": "a", "conn_type": "x"}')), /conn_id/);
  });

  it('refuses an extra that is not a JSON object', () => {
    assert.match(errorOf(parseConnectionValue('{"conn_type": "x", "extra": [1, 2]}')), /an array, not a JSON object/);
    assert.match(errorOf(parseConnectionValue('{"conn_type": "x", "extra": "not json"}')), /not valid JSON/);
    assert.equal(okConn(parseConnectionValue('{"conn_type": "x", "extra": ""}')).extra, undefined);
  });

  it('warns when there is no conn_type', () => {
    const p = parseConnectionValue('{"host": "h"}');
    assert.equal(okConn(p).connType, '');
    assert.ok(p.ok && p.warnings.some((w) => /no conn_type/.test(w)));
  });

  it('reports invalid JSON with its position', () => {
    assert.match(errorOf(parseConnectionValue('{"conn_type": "x", "password": "s3cr3t",}')), /not valid JSON \(Expecting property name.*line 1 column 41/);
  });

  it('never puts the password or the value into an error or a warning', () => {
    const pw = 'Hunter2-Pa55';
    const enc = encodeURIComponent(pw);
    const values = [
      `smtp://u:${pw}/x@h`, `smtp://u:${pw}@h:port${pw}`, `my_type://u:${pw}@h`, `${pw}`, `x://u:${pw}@[${pw}]`, `x://a://b://${pw}`,
      `http://u:${pw}@https://h`, `x://h/?__extra__=${pw}`, `x://h/?__extra__=%5B%22${enc}%22%5D`, `x://h/?${pw}=1&${pw}=2#${pw}`, `X://U:${pw}@HOST/?a=1`,
      `{"password": "${pw}", }`, `{"password": "${pw}", "${pw}": 1}`, `{"conn_type": "x", "password": ${pw}}`, `{"extra": "${pw}"}`,
      `{"extra": ["${pw}"]}`, `{"port": "${pw}"}`, `{"conn_type": ["${pw}"]}`, `{"host": 1, "password": "${pw}"}`, `{"uri": "x://u:${pw}@h:${pw}"}`,
      `{"password": "${pw}"} trailing`, `\ufeff{"password": "${pw}"}`,
    ];
    let errors = 0;
    for (const v of values) {
      const p = parseConnectionValue(v);
      const texts = p.ok ? p.warnings : [p.error];
      if (!p.ok) errors++;
      for (const t of texts) {
        assert.ok(!t.toLowerCase().includes(pw.toLowerCase()), `${v} → ${t}`);
        assert.ok(!t.includes(enc), `${v} → ${t}`);
      }
    }
    assert.ok(errors >= 15, `only ${errors} values failed`);
  });
});

describe('integrations/airflow: snippets', () => {
  const url = 'https://kv1.vault.azure.net/';

  it('writes the .env lines with the kwargs as JSON (null prefixes as null)', () => {
    const s = backendConfigSnippets(url, cfg({ variablesPrefix: null, connectionsPrefix: 'af-conn' }));
    const lines = s.env.split('\n');
    assert.equal(lines.length, 2);
    assert.equal(lines[0], `AIRFLOW__SECRETS__BACKEND=${AIRFLOW_BACKEND_CLASS}`);
    assert.ok(lines[1]!.startsWith('AIRFLOW__SECRETS__BACKEND_KWARGS={'));
    assert.deepEqual(JSON.parse(lines[1]!.slice('AIRFLOW__SECRETS__BACKEND_KWARGS='.length)), {
      connections_prefix: 'af-conn', variables_prefix: null, config_prefix: 'airflow-config', sep: '-', vault_url: url,
    });
    assert.deepEqual(parseBackendKwargs(lines[1]!.split('=').slice(1).join('=')), { ...cfg({ variablesPrefix: null, connectionsPrefix: 'af-conn' }), vaultUrl: url });
  });

  it('writes the ADF configuration overrides as "KEY: value" lines', () => {
    const s = backendConfigSnippets(url, D);
    const [a, b] = s.adf.split('\n');
    assert.equal(a, `AIRFLOW__SECRETS__BACKEND: ${AIRFLOW_BACKEND_CLASS}`);
    assert.deepEqual(JSON.parse(b!.replace(/^AIRFLOW__SECRETS__BACKEND_KWARGS: /, '')).vault_url, url);
  });

  it('writes the [secrets] section of airflow.cfg, doubling "%"', () => {
    const s = backendConfigSnippets(url, cfg({ configPrefix: 'a%b' }));
    const lines = s.airflowCfg.split('\n');
    assert.equal(lines[0], '[secrets]');
    assert.equal(lines[1], `backend = ${AIRFLOW_BACKEND_CLASS}`);
    assert.ok(lines[2]!.includes('"config_prefix": "a%%b"'));
    assert.equal(JSON.parse(lines[2]!.replace(/^backend_kwargs = /, '').replaceAll('%%', '%')).config_prefix, 'a%b');
  });

  it('never contains a credential, even when the kwargs had one', () => {
    const c = parseBackendKwargs('{"client_id": "cid", "client_secret": "hunter2-secret", "tenant_id": "tid"}');
    const s = backendConfigSnippets(url, c);
    for (const text of [s.env, s.adf, s.airflowCfg]) assert.ok(!/hunter2|client_secret|tenant_id|client_id/.test(text), text);
  });

  it('writes the DAG code for a connection and a variable', () => {
    assert.equal(airflowCodeSnippet('connection', 'smtp_default'),
      'from airflow.sdk import BaseHook  # Airflow 2: from airflow.hooks.base import BaseHook\n\nconn = BaseHook.get_connection("smtp_default")\n');
    assert.match(airflowCodeSnippet('variable', 'hello_world'), /from airflow\.sdk import Variable.*\n\nvalue = Variable\.get\("hello_world"\)\n$/);
    assert.match(airflowCodeSnippet('connection', 'a"b\\c'), /get_connection\("a\\"b\\\\c"\)/);
  });
});

describe('integrations/airflow: Python semantics', () => {
  it('quotes as urllib.parse.quote(safe="")', () => {
    assert.equal(pyQuote('p@ss/w rd'), 'p%40ss%2Fw%20rd');
    assert.equal(pyQuote("!'()*~_.-"), '%21%27%28%29%2A~_.-');
    assert.equal(pyQuote('é😀'), '%C3%A9%F0%9F%98%80');
  });

  it('dumps JSON as json.dumps does', () => {
    assert.equal(pyJsonDumps(pyJsonLoads('{"b":1,"a":[1.0,1e16,1e-5,"é"],"b":null}')), '{"b": null, "a": [1.0, 1e+16, 1e-05, "\\u00e9"]}');
    assert.equal(pyFloatRepr(0.1), '0.1');
    assert.equal(pyFloatRepr(1e15), '1000000000000000.0');
    assert.equal(pyFloatRepr(-2.5e-7), '-2.5e-07');
  });
});
