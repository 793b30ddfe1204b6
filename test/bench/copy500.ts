// Copy 500 secrets between two emulator vaults: the extension's planner + executor (list source, target and
// deleted; plan; copy with 8 in flight) next to bare SDK loops doing the same copies (getSecret + setSecret per
// name; sequential, and with the same 8 in flight), same emulator, same run. Prints time and request count.
//   node --import tsx test/bench/copy500.ts [secrets=500]
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { buildSync } from 'esbuild';
import { ClientSecretCredential } from '@azure/identity';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { SecretClient } from '@azure/keyvault-secrets';
import { localEmulatorPolicy } from '../../src/azure/localTransport';
import type { DeletedSecretProps, Page, SecretProps, VaultRef } from '../../src/azure/model';
import { createSecretsService } from '../../src/azure/secretsService';
import { executePlan, mapLimit } from '../../src/bulk/execute';
import { planCopy } from '../../src/bulk/plan';

const N = Number(process.argv[2] ?? 500);
const ROOT = path.resolve(__dirname, '..', '..');

function readyLine(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as Record<string, unknown>));
    child.once('exit', (c) => reject(new Error(`exited ${c}`)));
  });
}

function counter(): { policy: PipelinePolicy; count: () => number; reset: () => void } {
  let n = 0;
  return {
    policy: { name: 'count', sendRequest: (req, next) => { n++; return next(req); } },
    count: () => n, reset: () => { n = 0; },
  };
}

async function all<T>(fetch: (t?: string) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let t: string | undefined;
  do { const p = await fetch(t); out.push(...p.items); t = p.continuationToken; } while (t);
  return out;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-copy-bench-'));
  let emu: ChildProcess | undefined;
  try {
    const bundle = path.join(tmp, 'emulator.js');
    buildSync({ entryPoints: [path.join(ROOT, 'src/emulator/cli.ts')], bundle: true, platform: 'node', target: 'node22', format: 'cjs', outfile: bundle, logLevel: 'error' });
    const seed = path.join(tmp, 'seed.json');
    fs.writeFileSync(seed, JSON.stringify({ vaults: [
      { name: 'bench-src', secrets: Array.from({ length: N }, (_, i) => ({ name: `copy-${String(i).padStart(4, '0')}`, value: `value-${i}-${'x'.repeat(64)}`, contentType: 'text/plain', tags: { n: String(i) } })) },
      { name: 'bench-ext' }, { name: 'bench-sdk' }, { name: 'bench-sdk8' },
    ], principals: [{ clientId: '0b0b0b0b-1111-4111-8111-000000000001', clientSecret: 'bench-copy-secret', displayName: 'bench',
      roles: ['bench-src', 'bench-ext', 'bench-sdk', 'bench-sdk8'].map((vault) => ({ role: 'Key Vault Administrator', vault })) }] }));
    emu = spawn(process.execPath, [bundle, '--port', '0', '--seed', seed], { stdio: ['ignore', 'pipe', 'inherit'] });
    const info = await readyLine(emu) as { port: number; ca: string; tenantId: string; authorityHost: string; vaults: { name: string; url: string }[]; principals: { clientId: string; clientSecret: string }[] };
    const ca = fs.readFileSync(info.ca, 'utf8');
    const p = info.principals[0]!;
    const transport = { additionalPolicies: [{ policy: localEmulatorPolicy(ca), position: 'perCall' as const }] };
    const cred = new ClientSecretCredential(info.tenantId, p.clientId, p.clientSecret, { authorityHost: info.authorityHost, disableInstanceDiscovery: true, ...transport });
    const url = (name: string) => info.vaults.find((v) => v.name === name)!.url;
    const ref = (name: string): VaultRef => ({ name, url: url(name), source: 'emulator' });
    const count = counter();
    const perRetry = { position: 'perRetry' as const, policy: count.policy };
    await cred.getToken(`https://vault.localhost:${info.port}/.default`);

    // 1. the extension: list, plan, execute (8 in flight)
    const src = createSecretsService(ref('bench-src'), cred, { ca, additionalPolicies: [perRetry] });
    const dst = createSecretsService(ref('bench-ext'), cred, { ca, additionalPolicies: [perRetry] });
    count.reset();
    const t0 = performance.now();
    const sources = await all<SecretProps>((t) => src.listSecrets({ continuationToken: t, maxPageSize: 25 }));
    const [targetSecrets, targetDeleted] = await Promise.all([
      all<SecretProps>((t) => dst.listSecrets({ continuationToken: t, maxPageSize: 25 })),
      all<DeletedSecretProps>((t) => dst.listDeletedSecrets({ continuationToken: t, maxPageSize: 25 })),
    ]);
    const plan = planCopy(sources, targetSecrets, targetDeleted);
    const report = await executePlan(plan, {
      read: async (item, version) => {
        const { value, properties: q } = await src.getSecretValue(item.source, version);
        return { value, contentType: q.contentType, tags: q.tags, enabled: q.enabled, notBefore: q.notBefore, expiresOn: q.expiresOn };
      },
      write: (name, w) => dst.setSecret(name, w), recover: (n) => dst.recoverSecret(n), purge: (n) => dst.purgeSecret(n),
    }, { concurrency: 8 });
    const ext = { ms: performance.now() - t0, requests: count.count() };
    if (report.copied !== N) throw new Error(`extension copied ${report.copied} of ${N}`);

    // 2. bare SDK loops: list the source, then getSecret + setSecret per name
    const bare = async (target: string, inFlight: number) => {
      const opts = { ...transport, additionalPolicies: [...transport.additionalPolicies, perRetry] };
      const from = new SecretClient(url('bench-src'), cred, opts);
      const to = new SecretClient(url(target), cred, opts);
      count.reset();
      const start = performance.now();
      const names: string[] = [];
      for await (const s of from.listPropertiesOfSecrets()) names.push(s.name);
      await mapLimit(names, inFlight, async (name) => {
        const s = await from.getSecret(name);
        await to.setSecret(name, s.value!, { contentType: s.properties.contentType, tags: s.properties.tags, enabled: s.properties.enabled,
          notBefore: s.properties.notBefore, expiresOn: s.properties.expiresOn });
      });
      const result = { ms: performance.now() - start, requests: count.count() };
      let copied = 0;
      for await (const _ of to.listPropertiesOfSecrets()) copied++;
      if (copied !== N) throw new Error(`bare loop copied ${copied} of ${N}`);
      return result;
    };
    const sdk1 = await bare('bench-sdk', 1);
    const sdk8 = await bare('bench-sdk8', 8);
    const line = (label: string, r: { ms: number; requests: number }) =>
      console.log(`${label.padEnd(44)} ${(r.ms / 1000).toFixed(2).padStart(6)} s  ${String(r.requests).padStart(5)} requests  ${(N / (r.ms / 1000)).toFixed(0).padStart(5)} secrets/s`);
    console.log(`copy ${N} secrets between two emulator vaults (Node ${process.version}, ${os.cpus().length} cores)`);
    line('extension: list+plan+execute, 8 in flight', ext);
    line('bare SDK loop, sequential', sdk1);
    line('bare SDK loop, 8 in flight', sdk8);
    console.log('(bare loops: list the source, get + set per secret; no target listing, no plan. Requests include the 401 challenge of each client)');
  } finally {
    emu?.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
