import * as assert from 'node:assert/strict';
import { AIRFLOW_BACKEND_CLASS, AIRFLOW_DEFAULTS, backendConfigSnippets, type AirflowBackendConfig } from '../../src/integrations/airflow';
import {
  configForVault, describeOrigin, normalizeVaultUrlForCompare, parseEnvFile, sourcesFromAirflowCfg, sourcesFromCompose, sourcesFromEnvFile,
  type BackendConfigSource,
} from '../../src/integrations/airflowSources';

const D = AIRFLOW_DEFAULTS;
const cfg = (over: Partial<AirflowBackendConfig>): AirflowBackendConfig => ({ ...D, ...over });

describe('integrations/airflowSources: .env files', () => {
  it('reads KEY=VALUE with export, comments and the backend of the same file', () => {
    const text = [
      '# Astro project',
      'export AIRFLOW__SECRETS__BACKEND=airflow.providers.microsoft.azure.secrets.key_vault.AzureKeyVaultBackend',
      'AIRFLOW__SECRETS__BACKEND_KWARGS={"connections_prefix": "af-conn", "vault_url": "https://kv1.vault.azure.net/"}',
    ].join('\n');
    assert.deepEqual(sourcesFromEnvFile(text, '.env'), [{
      kind: 'env', file: '.env', line: 3, backend: AIRFLOW_BACKEND_CLASS,
      config: cfg({ connectionsPrefix: 'af-conn', vaultUrl: 'https://kv1.vault.azure.net/' }),
    }]);
  });

  it('reads a double-quoted value with escapes spanning lines, at the line where it starts', () => {
    const text = 'A=1\nAIRFLOW__SECRETS__BACKEND_KWARGS = "{\\"connections_prefix\\": null,\n  \\"sep\\": \\"-\\"}"  # comment\nB=2\n';
    const [s] = sourcesFromEnvFile(text, 'dev.env');
    assert.equal(s!.line, 2);
    assert.deepEqual(s!.config, cfg({ connectionsPrefix: null }));
    assert.equal(s!.backend, undefined);
  });

  it('reads a single-quoted value literally and cuts an unquoted value at " #"', () => {
    const entries = parseEnvFile("A='a\\nb # not a comment'\nB=plain value # comment\nC=x#y\r\nD=\n");
    assert.deepEqual(entries.map((e) => [e.key, e.value, e.line]), [['A', 'a\\nb # not a comment', 1], ['B', 'plain value', 2], ['C', 'x#y', 3], ['D', '', 4]]);
  });

  it('keeps only the last assignment of the kwargs (it overrides the earlier ones)', () => {
    const text = 'AIRFLOW__SECRETS__BACKEND_KWARGS={"connections_prefix": "first"}\nAIRFLOW__SECRETS__BACKEND_KWARGS={"connections_prefix": "second"}\n';
    const got = sourcesFromEnvFile(text, '.env');
    assert.equal(got.length, 1);
    assert.equal(got[0]!.line, 2);
    assert.equal(got[0]!.config!.connectionsPrefix, 'second');
  });

  it('reports an unclosed quote and bad JSON without quoting the value', () => {
    const [open] = sourcesFromEnvFile('AIRFLOW__SECRETS__BACKEND_KWARGS="{\\"client_secret\\": \\"hunter2\\"\n', '.env');
    assert.match(open!.error!, /never closed/);
    assert.equal(open!.config, undefined);
    const [bad] = sourcesFromEnvFile('AIRFLOW__SECRETS__BACKEND_KWARGS={"client_secret": "hunter2", }\n', '.env');
    assert.match(bad!.error!, /not valid JSON/);
    for (const s of [open!, bad!]) assert.ok(!JSON.stringify(s).includes('hunter2'));
  });

  it('finds nothing in a file without the kwargs', () => {
    assert.deepEqual(sourcesFromEnvFile(`AIRFLOW__SECRETS__BACKEND=${AIRFLOW_BACKEND_CLASS}\nAIRFLOW__SECRETS__BACKEND_KWARGS_CMD=cat x\n`, '.env'), []);
  });
});

const COMPOSE = `x-airflow-common:
  &airflow-common
  image: apache/airflow:3.1.0
  environment:
    &airflow-common-env
    AIRFLOW__CORE__EXECUTOR: CeleryExecutor
    AIRFLOW__SECRETS__BACKEND: ${AIRFLOW_BACKEND_CLASS}
    AIRFLOW__SECRETS__BACKEND_KWARGS: '{"connections_prefix": "af-conn", "vault_url": "https://kv1.vault.azure.net/"}'
services:
  airflow-scheduler:
    <<: *airflow-common
    environment:
      <<: *airflow-common-env
  airflow-worker:
    <<: *airflow-common
    environment:
      <<: *airflow-common-env
`;

