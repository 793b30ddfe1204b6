import * as assert from 'node:assert/strict';
import {
  airflowEnvName, defaultEnvName, envReferenceLine, formatEnvAssignments, parseEnvAssignments, validateEnvName,
} from '../../src/references/env';

const PORTABLE = /^[A-Z_][A-Z0-9_]*$/;

describe('references/env', () => {
  describe('defaultEnvName', () => {
    it('upper-cases and turns "-" into "_"', () => {
      assert.equal(defaultEnvName('db-password'), 'DB_PASSWORD');
      assert.equal(defaultEnvName('Partner-Api-Token'), 'PARTNER_API_TOKEN');
      assert.equal(defaultEnvName('x'), 'X');
    });

    it('prefixes a leading digit with "_"', () => {
      assert.equal(defaultEnvName('1st-key'), '_1ST_KEY');
      assert.equal(defaultEnvName('42'), '_42');
    });

    it('always gives a portable name, whatever the input', () => {
      for (const n of ['db-password', '1-contoso-development-forecasting-ONXG653', 'a--b', '-lead', 'ä.b c', '', '9']) {
        assert.match(defaultEnvName(n), PORTABLE, n);
        assert.equal(validateEnvName(defaultEnvName(n)), undefined, n);
      }
    });
  });

  describe('airflowEnvName', () => {
    it('builds AIRFLOW_CONN_<CONN_ID> and AIRFLOW_VAR_<KEY> with the id upper-cased as str.upper() does', () => {
      assert.equal(airflowEnvName('connection', 'smtp_default'), 'AIRFLOW_CONN_SMTP_DEFAULT');
      assert.equal(airflowEnvName('connection', 'Warehouse_PG'), 'AIRFLOW_CONN_WAREHOUSE_PG');
      assert.equal(airflowEnvName('variable', 'hello_world'), 'AIRFLOW_VAR_HELLO_WORLD');
      assert.equal(airflowEnvName('variable', 'straße'), 'AIRFLOW_VAR_STRASSE'); // "ß".upper() == "SS" in Python too
    });

    it('keeps characters Airflow keeps (validation then says a shell cannot hold them)', () => {
      assert.equal(airflowEnvName('connection', 'my-conn'), 'AIRFLOW_CONN_MY-CONN');
      assert.match(validateEnvName('AIRFLOW_CONN_MY-CONN') ?? '', /"-" at position 16/);
    });
  });

  describe('validateEnvName', () => {
    it('accepts portable names in any case', () => {
      for (const n of ['DB_PASSWORD', '_X', 'a1', 'AIRFLOW_CONN_SMTP_DEFAULT', 'lower_case']) assert.equal(validateEnvName(n), undefined, n);
    });

    it('rejects empty names, leading digits, "=", spaces and other characters, naming the position', () => {
      assert.match(validateEnvName('') ?? '', /Enter a variable name/);
      assert.match(validateEnvName('1X') ?? '', /starts with a digit/);
      assert.match(validateEnvName('A=B') ?? '', /"=" at position 2/);
      assert.match(validateEnvName('MY VAR') ?? '', /a space at position 3/);
      assert.match(validateEnvName('A\tB') ?? '', /control character U\+0009 at position 2/);
      assert.match(validateEnvName('DB-PASSWORD') ?? '', /"-" at position 3/);
      assert.match(validateEnvName('X'.repeat(256)) ?? '', /at most 255/);
    });

    it('rejects names the shell or the terminal needs, in any case', () => {
      for (const n of ['PATH', 'Path', 'HOME', 'LD_PRELOAD', 'NODE_OPTIONS', 'VSCODE_NONCE', 'vscode_x']) {
        assert.match(validateEnvName(n) ?? '', /used by the shell or the terminal/, n);
      }
    });
  });

  describe('envReferenceLine', () => {
    it('writes the App Service reference form (versionless, trailing slash)', () => {
      assert.equal(envReferenceLine('DB_PASSWORD', 'https://v.vault.azure.net/', 'db-password', 'appService'),
        'DB_PASSWORD=@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/db-password/)');
    });

    it('pins the App Service form to a version', () => {
      assert.equal(envReferenceLine('DB_PASSWORD', 'https://V.vault.azure.net', 'db-password', 'appService', 'abc123'),
        'DB_PASSWORD=@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/db-password/abc123)');
    });

    it('keeps a custom host and port (emulator, sovereign clouds)', () => {
      assert.equal(envReferenceLine('K', 'https://app.vault.localhost:8443/', 'api-key', 'appService'),
        'K=@Microsoft.KeyVault(SecretUri=https://app.vault.localhost:8443/secrets/api-key/)');
    });

    it('writes the comment form, with and without a version', () => {
      assert.equal(envReferenceLine('DB_PASSWORD', 'https://v.vault.azure.net', 'db-password', 'comment'),
        '# DB_PASSWORD: Key Vault secret db-password in https://v.vault.azure.net/ (value not stored here)');
      assert.equal(envReferenceLine('DB_PASSWORD', 'https://v.vault.azure.net/', 'db-password', 'comment', 'abc123'),
        '# DB_PASSWORD: Key Vault secret db-password version abc123 in https://v.vault.azure.net/ (value not stored here)');
    });

    it('refuses a bad variable name, secret name, version or vault URL', () => {
      assert.throws(() => envReferenceLine('DB-PASSWORD', 'https://v.vault.azure.net/', 'db-password', 'appService'), /"-" at position 3/);
      assert.throws(() => envReferenceLine('X', 'https://v.vault.azure.net/', 'db_password', 'comment'));
      assert.throws(() => envReferenceLine('X', 'https://v.vault.azure.net/', 'db-password', 'comment', 'a/b'), /version/);
      assert.throws(() => envReferenceLine('X', 'http://v.vault.azure.net/', 'db-password', 'appService'), /https/);
      assert.throws(() => envReferenceLine('X', 'not a url', 'db-password', 'comment'), /not a URL/);
    });
  });

  describe('formatEnvAssignments / parseEnvAssignments', () => {
    const secrets = ['db-password', 'api-key', 'airflow-connections-smtp-default'];

    it('round-trips the default text', () => {
      const a = [{ envName: 'DB_PASSWORD', secretName: 'db-password' }, { envName: 'AIRFLOW_CONN_SMTP_DEFAULT', secretName: 'airflow-connections-smtp-default' }];
      const text = formatEnvAssignments(a);
      assert.equal(text, 'DB_PASSWORD=db-password, AIRFLOW_CONN_SMTP_DEFAULT=airflow-connections-smtp-default');
      assert.deepEqual(parseEnvAssignments(text, secrets), a);
    });

    it('accepts new lines, spaces, renamed variables and secret names in another case (giving the listed spelling)', () => {
      assert.deepEqual(parseEnvAssignments(' PGPASSWORD = DB-Password \n\nAPI_KEY=api-key,', secrets), [
        { envName: 'PGPASSWORD', secretName: 'db-password' }, { envName: 'API_KEY', secretName: 'api-key' },
      ]);
    });

    it('lets one secret go under two names, and an entry be left out', () => {
      assert.deepEqual(parseEnvAssignments('A=api-key, B=api-key', secrets).map((x) => x.envName), ['A', 'B']);
    });

    it('says what to fix', () => {
      assert.throws(() => parseEnvAssignments('', secrets), /at least one variable/);
      assert.throws(() => parseEnvAssignments('DB_PASSWORD', secrets), /"DB_PASSWORD" is not NAME=secret/);
      assert.throws(() => parseEnvAssignments('DB-PASSWORD=db-password', secrets), /"-" at position 3/);
      assert.throws(() => parseEnvAssignments('X=other', secrets), /"other" is not one of the chosen secrets/);
      assert.throws(() => parseEnvAssignments('X=db-password, X=api-key', secrets), /X is set twice/);
      assert.throws(() => parseEnvAssignments('Key=db-password, KEY=api-key', secrets), /differ only in case/);
      assert.throws(() => parseEnvAssignments('PATH=db-password', secrets), /used by the shell/);
    });
  });
});
