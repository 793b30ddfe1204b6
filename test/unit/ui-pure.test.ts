// Pure helpers of the UI layer: how secrets read in the tree, what users type for dates and tags, the
// emulator ready line, and paged lists.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dateValidator, formatTags, parseDateInput } from '../../src/commands/inputs';
import type { SecretProps } from '../../src/azure/model';
import { isPurgeable } from '../../src/azure/rules';
import { deletedDescription, expiryText, matchesFilter, secretDescription, secretIcon, secretState, secretTooltipLines } from '../../src/tree/describe';
import { findInstance, parseReadyInfo, readyInfoFromEnv } from '../../src/ui/emulatorProcess';
import { PagedList } from '../../src/ui/pagedList';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const DAY = 86400e3;
const props = (p: Partial<SecretProps>): SecretProps => ({ name: 's', vaultUrl: 'https://v.vault.azure.net/', id: 'x', enabled: true, managed: false, ...p });

describe('tree descriptions', () => {
  it('states: disabled wins, then expired, not yet valid, expiring within 30 days', () => {
    assert.strictEqual(secretState(props({ enabled: false, expiresOn: new Date(NOW - DAY) }), NOW), 'disabled');
    assert.strictEqual(secretState(props({ expiresOn: new Date(NOW - 1) }), NOW), 'expired');
    assert.strictEqual(secretState(props({ notBefore: new Date(NOW + DAY) }), NOW), 'notYetValid');
    assert.strictEqual(secretState(props({ expiresOn: new Date(NOW + 10 * DAY) }), NOW), 'expiring');
    assert.strictEqual(secretState(props({ expiresOn: new Date(NOW + 40 * DAY) }), NOW), 'ok');
  });

  it('expiry text counts whole days', () => {
    assert.strictEqual(expiryText(props({ expiresOn: new Date(NOW + 5.5 * DAY) }), NOW), 'expires in 5 days');
    assert.strictEqual(expiryText(props({ expiresOn: new Date(NOW + 1.2 * DAY) }), NOW), 'expires in 1 day');
    assert.strictEqual(expiryText(props({ expiresOn: new Date(NOW + 3600e3) }), NOW), 'expires today');
    assert.strictEqual(expiryText(props({ expiresOn: new Date(NOW - DAY) }), NOW), 'expired');
    assert.strictEqual(expiryText(props({}), NOW), undefined);
  });

  it('description joins certificate, state, content type and tag count', () => {
    assert.strictEqual(secretDescription(props({ managed: true, contentType: 'application/x-pem-file', tags: { a: '1', b: '2' } }), NOW),
      'certificate · application/x-pem-file · 2 tags');
    assert.strictEqual(secretDescription(props({ enabled: false, tags: { a: '1' } }), NOW), 'disabled · 1 tag');
    assert.strictEqual(secretDescription(props({ notBefore: new Date('2026-12-01T00:00:00Z') }), NOW), 'not before 2026-12-01');
  });

  it('icons follow the state; certificate-backed secrets get their own', () => {
    assert.strictEqual(secretIcon(props({ managed: true, enabled: false }), NOW).id, 'workspace-trusted');
    assert.strictEqual(secretIcon(props({ enabled: false }), NOW).id, 'circle-slash');
    assert.strictEqual(secretIcon(props({ expiresOn: new Date(NOW - 1) }), NOW).id, 'warning');
    assert.strictEqual(secretIcon(props({}), NOW).id, 'key');
  });

  it('tooltips list metadata and tags, never a value', () => {
    const lines = secretTooltipLines(props({ name: 'db', version: 'abc', contentType: 'text/plain', tags: { owner: 'data' } }), NOW);
    assert.ok(lines.includes('Content type: text/plain'));
    assert.ok(lines.includes('Tag owner = data'));
    assert.strictEqual(lines[0], 'db (version abc)');
  });

  it('purge is possible unless the recovery level lacks Purgeable (purge protection)', () => {
    assert.strictEqual(isPurgeable({ ...props({}), recoveryLevel: 'Recoverable+Purgeable' }), true);
    assert.strictEqual(isPurgeable({ ...props({}), recoveryLevel: 'CustomizedRecoverable+Purgeable' }), true);
    assert.strictEqual(isPurgeable({ ...props({}), recoveryLevel: 'Recoverable' }), false);
    assert.strictEqual(isPurgeable({ ...props({}), recoveryLevel: 'CustomizedRecoverable' }), false);
  });

  it('deleted description names the deletion and the scheduled purge', () => {
    assert.strictEqual(deletedDescription({ ...props({}), deletedOn: new Date('2026-11-01T00:00:00Z'), scheduledPurgeDate: new Date('2027-01-30T00:00:00Z') }),
      'deleted 2026-11-01 · purge scheduled 2027-01-30');
  });

  it('filters names case-insensitively by substring', () => {
    assert.ok(matchesFilter('airflow-connections-smtp', 'CONNECTIONS'));
    assert.ok(!matchesFilter('airflow-variables-x', 'connections'));
    assert.ok(matchesFilter('anything', undefined));
  });
});