describe('integrations/airflowSources: docker compose', () => {
  it('reads the x-airflow-common anchor once, with its line and backend', () => {
    assert.deepEqual(sourcesFromCompose(COMPOSE, 'docker-compose.yaml'), [{
      kind: 'compose', file: 'docker-compose.yaml', line: 8, backend: AIRFLOW_BACKEND_CLASS,
      config: cfg({ connectionsPrefix: 'af-conn', vaultUrl: 'https://kv1.vault.azure.net/' }),
    }]);
  });

  it('reads the list form "- KEY=VALUE" of a service environment', () => {
    const text = `services:\n  worker:\n    image: x\n    environment:\n      - OTHER=1\n      - AIRFLOW__SECRETS__BACKEND_KWARGS={"variables_prefix":null,"sep":"-"}\n      - "AIRFLOW__SECRETS__BACKEND=${AIRFLOW_BACKEND_CLASS}"\n`;
    assert.deepEqual(sourcesFromCompose(text, 'compose.yml'), [{ kind: 'compose', file: 'compose.yml', line: 6, backend: AIRFLOW_BACKEND_CLASS, config: cfg({ variablesPrefix: null }) }]);
  });

  it('reads every service separately and pairs each with the backend of its own block', () => {
    const text = [
      'services:', '  a:', '    environment:', '      AIRFLOW__SECRETS__BACKEND: first.Backend',
      '      AIRFLOW__SECRETS__BACKEND_KWARGS: \'{"connections_prefix": "a"}\'', '  b:', '    environment:',
      '      AIRFLOW__SECRETS__BACKEND_KWARGS: \'{"connections_prefix": "b"}\'', '      AIRFLOW__SECRETS__BACKEND: second.Backend', '',
    ].join('\n');
    const got = sourcesFromCompose(text, 'docker-compose.yml');
    assert.deepEqual(got.map((s) => [s.line, s.config?.connectionsPrefix, s.backend]), [[5, 'a', 'first.Backend'], [8, 'b', 'second.Backend']]);
  });

  it('reads block scalars and a literal "$$"', () => {
    const text = 'services:\n  a:\n    environment:\n      AIRFLOW__SECRETS__BACKEND_KWARGS: >-\n        {"connections_prefix": "c$$x",\n         "sep": "-"}\n';
    const [s] = sourcesFromCompose(text, 'docker-compose.yml');
    assert.equal(s!.line, 4);
    assert.equal(s!.config!.connectionsPrefix, 'c$x');
  });

  it('explains an unquoted {…} (a YAML mapping) and ${VAR} interpolation', () => {
    const text = 'services:\n  a:\n    environment:\n      AIRFLOW__SECRETS__BACKEND_KWARGS: {"connections_prefix": "x"}\n  b:\n    environment:\n      - AIRFLOW__SECRETS__BACKEND_KWARGS=${KWARGS}\n  c:\n    environment:\n      AIRFLOW__SECRETS__BACKEND_KWARGS:\n';
    const got = sourcesFromCompose(text, 'docker-compose.yml');
    assert.equal(got.length, 3);
    assert.match(got[0]!.error!, /unquoted \{…\}.*mapping/);
    assert.match(got[1]!.error!, /interpolation/);
    assert.match(got[2]!.error!, /no value in the file/);
    assert.ok(got.every((s) => s.config === undefined));
  });

  it('returns nothing for a file without the kwargs or with broken YAML', () => {
    assert.deepEqual(sourcesFromCompose('services:\n  a:\n    image: x\n', 'docker-compose.yml'), []);
    assert.deepEqual(sourcesFromCompose('services: [\n', 'docker-compose.yml'), []);
  });
});

