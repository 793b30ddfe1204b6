// GET throughput: the emulator's secrets.get (real bearer token, full request chain) next to a bare Node
// https server returning fixed JSON, same machine, same run, same TLS key, same client.
//   node --import tsx test/bench/emulator-get.ts [requests=5000] [concurrency=16]
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { buildSync } from 'esbuild';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { localEmulatorPolicy, localhostLookup } from '../../src/azure/localTransport';

const TOTAL = Number(process.argv[2] ?? 5000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const ROOT = path.resolve(__dirname, '..', '..');

function readyLine(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as Record<string, unknown>));
    child.once('exit', (c) => reject(new Error(`exited ${c}`)));
  });
}

async function run(label: string, url: URL, headers: Record<string, string>, ca: string): Promise<number> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca, lookup: localhostLookup });
  const once = () => new Promise<void>((resolve, reject) => {
    const req = https.request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${label}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
  for (let i = 0; i < 200; i++) await once(); // warm-up
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next++ < TOTAL) await once();
  }));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  const rps = TOTAL / secs;
  console.log(`${label}: ${TOTAL} GETs, concurrency ${CONCURRENCY}, ${secs.toFixed(2)} s, ${rps.toFixed(0)} req/s`);
  return rps;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-emu-bench-'));
  const children: ChildProcess[] = [];
  try {
    const bundle = path.join(tmp, 'emulator.js');
    buildSync({ entryPoints: [path.join(ROOT, 'src/emulator/cli.ts')], bundle: true, platform: 'node', target: 'node22', format: 'cjs', outfile: bundle, logLevel: 'error' });
    const emu = spawn(process.execPath, [bundle, '--port', '0', '--data', path.join(tmp, 'data')], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(emu);
    const info = await readyLine(emu) as { port: number; ca: string; tenantId: string; authorityHost: string; vaults: { url: string }[]; principals: { clientId: string; clientSecret: string }[] };
    const ca = fs.readFileSync(info.ca, 'utf8');
    const p = info.principals[0];
    const transport = { additionalPolicies: [{ policy: localEmulatorPolicy(ca), position: 'perCall' as const }] };
    const cred = new ClientSecretCredential(info.tenantId, p.clientId, p.clientSecret, { authorityHost: info.authorityHost, disableInstanceDiscovery: true, ...transport });
    const client = new SecretClient(info.vaults[0].url, cred, transport);
    const s = await client.setSecret('bench-secret', 'bench-value-0123456789');
    const token = (await cred.getToken(`https://vault.localhost:${info.port}/.default`))!.token;

    // Bare server: same TLS key/cert as the emulator, returns the same bytes the emulator returned.
    const keys = JSON.parse(fs.readFileSync(path.join(tmp, 'data', 'keys.json'), 'utf8')) as { serverKey: string; serverCert: string };
    const fixed = JSON.stringify({ value: s.value, id: s.properties.id, attributes: { enabled: true } });
    const bareSrc = `const https=require('https');const body=${JSON.stringify(fixed)};` +
      `const s=https.createServer({key:${JSON.stringify(keys.serverKey)},cert:${JSON.stringify(keys.serverCert)}},(q,r)=>{r.writeHead(200,{'content-type':'application/json','content-length':Buffer.byteLength(body)});r.end(body)});` +
      `s.listen(0,'127.0.0.1',()=>console.log(JSON.stringify({port:s.address().port})));`;
    const bare = spawn(process.execPath, ['-e', bareSrc], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(bare);
    const barePort = (await readyLine(bare)).port as number;

    const emuUrl = new URL(`${info.vaults[0].url}secrets/bench-secret/?api-version=7.6`);
    const bareUrl = new URL(`https://localhost:${barePort}/secrets/bench-secret/?api-version=7.6`);
    // Interleaved rounds so client warm-up and machine load hit both alike; the best round of each counts.
    let a = 0;
    let b = 0;
    for (let round = 1; round <= 3; round++) {
      a = Math.max(a, await run(`round ${round} bare https server`, bareUrl, {}, ca));
      b = Math.max(b, await run(`round ${round} emulator secrets.get`, emuUrl, { authorization: `Bearer ${token}` }, ca));
    }
    console.log(`best: bare ${a.toFixed(0)} req/s, emulator ${b.toFixed(0)} req/s, ratio emulator/bare ${(b / a).toFixed(2)}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
