// The emulator as a child process (the way tests and the extension run it): the ready line, a real
// ClientSecretCredential + SecretClient round trip, SIGTERM, and persistence across kill -9.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { buildSync } from 'esbuild';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { localEmulatorPolicy } from '../../src/azure/localTransport';

interface Ready {
  ready: boolean; port: number; ca: string; authorityHost: string; armEndpoint: string; tenantId: string;
  vaults: { name: string; url: string }[]; principals: { clientId: string; clientSecret: string; roles: string[] }[];
  stateDir: string;
}

const ROOT = path.resolve(__dirname, '..', '..');
let bundle: string;
let tmp: string;
const children = new Set<ChildProcess>();

/** Starts `node <bundle> …args` and resolves with the parsed ready line (stdout must hold only that line). */
async function start(args: string[]): Promise<{ child: ChildProcess; info: Ready; stdout: () => string }> {
  const child = spawn(process.execPath, [bundle, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.resume();
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code} before ready`)));
  });
  return { child, info: JSON.parse(line) as Ready, stdout: () => out };
}

function client(info: Ready): SecretClient {
  const ca = fs.readFileSync(info.ca, 'utf8');
  const p = info.principals[0];
  const transport = { additionalPolicies: [{ policy: localEmulatorPolicy(ca), position: 'perCall' as const }] };
  const cred = new ClientSecretCredential(info.tenantId, p.clientId, p.clientSecret, {
    authorityHost: info.authorityHost, disableInstanceDiscovery: true, additionallyAllowedTenants: ['*'], ...transport,
  });
  return new SecretClient(info.vaults[0].url, cred, transport);
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

describe('emulator: CLI process', function () {
  this.timeout(60_000);

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-emu-unit-'));
    bundle = path.join(tmp, 'emulator.js');
    // Bundle into a private file so a concurrent `node esbuild.js` elsewhere cannot race with us.
    buildSync({ entryPoints: [path.join(ROOT, 'src/emulator/cli.ts')], bundle: true, platform: 'node', target: 'node22', format: 'cjs', outfile: bundle, logLevel: 'error' });
  });

  after(() => {
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prints exactly one ready line with the contract fields, then serves a real SDK round trip', async () => {
    const { child, info, stdout } = await start(['--data', path.join(tmp, 'smoke')]);
    assert.equal(info.ready, true);
    assert.ok(info.port > 0);
    assert.ok(path.isAbsolute(info.ca) && fs.readFileSync(info.ca, 'utf8').includes('BEGIN CERTIFICATE'));
    assert.equal(info.authorityHost, `https://localhost:${info.port}`);
    assert.equal(info.armEndpoint, `https://localhost:${info.port}`);
    assert.deepEqual(info.vaults.map((v) => v.url), [`https://dev.vault.localhost:${info.port}/`]);
    assert.deepEqual(info.principals[0].roles, ['Key Vault Administrator']);
    const instanceFile = path.join(info.stateDir, 'instances', `${info.port}.json`);
    assert.equal(JSON.parse(fs.readFileSync(instanceFile, 'utf8')).port, info.port);

    const c = client(info);
    const set = await c.setSecret('Smoke-Test', 'smoke-value-1', { contentType: 'text/plain', tags: { a: 'b' } });
    assert.match(set.properties.version!, /^[0-9a-f]{32}$/);
    const got = await c.getSecret('smoke-test');
    assert.equal(got.value, 'smoke-value-1');
    assert.equal(got.name, 'Smoke-Test');
    assert.deepEqual(got.properties.tags, { a: 'b' });

    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
    assert.equal(stdout().trim().split('\n').length, 1, 'stdout holds only the ready line');
    assert.ok(!fs.existsSync(instanceFile), 'instance file removed on clean shutdown');
  });

  it('an acknowledged write survives kill -9 and is not stored in clear', async () => {
    const data = path.join(tmp, 'crash');
    const first = await start(['--data', data]);
    const c1 = client(first.info);
    await c1.setSecret('durable', 'durable-value-xyz');
    await c1.setSecret('durable', 'durable-value-v2');
    await (await c1.beginDeleteSecret('durable')).pollUntilDone();
    await (await c1.beginRecoverDeletedSecret('durable')).pollUntilDone();
    await c1.setSecret('last-write', 'written-just-before-the-crash');
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await start(['--data', data]);
    const c2 = client(second.info);
    assert.equal((await c2.getSecret('durable')).value, 'durable-value-v2');
    assert.equal((await c2.getSecret('last-write')).value, 'written-just-before-the-crash');
    let versions = 0;
    for await (const v of c2.listPropertiesOfSecretVersions('durable')) versions += v ? 1 : 0;
    assert.equal(versions, 2);
    second.child.kill('SIGTERM');
    await exited(second.child);

    for (const f of fs.readdirSync(data, { recursive: true }).map(String)) {
      const full = path.join(data, f);
      if (fs.statSync(full).isFile()) {
        assert.ok(!fs.readFileSync(full, 'latin1').includes('durable-value'), `${f} holds a value in clear`);
      }
    }
  });
});
