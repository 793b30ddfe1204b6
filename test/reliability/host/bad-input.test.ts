// "Bad input gets a clear error, and nothing is half-done": Set Secret, Edit Properties and Add Vault by URL fed
// invalid names, values, tags, dates and URLs in the real extension host. Every row checks the message the user
// gets (it says what is wrong) and that the emulator saw no write — or, where the input is valid but unusual, that
// it was saved exactly. One `it` per table row.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KeyVaultExtensionApi } from '../../../src/extension';
import {
  adminRequest, adminStats, directClient, extensionApi, findNode, runExpectingError, runWith, ScriptedPrompter, uniqueName,
  type Answer,
} from '../../vscode/support/harness';
import { spyOnMessages } from './support/messages';

const APP = ['Local emulator', 'app'];
const WRITE_OPERATIONS = ['secrets.set', 'secrets.update', 'secrets.delete', 'secrets.purge', 'secrets.recover', 'secrets.restore'];
const KB25 = 25 * 1024;

// ---- what the user was shown ----


// ---- what reached the emulator ----

async function resetStats(): Promise<void> {
  await adminRequest('POST', '/_admin/stats/reset');
}

/** Write requests since the last reset (reads from the tree may happen at any time and do not count). */
async function writesSinceReset(): Promise<Record<string, number>> {
  const stats = await adminStats();
  return Object.fromEntries(WRITE_OPERATIONS.filter((op) => stats[op]).map((op) => [op, stats[op]!]));
}

async function assertNoWrite(): Promise<void> {
  assert.deepStrictEqual(await writesSinceReset(), {}, 'no write request reached the vault');
}

// ---- prompts that record what their validation told the user ----

/** The scripted prompter, also recording every message an input box's validation showed (as VS Code would, under the box). */
class RecordingPrompter extends ScriptedPrompter {
  readonly validation: string[] = [];
  override async inputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const validate = options.validateInput;
    return super.inputBox(!validate ? options : {
      ...options,
      validateInput: async (v: string) => {
        const problem = await validate(v);
        if (problem) this.validation.push(typeof problem === 'string' ? problem : problem.message);
        return problem;
      },
    });
  }
}

interface Outcome {
  /** The command's error as a programmatic caller gets it (undefined: it succeeded). */
  error?: string;
  /** What the input boxes' validation said. */
  validation: string[];
}

/** Runs a command with scripted prompts (an unexpected prompt fails), recording its error and the validation messages. */
async function attempt(api: KeyVaultExtensionApi, answers: Answer[], command: string, ...args: unknown[]): Promise<Outcome> {
  const prompter = new RecordingPrompter(answers);
  api.setPrompter(prompter);
  let error: string | undefined;
  try {
    await vscode.commands.executeCommand(command, ...(args.length ? args : [undefined]), { rethrow: true });
  } catch (e) {
    error = (e as Error).message;
  } finally {
    api.setPrompter(undefined);
  }
  if (!error) prompter.assertDone();
  return { error, validation: prompter.validation };
}

