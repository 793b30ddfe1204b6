// The emulator's CLI contract (other tools rely on it): the ready line, the default configuration without a
// seed, SIGTERM, logs on stderr without secret values, and --data surviving kill -9.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMBOS, CONFORMANCE_SEED, Emulator } from './support/emulator';
import { ALL_VAULTS, TENANT_A } from './support/fixtures';

const combo = COMBOS[0];

describe('conformance: emulator CLI contract', function () {
  this.timeout(60000);
  const started: Emulator[] = [];
  const tmpDirs: string[] = [];
  const start = async (opts: Parameters<typeof Emulator.start>[0]) => {
    const e = await Emulator.start(opts);
    started.push(e);
    return e;
  };
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-conf-'));
    tmpDirs.push(d);
    return d;
  };

  afterEach(function () {
    // On failure, show what the emulators said (their stderr never holds secret values).
    if (this.currentTest?.state !== 'failed') return;
    for (const e of started) {
      console.error(`--- emulator port ${e.ready.port} (${e.isRunning ? 'running' : `exited ${e.child.exitCode ?? e.child.signalCode}`}) stderr tail ---\n${e.stderr().slice(-1500)}`);
    }
  });

  after(async () => {
    for (const e of started) await e.stop(2000);
    for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('with the conformance seed: the ready line names every vault at https://<name>.vault.localhost:<port>/ and the principals', async () => {
    const emu = await start({ seed: CONFORMANCE_SEED });
    const r = emu.ready;
    assert.equal(r.ready, true);
    assert.ok(Number.isInteger(r.port) && r.port > 0);
    assert.ok(path.isAbsolute(r.ca) && fs.existsSync(r.ca));
    assert.match(fs.readFileSync(r.ca, 'utf8'), /-----BEGIN CERTIFICATE-----/);
    assert.equal(r.authorityHost, `https://localhost:${r.port}`);
    assert.equal(r.armEndpoint, `https://localhost:${r.port}`);
    assert.equal(r.tenantId.toLowerCase(), TENANT_A);
    assert.deepEqual(r.vaults.map((v) => v.name).sort(), [...ALL_VAULTS].sort());
    for (const v of r.vaults) assert.equal(v.url, `https://${v.name}.vault.localhost:${r.port}/`);
    assert.equal(r.principals.length, 4);
    for (const p of r.principals) assert.ok(p.clientId && p.clientSecret && Array.isArray(p.roles));
  });

  it('without a seed: one tenant, one subscription, vault "dev", one Key Vault Administrator that can write and read', async () => {
    const emu = await start({});
    assert.deepEqual(emu.ready.vaults.map((v) => v.name), ['dev']);
    assert.equal(emu.ready.principals.length, 1);
    assert.match(JSON.stringify(emu.ready.principals[0].roles), /Key Vault Administrator/);
    const c = emu.secretClient(combo, 'dev');
    await c.setSecret('hello', 'world');
    assert.equal((await c.getSecret('hello')).value, 'world');
  });

  it('SIGTERM stops it cleanly (exit code 0)', async () => {
    const emu = await start({});
    const how = await emu.stop(5000);
    assert.equal(how, 'clean');
    assert.equal(emu.child.exitCode, 0);
  });

  it('with --data, the ready JSON is also in <stateDir>/instances/<port>.json (0600) until a clean shutdown', async () => {
    const data = tmp();
    const emu = await start({ seed: CONFORMANCE_SEED, data });
    const stateDir = typeof emu.ready.stateDir === 'string' ? emu.ready.stateDir : data;
    const file = path.join(stateDir, 'instances', `${emu.ready.port}.json`);
    assert.ok(fs.existsSync(file), file);
    assert.equal(fs.statSync(file).mode & 0o077, 0, 'not readable by others');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(saved.port, emu.ready.port);
    assert.equal(saved.ca, emu.ready.ca);
    assert.deepEqual(saved.vaults, emu.ready.vaults);
    assert.equal(await emu.stop(), 'clean');
    assert.ok(!fs.existsSync(file), 'removed on SIGTERM');
  });

  it('stdout carries exactly the ready line; secret values never reach the logs', async () => {
    const emu = await start({ seed: CONFORMANCE_SEED });
    let extraStdout = '';
    emu.child.stdout!.on('data', (d: string) => { extraStdout += d; });
    const marker = 'log-marker-value-7f3a9c';
    const c = emu.secretClient(combo, 'conf-main');
    await c.setSecret('log-check', marker);
    assert.equal((await c.getSecret('log-check')).value, marker);
    await c.updateSecretProperties('log-check', '', { tags: { t: '1' } });
    await emu.stop();
    assert.equal(extraStdout, '', 'nothing after the ready line on stdout');
    assert.ok(!emu.stderr().includes(marker), 'secret value in stderr');
  });

  it('--data: an acknowledged write survives kill -9; the CA is reused', async () => {
    const data = tmp();
    const first = await start({ seed: CONFORMANCE_SEED, data });
    const ca1 = first.caPem;
    const c1 = first.secretClient(combo, 'conf-main');
    await c1.setSecret('durable', 'v1');
    await c1.setSecret('durable', 'v2');
    await (await c1.beginDeleteSecret('seed-filler-01', { intervalInMs: 20 })).pollUntilDone();
    await first.kill9();
    const second = await start({ seed: CONFORMANCE_SEED, data });
    assert.equal(second.caPem, ca1, 'same CA');
    const c2 = second.secretClient(combo, 'conf-main');
    assert.equal((await c2.getSecret('durable')).value, 'v2');
    let versions = 0;
    for await (const _ of c2.listPropertiesOfSecretVersions('durable')) versions++;
    assert.equal(versions, 2);
    assert.equal((await c2.getDeletedSecret('seed-filler-01')).name, 'seed-filler-01', 'the delete survived and the seed did not re-create it');
  });

  it('--data: nothing in the data folder holds a secret value in clear', async () => {
    const data = tmp();
    const emu = await start({ seed: CONFORMANCE_SEED, data });
    const marker = 'disk-marker-value-91b2c4';
    await emu.secretClient(combo, 'conf-main').setSecret('on-disk', marker);
    await emu.stop();
    const files = fs.readdirSync(data, { recursive: true }).map(String).map((f) => path.join(data, f)).filter((f) => fs.statSync(f).isFile());
    assert.ok(files.length > 0);
    for (const f of files) {
      const content = fs.readFileSync(f);
      assert.ok(!content.includes(marker), `${path.basename(f)} holds the value in clear`);
      assert.ok(!content.includes('tagged-value'), `${path.basename(f)} holds a seeded value in clear`);
    }
  });

  it('a broken seed file fails fast with a message on stderr and no ready line', async () => {
    const dir = tmp();
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ vaults: [{ name: 'x' }] }));
    await assert.rejects(Emulator.start({ seed: bad, timeoutMs: 15000 }), /exited early/);
  });
});
