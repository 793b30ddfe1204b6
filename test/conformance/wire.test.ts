// JSON on the wire, below the SDK's deserializers (which hide missing or extra fields): the shapes of
// SecretBundle, SecretItem, DeletedSecretBundle and errors, at each service version of the matrix.
import * as assert from 'node:assert/strict';
import { DATA_PLANE_PREVIEW, DATA_PLANE_STABLE } from '../../src/emulator/apiversions';
import { emulatorForSuite, forEachCombo } from './support/emulator';
import { SEED_CERT, SEED_DELETED, SEED_TAGGED, TENANT_B, VAULT_MAIN, VAULT_TENANT_B } from './support/fixtures';

const BUNDLE_KEYS = ['value', 'id', 'contentType', 'attributes', 'tags', 'kid', 'managed', 'previousVersion'];
const ITEM_KEYS = ['id', 'attributes', 'tags', 'contentType', 'managed'];
const ATTR_KEYS = ['enabled', 'nbf', 'exp', 'created', 'updated', 'recoverableDays', 'recoveryLevel'];
const DELETED_EXTRA = ['recoveryId', 'deletedDate', 'scheduledPurgeDate'];

type Json = Record<string, unknown>;

function checkAttributes(a: Json): void {
  for (const k of Object.keys(a)) assert.ok(ATTR_KEYS.includes(k), `unexpected attribute ${k}`);
  assert.equal(typeof a.enabled, 'boolean');
  for (const k of ['created', 'updated', 'nbf', 'exp']) {
    if (a[k] !== undefined) assert.ok(Number.isInteger(a[k]), `${k} is integer seconds: ${String(a[k])}`);
  }
  assert.ok((a.created as number) > 1_600_000_000 && (a.created as number) < 4_000_000_000, 'created in seconds, not ms');
  assert.equal(typeof a.recoveryLevel, 'string');
}

