import * as assert from 'node:assert/strict';
import {
  base32Decode, base32Encode, decodeUnionEnvelope, encodeUnionStringEnvelope, flyteRoleNote, flyteSecretFilePath,
  flyteSecretRequest, parseUnionSecretName, unionSecretName,
} from '../../src/integrations/flyte';
import seed from '../fixtures/demo-seed.json';

const seedSecrets = seed.vaults.flatMap((v) => v.secrets as { name: string; value: string }[]);

describe('integrations/flyte', () => {
  describe('flyteSecretRequest', () => {
    const uri = 'https://contoso-orchestr-dev.vault.azure.net/secrets/db-password';

    it('requests the versionless URI as a FILE mount and reads by the secret name', () => {
      assert.deepEqual(flyteSecretRequest(uri, 'db-password'), {
        request: 'Secret(group="https://contoso-orchestr-dev.vault.azure.net/secrets/db-password", mount_requirement=Secret.MountType.FILE)',
        read: 'current_context().secrets.get("db-password")',
      });
    });

    it('adds group_version to both lines when a version is given', () => {
      const r = flyteSecretRequest(uri, 'db-password', '0123456789abcdef0123456789abcdef');
      assert.equal(r.request, 'Secret(group="https://contoso-orchestr-dev.vault.azure.net/secrets/db-password", ' +
        'group_version="0123456789abcdef0123456789abcdef", mount_requirement=Secret.MountType.FILE)');
      assert.equal(r.read, 'current_context().secrets.get("db-password", group_version="0123456789abcdef0123456789abcdef")');
    });

    it('trims trailing slashes like the webhook and keeps sovereign and local hosts', () => {
      assert.match(flyteSecretRequest(`${uri}/`, 'db-password').request, /group="https:\/\/contoso-orchestr-dev\.vault\.azure\.net\/secrets\/db-password"/);
      assert.match(flyteSecretRequest('https://kv.vault.azure.cn/secrets/a', 'a').request, /group="https:\/\/kv\.vault\.azure\.cn\/secrets\/a"/);
      assert.match(flyteSecretRequest('https://app.vault.localhost:1234/secrets/a/', 'a').request,
        /group="https:\/\/app\.vault\.localhost:1234\/secrets\/a"/);
    });

    it('rejects versioned URIs, non-secret URIs and a name the URI does not carry', () => {
      assert.throws(() => flyteSecretRequest(`${uri}/0123abcd`, 'db-password'), /versionless/);
      assert.throws(() => flyteSecretRequest('https://kv.vault.azure.net/keys/k', 'k'), /versionless/);
      assert.throws(() => flyteSecretRequest('http://kv.vault.azure.net/secrets/a', 'a'), /versionless/);
      assert.throws(() => flyteSecretRequest('not a uri', 'a'), /not a URL/);
      assert.throws(() => flyteSecretRequest(uri, 'other'), /names "db-password", not "other"/);
    });

    it('names the file the webhook writes, lower-cased as the webhook and flytekit do', () => {
      assert.equal(flyteSecretFilePath('DB-Password'), '/etc/flyte/secrets/db-password');
      assert.equal(flyteSecretFilePath('db-password', 'ABC123'), '/etc/flyte/secrets/db-password/abc123');
    });

    it('states the role and its data action', () => {
      assert.match(flyteRoleNote(), /"Key Vault Secrets User"/);
      assert.match(flyteRoleNote(), /Microsoft\.KeyVault\/vaults\/secrets\/getSecret\/action/);
    });
  });

  describe('base32 (RFC 4648, no padding)', () => {
    // Python: base64.b32encode(b"abcdefghij"[:n]).rstrip(b"=")
    const expected = ['ME', 'MFRA', 'MFRGG', 'MFRGGZA', 'MFRGGZDF', 'MFRGGZDFMY', 'MFRGGZDFMZTQ', 'MFRGGZDFMZTWQ',
      'MFRGGZDFMZTWQ2I', 'MFRGGZDFMZTWQ2LK'];

    it('encodes and decodes inputs of 1 to 10 bytes', () => {
      for (let n = 1; n <= 10; n++) {
        const bytes = new TextEncoder().encode('abcdefghij'.slice(0, n));
        assert.equal(base32Encode(bytes), expected[n - 1], `length ${n}`);
        assert.deepEqual(base32Decode(expected[n - 1]!), bytes, `length ${n}`);
      }
    });

    it('rejects impossible lengths, lower case, padding and stray low bits', () => {
      assert.equal(base32Decode('M'), undefined);
      assert.equal(base32Decode('MFR'), undefined);
      assert.equal(base32Decode('MFRGGZ'), undefined);
      assert.equal(base32Decode('me'), undefined);
      assert.equal(base32Decode('ME======'), undefined);
      assert.equal(base32Decode('MF'), undefined); // "F" leaves a 1 in the two unused bits
    });
  });

  describe('Union secret names', () => {
    it('encodes the worked example', () => {
      assert.equal(unionSecretName({ org: 'testorg', domain: 'testdomain', project: 'testproject', name: 'testsecret' }),
        '1-testorg-testdomain-testproject-ORSXG5DTMVRXEZLU');
      assert.deepEqual(parseUnionSecretName('1-testorg-testdomain-testproject-ORSXG5DTMVRXEZLU'),
        { org: 'testorg', domain: 'testdomain', project: 'testproject', name: 'testsecret' });
    });

    it('matches the escaping vectors of flyte azure_utils_test.go', () => {
      const vectors: [string, { org: string; domain: string; project: string; name: string }][] = [
        ['1-test01org-test0101domain-0101testproject0101-ORSXG5BNONSWG4TFOQWS2',
          { org: 'test-org', domain: 'test--domain', project: '--testproject--', name: 'test-secret--' }],
        ['1-test00org-test0000domain-0000testproject0000-ORSXG5DTMVRXEZLU',
          { org: 'test0org', domain: 'test00domain', project: '00testproject00', name: 'testsecret' }],
        ['1-test001org-test001002domain-001testproject001001-ORSXG5DTMVRXEZLU',
          { org: 'test01org', domain: 'test0102domain', project: '01testproject0101', name: 'testsecret' }],
        ['1-test001org-test001001domain-001testproject001001-ORSXG5C7ONSWG4TFORPV6',
          { org: 'test01org', domain: 'test0101domain', project: '01testproject0101', name: 'test_secret__' }],
        ['1-test001org-test001001domain-001testproject001001-KRCVGVCTIVBVERKU',
          { org: 'test01org', domain: 'test0101domain', project: '01testproject0101', name: 'TESTSECRET' }],
      ];
      for (const [encoded, parts] of vectors) {
        assert.equal(unionSecretName(parts), encoded);
        assert.deepEqual(parseUnionSecretName(encoded), parts);
      }
    });

    it('round-trips 0 and - in org/domain/project and non-ASCII names', () => {
      const cases = [
        { org: 'a0-b', domain: '-0-', project: '00--11', name: 'x' },
        { org: 'o', domain: 'd', project: 'p', name: 'naïve-Ünïcode ✓ 秘密' },
        { org: 'org', domain: '', project: '', name: 'org level' },
      ];
      for (const c of cases) {
        const kv = unionSecretName(c);
        assert.match(kv, /^[0-9A-Za-z-]+$/);
        assert.deepEqual(parseUnionSecretName(kv), c);
        assert.equal(unionSecretName(parseUnionSecretName(kv)!), kv);
      }
    });

    it('decodes the Union names in the demo seed', () => {
      const names = seedSecrets.map((s) => s.name).filter((n) => n.startsWith('1-'));
      assert.deepEqual(names.map((n) => parseUnionSecretName(n)?.name),
        ['snowflake_private_key', 'openai_api_key', 'model_weights_key']);
      assert.ok(names.every((n) => parseUnionSecretName(n)?.project === 'forecasting'));
    });

    it('rejects the wrong version prefix, part count, escapes and base32', () => {
      assert.equal(parseUnionSecretName('2-testorg-testdomain-testproject-ORSXG5DTMVRXEZLU'), undefined);
      assert.equal(parseUnionSecretName('1-testorg-testdomain-ORSXG5DTMVRXEZLU'), undefined);
      assert.equal(parseUnionSecretName('1-testorg-testdomaintestproject-extra-part-ORSXG5DTMVRXEZLU'), undefined);
      assert.equal(parseUnionSecretName('1-test02org-testdomain-testproject-ORSXG5DTMVRXEZLU'), undefined);
      assert.equal(parseUnionSecretName('1-testorg-testdomain-testproject-orsxg5dtmvrxezlu'), undefined);
      assert.equal(parseUnionSecretName('1-testorg-testdomain-testproject-ORSXG5DTMVRXEZL'), undefined);
      assert.equal(parseUnionSecretName('1-testorg-testdomain-testproject-'), undefined);
      assert.equal(parseUnionSecretName('db-password'), undefined);
      assert.equal(parseUnionSecretName('zenml-global-s3-artifacts'), undefined);
    });

    it('rejects a name Union would not write (trailing lone 0) and base32 that is not UTF-8', () => {
      // Go's decoder passes a trailing "0" through, but Union would have written "00" for it.
      assert.equal(parseUnionSecretName('1-testorg0-testdomain-testproject-ORSXG5DTMVRXEZLU'), undefined);
      assert.equal(base32Encode(Uint8Array.of(0xff, 0xfe)), '777A');
      assert.equal(parseUnionSecretName('1-o-d-p-777A'), undefined);
    });

    it('refuses names over 127 characters and parts Key Vault cannot hold', () => {
      const base = { org: 'o', domain: 'd', project: 'p' };
      // "1-o-d-p-" is 8 characters; 119 base32 characters are 74 bytes (ceil(74*8/5) = 119).
      assert.equal(unionSecretName({ ...base, name: 'a'.repeat(74) }).length, 127);
      assert.throws(() => unionSecretName({ ...base, name: 'a'.repeat(75) }), /would have 128 characters; at most 127/);
      assert.throws(() => unionSecretName({ ...base, org: 'my_org', name: 'x' }), /organization may contain only/);
      assert.throws(() => unionSecretName({ ...base, name: '' }), /needs a name/);
      assert.equal(parseUnionSecretName(`1-o-d-p-${'ME'.repeat(60)}`), undefined);
    });
  });

  describe('Union value envelope', () => {
    it('decodes STRING envelopes, including the seed\'s', () => {
      assert.deepEqual(decodeUnionEnvelope('{"type":"STRING","value":"test-value"}'), { type: 'STRING', text: 'test-value' });
      assert.deepEqual(decodeUnionEnvelope('{"type": "STRING", "value": ""}'), { type: 'STRING', text: '' });
      const pem = seedSecrets.find((s) => s.name === '1-contoso-development-forecasting-ONXG653GNRQWWZK7OBZGS5TBORSV623FPE')!;
      const env = decodeUnionEnvelope(pem.value);
      assert.equal(env?.type, 'STRING');
      assert.match((env as { text: string }).text, /^-----BEGIN PRIVATE KEY-----/);
    });

    it('decodes BINARY envelopes with UTF-8 bytes to text as well', () => {
      assert.deepEqual(decodeUnionEnvelope('{"type": "BINARY", "value": "ZGVtby1iaW5hcnkta2V5LW1hdGVyaWFs"}'),
        { type: 'BINARY', base64: 'ZGVtby1iaW5hcnkta2V5LW1hdGVyaWFs', byteLength: 24, text: 'demo-binary-key-material' });
      assert.deepEqual(decodeUnionEnvelope('{"type":"BINARY","value":""}'), { type: 'BINARY', base64: '', byteLength: 0, text: '' });
    });

    it('keeps non-UTF-8 BINARY bytes as base64 only', () => {
      const env = decodeUnionEnvelope('{"type":"BINARY","value":"//79AA=="}');
      assert.deepEqual(env, { type: 'BINARY', base64: '//79AA==', byteLength: 4 });
      assert.ok(!('text' in env!));
    });

    it('returns undefined for JSON that is not an envelope and for invalid JSON', () => {
      for (const v of ['{"type":"STRING","value":"x"', 'plain text', '', '"STRING"', '[]', 'null',
        '{"username":"u","password":"p"}', '{"type":"string","value":"x"}', '{"type":"STRING"}',
        '{"type":"STRING","value":42}', '{"type":"BINARY","value":"test-value"}', '{"type":"BINARY","value":"YQ"}']) {
        assert.equal(decodeUnionEnvelope(v), undefined, v);
      }
    });

    it('writes a STRING envelope that decodes back', () => {
      const v = encodeUnionStringEnvelope('line1\nline "2"');
      assert.equal(v, '{"type":"STRING","value":"line1\\nline \\"2\\""}');
      assert.deepEqual(decodeUnionEnvelope(v), { type: 'STRING', text: 'line1\nline "2"' });
    });
  });
});
