// Authentication and authorization: the 401 challenge (raw HTTPS, before any body validation), token checks,
// RBAC roles, access policies, firewall mode and a guest tenant — the last four through the unmodified SDK
// for every SDK line × service version.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { SignJWT } from 'jose';
import { emulatorForSuite, forEachCombo, parseChallenge } from './support/emulator';
import { rejectsWith } from './support/errors';
import {
  ADMIN, ADMIN_B, READER, SECRETS_USER, SEED_TAGGED, TENANT_A, TENANT_B, VAULT_FIREWALL, VAULT_MAIN, VAULT_POLICY,
  VAULT_PROTECTED, VAULT_TENANT_B,
} from './support/fixtures';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('conformance: authentication and authorization', function () {
  const emu = emulatorForSuite();

  describe('challenge and tokens (raw HTTPS)', () => {
    it('a request without a token gets 401 with a Bearer challenge naming one tenant GUID and the vault resource', async () => {
      const url = emu.vaultUrl(VAULT_MAIN);
      const res = await emu.request(`${url}secrets/${SEED_TAGGED}/?api-version=7.5`);
      assert.equal(res.status, 401);
      const header = res.headers['www-authenticate'] as string;
      assert.match(header, /^Bearer /);
      const ch = parseChallenge(header);
      assert.ok(ch.authorization, 'authorization=');
      const segments = new URL(ch.authorization).pathname.split('/').filter(Boolean);
      assert.equal(segments.length, 1);
      assert.match(segments[0], GUID);
      assert.equal(segments[0].toLowerCase(), TENANT_A);
      assert.ok(ch.resource, 'resource=');
      // The SDK's check: the request host must end with "." + the resource host.
      const resourceHost = new URL(ch.resource).hostname;
      assert.ok(new URL(url).hostname.endsWith(`.${resourceHost}`), `${new URL(url).hostname} vs ${resourceHost}`);
      const body = res.json() as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'Unauthorized');
      assert.match(body.error.message, /AKV10000/);
    });

    it('the 401 comes before any body validation (invalid JSON, invalid name, oversized value)', async () => {
      const url = emu.vaultUrl(VAULT_MAIN);
      const bad = await emu.request(`${url}secrets/x?api-version=7.5`, { method: 'PUT', body: '{not json', headers: { 'content-type': 'application/json' } });
      assert.equal(bad.status, 401);
      assert.ok(bad.headers['www-authenticate']);
      const badName = await emu.request(`${url}secrets/bad_name?api-version=7.5`, { method: 'PUT', json: { value: 'x' } });
      assert.equal(badName.status, 401);
      const huge = await emu.request(`${url}secrets/huge?api-version=7.5`, { method: 'PUT', json: { value: 'x'.repeat(40_000) } });
      assert.equal(huge.status, 401);
      const empty = await emu.request(`${url}secrets/x?api-version=7.5`, { method: 'PUT', headers: { 'content-length': '0' } });
      assert.equal(empty.status, 401);
    });

    it('a vault in tenant B challenges with tenant B', async () => {
      const ch = await emu.challenge(VAULT_TENANT_B);
      assert.equal(new URL(ch.authorization!).pathname.split('/').filter(Boolean)[0].toLowerCase(), TENANT_B);
    });

    it('a garbage bearer token is 401', async () => {
      const res = await emu.request(`${emu.vaultUrl(VAULT_MAIN)}secrets?api-version=7.5`, { token: 'not-a-jwt' });
      assert.equal(res.status, 401);
    });

    it('a well-formed token signed by another key is 401', async () => {
      const real = await emu.vaultToken(VAULT_MAIN, ADMIN);
      const claims = JSON.parse(Buffer.from(real.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
      const header = JSON.parse(Buffer.from(real.split('.')[0], 'base64url').toString('utf8')) as { kid?: string };
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid }).sign(privateKey);
      const res = await emu.request(`${emu.vaultUrl(VAULT_MAIN)}secrets?api-version=7.5`, { token: forged });
      assert.equal(res.status, 401);
      const ok = await emu.request(`${emu.vaultUrl(VAULT_MAIN)}secrets?api-version=7.5`, { token: real });
      assert.equal(ok.status, 200, 'the genuine token works');
    });

    it('tokens carry aud, tid, oid, appid, exp; a token for ARM is refused by the vault (audience) and vice versa', async () => {
      const vaultToken = await emu.vaultToken(VAULT_MAIN, ADMIN);
      const claims = JSON.parse(Buffer.from(vaultToken.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
      for (const c of ['aud', 'tid', 'oid', 'appid', 'exp']) assert.ok(claims[c] !== undefined, c);
      assert.equal(String(claims.tid).toLowerCase(), TENANT_A);
      assert.equal(String(claims.appid).toLowerCase(), ADMIN);
      assert.ok(Number(claims.exp) > Date.now() / 1000);
      const armToken = (await emu.credential(ADMIN).getToken(`${emu.ready.armEndpoint}/.default`))!.token;
      const onVault = await emu.request(`${emu.vaultUrl(VAULT_MAIN)}secrets?api-version=7.5`, { token: armToken });
      assert.equal(onVault.status, 401);
      const onArm = await emu.request(`${emu.ready.armEndpoint}/subscriptions?api-version=2022-12-01`, { token: vaultToken });
      assert.equal(onArm.status, 401);
      const noToken = await emu.request(`${emu.ready.armEndpoint}/subscriptions?api-version=2022-12-01`);
      assert.equal(noToken.status, 401);
    });

    it('OpenID discovery advertises issuer, token_endpoint, authorization_endpoint, jwks_uri on the authority host', async () => {
      const res = await emu.request(`${emu.ready.authorityHost}/${TENANT_A}/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      const doc = res.json() as Record<string, string>;
      for (const k of ['issuer', 'token_endpoint', 'authorization_endpoint', 'jwks_uri']) assert.ok(doc[k], k);
      assert.equal(new URL(doc.token_endpoint).origin, emu.ready.authorityHost);
      assert.equal(new URL(doc.issuer).host, new URL(emu.ready.authorityHost).host);
    });

    it('a wrong client secret gets no token', async () => {
      const { ClientSecretCredential } = await import('@azure/identity');
      const cred = new ClientSecretCredential(TENANT_A, ADMIN, 'wrong-secret', {
        authorityHost: emu.ready.authorityHost, disableInstanceDiscovery: true,
        additionalPolicies: [{ policy: emu.policy, position: 'perCall' }],
      });
      await assert.rejects(cred.getToken(`${emu.ready.armEndpoint}/.default`));
    });

    it('a principal cannot get a token in a tenant it does not belong to', async () => {
      const { ClientSecretCredential } = await import('@azure/identity');
      const p = emu.principal(READER);
      const cred = new ClientSecretCredential(TENANT_B, p.clientId, p.clientSecret, {
        authorityHost: emu.ready.authorityHost, disableInstanceDiscovery: true,
        additionalPolicies: [{ policy: emu.policy, position: 'perCall' }],
      });
      await assert.rejects(cred.getToken(`${emu.ready.armEndpoint}/.default`));
    });
  });

  forEachCombo((combo) => {
    it('Key Vault Reader: getSecret is 403 ForbiddenByRbac naming getSecret/action; listing works', async () => {
      const c = emu.secretClient(combo, VAULT_MAIN, { clientId: READER });
      await rejectsWith(c.getSecret(SEED_TAGGED),
        { status: 403, code: 'Forbidden', inner: 'ForbiddenByRbac', message: /Microsoft\.KeyVault\/vaults\/secrets\/getSecret\/action/ });
      const names: string[] = [];
      for await (const s of c.listPropertiesOfSecrets()) names.push(s.name);
      assert.ok(names.includes(SEED_TAGGED));
    });

    it('Key Vault Reader: setSecret and delete are 403 ForbiddenByRbac', async () => {
      const c = emu.secretClient(combo, VAULT_MAIN, { clientId: READER });
      await rejectsWith(c.setSecret(`${combo.prefix}-reader-set`, 'x'),
        { status: 403, code: 'Forbidden', inner: 'ForbiddenByRbac', message: /setSecret\/action/ });
      await rejectsWith(c.beginDeleteSecret(SEED_TAGGED), { status: 403, code: 'Forbidden', inner: 'ForbiddenByRbac' });
    });

    it('Key Vault Secrets User: getSecret works; setSecret is 403 ForbiddenByRbac', async () => {
      const c = emu.secretClient(combo, VAULT_MAIN, { clientId: SECRETS_USER });
      assert.equal((await c.getSecret(SEED_TAGGED)).value, 'tagged-value');
      await rejectsWith(c.setSecret(`${combo.prefix}-user-set`, 'x'), { status: 403, code: 'Forbidden', inner: 'ForbiddenByRbac' });
      await rejectsWith(c.purgeDeletedSecret('seed-deleted-1'), { status: 403, code: 'Forbidden', inner: 'ForbiddenByRbac' });
    });

    it('no role on the vault: 403 ForbiddenByRbac', async () => {
      const c = emu.secretClient(combo, VAULT_PROTECTED, { clientId: READER });
      await rejectsWith(c.getSecret('anything'), { status: 403, code: 'Forbidden', inner: 'ForbiddenByRbac' });
    });

    it('firewall mode: an authorized caller gets 403 ForbiddenByFirewall', async () => {
      const c = emu.secretClient(combo, VAULT_FIREWALL);
      await rejectsWith(c.getSecret('fw-secret'), { status: 403, code: 'Forbidden', inner: 'ForbiddenByFirewall' });
      const listing = (async () => {
        for await (const _ of c.listPropertiesOfSecrets()) { /* drain */ }
      })();
      // the SDK's paging error keeps only status and code; the raw answer shows the innererror
      await rejectsWith(listing, { status: 403, code: 'Forbidden' });
      const token = await emu.vaultToken(VAULT_FIREWALL);
      const raw = await emu.request(`${emu.vaultUrl(VAULT_FIREWALL)}secrets?api-version=${combo.apiVersion}`, { token });
      assert.equal(raw.status, 403);
      assert.equal((raw.json() as { error: { innererror?: { code?: string } } }).error.innererror?.code, 'ForbiddenByFirewall');
    });

    it('access-policy vault: list-only caller gets 403 ForbiddenByPolicy on get; the admin policy reads', async () => {
      const reader = emu.secretClient(combo, VAULT_POLICY, { clientId: READER });
      await rejectsWith(reader.getSecret('policy-secret'), { status: 403, code: 'Forbidden', inner: 'ForbiddenByPolicy' });
      const names: string[] = [];
      for await (const s of reader.listPropertiesOfSecrets()) names.push(s.name);
      assert.ok(names.includes('policy-secret'));
      const admin = emu.secretClient(combo, VAULT_POLICY, { clientId: ADMIN });
      assert.equal((await admin.getSecret('policy-secret')).value, 'policy-value');
    });

    it('a vault in another tenant: the challenge picks tenant B; a guest and a home principal both read', async () => {
      const guest = emu.secretClient(combo, VAULT_TENANT_B, { clientId: ADMIN });
      assert.equal((await guest.getSecret('tenantb-secret')).value, 'tenantb-value');
      const home = emu.secretClient(combo, VAULT_TENANT_B, { credential: emu.credential(ADMIN_B, TENANT_B) });
      assert.equal((await home.getSecret('tenantb-secret')).value, 'tenantb-value');
    });
  });
});