describe('conformance: wire shapes (raw HTTPS with a real token)', function () {
  const emu = emulatorForSuite();
  let token: string;
  let base: string;

  before(async function () {
    token = await emu.vaultToken(VAULT_MAIN);
    base = emu.vaultUrl(VAULT_MAIN);
  });

  const call = (method: string, pathAndQuery: string, json?: unknown) =>
    emu.request(`${base}${pathAndQuery}`, { method, token, json });

  forEachCombo((combo) => {
    const v = `api-version=${combo.apiVersion}`;

    it('SecretBundle: only the service\'s fields, integer-second attributes, no managed/kid on a plain secret', async () => {
      const res = await call('PUT', `secrets/${combo.prefix}-wire-plain?${v}`, { value: 'w', tags: { a: 'b' } });
      assert.equal(res.status, 200, res.text.slice(0, 200));
      assert.match(String(res.headers['content-type']), /^application\/json/);
      const b = res.json() as Json;
      for (const k of Object.keys(b)) assert.ok(BUNDLE_KEYS.includes(k), `unexpected field ${k}`);
      assert.equal(b.value, 'w');
      assert.match(String(b.id), new RegExp(`^${base}secrets/${combo.prefix}-wire-plain/[0-9a-f]{32}$`));
      assert.deepEqual(b.tags, { a: 'b' });
      assert.equal(b.managed, undefined);
      assert.equal(b.kid, undefined);
      checkAttributes(b.attributes as Json);
      const got = await call('GET', `secrets/${combo.prefix}-wire-plain/?${v}`);
      assert.equal(got.status, 200);
      assert.equal((got.json() as Json).id, b.id);
    });

    it('certificate-backed SecretBundle: managed true and kid …/keys/<name>/<version>', async () => {
      const res = await call('GET', `secrets/${SEED_CERT}/?${v}`);
      assert.equal(res.status, 200);
      const b = res.json() as Json;
      assert.equal(b.managed, true);
      assert.match(String(b.kid), new RegExp(`^${base}keys/${SEED_CERT}/[0-9a-f]{32}$`));
      assert.equal(String(b.id).split('/').pop(), String(b.kid).split('/').pop(), 'kid and id share the version');
    });

    it('SecretItem: base id, no value, managed only on certificate-backed items; page shape {value, nextLink}', async () => {
      const res = await call('GET', `secrets?${v}&maxresults=25`);
      assert.equal(res.status, 200);
      const body = res.json() as { value: Json[]; nextLink: string | null };
      assert.deepEqual(Object.keys(body).sort(), ['nextLink', 'value']);
      for (const item of body.value) {
        for (const k of Object.keys(item)) assert.ok(ITEM_KEYS.includes(k), `unexpected item field ${k}`);
        assert.match(String(item.id), new RegExp(`^${base}secrets/[0-9A-Za-z-]+$`));
        checkAttributes(item.attributes as Json);
        if (String(item.id).endsWith(`/${SEED_CERT}`)) assert.equal(item.managed, true);
        else assert.equal(item.managed, undefined, `managed on ${String(item.id)}`);
      }
      const tagged = body.value.find((i) => String(i.id).endsWith(`/${SEED_TAGGED}`));
      assert.ok(tagged, 'seeded tagged secret on the first page');
      assert.equal(tagged.contentType, 'text/plain');
    });

    it('DeletedSecretBundle: recoveryId, integer deletedDate and scheduledPurgeDate', async () => {
      const res = await call('GET', `deletedsecrets/${SEED_DELETED[1]}?${v}`);
      assert.equal(res.status, 200);
      const b = res.json() as Json;
      for (const k of Object.keys(b)) assert.ok([...BUNDLE_KEYS, ...DELETED_EXTRA].includes(k), `unexpected field ${k}`);
      assert.equal(b.recoveryId, `${base}deletedsecrets/${SEED_DELETED[1]}`);
      assert.ok(Number.isInteger(b.deletedDate) && Number.isInteger(b.scheduledPurgeDate));
      assert.equal((b.scheduledPurgeDate as number) - (b.deletedDate as number), 90 * 86400);
      checkAttributes(b.attributes as Json);
    });

    it('attributes by api-version: recoveryLevel (from 2016-10-01) and recoverableDays (from 7.1) on bundles, items and deleted bundles', async () => {
      const bundle = (await call('GET', `secrets/${SEED_TAGGED}/?${v}`)).json() as { attributes: Json };
      const items = ((await call('GET', `secrets?${v}&maxresults=5`)).json() as { value: { attributes: Json }[] }).value;
      const deleted = (await call('GET', `deletedsecrets/${SEED_DELETED[1]}?${v}`)).json() as { attributes: Json };
      for (const a of [bundle.attributes, ...items.map((i) => i.attributes), deleted.attributes]) {
        // every version of the matrix is 7.5 or later
        assert.equal(a.recoverableDays, 90);
        assert.equal(a.recoveryLevel, 'Recoverable+Purgeable');
      }
    });

    it('errors: {"error":{"code","message"}} as JSON; purge answers 204 with no body', async () => {
      const nf = await call('GET', `secrets/${combo.prefix}-nowhere/?${v}`);
      assert.equal(nf.status, 404);
      assert.match(String(nf.headers['content-type']), /^application\/json/);
      const e = (nf.json() as { error: Json }).error;
      assert.equal(e.code, 'SecretNotFound');
      assert.equal(typeof e.message, 'string');
      await call('PUT', `secrets/${combo.prefix}-wire-purge?${v}`, { value: 'p' });
      const del = await call('DELETE', `secrets/${combo.prefix}-wire-purge?${v}`);
      assert.equal(del.status, 200);
      const d = del.json() as Json;
      // as recorded from the service: the delete answer carries no value
      assert.equal(d.value, undefined);
      assert.equal(d.recoveryId, `${base}deletedsecrets/${combo.prefix}-wire-purge`);
      assert.ok(Number.isInteger(d.deletedDate) && Number.isInteger(d.scheduledPurgeDate));
      assert.match(String(d.id), /\/secrets\/[^/]+\/[0-9a-f]{32}$/);
      const purge = await call('DELETE', `deletedsecrets/${combo.prefix}-wire-purge?${v}`);
      assert.equal(purge.status, 204);
      assert.equal(purge.text, '');
    });
  });

  describe('outside the matrix', () => {
    it('maxresults outside 1–25 is 400 BadParameter', async () => {
      for (const m of ['0', '26', 'abc']) {
        const res = await call('GET', `secrets?api-version=7.5&maxresults=${m}`);
        assert.equal(res.status, 400, `maxresults=${m}`);
        assert.equal((res.json() as { error: Json }).error.code, 'BadParameter');
      }
    });

    it('an invalid token also gets a challenge, so the SDK can authenticate again', async () => {
      const res = await emu.request(`${base}secrets?api-version=7.5`, { token: 'garbage' });
      assert.equal(res.status, 401);
      assert.match(String(res.headers['www-authenticate']), /^Bearer .*resource="/);
    });

    it('a token issued in tenant A is refused by a vault of tenant B', async () => {
      const res = await emu.request(`${emu.vaultUrl(VAULT_TENANT_B)}secrets?api-version=7.5`, { token });
      assert.equal(res.status, 401);
      const ch = String(res.headers['www-authenticate']);
      assert.ok(ch.toLowerCase().includes(TENANT_B), 'challenge names tenant B');
    });

    it('each api-version the service knows gets its shape: no recoveryLevel before 2016-10-01, no recoverableDays before 7.1', async () => {
      const older = ['2015-06-01', '2016-10-01', '7.0'];
      for (const version of [...DATA_PLANE_STABLE, ...DATA_PLANE_PREVIEW]) {
        const res = await call('GET', `secrets/${SEED_TAGGED}/?api-version=${version}`);
        assert.equal(res.status, 200, version);
        const a = (res.json() as { attributes: Json }).attributes;
        for (const k of Object.keys(a)) assert.ok(ATTR_KEYS.includes(k), `${version}: unexpected attribute ${k}`);
        assert.equal(a.recoveryLevel === undefined, version === '2015-06-01', `${version}: recoveryLevel ${String(a.recoveryLevel)}`);
        assert.equal(a.recoverableDays === undefined, older.includes(version), `${version}: recoverableDays ${String(a.recoverableDays)}`);
      }
    });

    it('the api-version query key is accepted URL-encoded (api%2Dversion), as the SDK sends it', async () => {
      const res = await emu.request(`${base}secrets/${SEED_TAGGED}/?api%2Dversion=7.6`, { token });
      assert.equal(res.status, 200);
      assert.equal((res.json() as Json).value, 'tagged-value');
    });
  });
});
