import * as assert from 'node:assert/strict';
import { findReferences } from '../../src/references/index';

/** kind:id@slice for every Airflow reference, the slice taken from the text by the reported range. */
function airflow(text: string, languageId = 'python', fileName = '/dags/dag.py'): string[] {
  return findReferences(text, languageId, fileName)
    .filter((r) => r.kind === 'airflowVariable' || r.kind === 'airflowConnection')
    .map((r) => `${r.kind === 'airflowVariable' ? 'var' : 'conn'}:${r.airflowId}@${text.slice(r.start, r.end)}`);
}

describe('references/airflow (Python calls)', () => {
  it('Variable.get with a positional key, default_var and deserialize_json', () => {
    const text = [
      'from airflow.models import Variable',
      'a = Variable.get("my_key")',
      "b = Variable.get('cfg', default_var=None, deserialize_json=True)",
      'c = models.Variable.get("dotted")',
    ].join('\n');
    assert.deepEqual(airflow(text), ['var:my_key@my_key', 'var:cfg@cfg', 'var:dotted@dotted']);
  });

  it('keyword arguments: Variable.get(key=…), get_connection(conn_id=…)', () => {
    const text = 'Variable.get(default_var="d", key="by_kw")\nBaseHook.get_connection(conn_id="pg_kw")\n';
    assert.deepEqual(airflow(text), ['var:by_kw@by_kw', 'conn:pg_kw@pg_kw']);
  });

  it('connections: BaseHook, other hook classes, Connection.get_connection_from_secrets, Connection.get', () => {
    const text = [
      'c1 = BaseHook.get_connection("smtp_default")',
      'c2 = PostgresHook.get_connection("postgres_default")',
      'c3 = Connection.get_connection_from_secrets("wasb")',
      'c4 = Connection.get("sdk_conn")',
    ].join('\n');
    assert.deepEqual(airflow(text), ['conn:smtp_default@smtp_default', 'conn:postgres_default@postgres_default',
      'conn:wasb@wasb', 'conn:sdk_conn@sdk_conn']);
  });

  it('the range is the id inside the quotes, also with escapes and triple quotes', () => {
    const text = 'x = 1\nVariable.get("a\\x2Db")\nVariable.get(\'\'\'tri\'\'\')\n';
    const refs = findReferences(text, 'python', 'dag.py');
    assert.deepEqual(refs.map((r) => [r.airflowId, text.slice(r.start, r.end)]), [['a-b', 'a\\x2Db'], ['tri', 'tri']]);
  });

  it('not in comments or docstrings', () => {
    const text = [
      '# Variable.get("commented")',
      'x = 1  # BaseHook.get_connection("trailing")',
      'def f():',
      '    """Reads Variable.get("in_doc") and {{ var.value.in_doc2 }}."""',
      '    return Variable.get("real")',
    ].join('\n');
    assert.deepEqual(airflow(text), ['var:real@real']);
  });

  it('no reference for concatenation, f-strings, %-formatting, variables or implicit concatenation', () => {
    const text = [
      'Variable.get("a" + suffix)',
      'Variable.get(f"x_{env}")',
      'Variable.get("x_%s" % env)',
      'Variable.get(name)',
      'Variable.get("a" "b")',
      'BaseHook.get_connection("pg_" + env)',
      'Variable.get(b"bytes")',
      'Variable.get("")',
    ].join('\n');
    assert.deepEqual(airflow(text), []);
  });

  it("other objects' get is not a reference", () => {
    const text = [
      'os.environ.get("X")',
      'cache.get("x")',
      'dict(a=1).get("a")',
      'self.get_connection("mine")',
      'variable.get("lower")',
      'Variables.get("plural")',
    ].join('\n');
    assert.deepEqual(airflow(text), []);
  });
});

describe('references/airflow (Jinja)', () => {
  it('templates in Python strings: var.value, var.json, conn, with the range on the id', () => {
    const text = 'BashOperator(task_id="t", bash_command="echo {{ var.value.foo }} {{ var.json.cfg.path }} {{ conn.my_conn.host }} {{ conn.bare }}")';
    assert.deepEqual(airflow(text), ['var:foo@foo', 'var:cfg@cfg', 'conn:my_conn@my_conn', 'conn:bare@bare']);
  });

  it("get('key'), subscripts and whitespace control", () => {
    const text = "sql = \"{{- var.value.get('with_get', 'fallback') -}} {{ var.json['sub'] }} {{ conn.get('by_get').login }}\"";
    assert.deepEqual(airflow(text), ['var:with_get@with_get', 'var:sub@sub', 'conn:by_get@by_get']);
  });

  it('an f-string template: {{{{ … }}}} renders as {{ … }}; {{ … }} renders as { … }; a field in the id is unknown', () => {
    const text = 'a = f"{{{{ var.value.rendered }}}}"\nb = f"{{ var.value.single }}"\nc = f"{{{{ var.value.k_{env} }}}}"\n';
    assert.deepEqual(airflow(text), ['var:rendered@rendered']);
  });

  it('SQL and .j2 template files; Jinja comments and raw blocks are skipped', () => {
    const sql = "SELECT '{{ var.value.sql_key }}' -- {{ conn.in_sql_comment.schema }}\n{# {{ var.value.commented }} #}\n" +
      '{% raw %}{{ var.value.raw }}{% endraw %}{% if var.value.flag == "1" %}x{% endif %}';
    assert.deepEqual(airflow(sql, 'sql', '/dags/q.sql'), ['var:sql_key@sql_key', 'conn:in_sql_comment@in_sql_comment', 'var:flag@flag']);
    assert.deepEqual(airflow('{{ conn.j2.host }}', 'plaintext', '/t/cmd.sh.j2'), ['conn:j2@j2']);
    assert.deepEqual(airflow('<p>{{ var.value.html }}</p>', 'jinja-html', '/t/mail.html'), ['var:html@html']);
  });

  it('names a template rebinds are not Airflow\'s accessors, only inside their scope', () => {
    const text = '{% for conn in conns %}{{ conn.host }}{% endfor %}{{ conn.after.host }}' +
      '{% set var = x %}{{ var.value.shadowed }}';
    assert.deepEqual(airflow(text, 'jinja', 't.j2'), ['conn:after@after']);
  });

  it('strings, other roots and non-Airflow languages are not references', () => {
    assert.deepEqual(airflow('{{ "var.value.in_string" }} {{ params.var.value.x }} {{ var.values.y }} {{ var.value.get }}', 'jinja', 't.j2'), []);
    assert.deepEqual(airflow('const s = "{{ var.value.x }}";', 'typescript', 'a.ts'), []);
    assert.deepEqual(airflow('x = "{{ var.value.x }}"', 'yaml', 'a.yaml'), []);
  });
});