describe('integrations/airflowSources: airflow.cfg', () => {
  it('reads [secrets] backend_kwargs with continuation lines and comments inside', () => {
    const text = [
      '[core]', 'dags_folder = /opt/airflow/dags', 'backend_kwargs = {"connections_prefix": "wrong-section"}', '',
      '[secrets]', `backend = ${AIRFLOW_BACKEND_CLASS}`, 'backend_kwargs = {"connections_prefix": "cfg-conn",', '    # a comment line',
      '    "vault_url": "https://KV2.vault.azure.net"}', '', '[logging]', 'x = 1', '',
    ].join('\n');
    assert.deepEqual(sourcesFromAirflowCfg(text, 'airflow.cfg'), [{
      kind: 'airflowCfg', file: 'airflow.cfg', line: 7, backend: AIRFLOW_BACKEND_CLASS,
      config: cfg({ connectionsPrefix: 'cfg-conn', vaultUrl: 'https://KV2.vault.azure.net' }),
    }]);
  });

  it('reads "name: value" and "%%" as configparser does', () => {
    const [s] = sourcesFromAirflowCfg('[secrets]\nBackend_Kwargs: {"config_prefix": "a%%b"}\n', 'airflow.cfg');
    assert.equal(s!.config!.configPrefix, 'a%b');
  });

  it('reports a duplicated backend_kwargs as configparser refuses it', () => {
    const [s] = sourcesFromAirflowCfg('[secrets]\nbackend_kwargs = {}\nbackend_kwargs = {"sep": "-"}\n', 'airflow.cfg');
    assert.equal(s!.line, 3);
    assert.match(s!.error!, /more than once.*line 2/);
  });

  it('reads back what backendConfigSnippets writes, in every file form', () => {
    const c = cfg({ connectionsPrefix: 'af%conn', variablesPrefix: null, sep: '-' });
    const url = 'https://kv1.vault.azure.net/';
    const snippets = backendConfigSnippets(url, c);
    const want = { ...c, vaultUrl: url };
    assert.deepEqual(sourcesFromEnvFile(snippets.env, '.env')[0]!.config, want);
    assert.equal(sourcesFromEnvFile(snippets.env, '.env')[0]!.backend, AIRFLOW_BACKEND_CLASS);
    assert.deepEqual(sourcesFromAirflowCfg(snippets.airflowCfg, 'airflow.cfg')[0]!.config, want);
    const compose = `services:\n  a:\n    environment:\n${snippets.adf.split('\n').map((l) => {
      const i = l.indexOf(': ');
      return `      ${l.slice(0, i)}: '${l.slice(i + 2).replaceAll("'", "''")}'`;
    }).join('\n')}\n`;
    assert.deepEqual(sourcesFromCompose(compose, 'docker-compose.yml')[0]!.config, want);
  });
});

describe('integrations/airflowSources: the configuration in force', () => {
  const src = (file: string, line: number, config?: AirflowBackendConfig, error?: string): BackendConfigSource =>
    ({ kind: 'env', file, line, ...(config ? { config } : {}), ...(error ? { error } : {}) });

  it('prefers the source naming this vault, comparing URLs normalised', () => {
    const mine = src('a/.env', 3, cfg({ connectionsPrefix: 'mine', vaultUrl: 'https://KV1.vault.azure.net' }));
    const other = src('b/.env', 1, cfg({ connectionsPrefix: 'other', vaultUrl: 'https://kv2.vault.azure.net/' }));
    const general = src('c/.env', 1, cfg({ connectionsPrefix: 'general' }));
    const got = configForVault('https://kv1.vault.azure.net/', [other, general, mine]);
    assert.equal(got.config.connectionsPrefix, 'mine');
    assert.deepEqual(got.origin, { kind: 'workspace', source: mine });
  });

  it('uses the one source without vault_url, but not several that disagree', () => {
    const a = src('.env', 2, cfg({ connectionsPrefix: 'a' }));
    const b = src('airflow.cfg', 9, cfg({ connectionsPrefix: 'b' }));
    const other = src('x/.env', 1, cfg({ connectionsPrefix: 'other', vaultUrl: 'https://kv2.vault.azure.net/' }));
    assert.deepEqual(configForVault('https://kv1.vault.azure.net/', [other, a]).origin, { kind: 'workspace', source: a });
    assert.deepEqual(configForVault('https://kv1.vault.azure.net/', [a, b]).origin, { kind: 'defaults' });
    const a2 = src('docker-compose.yml', 5, cfg({ connectionsPrefix: 'a' }));
    assert.deepEqual(configForVault('https://kv1.vault.azure.net/', [a, a2]).origin, { kind: 'workspace', source: a });
  });

  it('falls back to the settings merged over the defaults, then to the defaults', () => {
    const other = src('.env', 1, cfg({ vaultUrl: 'https://kv2.vault.azure.net/' }));
    const broken = src('.env', 4, undefined, 'backend_kwargs is not valid JSON');
    const s = configForVault('https://kv1.vault.azure.net/', [other, broken], { variablesPrefix: null, sep: '_' });
    assert.deepEqual(s, { config: cfg({ variablesPrefix: null, sep: '_' }), origin: { kind: 'settings' } });
    assert.deepEqual(configForVault('https://kv1.vault.azure.net/', [broken]), { config: { ...D }, origin: { kind: 'defaults' } });
  });

  it('describes where the configuration comes from', () => {
    assert.equal(describeOrigin({ kind: 'workspace', source: src('.env', 3, D) }), '.env line 3');
    assert.equal(describeOrigin({ kind: 'settings' }), 'settings (keyVault.airflow.backendKwargs)');
    assert.equal(describeOrigin({ kind: 'defaults' }), 'Airflow defaults');
  });

  it('normalises vault URLs for comparison', () => {
    assert.equal(normalizeVaultUrlForCompare('https://KV1.Vault.Azure.NET/'), 'https://kv1.vault.azure.net');
    assert.equal(normalizeVaultUrlForCompare('kv1.vault.azure.net'), 'https://kv1.vault.azure.net');
    assert.equal(normalizeVaultUrlForCompare('https://kv1.vault.azure.net:443//'), 'https://kv1.vault.azure.net');
    assert.notEqual(normalizeVaultUrlForCompare('https://kv1.vault.azure.net:8443/'), 'https://kv1.vault.azure.net');
  });
});
