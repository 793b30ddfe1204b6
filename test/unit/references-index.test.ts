import * as assert from 'node:assert/strict';
import { fileFamily, findReferences, isDotenvFile, isSettingsJsonFile } from '../../src/references/index';

const KV = '@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/s1/)';

describe('references/index', () => {
  it('the file name decides for .env and settings JSON files; otherwise the language id', () => {
    for (const f of ['/a/.env', '/a/.env.local', '/a/prod.env', 'C:\\a\\.env.test']) assert.ok(isDotenvFile(f), f);
    for (const f of ['/a/env', '/a/.envrc', '/a/.env/x.txt', '/a/environment.ts']) assert.ok(!isDotenvFile(f), f);
    for (const f of ['/fn/local.settings.json', '/w/appsettings.json', '/w/AppSettings.Production.json']) assert.ok(isSettingsJsonFile(f), f);
    assert.ok(!isSettingsJsonFile('/w/appsettings.json.bak'));
    assert.equal(fileFamily('python', '/x/.env'), 'dotenv');
    assert.equal(fileFamily('plaintext', '/x/local.settings.json'), 'json');
    assert.equal(fileFamily('sql', '/x/q.sql'), 'jinja');
    assert.equal(fileFamily('shellscript', '/x/run.sh.j2'), 'jinja');
    assert.equal(fileFamily('jinja-html', '/x/a.html'), 'jinja');
    assert.equal(fileFamily('typescriptreact', '/x/a.tsx'), 'js');
    assert.equal(fileFamily('go', '/x/main.go'), undefined);
  });

  it('languages without a recogniser find nothing', () => {
    assert.deepEqual(findReferences(`s := "${KV}"`, 'go', '/x/main.go'), []);
    assert.deepEqual(findReferences(`Variable.get("x")`, 'ruby', '/x/a.rb'), []);
  });

  it('a DAG file with every kind: sorted by position, each range slicing its literal', () => {
    const text = [
      'from airflow.sdk import Variable, BaseHook',
      'from flytekit import Secret',
      'KV = "https://dag.vault.azure.net"',
      'client = SecretClient(vault_url=KV, credential=cred)',
      'x = Variable.get("v_key")',
      'y = BaseHook.get_connection("c_id")',
      'z = client.get_secret("sdk-name")',
      'r = Secret(group="https://dag.vault.azure.net/secrets/flyte-name")',
      `settings = {"K": "${KV}"}`,
      'cmd = "echo {{ var.value.tmpl }}"',
    ].join('\n');
    const refs = findReferences(text, 'python', '/dags/all.py');
    assert.deepEqual(refs.map((r) => [r.kind, text.slice(r.start, r.end)]), [
      ['airflowVariable', 'v_key'],
      ['airflowConnection', 'c_id'],
      ['sdk', 'sdk-name'],
      ['flyte', 'https://dag.vault.azure.net/secrets/flyte-name'],
      ['appService', KV],
      ['airflowVariable', 'tmpl'],
    ]);
    for (let k = 1; k < refs.length; k++) assert.ok(refs[k - 1]!.start <= refs[k]!.start);
  });

  it('offsets are UTF-16 code units (as TextDocument.positionAt expects), with CRLF line ends', () => {
    const text = '# 🔑 ünïcode\r\nv = Variable.get("é-key")\r\nw = "😀 {{ conn.ü_conn }}"\r\n';
    const refs = findReferences(text, 'python', 'dag.py');
    assert.deepEqual(refs.map((r) => text.slice(r.start, r.end)), ['é-key', 'ü_conn']);
    const json = `{\r\n  "😀": "${KV}"\r\n}`;
    assert.deepEqual(findReferences(json, 'json', 'appsettings.json').map((r) => json.slice(r.start, r.end)), [KV]);
  });

  it('never throws on truncated or malformed input, and ranges stay inside the text', () => {
    const samples: [string, string][] = [
      ['python', 'Variable.get("a")\nf"{x[\'y\']}" """unterminated\nSecret(group="https://v.vault.azure.net/secrets/s")\nclient.get_secret("z")'],
      ['typescript', 'const c = new SecretClient("https://v.vault.azure.net", k);\nc.getSecret("ok");c.getSecret(`a${b`c`}`);/re/; a / b; "open'],
      ['csharp', 'var c = new SecretClient(new Uri("https://v.vault.azure.net"), k); c.GetSecret("ok"); c.GetSecret($$"""{{x}}"""); @"open'],
      ['bicep', `var a = '${KV}' var b = '\${x'\n'''open`],
      ['yaml', `a: "${KV}\nb: '${KV}`],
      ['json', `{"a": "${KV}", "b": "\\u12`],
      ['sql', '{{ var.value.a }} {% raw %}{{ x'],
      ['plaintext', `${KV}@Microsoft.KeyVault(`],
    ];
    for (const [lang, full] of samples) {
      for (let cut = 0; cut <= full.length; cut++) {
        const text = full.slice(0, cut);
        const refs = findReferences(text, lang, `/x/file.${lang}`);
        for (const r of refs) assert.ok(r.start >= 0 && r.start <= r.end && r.end <= text.length, `${lang} @${cut}`);
      }
      assert.ok(findReferences(full, lang, `/x/file.${lang}`).length > 0, lang);
    }
  });

  it('names in comments are not references in any language', () => {
    const cases: [string, string, string][] = [
      ['python', 'dag.py', `# Variable.get("a")\n# "${KV}"`],
      ['typescript', 'a.ts', `// "${KV}"\n/* "${KV}" */`],
      ['csharp', 'a.cs', `// "${KV}"\n/* "${KV}" */\n#if "${KV}"`],
      ['bicep', 'a.bicep', `// '${KV}'\n/* '${KV}' */`],
      ['jsonc', 'a.json', `// "${KV}"\n/* "${KV}" */`],
      ['yaml', 'a.yaml', `# a: "${KV}"\nb: 1 # ${KV}`],
      ['properties', 'a.properties', `# a=${KV}\n! b=${KV}`],
      ['ini', 'a.ini', `; a=${KV}\n# b=${KV}`],
      ['markdown', 'a.md', `<!-- ${KV} -->`],
      ['jinja', 'a.j2', '{# {{ var.value.x }} #}'],
    ];
    for (const [lang, file, text] of cases) assert.deepEqual(findReferences(text, lang, file), [], lang);
  });
});
