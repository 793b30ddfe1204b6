import * as assert from 'node:assert/strict';
import { AIRFLOW_DEFAULTS, parseConnectionValue, type AirflowBackendConfig } from '../../src/integrations/airflow';
import { formatConnectionView, MASK } from '../../src/integrations/airflowView';
import { groupForAirflow, revealText, secretDisplay, secretKind } from '../../src/integrations/secretKinds';

const p = (name: string, tags?: Record<string, string>) => ({ name, tags });
const DEMO_NAMES = [
  '1-contoso-development-forecasting-N5YGK3TBNFPWC4DJL5VWK6I',
  'airflow-connections-aws-default', 'airflow-connections-smtp-default', 'airflow-connections-warehouse-pg',
  'airflow-variables-feature-flags', 'airflow-variables-hello-world', 'db-password', 'partner-api-token',
];

describe('integrations/secretKinds', () => {
  it('groups the demo names into connections and variables by id, the rest in listing order', () => {
    const g = groupForAirflow(DEMO_NAMES.map((n) => p(n)), AIRFLOW_DEFAULTS);
    assert.deepEqual(g.groups.get('connection')?.map((m) => m.id), ['aws_default', 'smtp_default', 'warehouse_pg']);
    assert.deepEqual(g.groups.get('variable')?.map((m) => m.id), ['feature_flags', 'hello_world']);
    assert.equal(g.groups.get('config'), undefined);
    assert.deepEqual(g.others.map((o) => o.name), [DEMO_NAMES[0], 'db-password', 'partner-api-token']);
  });

  it('follows the configuration: another prefix, a disabled lookup', () => {
    const config: AirflowBackendConfig = { ...AIRFLOW_DEFAULTS, connectionsPrefix: 'af-conn', variablesPrefix: null };
    const g = groupForAirflow([p('af-conn-warehouse-pg'), p('airflow-connections-smtp-default'), p('airflow-variables-hello-world')], config);
    assert.deepEqual(g.groups.get('connection')?.map((m) => m.id), ['warehouse_pg']);
    assert.equal(g.groups.get('variable'), undefined);
    assert.equal(g.others.length, 2);
  });

  it('matches prefixes case-insensitively, as Key Vault names are', () => {
    const k = secretKind(p('Airflow-Connections-SMTP-default'), AIRFLOW_DEFAULTS);
    assert.equal(k?.orchestrator, 'airflow');
  });

  it('reads Union names before Airflow ones and ZenML by tags', () => {
    const union = secretKind(p('1-contoso-development-forecasting-N5YGK3TBNFPWC4DJL5VWK6I'), AIRFLOW_DEFAULTS);
    assert.equal(union?.orchestrator, 'union');
    assert.equal(union?.orchestrator === 'union' && union.union.name, 'openai_api_key');
    const zen = secretKind(p('zenml-0b7c3a92-5d14-4e8f-9a61-2c3d4e5f6a7b',
      { zenml: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', zenml_secret_id: '0b7c3a92-5d14-4e8f-9a61-2c3d4e5f6a7b' }), AIRFLOW_DEFAULTS);
    assert.equal(zen?.orchestrator, 'zenml');
    assert.equal(secretKind(p('db-password'), AIRFLOW_DEFAULTS), undefined);
    assert.equal(secretKind(p('airflow-connections-x'), undefined), undefined, 'no Airflow reading without a configuration');
  });

  it('labels grouped Airflow secrets by id and flat ones by name with a description', () => {
    const k = secretKind(p('airflow-connections-smtp-default'), AIRFLOW_DEFAULTS);
    const grouped = secretDisplay(p('airflow-connections-smtp-default'), k, true);
    assert.equal(grouped.label, 'smtp_default');
    assert.deepEqual(grouped.flags, ['airflowConnection']);
    assert.match(grouped.tooltip.join('\n'), /or "smtp-default"/);
    const flat = secretDisplay(p('airflow-connections-smtp-default'), k, false);
    assert.equal(flat.label, 'airflow-connections-smtp-default');
    assert.equal(flat.prefix, 'Airflow connection smtp_default');
  });

  it('labels Union secrets project / name with org, domain and the role in the tooltip', () => {
    const name = '1-contoso-development-forecasting-N5YGK3TBNFPWC4DJL5VWK6I';
    const d = secretDisplay(p(name), secretKind(p(name), AIRFLOW_DEFAULTS), true);
    assert.equal(d.label, 'forecasting / openai_api_key');
    assert.deepEqual(d.flags, ['union']);
    const tip = d.tooltip.join('\n');
    assert.match(tip, /Organization: contoso/);
    assert.match(tip, /Domain: development/);
    assert.match(tip, /Key Vault Secrets User/);
  });

  it('warns about a team-shaped id that Airflow may not look up without a team', () => {
    const name = 'airflow-connections-aws--prod';
    const d = secretDisplay(p(name), secretKind(p(name), AIRFLOW_DEFAULTS), true);
    assert.equal(d.label, 'aws__prod');
    assert.match(d.warning ?? '', /team-scoped/);
    assert.equal(secretDisplay(p('airflow-connections-aws-prod'), secretKind(p('airflow-connections-aws-prod'), AIRFLOW_DEFAULTS), true).warning, undefined);
  });

  it('labels ZenML secrets by their ZenML name with the scope beside it', () => {
    const d = (name: string, tags: Record<string, string>) => secretDisplay(p(name, tags), secretKind(p(name, tags), AIRFLOW_DEFAULTS), true);
    const store = d('zenml-0b7c3a92-5d14-4e8f-9a61-2c3d4e5f6a7b', { zenml: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
      zenml_secret_id: '0b7c3a92-5d14-4e8f-9a61-2c3d4e5f6a7b', zenml_secret_name: 'mlflow_tracking' });
    assert.deepEqual([store.label, store.prefix, store.flags], ['mlflow_tracking', 'ZenML secret', ['zenml']]);
    const component = d('zenml-component-5e2d1c0b-9a8f-4e7d-b6c5-a4b3c2d1e0f9-registry-creds', { zenml_scope: 'component',
      zenml_secret_name: 'registry-creds', zenml_component_uuid: '5e2d1c0b-9a8f-4e7d-b6c5-a4b3c2d1e0f9', zenml_component_name: 'acr-registry' });
    assert.deepEqual([component.label, component.prefix], ['registry-creds', 'ZenML component acr-registry']);
    const legacy = d('zenml-62586c7a635777746347467a63336476636d513d', { 'zenml-group-key': 'mysql', 'zenml-key-name': 'password',
      'zenml-schema-name': 'mysql' });
    assert.deepEqual([legacy.label, legacy.prefix], ['mysql/password', 'ZenML legacy secrets manager']);
  });

  it('a plain secret keeps its name and gets no flags', () => {
    assert.deepEqual(secretDisplay(p('db-password'), undefined, true), { label: 'db-password', tooltip: [], flags: [] });
  });

  it('reveals a Union STRING envelope as its text and leaves other secrets as stored', () => {
    const union = '1-contoso-development-forecasting-N5YGK3TBNFPWC4DJL5VWK6I';
    assert.deepEqual(revealText(union, '{"type": "STRING", "value": "sk-demo"}').text, 'sk-demo');
    assert.equal(revealText('db-password', '{"type": "STRING", "value": "x"}').text, '{"type": "STRING", "value": "x"}');
    const notEnvelope = revealText(union, 'plain');
    assert.equal(notEnvelope.text, 'plain');
    assert.match(notEnvelope.note ?? '', /Not a Union envelope/);
  });

  it('reveals a BINARY envelope as UTF-8 text when it is text, else as base64', () => {
    const union = '1-contoso-development-forecasting-N5YGK3TBNFPWC4DJL5VWK6I';
    assert.equal(revealText(union, '{"type": "BINARY", "value": "ZGVtby1iaW5hcnkta2V5LW1hdGVyaWFs"}').text, 'demo-binary-key-material');
    const raw = Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64');
    const bin = revealText(union, JSON.stringify({ type: 'BINARY', value: raw }));
    assert.equal(bin.text, raw);
    assert.match(bin.note ?? '', /4 bytes, not text/);
  });
});

describe('integrations/airflowView', () => {
  const meta = { connId: 'smtp_default', secretName: 'airflow-connections-smtp-default', vaultName: 'dev' };
  const uri = 'smtp://alerts%40corp.com:p%40ss%2Fw%20rd@smtp.corp.com:587/?timeout=30';

  it('shows the parsed fields with the password masked', () => {
    const text = formatConnectionView(parseConnectionValue(uri), meta, false);
    assert.match(text, /^login {7}alerts@corp\.com$/m);
    assert.match(text, /^port {8}587$/m);
    assert.match(text, new RegExp(`^password {4}${MASK}`, 'm'));
    assert.doesNotMatch(text, /p@ss/);
    assert.match(text, /URI form/);
  });

  it('shows the password only when asked', () => {
    assert.match(formatConnectionView(parseConnectionValue(uri), meta, true), /^password {4}p@ss\/w rd$/m);
  });

  it('says why Airflow would not parse a value, without echoing it', () => {
    const text = formatConnectionView(parseConnectionValue('{"conn_type": "postgres", "password": "hunter2", '), meta, true);
    assert.match(text, /Airflow would not parse this value/);
    assert.doesNotMatch(text, /hunter2/);
  });

  it('names the version when one is shown', () => {
    assert.match(formatConnectionView(parseConnectionValue(uri), { ...meta, version: 'abc123' }, false), /^# Version abc123$/m);
  });
});
