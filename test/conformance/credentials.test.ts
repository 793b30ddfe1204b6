// Credentials a pipeline uses, with the unmodified @azure/identity credentials, each then reading a secret
// through SecretClient (both SDK lines):
// - workload identity federation: WorkloadIdentityCredential with a token file minted by the emulator's local
//   issuer (client_credentials + client_assertion, validated against the principal's federated credentials);
// - managed identity in the App Service shape (IDENTITY_ENDPOINT + IDENTITY_HEADER), system- and user-assigned;
// - DefaultAzureCredential configured only by the emulator's environment block (child processes, trust through
//   NODE_EXTRA_CA_CERTS): workload identity, client secret, managed identity.
// Plus the token endpoint's refusals (AADSTS codes) and the federation issuer's discovery document.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';
import { ManagedIdentityCredential, WorkloadIdentityCredential, type TokenCredential } from '@azure/identity';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { localhostLookup } from '../../src/azure/localTransport';
import { COMBOS, EMULATOR_JS, ROOT, emulatorForSuite, rawRequest } from './support/emulator';

const TENANT = '7c1f2a40-0000-4000-8000-00000000000c';
const DOMAIN = 'contoso-conformance.onmicrosoft.com';
const SUB = '5a0b0000-0000-4000-8000-0000000000c1';
const VAULT = 'cred-vault';
const SECRET = 'pipeline-db-password';
const VALUE = 'fake-pipeline-value-7d1e';
const WI_APP = 'c0ffee00-0000-4000-8000-0000000000f1';
const WI_SUBJECT = 'system:serviceaccount:airflow:worker';
const WI_OTHER = 'c0ffee00-0000-4000-8000-0000000000f2';
const EXT_APP = 'c0ffee00-0000-4000-8000-0000000000f3';
const EXT_ISSUER = 'https://token.actions.example.test';
const EXT_SUBJECT = 'repo:contoso/pipelines:ref:refs/heads/main';
const MI_SYSTEM = 'c0ffee00-0000-4000-8000-0000000000f4';
const MI_USER = 'c0ffee00-0000-4000-8000-0000000000f5';
const SECRET_APP = 'c0ffee00-0000-4000-8000-0000000000f6';
const EXCHANGE = 'api://AzureADTokenExchange';