/** The input box refused the answer: returns what its validation said. */
function refusedByValidation(o: Outcome): string {
  // (the harness's error quotes the refused input first, so a long input pushes "rejected by validation" out of it)
  assert.ok(o.error !== undefined && o.validation.length > 0,
    `refused by the input box's validation, before any request (error: ${o.error?.slice(0, 200)})`);
  return o.validation[o.validation.length - 1]!;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---- the Set Secret flow, step by step ----

type Step = 'name' | 'value source' | 'value' | 'save choice' | 'content type' | 'tags' | 'enabled' | 'activation' | 'expiry';

interface WithOptions {
  value?: string; contentType?: string; tags?: string; enabled?: 'Enabled' | 'Disabled'; activation?: string; expiry?: string;
}

/** The answers of Set Secret "with options" from a vault item, in the order the command asks. */
function setWithOptions(name: string, o: WithOptions = {}): { step: Step; answer: Answer; cancel: Answer }[] {
  return [
    { step: 'name', answer: { inputBox: name }, cancel: { inputBox: undefined } },
    { step: 'value source', answer: { quickPick: /Enter the value/ }, cancel: { quickPick: undefined } },
    { step: 'value', answer: { inputBox: o.value ?? 'a-value', expectPassword: true }, cancel: { inputBox: undefined } },
    { step: 'save choice', answer: { quickPick: /with content type/ }, cancel: { quickPick: undefined } },
    { step: 'content type', answer: { inputBox: o.contentType ?? '' }, cancel: { inputBox: undefined } },
    { step: 'tags', answer: { inputBox: o.tags ?? '' }, cancel: { inputBox: undefined } },
    { step: 'enabled', answer: { quickPick: o.enabled ?? 'Enabled' }, cancel: { quickPick: undefined } },
    { step: 'activation', answer: { inputBox: o.activation ?? '' }, cancel: { inputBox: undefined } },
    { step: 'expiry', answer: { inputBox: o.expiry ?? '' }, cancel: { inputBox: undefined } },
  ];
}

/** The answers of a plain Set Secret (typed value, Save). */
function setPlain(name: string, value: string): Answer[] {
  return [{ inputBox: name }, { quickPick: /Enter the value/ }, { inputBox: value, expectPassword: true }, { quickPick: /Save$/ }];
}

describe('reliability: bad input gets a clear error, and nothing is half-done', function () {
  this.timeout(60000);
  let api: KeyVaultExtensionApi;
  let messages: ReturnType<typeof spyOnMessages>;
  const app = () => directClient('app');
  const vaultNode = () => findNode(api, APP);
  const errorsShown = () => messages.shown.filter((m) => m.level === 'error').map((m) => m.message);
  const tmpFiles: string[] = [];

  before(async () => {
    api = await extensionApi();
    messages = spyOnMessages();
  });

  beforeEach(async () => {
    messages.shown.length = 0;
    await resetStats();
  });

  afterEach(async () => {
    api.setPrompter(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    for (const f of tmpFiles.splice(0)) fs.rmSync(f, { force: true });
  });

  after(() => {
    messages?.restore();
  });

  async function assertAbsent(name: string): Promise<void> {
    await assert.rejects(app().getSecret(name), (e: { statusCode?: number }) => e.statusCode === 404,
      `"${name}" was not created`);
  }

  /** Runs Set Secret from the vault item expecting an input box to refuse an answer; returns what it said. */
  async function refused(answers: Answer[]): Promise<string> {
    return refusedByValidation(await attempt(api, answers, 'keyVault.setSecret', await vaultNode()));
  }

  function tempFile(name: string, content: string | Buffer): vscode.Uri {
    const file = path.join(os.tmpdir(), `${name}.txt`);
    fs.writeFileSync(file, content);
    tmpFiles.push(file);
    return vscode.Uri.file(file);
  }

  // ---- names ----

  const badNames: { title: string; name: string; says: RegExp }[] = [
    { title: 'an empty name', name: '', says: /Enter a secret name \(1–127 letters, digits and hyphens\)/ },
    { title: 'a 128-character name', name: 'n'.repeat(128), says: /at most 127 characters; this one has 128/ },
    { title: 'an underscore', name: '_', says: /only letters, digits and hyphens: "_" at position 1 is not allowed/ },
    { title: 'a space inside', name: 'my secret', says: /only letters, digits and hyphens: a space at position 3/ },
    { title: 'a leading space', name: ' padded', says: /a space at position 1/ },
    { title: 'a tab', name: 'tab\tname', says: /a whitespace character at position 4/ },
    { title: 'a non-ASCII letter (naïve)', name: 'naïve', says: /"ï" at position 3 is not allowed/ },
    { title: 'an emoji', name: 'key🔑', says: /"🔑" at position 4 is not allowed/ },
    { title: 'a dot', name: 'db.password', says: /"\." at position 3 is not allowed/ },
    { title: 'a slash (a path into another secret)', name: 'a/../b', says: /"\/" at position 2 is not allowed/ },
  ];
  for (const row of badNames) {
    it(`Set Secret refuses ${row.title} while typing, before any request`, async () => {
      assert.match(await refused([{ inputBox: row.name }]), row.says);
      await assertNoWrite();
    });
  }

  it('Set Secret accepts a 127-character name (the limit) and saves it', async () => {
    const name = `${uniqueName('max')}-`.padEnd(127, 'x');
    await runWith(api, setPlain(name, 'at-the-limit'), 'keyVault.setSecret', await vaultNode());
    assert.strictEqual((await app().getSecret(name)).value, 'at-the-limit');
  });

  it('a name held by a deleted secret: the conflict prompt → Cancel writes nothing and leaves the deleted secret as it was', async () => {
    const name = uniqueName('held');
    await app().setSecret(name, 'old-value');
    await (await app().beginDeleteSecret(name, { intervalInMs: 100 })).pollUntilDone();
    await resetStats();
    const message = await runExpectingError(api, [...setPlain(name, 'new-value'),
      { confirm: undefined, expectMessage: /deleted secret .* still holds this name/ }], 'keyVault.setSecret', await vaultNode());
    assert.strictEqual(message, 'Cancelled', 'a cancel ends quietly');
    assert.deepStrictEqual(errorsShown(), [], 'no error is shown for a cancel');
    const writes = await writesSinceReset();
    assert.ok(!writes['secrets.recover'] && !writes['secrets.purge'], `neither recovered nor purged: ${JSON.stringify(writes)}`);
    assert.ok((writes['secrets.set'] ?? 0) <= 1, `only the refused attempt: ${JSON.stringify(writes)}`);
    assert.strictEqual((await app().getDeletedSecret(name)).name, name, 'still deleted');
    await assertAbsent(name);
    // recovering it by hand shows it untouched: one version, the old value
    await (await app().beginRecoverDeletedSecret(name, { intervalInMs: 100 })).pollUntilDone();
    const versions: string[] = [];
    for await (const v of app().listPropertiesOfSecretVersions(name)) versions.push(v.version!);
    assert.strictEqual(versions.length, 1);
    assert.strictEqual((await app().getSecret(name)).value, 'old-value');
  });

  // ---- values ----

  const savedValues: { title: string; value: string }[] = [
    { title: 'an empty value (Key Vault allows it)', value: '' },
    { title: 'a value of exactly 25 KB (the limit)', value: 'v'.repeat(KB25) },
    { title: 'a multi-line value with CRLF and tabs', value: 'line 1\nline 2\r\n\tindented line 3\n\n' },
    { title: 'a unicode value', value: 'naïve — 日本語 🔑 Ωmega\u00a0nbsp' },
    { title: 'a value with leading and trailing spaces (not trimmed)', value: '  padded value  ' },
  ];
  for (const row of savedValues) {
    it(`Set Secret saves ${row.title} exactly`, async () => {
      const name = uniqueName('val');
      await runWith(api, setPlain(name, row.value), 'keyVault.setSecret', await vaultNode());
      const saved = await app().getSecret(name);
      assert.strictEqual(saved.value ?? '', row.value);
      assert.strictEqual(Buffer.byteLength(saved.value ?? '', 'utf8'), Buffer.byteLength(row.value, 'utf8'));
      assert.deepStrictEqual(errorsShown(), []);
    });
  }

  it('Set Secret saves a multi-line unicode value read from a file byte for byte', async () => {
    const name = uniqueName('mlfile');
    const value = '-----BEGIN KEY-----\r\nÅngström 😀\r\n-----END KEY-----\r\n';
    const file = tempFile(name, value);
    await runWith(api, [{ inputBox: name }, { quickPick: /from a file/ }, { openFile: file }, { quickPick: /Save$/ }],
      'keyVault.setSecret', await vaultNode());
    assert.strictEqual((await app().getSecret(name)).value, value);
  });

  const tooLarge = `The value is 25.0 KiB \\(${KB25 + 1} bytes\\) in UTF-8; Key Vault allows at most 25.0 KiB \\(${KB25} bytes\\)`;

  it('Set Secret refuses a typed value of 25 KB + 1 byte while typing, before any request', async () => {
    const name = uniqueName('big');
    const said = await refused([{ inputBox: name }, { quickPick: /Enter the value/ }, { inputBox: 'v'.repeat(KB25 + 1) }]);
    assert.match(said, new RegExp(tooLarge));
    await assertNoWrite();
    await assertAbsent(name);
  });

  it('Set Secret refuses a 25 KB + 1 byte file before any request, saying how large it is', async () => {
    const name = uniqueName('bigfile');
    const file = tempFile(name, 'v'.repeat(KB25 + 1));
    const message = await runExpectingError(api, [{ inputBox: name }, { quickPick: /from a file/ }, { openFile: file }],
      'keyVault.setSecret', await vaultNode());
    assert.match(message, new RegExp(`^${tooLarge}`));
    assert.ok(errorsShown().includes(message), `the user was shown it (shown: ${JSON.stringify(messages.shown)})`);
    await assertNoWrite();
    await assertAbsent(name);
  });

  it('Set Secret counts UTF-8 bytes, not characters: 12,801 "é" (25,602 bytes) are refused', async () => {
    const name = uniqueName('bytes');
    const said = await refused([{ inputBox: name }, { quickPick: /Enter the value/ }, { inputBox: 'é'.repeat(12801) }]);
    assert.match(said, /25602 bytes\) in UTF-8; Key Vault allows at most/);
    await assertNoWrite();
  });

  // ---- tags and content type ----

  const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}=v${i}`).join(', ');
  const badOptions: { title: string; options: WithOptions; at: Step; says: RegExp }[] = [
    { title: '16 tags (at most 15)', options: { tags: tags(16) }, at: 'tags', says: /at most 15 tags; this one has 16/ },
    { title: 'a 513-character tag value (at most 512)', options: { tags: `env=dev, big=${'x'.repeat(513)}` }, at: 'tags',
      says: /The value of tag "big" is longer than 512 characters/ },
    { title: 'a 513-character tag name', options: { tags: `${'k'.repeat(513)}=v` }, at: 'tags', says: /The tag name "k{40}…" is longer than 512 characters/ },
    { title: 'a tag without "="', options: { tags: 'env=dev, owner' }, at: 'tags', says: /"owner" is not name=value/ },
    { title: 'a 256-character content type (at most 255)', options: { contentType: 'c'.repeat(256) }, at: 'content type',
      says: /A content type may have at most 255 characters; this one has 256/ },
    { title: 'an activation date that is not a date', options: { activation: 'next tuesday' }, at: 'activation',
      says: /"next tuesday" is not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM or \+Nd/ },
    { title: 'an expiry before the activation date', options: { activation: '2031-01-02', expiry: '2031-01-01' }, at: 'expiry',
      says: /expiry date \(2031-01-01 00:00 UTC\) must be after the activation date \(2031-01-02 00:00 UTC\).*never be valid/ },
    { title: 'an expiry equal to the activation date', options: { activation: '2031-01-02T08:00', expiry: '2031-01-02T08:00' }, at: 'expiry',
      says: /expiry date \(2031-01-02 08:00 UTC\) must be after the activation date/ },
    { title: 'a relative expiry before a relative activation (+30d / +10d)', options: { activation: '+30d', expiry: '+10d' }, at: 'expiry',
      says: /expiry date .* must be after the activation date/ },
  ];
  for (const row of badOptions) {
    it(`Set Secret with options refuses ${row.title} before any request`, async () => {
      const name = uniqueName('opt');
      const steps = setWithOptions(name, row.options);
      const upTo = steps.findIndex((s) => s.step === row.at);
      assert.match(await refused(steps.slice(0, upTo + 1).map((s) => s.answer)), row.says);
      await assertNoWrite();
      await assertAbsent(name);
    });
  }

  it('Set Secret with options saves 15 tags, 512-character tag values and a 255-character content type (the limits)', async () => {
    const name = uniqueName('limits');
    const tagText = Array.from({ length: 15 }, (_, i) => `t${i}=${String(i).padEnd(512, 'x')}`).join(', ');
    const steps = setWithOptions(name, { contentType: 'c'.repeat(255), tags: tagText, activation: '2030-01-01', expiry: '2031-01-01' });
    await runWith(api, steps.map((s) => s.answer), 'keyVault.setSecret', await vaultNode());
    const p = (await app().getSecret(name)).properties;
    assert.strictEqual(p.contentType, 'c'.repeat(255));
    assert.strictEqual(Object.keys(p.tags ?? {}).length, 15);
    assert.strictEqual(p.tags?.t3, '3'.padEnd(512, 'x'));
    assert.strictEqual(p.notBefore?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.strictEqual(p.expiresOn?.toISOString(), '2031-01-01T00:00:00.000Z');
  });

  // ---- dates in Edit Properties ----

  async function secretWithDates(props: { notBefore?: Date; expiresOn?: Date }): Promise<string> {
    const name = uniqueName('dates');
    await app().setSecret(name, 'dated-value', props);
    api.tree.refresh();
    await resetStats();
    return name;
  }

  async function propsOf(name: string) {
    for await (const p of app().listPropertiesOfSecrets()) if (p.name === name) return p;
    throw new Error(`${name} not listed`);
  }

  it('Edit Properties refuses an expiry date before the activation date, and updates nothing', async () => {
    const name = await secretWithDates({ notBefore: new Date('2031-01-02T00:00:00Z') });
    const said = refusedByValidation(await attempt(api, [{ quickPick: 'Expiry date' }, { inputBox: '2031-01-01' }],
      'keyVault.editSecretProperties', await findNode(api, [...APP, name])));
    assert.match(said, /expiry date \(2031-01-01 00:00 UTC\) must be after the activation date \(2031-01-02 00:00 UTC\)/);
    await assertNoWrite();
    const p = await propsOf(name);
    assert.strictEqual(p.expiresOn, undefined);
    assert.strictEqual(p.notBefore?.toISOString(), '2031-01-02T00:00:00.000Z');
  });

  it('Edit Properties refuses an activation date after the expiry date, and updates nothing', async () => {
    const name = await secretWithDates({ expiresOn: new Date('2030-01-01T00:00:00Z') });
    const said = refusedByValidation(await attempt(api, [{ quickPick: 'Activation date' }, { inputBox: '2030-06-01' }],
      'keyVault.editSecretProperties', await findNode(api, [...APP, name])));
    assert.match(said, /activation date \(2030-06-01 00:00 UTC\) must be before the expiry date \(2030-01-01 00:00 UTC\)/);
    await assertNoWrite();
    const p = await propsOf(name);
    assert.strictEqual(p.notBefore, undefined);
    assert.strictEqual(p.expiresOn?.toISOString(), '2030-01-01T00:00:00.000Z');
  });

  it('Edit Properties accepts an expiry after the activation date', async () => {
    const name = await secretWithDates({ notBefore: new Date('2031-01-02T00:00:00Z') });
    await runWith(api, [{ quickPick: 'Expiry date' }, { inputBox: '2031-02-01' }], 'keyVault.editSecretProperties',
      await findNode(api, [...APP, name]));
    assert.strictEqual((await propsOf(name)).expiresOn?.toISOString(), '2031-02-01T00:00:00.000Z');
  });

  // ---- cancel at every step of Set Secret "with options" ----

  for (const [i, { step }] of setWithOptions('x').entries()) {
    it(`Set Secret with options cancelled at the ${step} prompt ends quietly and writes nothing`, async () => {
      const name = uniqueName('cancel');
      const steps = setWithOptions(name, { contentType: 'text/plain', tags: 'env=dev', activation: '+1d', expiry: '+30d' });
      const message = await runExpectingError(api, [...steps.slice(0, i).map((s) => s.answer), steps[i]!.cancel],
        'keyVault.setSecret', await vaultNode());
      assert.strictEqual(message, 'Cancelled', 'the command only reports the cancel to a programmatic caller');
      assert.deepStrictEqual(messages.shown.filter((m) => m.level !== 'info'), [], 'no error or warning is shown');
      await assertNoWrite();
      await assertAbsent(name);
    });
  }

  // ---- Add Vault by URL ----

  describe('Add Vault by URL', () => {
    let suffix: string;
    const vaultUrls = () => vscode.workspace.getConfiguration('keyVault').inspect<string[]>('vaultUrls');
    before(() => {
      suffix = api.hub.cloud().keyVaultDnsSuffix;
    });

    const rows: { title: string; url: (sfx: string) => string; says: (sfx: string) => RegExp }[] = [
      { title: 'plain http', url: (s) => `http://x.${s}`, says: () => /A vault URL must use https: "http:\/\/x\./ },
      { title: 'a host outside the cloud\'s vault suffix', url: () => 'https://evil.example.com/',
        says: (s) => new RegExp(`https://evil\\.example\\.com/ is not under \\.${escapeRe(s)}: your Azure sign-in is only sent to`) },
      { title: 'a query string', url: (s) => `https://a.${s}/keys/x?y=1`, says: () => /A vault URL has no query or fragment/ },
      { title: 'a fragment', url: (s) => `https://myvault.${s}/#secrets`, says: () => /A vault URL has no query or fragment/ },
      { title: 'ftp', url: (s) => `ftp://files.${s}/secrets`, says: () => /A vault URL must use https: "ftp:/ },
      { title: 'credentials in the URL', url: (s) => `https://user:pw@v.${s}`, says: () => /^A vault URL must not contain credentials\.$/ },
      { title: 'a vault name starting with a hyphen', url: (s) => `https://-bad-.${s}`, says: () => /A vault name must start with a letter: "-bad-"/ },
      { title: 'an empty input', url: () => '', says: (s) => new RegExp(`Enter a vault URL \\(https://<name>\\.${escapeRe(s)}/\\) or a vault name`) },
      { title: 'the suffix inside another domain', url: (s) => `https://myvault.${s}.evil.com/`, says: (s) => new RegExp(`is not under \\.${escapeRe(s)}`) },
      { title: 'a path that is not a vault path', url: (s) => `https://myvault.${s}/admin/x`, says: () => /is not a vault URL: expected https:\/\/<vault>\./ },
      { title: 'a two-letter vault name', url: (s) => `https://ab.${s}/`, says: () => /A vault name has 3–24 characters; "ab" has 2/ },
      { title: 'consecutive hyphens', url: (s) => `https://my--vault.${s}/`, says: () => /must not contain consecutive hyphens/ },
      { title: 'an underscore in the vault name', url: (s) => `https://my_vault.${s}/`, says: () => /only letters, digits and hyphens, not "_"/ },
    ];
    for (const row of rows) {
      it(`refuses ${row.title} with a clear message and leaves keyVault.vaultUrls unchanged`, async () => {
        const before = vaultUrls();
        const url = row.url(suffix);
        const why = refusedByValidation(await attempt(api, [{ inputBox: url }], 'keyVault.addVaultByUrl'));
        assert.match(why, row.says(suffix));
        assert.doesNotMatch(why, /:pw@|\bpw\b/, 'a password in the URL is not repeated');
        assert.deepStrictEqual(vaultUrls(), before, 'keyVault.vaultUrls unchanged');
      });
    }
  });
});