describe('date and tag input', () => {
  it('parses dates as UTC, relative days, and empty as "clear"', () => {
    assert.strictEqual(parseDateInput('2031-01-02')?.toISOString(), '2031-01-02T00:00:00.000Z');
    assert.strictEqual(parseDateInput('2031-01-02T08:30')?.toISOString(), '2031-01-02T08:30:00.000Z');
    assert.strictEqual(parseDateInput('+30d', NOW)?.getTime(), NOW + 30 * DAY);
    assert.strictEqual(parseDateInput('  '), null);
  });

  it('says what a date must look like', () => {
    assert.match(dateValidator('next tuesday') ?? '', /YYYY-MM-DD/);
    assert.strictEqual(dateValidator('2030-05-05'), undefined);
  });

  it('formats tags for editing', () => {
    assert.strictEqual(formatTags({ a: '1', b: 'x y' }), 'a=1, b=x y');
    assert.strictEqual(formatTags(undefined), '');
  });
});

describe('emulator ready line', () => {
  const ready = { ready: true, port: 4321, ca: '/tmp/ca.pem', authorityHost: 'https://localhost:4321', armEndpoint: 'https://localhost:4321',
    tenantId: 't', vaults: [{ name: 'dev', url: 'https://dev.vault.localhost:4321/' }], principals: [] };

  it('accepts the ready line and refuses anything else', () => {
    assert.strictEqual(parseReadyInfo(JSON.stringify(ready))?.port, 4321);
    assert.strictEqual(parseReadyInfo('{"ready":false}'), undefined);
    assert.strictEqual(parseReadyInfo('[keyvault-emulator] ready on https://localhost:4321'), undefined);
  });

  it('reads KEYVAULT_EMULATOR_READY as the line itself or as a file holding it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ready-'));
    const file = path.join(dir, 'ready.json');
    fs.writeFileSync(file, JSON.stringify(ready));
    assert.strictEqual(readyInfoFromEnv(JSON.stringify(ready))?.port, 4321);
    assert.strictEqual(readyInfoFromEnv(file)?.port, 4321);
    assert.strictEqual(readyInfoFromEnv(path.join(dir, 'missing.json')), undefined);
    fs.rmSync(dir, { recursive: true });
  });

  it('finds an emulator started outside VS Code by its port in <stateDir>/instances', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'state-'));
    fs.mkdirSync(path.join(dir, 'instances'));
    fs.writeFileSync(path.join(dir, 'instances', '4321.json'), JSON.stringify(ready));
    assert.strictEqual(findInstance(4321, [dir])?.vaults[0]?.name, 'dev');
    assert.strictEqual(findInstance(4322, [dir]), undefined);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('paged lists', () => {
  it('concurrent first-page loads share one request; more() continues; all() drains', async () => {
    let calls = 0;
    const pages: Record<string, { items: number[]; continuationToken?: string }> = {
      '': { items: [1, 2], continuationToken: 'b' }, b: { items: [3, 4], continuationToken: 'c' }, c: { items: [5] },
    };
    const list = new PagedList<number>(async (token) => { calls++; await new Promise((r) => setTimeout(r, 5)); return pages[token ?? '']!; });
    await Promise.all([list.first(), list.first()]);
    assert.strictEqual(calls, 1);
    assert.deepStrictEqual(list.items, [1, 2]);
    await list.more();
    assert.deepStrictEqual(list.items, [1, 2, 3, 4]);
    await list.all();
    assert.deepStrictEqual(list.items, [1, 2, 3, 4, 5]);
    assert.strictEqual(list.token, undefined);
    assert.strictEqual(calls, 3);
  });
});