// An "external" issuer (e.g. a CI system's OIDC issuer) whose public key is configured inline in the seed.
const ext = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const extJwk = { ...(ext.publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'ext-1', alg: 'RS256', use: 'sig' };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-cred-conf-'));
const SEED = path.join(dir, 'seed.json');
const ENV_FILE = path.join(dir, 'emulator.env');
const reader = (clientId: string, displayName: string, extra: Record<string, unknown> = {}) => ({
  clientId, clientSecret: `${displayName}-secret`, displayName, roles: [{ role: 'Key Vault Secrets User', vault: VAULT }], ...extra,
});
fs.writeFileSync(SEED, JSON.stringify({
  tenants: [{ id: TENANT, displayName: 'Contoso', defaultDomain: DOMAIN }],
  subscriptions: [{ id: SUB, tenantId: TENANT }],
  vaults: [{ name: VAULT, subscriptionId: SUB, secrets: [{ name: SECRET, value: VALUE }] }],
  principals: [
    reader(WI_APP, 'airflow-worker', { federatedCredentials: [{ issuer: 'local', subject: WI_SUBJECT }] }),
    reader(WI_OTHER, 'other-worker', { federatedCredentials: [{ issuer: 'local', subject: 'system:serviceaccount:other:sa' }] }),
    reader(EXT_APP, 'ci-deployer', { federatedCredentials: [{ issuer: EXT_ISSUER, subject: EXT_SUBJECT, jwks: { keys: [extJwk] } }] }),
    reader(MI_SYSTEM, 'adf-factory', { managedIdentity: 'system' }),
    reader(MI_USER, 'id-appservice', { managedIdentity: 'user' }),
    reader(SECRET_APP, 'dev-laptop'),
  ],
}));

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

describe('conformance: pipeline credentials (workload identity, managed identity, DefaultAzureCredential)', function () {
  this.timeout(30000);
  const emu = emulatorForSuite({ seed: SEED, extraArgs: ['--write-env', ENV_FILE, '--env-principal', WI_APP] });
  let tokenFile: string;

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    const res = await emu.admin('/_admin/federated-token', { method: 'POST', json: { principal: 'airflow-worker', file: true } });
    assert.equal(res.status, 200, res.text);
    tokenFile = (res.json() as { file: string }).file;
  });

  const transport = () => ({ additionalPolicies: [{ policy: emu.policy, position: 'perCall' as const }] });
  /**
   * ManagedIdentityCredential replaces `additionalPolicies` with its own retry policy (identity 4.14.1,
   * managedIdentityCredential/index.js), so in-process trust goes through `httpClient` (or NODE_EXTRA_CA_CERTS).
   */
  const miTransport = (): { httpClient: HttpClient } => {
    const base = createDefaultHttpClient();
    return {
      httpClient: {
        sendRequest(request) {
          request.requestOverrides = { ...request.requestOverrides, lookup: localhostLookup, ca: emu.caPem };
          return base.sendRequest(request);
        },
      },
    };
  };

  async function readWith(combo: typeof COMBOS[number], credential: TokenCredential): Promise<string> {
    const client = emu.secretClient(combo, VAULT, { credential });
    return (await client.getSecret(SECRET)).value ?? '';
  }

  /** Runs an unmodified DefaultAzureCredential in a child process with exactly `env` (plus PATH). */
  function childRead(line: '4.12' | '4.11', env: Record<string, string>): Promise<{ ok: boolean; sha256?: string; error?: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'conformance', 'support', 'credential-child.ts'), line, SECRET], {
        cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
      child.on('error', reject);
      child.on('exit', () => {
        const last = out.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(last) as { ok: boolean; sha256?: string; error?: string });
        } catch {
          reject(new Error(`child gave no result: ${out.slice(0, 300)} ${err.slice(0, 500)}`));
        }
      });
    });
  }

  /** The variables of a `export K=V` block (values single-quoted only when needed). */
  function parseEnvBlock(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) out[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
    return out;
  }

  for (const combo of COMBOS.filter((c) => c.serviceVersion === undefined)) {
    describe(combo.title, () => {
      const line = combo.sdk.label.includes('4.11') ? '4.11' : '4.12';

      it('WorkloadIdentityCredential (tenant "adfs", token file of the local issuer) reads a secret', async () => {
        const cred = new WorkloadIdentityCredential({
          tenantId: 'adfs', clientId: WI_APP, tokenFilePath: tokenFile, authorityHost: emu.ready.authorityHost, ...transport(),
        });
        assert.equal(await readWith(combo, cred), VALUE);
      });

      it('WorkloadIdentityCredential with the tenant\'s domain as tenant id (and disableInstanceDiscovery) reads a secret', async () => {
        const cred = new WorkloadIdentityCredential({
          tenantId: DOMAIN, clientId: WI_APP, tokenFilePath: tokenFile, authorityHost: emu.ready.authorityHost,
          // The vault's challenge names the tenant GUID: a credential made out for the domain must allow it.
          disableInstanceDiscovery: true, additionallyAllowedTenants: [TENANT], ...transport(),
        });
        assert.equal(await readWith(combo, cred), VALUE);
      });

      it('ManagedIdentityCredential (App Service: IDENTITY_ENDPOINT + IDENTITY_HEADER), system- and user-assigned, reads a secret', async () => {
        const saved = { e: process.env.IDENTITY_ENDPOINT, h: process.env.IDENTITY_HEADER };
        process.env.IDENTITY_ENDPOINT = emu.ready.identityEndpoint as string;
        process.env.IDENTITY_HEADER = emu.ready.identityHeader as string;
        try {
          assert.equal(await readWith(combo, new ManagedIdentityCredential(miTransport())), VALUE);
          assert.equal(await readWith(combo, new ManagedIdentityCredential({ clientId: MI_USER, ...miTransport() })), VALUE);
        } finally {
          if (saved.e === undefined) delete process.env.IDENTITY_ENDPOINT;
          else process.env.IDENTITY_ENDPOINT = saved.e;
          if (saved.h === undefined) delete process.env.IDENTITY_HEADER;
          else process.env.IDENTITY_HEADER = saved.h;
        }
      });

      it('DefaultAzureCredential configured only by the --write-env block (workload identity, NODE_EXTRA_CA_CERTS) reads a secret', async () => {
        const env = parseEnvBlock(fs.readFileSync(ENV_FILE, 'utf8'));
        assert.equal(env.AZURE_CLIENT_ID, WI_APP);
        assert.equal(env.AZURE_CLIENT_SECRET, undefined, 'the workload block carries no secret');
        const r = await childRead(line, env);
        assert.deepEqual(r, { ok: true, sha256: sha256(VALUE) }, r.error);
      });

      it('DefaultAzureCredential with the client-secret and managed-identity blocks of GET /_admin/env reads a secret', async () => {
        for (const q of [`principal=${SECRET_APP}&kind=secret`, 'kind=managedIdentity']) {
          const res = await emu.admin(`/_admin/env?${q}`);
          assert.equal(res.status, 200, res.text);
          const { vars, text } = res.json() as { vars: Record<string, string>; text: string };
          assert.deepEqual(parseEnvBlock(text), vars, 'the text and the vars agree');
          const r = await childRead(line, vars);
          assert.deepEqual(r, { ok: true, sha256: sha256(VALUE) }, `${q}: ${r.error}`);
        }
      });
    });
  }

  describe('outside the matrix', () => {
    const token = (body: string, tenant = 'adfs') => rawRequest(`${emu.origin}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, ca: emu.caPem,
    });
    const assertionGrant = (clientId: string, assertion: string, extra: Record<string, string> = {}) => form({
      grant_type: 'client_credentials', client_id: clientId, scope: `${emu.ready.keyVaultResource as string}/.default`,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, ...extra,
    });
    const aadCode = (res: { json(): unknown }) => (res.json() as { error_codes: number[] }).error_codes[0];

    it('the local issuer mints assertions Entra-style (iss, sub, aud api://AzureADTokenExchange, kid of its JWKS)', async () => {
      const minted = fs.readFileSync(tokenFile, 'utf8');
      const claims = decodeJwt(minted);
      assert.equal(claims.iss, emu.ready.federationIssuer);
      assert.equal(claims.sub, WI_SUBJECT);
      assert.equal(claims.aud, EXCHANGE);
      assert.ok((fs.statSync(tokenFile).mode & 0o077) === 0, 'the token file is 0600');
      const conf = await emu.request(`${emu.ready.federationIssuer as string}/.well-known/openid-configuration`);
      assert.equal(conf.status, 200);
      const doc = conf.json() as { issuer: string; jwks_uri: string };
      assert.equal(doc.issuer, emu.ready.federationIssuer);
      const jwks = (await emu.request(doc.jwks_uri)).json() as { keys: { kid: string }[] };
      assert.ok(jwks.keys.some((k) => k.kid === decodeProtectedHeader(minted).kid));
    });

    it('the token endpoint refuses assertions the way Entra does: subject, issuer, audience, signature (AADSTS codes), and bad requests', async () => {
      const minted = fs.readFileSync(tokenFile, 'utf8');
      // accepted: the owner of the federated credential
      const ok = await token(assertionGrant(WI_APP, minted));
      assert.equal(ok.status, 200, ok.text);
      // another principal of the same issuer with another subject
      const sub = await token(assertionGrant(WI_OTHER, minted));
      assert.equal(sub.status, 401);
      assert.equal(aadCode(sub), 700213);
      assert.match(sub.text, /presented assertion subject 'system:serviceaccount:airflow:worker'/);
      // a principal that trusts only the external issuer
      const iss = await token(assertionGrant(EXT_APP, minted));
      assert.equal(aadCode(iss), 700211);
      // a changed signature
      const tampered = minted.slice(0, -4) + (minted.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      const sig = await token(assertionGrant(WI_APP, tampered));
      assert.equal(sig.status, 401);
      assert.equal(aadCode(sig), 700027);
      // the external issuer: the right audience is accepted, another one refused
      const sign = (aud: string) => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'ext-1' }).setIssuer(EXT_ISSUER)
        .setSubject(EXT_SUBJECT).setAudience(aud).setIssuedAt().setExpirationTime('10m').sign(ext.privateKey);
      const good = await token(assertionGrant(EXT_APP, await sign(EXCHANGE)));
      assert.equal(good.status, 200, good.text);
      const aud = await token(assertionGrant(EXT_APP, await sign('api://SomethingElse')));
      assert.equal(aadCode(aud), 700212);
      // malformed requests
      assert.equal(aadCode(await token(assertionGrant(WI_APP, 'not-a-jwt'))), 50027);
      const type = await token(assertionGrant(WI_APP, minted, { client_assertion_type: 'urn:example:other' }));
      assert.equal(type.status, 400);
      assert.equal((type.json() as { error: string }).error, 'invalid_request');
      const both = await token(assertionGrant(WI_APP, minted, { client_secret: 'airflow-worker-secret' }));
      assert.equal(both.status, 400);
    });

    it('POST /_admin/federated-token: unknown principals and principals without a local federated credential are 400', async () => {
      for (const [body, says] of [
        [{ principal: 'nobody' }, /unknown principal nobody/],
        [{ principal: SECRET_APP }, /has no federated credential of the local issuer/],
        [{ principal: WI_APP, lifetimeSeconds: 0 }, /lifetimeSeconds must be an integer/],
        [{ principal: WI_APP, subject: 'x' }, /unknown field "subject"/],
      ] as [unknown, RegExp][]) {
        const res = await emu.admin('/_admin/federated-token', { method: 'POST', json: body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match((res.json() as { error: { message: string } }).error.message, says);
      }
    });

    it('the managed-identity endpoint answers the App Service shape and refuses a wrong header, api-version, resource or identity', async () => {
      /** `header` null: no X-IDENTITY-HEADER at all. */
      const mi = (query: string, header: string | null = emu.ready.identityHeader as string) => emu.request(
        `${emu.ready.identityEndpoint as string}?${query}`, { headers: header === null ? {} : { 'X-IDENTITY-HEADER': header } });
      const resource = encodeURIComponent(emu.ready.keyVaultResource as string);
      const ok = await mi(`api-version=2019-08-01&resource=${resource}`);
      assert.equal(ok.status, 200, ok.text);
      const body = ok.json() as Record<string, string>;
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'client_id', 'expires_on', 'resource', 'token_type']);
      assert.match(body.expires_on, /^\d+$/);
      assert.equal(body.client_id, MI_SYSTEM);
      assert.equal(decodeJwt(body.access_token).tid, TENANT);
      assert.equal(((await mi(`api-version=2019-08-01&resource=${resource}&client_id=${MI_USER}`)).json() as Record<string, string>).client_id, MI_USER);
      assert.equal((await mi(`api-version=2019-08-01&resource=${resource}`, 'wrong')).status, 401);
      assert.equal((await mi(`api-version=2019-08-01&resource=${resource}`, null)).status, 401);
      assert.equal((await mi(`api-version=2017-09-01&resource=${resource}`)).status, 400);
      assert.equal((await mi('api-version=2019-08-01')).status, 400);
      assert.equal((await mi(`api-version=2019-08-01&resource=${resource}&client_id=${SECRET_APP}`)).status, 400, 'not a managed identity');
    });

    it('--print-env prints the environment block after the ready line (the ready line stays first)', async () => {
      const child = spawn(process.execPath, [EMULATOR_JS, '--port', '0', '--print-env'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
      try {
        const text = await new Promise<string>((resolve, reject) => {
          let out = '';
          const timer = setTimeout(() => reject(new Error(`no environment block: ${out.slice(0, 300)}`)), 15000);
          child.stdout.setEncoding('utf8').on('data', (d: string) => {
            out += d;
            if (/^export KEYVAULT_URL=.*\n/m.test(out)) {
              clearTimeout(timer);
              resolve(out);
            }
          });
        });
        const [first, ...rest] = text.split('\n');
        const ready = JSON.parse(first) as { authorityHost: string; ca: string; principals: { clientId: string }[]; federatedTokenFiles: Record<string, string> };
        const env = parseEnvBlock(rest.join('\n'));
        assert.equal(env.AZURE_AUTHORITY_HOST, ready.authorityHost);
        assert.equal(env.AZURE_TENANT_ID, 'adfs');
        assert.equal(env.AZURE_CLIENT_ID, ready.principals[0].clientId);
        assert.equal(env.AZURE_FEDERATED_TOKEN_FILE, ready.federatedTokenFiles[ready.principals[0].clientId]);
        assert.ok(fs.existsSync(env.AZURE_FEDERATED_TOKEN_FILE));
        for (const k of ['NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE']) assert.equal(env[k], ready.ca, k);
      } finally {
        child.kill('SIGTERM');
      }
    });
  });
});
