// The service's timing windows (src/emulator/windows.ts): delete, recover and purge finish a while after their
// 200/204, and the unmodified SDK's pollers must work through the intermediate answers. Every SDK line ×
// service version runs the three windows in vaults with 1.5 s windows; each SDK line runs the extension's
// flows once in a vault with realistic 2 s windows. Tests never assert durations: they assert the answers
// seen while a window is open and that the pollers end in the finished state.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { SecretClient } from '@azure/keyvault-secrets';
import { COMBOS, Emulator, Recorder, ROOT, emulatorForSuite, forEachCombo, type Exchange } from './support/emulator';
import { rejectsWith } from './support/errors';

const SEED = path.join(ROOT, 'test', 'conformance', 'windows-seed.json');
const POLL = { intervalInMs: 100 };

/** GETs of one path, in order. */
const gets = (rec: Recorder, pathname: string): Exchange[] =>
  rec.exchanges.filter((x) => x.method === 'GET' && new URL(x.url).pathname === pathname);

/** Repeats `op` while it fails with HTTP 409 (at most `limitMs`), as a client that waits for a window does. */
async function retryWhileConflict<T>(op: () => Promise<T>, limitMs = 15000): Promise<{ result: T; conflicts: number }> {
  const until = Date.now() + limitMs;
  let conflicts = 0;
  for (;;) {
    try {
      return { result: await op(), conflicts };
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 409 || Date.now() > until) throw e;
      conflicts++;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** Starts a poller and waits for it, so begin* errors and poll errors reject alike. */
const recoverToEnd = async (c: SecretClient, name: string) => (await c.beginRecoverDeletedSecret(name, POLL)).pollUntilDone();

describe('conformance: timing windows (delete, recover, purge)', function () {
  this.timeout(30000);
  const emu = emulatorForSuite({ seed: SEED });

  forEachCombo((combo) => {
    const p = combo.prefix;
    const rec = new Recorder();

    it('delete window: the delete poller polls through 404s; meanwhile get and get-deleted 404, set 409 ObjectIsBeingDeleted, purge and recover 409 "Secret is currently being deleted."', async () => {
      const c = emu.secretClient(combo, 'win-delete', { recorder: rec });
      const name = `${p}-del`;
      await c.setSecret(name, 'before-delete');
      rec.clear();
      const poller = await c.beginDeleteSecret(name, POLL);
      await rejectsWith(c.getDeletedSecret(name), { status: 404, code: 'SecretNotFound' });
      await rejectsWith(c.getSecret(name), { status: 404, code: 'SecretNotFound' });
      await rejectsWith(c.setSecret(name, 'during-delete'), {
        status: 409, code: 'Conflict', inner: 'ObjectIsBeingDeleted', message: new RegExp(`^Secret ${name} is currently being deleted\\.$`),
      });
      await rejectsWith(c.purgeDeletedSecret(name), { status: 409, code: 'Conflict', inner: 'ObjectIsBeingDeleted', message: /^Secret is currently being deleted\.$/ });
      await rejectsWith(recoverToEnd(c, name), { status: 409, code: 'Conflict', inner: 'ObjectIsBeingDeleted' });
      const deleted = await poller.pollUntilDone();
      assert.equal(deleted.name, name);
      const polls = gets(rec, `/deletedsecrets/${name}`);
      assert.ok(polls.some((x) => x.status === 404), `a 404 while deleting: ${polls.map((x) => x.status).join(',')}`);
      assert.equal(polls[polls.length - 1].status, 200, 'the poller ends on the deleted secret');
      assert.equal((await c.getDeletedSecret(name)).name, name);
      await c.purgeDeletedSecret(name);
    });

    it('recover window: the recover poller polls get through 404s; meanwhile get-deleted 404 and set 409 ObjectIsBeingRecovered', async () => {
      const c = emu.secretClient(combo, 'win-recover', { recorder: rec });
      const name = `${p}-rec`;
      await c.setSecret(name, 'recovered-value');
      await (await c.beginDeleteSecret(name, POLL)).pollUntilDone();
      rec.clear();
      const poller = await c.beginRecoverDeletedSecret(name, POLL);
      await rejectsWith(c.getSecret(name), { status: 404, code: 'SecretNotFound' });
      await rejectsWith(c.getDeletedSecret(name), { status: 404, code: 'SecretNotFound' });
      await rejectsWith(c.setSecret(name, 'during-recover'), {
        status: 409, code: 'Conflict', inner: 'ObjectIsBeingRecovered',
        message: new RegExp(`^Secret ${name} is currently being recovered and cannot be re-created; retry later\\.$`),
      });
      const recovered = await poller.pollUntilDone();
      assert.equal(recovered.name, name);
      const polls = gets(rec, `/secrets/${name}/`);
      assert.ok(polls.some((x) => x.status === 404), `a 404 while recovering: ${polls.map((x) => x.status).join(',')}`);
      assert.equal(polls[polls.length - 1].status, 200, 'the poller ends on the recovered secret');
      assert.equal((await c.getSecret(name)).value, 'recovered-value');
      assert.equal((await c.setSecret(name, 'after-recover')).value, 'after-recover');
    });

    it('purge window: after 204 get and get-deleted 404, set 409 "cannot be re-created; retry later" and restore 409 until the purge ends', async () => {
      const c = emu.secretClient(combo, 'win-purge', { recorder: rec });
      const name = `${p}-pur`;
      await c.setSecret(name, 'purged-value');
      const backup = await c.backupSecret(name);
      assert.ok(backup);
      await (await c.beginDeleteSecret(name, POLL)).pollUntilDone();
      await c.purgeDeletedSecret(name);
      await rejectsWith(c.getSecret(name), { status: 404, code: 'SecretNotFound' });
      await rejectsWith(c.getDeletedSecret(name), { status: 404, code: 'SecretNotFound' });
      await rejectsWith(c.setSecret(name, 'too-early'), {
        status: 409, code: 'Conflict', inner: 'ObjectIsBeingDeleted',
        message: new RegExp(`^Secret ${name} is currently being deleted and cannot be re-created; retry later\\.$`),
      });
      await rejectsWith(c.restoreSecretBackup(backup), { status: 409, code: 'Conflict', inner: 'ObjectIsBeingDeleted' });
      const { result } = await retryWhileConflict(() => c.setSecret(name, 'recreated'));
      assert.equal(result.value, 'recreated');
      assert.equal((await c.getSecret(name)).value, 'recreated');
    });
  });

  // The extension's flows, once per SDK line, in a vault with realistic windows (2 s each).
  for (const combo of COMBOS.filter((c) => c.serviceVersion === undefined)) {
    describe(`${combo.title} (realistic 2 s windows)`, () => {
      it('delete then set, set right after purge, recover then reveal: each waits out its window and ends in the right state', async () => {
        const c = emu.secretClient(combo, 'win-all');
        const name = `${combo.prefix}-flow`;
        await c.setSecret(name, 'v1');
        // delete then set: 409 while deleting, then the deleted-but-recoverable conflict once the delete is done
        const del = await c.beginDeleteSecret(name, POLL);
        await rejectsWith(c.setSecret(name, 'v2'), { status: 409, inner: 'ObjectIsBeingDeleted' });
        await del.pollUntilDone();
        await rejectsWith(c.setSecret(name, 'v2'), { status: 409, inner: 'ObjectIsDeletedButRecoverable' });
        // recover then reveal: the poller waits until get answers
        await recoverToEnd(c, name);
        assert.equal((await c.getSecret(name)).value, 'v1');
        // set right after purge: 409 until the purge is done, then the name is free
        await (await c.beginDeleteSecret(name, POLL)).pollUntilDone();
        await c.purgeDeletedSecret(name);
        const { result } = await retryWhileConflict(() => c.setSecret(name, 'v3'));
        assert.equal(result.value, 'v3');
        const versions: string[] = [];
        for await (const v of c.listPropertiesOfSecretVersions(name)) versions.push(v.version!);
        assert.equal(versions.length, 1, 'a purged name starts with no versions');
      });
    });
  }

  describe('outside the matrix', () => {
    it('lists show a name in transit in neither collection', async () => {
      const combo = COMBOS[0];
      const c = emu.secretClient(combo, 'win-recover');
      const name = 'transit-listed';
      await c.setSecret(name, 'x');
      await (await c.beginDeleteSecret(name, POLL)).pollUntilDone();
      const poller = await c.beginRecoverDeletedSecret(name, POLL);
      const live: string[] = [];
      for await (const s of c.listPropertiesOfSecrets()) live.push(s.name);
      const gone: string[] = [];
      for await (const s of c.listDeletedSecrets()) gone.push(s.name);
      assert.ok(!live.includes(name) && !gone.includes(name), `${name} listed while recovering`);
      await poller.pollUntilDone();
      const after: string[] = [];
      for await (const s of c.listPropertiesOfSecrets()) after.push(s.name);
      assert.ok(after.includes(name));
    });

    it('admin API: GET /_admin/windows shows the seed; PATCH changes one vault or all; bad input is 400 and changes nothing', async () => {
      const got = await emu.admin('/_admin/windows');
      assert.equal(got.status, 200);
      const vaults = (got.json() as { vaults: Record<string, Record<string, number>> }).vaults;
      assert.deepEqual(vaults['win-delete'], { deleteDelayMs: 1500, recoverDelayMs: 0, purgeDelayMs: 0 });
      assert.deepEqual(vaults['win-all'], { deleteDelayMs: 2000, recoverDelayMs: 2000, purgeDelayMs: 2000 });
      for (const [body, says] of [
        [{ vault: 'win-delete', deleteDelayMs: -1 }, /deleteDelayMs must be an integer number of milliseconds from 0 to 600000/],
        [{ vault: 'win-delete', deleteDelayMs: 1.5 }, /deleteDelayMs must be an integer/],
        [{ vault: 'win-delete', deleteDelayMs: 600001 }, /from 0 to 600000/],
        [{ vault: 'win-delete', delayMs: 5 }, /unknown field "delayMs"/],
        [{ vault: 'nope', purgeDelayMs: 5 }, /unknown vault nope/],
        [{ vault: 'win-delete' }, /at least one of/],
      ] as [unknown, RegExp][]) {
        const res = await emu.admin('/_admin/windows', { method: 'PATCH', json: body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match((res.json() as { error: { message: string } }).error.message, says);
      }
      const one = await emu.admin('/_admin/windows', { method: 'PATCH', json: { vault: 'win-delete', deleteDelayMs: 0 } });
      assert.equal(one.status, 200);
      assert.equal((one.json() as { vaults: Record<string, { deleteDelayMs: number }> }).vaults['win-delete'].deleteDelayMs, 0);
      // With the window closed, a delete is visible in the deleted collection at once (no poll needed).
      const c = emu.secretClient(COMBOS[0], 'win-delete');
      await c.setSecret('instant-delete', 'x');
      const raw = await emu.request(`${emu.vaultUrl('win-delete')}secrets/instant-delete?api-version=7.6`, { method: 'DELETE', token: await emu.vaultToken('win-delete') });
      assert.equal(raw.status, 200);
      assert.equal((await c.getDeletedSecret('instant-delete')).name, 'instant-delete');
      const all = await emu.admin('/_admin/windows', { method: 'PATCH', json: { recoverDelayMs: 10 } });
      const after = (all.json() as { vaults: Record<string, { recoverDelayMs: number }> }).vaults;
      assert.ok(Object.values(after).every((w) => w.recoverDelayMs === 10));
    });

    it('CLI: --delete-delay/--recover-delay/--purge-delay set the default, --windows all three, a seed vault\'s own value wins; bad values exit 2', async function () {
      const flags = await Emulator.start({ extraArgs: ['--delete-delay', '1200', '--recover-delay', '1300', '--purge-delay', '1400'] });
      try {
        assert.deepEqual((flags.ready.windows as Record<string, unknown>).dev, { deleteDelayMs: 1200, recoverDelayMs: 1300, purgeDelayMs: 1400 });
      } finally {
        await flags.stop();
      }
      const seeded = await Emulator.start({ seed: SEED, extraArgs: ['--windows', '999'] });
      try {
        const w = seeded.ready.windows as Record<string, Record<string, number>>;
        assert.deepEqual(w['win-delete'], { deleteDelayMs: 1500, recoverDelayMs: 999, purgeDelayMs: 999 });
        assert.deepEqual(w['win-all'], { deleteDelayMs: 2000, recoverDelayMs: 2000, purgeDelayMs: 2000 });
      } finally {
        await seeded.stop();
      }
      await assert.rejects(Emulator.start({ extraArgs: ['--purge-delay', '-5'] }), /exited early \(code 2/);
      await assert.rejects(Emulator.start({ extraArgs: ['--windows', '700000'] }), /exited early \(code 2/);
    });

    it('the default windows are 0: without flags or seed values, delete, recover and purge finish at once', async () => {
      const plain = await Emulator.start();
      try {
        assert.deepEqual((plain.ready.windows as Record<string, unknown>).dev, { deleteDelayMs: 0, recoverDelayMs: 0, purgeDelayMs: 0 });
        const c = plain.secretClient(COMBOS[0], 'dev');
        await c.setSecret('zero', 'z');
        await c.beginDeleteSecret('zero', POLL);
        assert.equal((await c.getDeletedSecret('zero')).name, 'zero');
        await c.beginRecoverDeletedSecret('zero', POLL);
        assert.equal((await c.getSecret('zero')).value, 'z');
        await (await c.beginDeleteSecret('zero', POLL)).pollUntilDone();
        await c.purgeDeletedSecret('zero');
        assert.equal((await c.setSecret('zero', 'again')).value, 'again');
      } finally {
        await plain.stop();
      }
    });
  });
});
