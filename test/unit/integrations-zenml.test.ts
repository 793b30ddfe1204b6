import * as assert from 'node:assert/strict';
import {
  decodeLegacyZenmlName, legacyZenmlName, recognizeZenml, zenmlExpectedName, zenmlKeys, zenmlLabel, zenmlRenameWarning,
  zenmlTagEditWarning,
} from '../../src/integrations/zenml';
import seed from '../fixtures/demo-seed.json';

interface SeedSecret { name: string; value: string; tags?: Record<string, string> }
const seedSecrets = seed.vaults.flatMap((v) => v.secrets as SeedSecret[]);
function fromSeed(name: string): SeedSecret {
  const s = seedSecrets.find((x) => x.name === name);
  assert.ok(s, `seed has ${name}`);
  return s;
}

const STORE = fromSeed('zenml-0b7c3a92-5d14-4e8f-9a61-2c3d4e5f6a7b');
const GLOBAL = fromSeed('zenml-global-s3-artifacts');
const COMPONENT = fromSeed('zenml-component-5e2d1c0b-9a8f-4e7d-b6c5-a4b3c2d1e0f9-registry-creds');
const LEGACY = fromSeed('zenml-62586c7a635777746347467a63336476636d513d');

describe('integrations/zenml', () => {
  describe('recognizeZenml', () => {
    it('reads a secrets-store secret from its tags', () => {
      const info = recognizeZenml(STORE.name, STORE.tags);
      assert.deepEqual(info, {
        format: 'store', deploymentId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', secretId: '0b7c3a92-5d14-4e8f-9a61-2c3d4e5f6a7b',
        secretName: 'mlflow_tracking',
      });
      assert.equal(zenmlLabel(info!), 'ZenML secret mlflow_tracking');
    });

    it('reads a global scoped secret', () => {
      const info = recognizeZenml(GLOBAL.name, GLOBAL.tags)!;
      assert.equal(info.format, 'scoped');
      assert.equal(info.scope, 'global');
      assert.equal(info.secretName, 's3-artifacts');
      assert.equal(info.schema, 'aws');
      assert.equal(info.issues, undefined);
      assert.equal(zenmlLabel(info), 'ZenML (global) s3-artifacts');
    });

    it('reads a component scoped secret', () => {
      const info = recognizeZenml(COMPONENT.name, COMPONENT.tags)!;
      assert.equal(info.format, 'scoped');
      assert.equal(info.componentUuid, '5e2d1c0b-9a8f-4e7d-b6c5-a4b3c2d1e0f9');
      assert.equal(info.componentName, 'acr-registry');
      assert.equal(info.secretName, 'registry-creds');
      assert.equal(info.issues, undefined);
      assert.equal(zenmlLabel(info), 'ZenML (component acr-registry) registry-creds');
    });

    it('reads a legacy per-key secret from its tags', () => {
      const info = recognizeZenml(LEGACY.name, LEGACY.tags)!;
      assert.deepEqual(info, { format: 'legacy', secretName: 'mysql', key: 'password', schema: 'mysql' });
      assert.equal(zenmlLabel(info), 'ZenML legacy mysql/password');
    });

    it('decodes the legacy name zenml-hex(base64("<secret>-<key>"))', () => {
      assert.equal(legacyZenmlName('mysql', 'password'), 'zenml-62586c7a635777746347467a63336476636d513d');
      assert.equal(decodeLegacyZenmlName('zenml-62586c7a635777746347467a63336476636d513d'), 'mysql-password');
      assert.equal(decodeLegacyZenmlName(legacyZenmlName('s3', 'aws_access_key_id')), 's3-aws_access_key_id');
      assert.equal(decodeLegacyZenmlName('zenml-deadbeef'), undefined); // not base64 text
      assert.equal(decodeLegacyZenmlName('zenml-6'), undefined);
    });

    it('recognises the legacy name without tags, splitting only when unambiguous', () => {
      assert.deepEqual(recognizeZenml(LEGACY.name, undefined), { format: 'legacy', secretName: 'mysql', key: 'password' });
      const ambiguous = recognizeZenml(legacyZenmlName('my-db', 'password'), undefined)!;
      assert.deepEqual(ambiguous, { format: 'legacy', rawName: 'my-db-password' });
      assert.equal(zenmlLabel(ambiguous), 'ZenML legacy my-db-password');
    });

    it('takes the key from the name for the first legacy release (no zenml-key-name tag)', () => {
      const info = recognizeZenml('mysql-password', { 'zenml-group-key': 'mysql', 'zenml-schema-name': 'mysql' })!;
      assert.equal(info.format, 'legacy');
      assert.equal(info.key, 'password');
      assert.equal(info.issues, undefined);
    });

    it('recognises store and scoped names without tags', () => {
      assert.deepEqual(recognizeZenml(STORE.name, undefined), { format: 'store', secretId: '0b7c3a92-5d14-4e8f-9a61-2c3d4e5f6a7b' });
      assert.deepEqual(recognizeZenml(GLOBAL.name, undefined), { format: 'scoped', scope: 'global', secretName: 's3-artifacts' });
      assert.deepEqual(recognizeZenml(COMPONENT.name, undefined), {
        format: 'scoped', scope: 'component', componentUuid: '5e2d1c0b-9a8f-4e7d-b6c5-a4b3c2d1e0f9', secretName: 'registry-creds',
      });
      assert.deepEqual(recognizeZenml('zenml-namespace-team-db', undefined), { format: 'scoped', scope: 'namespace', namespace: 'team', secretName: 'db' });
      assert.deepEqual(recognizeZenml('zenml-namespace-ml-team-db', undefined), { format: 'scoped', scope: 'namespace', rawName: 'ml-team-db' });
    });

    it('flags names with known tags that ZenML would not find', () => {
      assert.match(recognizeZenml(STORE.name, {})!.issues!.join(' '), /zenml and zenml_secret_id are missing/);
      assert.match(recognizeZenml(GLOBAL.name, { env: 'dev' })!.issues!.join(' '), /zenml_scope and zenml_secret_name are missing/);
      const renamed = recognizeZenml('copy-of-secret', STORE.tags)!;
      assert.equal(renamed.format, 'store');
      assert.match(renamed.issues!.join(' '), /under the name zenml-0b7c3a92-5d14-4e8f-9a61-2c3d4e5f6a7b/);
      const scopedRenamed = recognizeZenml('zenml-global-s3-copy', GLOBAL.tags)!;
      assert.match(scopedRenamed.issues!.join(' '), /under the name zenml-global-s3-artifacts/);
      const noKeyTag = recognizeZenml(LEGACY.name, { 'zenml-group-key': 'mysql' })!;
      assert.match(noKeyTag.issues!.join(' '), /Missing secret key tag/);
    });

    it('ignores secrets that are not ZenML\'s', () => {
      for (const n of ['db-password', 'zenml', 'zenml-', 'zenmlx-global-a', 'airflow-connections-smtp-default',
        '1-testorg-testdomain-testproject-ORSXG5DTMVRXEZLU', 'zenml-0b7c3a92']) {
        assert.equal(recognizeZenml(n, undefined), undefined, n);
        assert.equal(recognizeZenml(n, { env: 'prod' }), undefined, n);
      }
    });
  });

  describe('zenmlKeys', () => {
    it('lists keys, never values, without zenml_schema_name for scoped secrets', () => {
      assert.deepEqual(zenmlKeys(recognizeZenml(GLOBAL.name, GLOBAL.tags)!, GLOBAL.value), ['aws_access_key_id', 'aws_secret_access_key']);
      assert.deepEqual(zenmlKeys(recognizeZenml(COMPONENT.name, COMPONENT.tags)!, COMPONENT.value), ['username', 'password']);
      assert.deepEqual(zenmlKeys(recognizeZenml(STORE.name, STORE.tags)!, STORE.value), ['username', 'password']);
    });

    it('gives the legacy key and reads an empty store value as no keys', () => {
      assert.deepEqual(zenmlKeys(recognizeZenml(LEGACY.name, LEGACY.tags)!, LEGACY.value), ['password']);
      assert.deepEqual(zenmlKeys({ format: 'store' }, ''), []);
    });

    it('returns undefined when the value is not a JSON object', () => {
      const info = recognizeZenml(STORE.name, STORE.tags)!;
      for (const v of ['not json', '[1,2]', '"text"', 'null', '{"a":']) assert.equal(zenmlKeys(info, v), undefined, v);
      assert.equal(zenmlKeys({ format: 'scoped', scope: 'global' }, ''), undefined);
    });
  });

  describe('zenmlTagEditWarning', () => {
    it('warns when a store secret loses or changes zenml / zenml_secret_id', () => {
      const info = recognizeZenml(STORE.name, STORE.tags)!;
      const { zenml: _z, ...withoutZenml } = STORE.tags!;
      assert.match(zenmlTagEditWarning(info, STORE.tags, withoutZenml)!, /Removing the tag zenml: .*not found/);
      assert.match(zenmlTagEditWarning(info, STORE.tags, { ...STORE.tags, zenml_secret_id: 'x' })!, /Changing the tag zenml_secret_id: .*not found/);
      assert.match(zenmlTagEditWarning(info, STORE.tags, undefined)!, /zenml: .*zenml_secret_id/);
    });

    it('mentions older ZenML servers when their store tags are removed', () => {
      const info = recognizeZenml(STORE.name, STORE.tags)!;
      const { zenml_secret_name: _n, ...rest } = STORE.tags!;
      assert.match(zenmlTagEditWarning(info, STORE.tags, rest)!, /zenml_secret_name: ZenML servers older than .*0\.54/);
    });

    it('warns for the scope tags of scoped secrets', () => {
      const global = recognizeZenml(GLOBAL.name, GLOBAL.tags)!;
      assert.match(zenmlTagEditWarning(global, GLOBAL.tags, { ...GLOBAL.tags, zenml_secret_name: 's3' })!, /zenml_secret_name.*not found/);
      const component = recognizeZenml(COMPONENT.name, COMPONENT.tags)!;
      const { zenml_component_uuid: _u, ...noUuid } = COMPONENT.tags!;
      assert.match(zenmlTagEditWarning(component, COMPONENT.tags, noUuid)!, /Removing the tag zenml_component_uuid/);
      // The component name is informational only.
      assert.equal(zenmlTagEditWarning(component, COMPONENT.tags, { ...COMPONENT.tags, zenml_component_name: 'acr2' }), undefined);
    });

    it('warns for the legacy tags', () => {
      const info = recognizeZenml(LEGACY.name, LEGACY.tags)!;
      const { 'zenml-group-key': _g, ...noGroup } = LEGACY.tags!;
      assert.match(zenmlTagEditWarning(info, LEGACY.tags, noGroup)!, /Removing the tag zenml-group-key/);
      assert.match(zenmlTagEditWarning(info, LEGACY.tags, { ...LEGACY.tags, 'zenml-key-name': 'pwd' })!, /Changing the tag zenml-key-name: .*renames the key/);
    });

    it('says nothing for unrelated tags or unchanged tags', () => {
      for (const s of [STORE, GLOBAL, COMPONENT, LEGACY]) {
        const info = recognizeZenml(s.name, s.tags)!;
        assert.equal(zenmlTagEditWarning(info, s.tags, { ...s.tags, owner: 'data-team' }), undefined, s.name);
        assert.equal(zenmlTagEditWarning(info, s.tags, { ...s.tags }), undefined, s.name);
      }
    });

    it('never quotes tag values', () => {
      const info = recognizeZenml(STORE.name, STORE.tags)!;
      const w = zenmlTagEditWarning(info, STORE.tags, { ...STORE.tags, zenml: 'NEW-DEPLOYMENT-ID' })!;
      assert.ok(!w.includes('NEW-DEPLOYMENT-ID') && !w.includes(STORE.tags!.zenml!));
    });
  });

  describe('zenmlRenameWarning', () => {
    it('warns for store and scoped secrets under any other name', () => {
      const store = recognizeZenml(STORE.name, STORE.tags)!;
      assert.match(zenmlRenameWarning(store, 'mlflow-copy')!, /only under the name zenml-0b7c3a92-.*not found/);
      assert.equal(zenmlRenameWarning(store, STORE.name.toUpperCase()), undefined);
      const comp = recognizeZenml(COMPONENT.name, COMPONENT.tags)!;
      assert.equal(zenmlExpectedName(comp), COMPONENT.name);
      assert.match(zenmlRenameWarning(comp, 'registry-creds')!, /scoped secret only under the name zenml-component-5e2d1c0b/);
      assert.equal(zenmlRenameWarning(comp, COMPONENT.name), undefined);
    });

    it('explains that legacy keys are found by tags', () => {
      const legacy = recognizeZenml(LEGACY.name, LEGACY.tags)!;
      assert.match(zenmlRenameWarning(legacy, 'mysql-password-copy')!, /by their tags .*two values/);
      assert.equal(zenmlRenameWarning(legacy, LEGACY.name), undefined);
    });

    it('warns generically when the expected name is unknown', () => {
      assert.match(zenmlRenameWarning({ format: 'scoped', scope: 'namespace', rawName: 'a-b-c' }, 'x')!, /zenml-<scope>-/);
    });
  });
});
