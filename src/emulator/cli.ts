// CLI: node dist/emulator.js [--port N|0] [--data DIR] [--seed FILE] [--host ADDR] [--verbose]
//        [--token-lifetime SECONDS] [--headers-timeout MS] [--request-timeout MS] [--max-connections N] [--max-body BYTES]
//        [--delete-delay MS] [--recover-delay MS] [--purge-delay MS] [--windows MS]
//        [--mint-federated-token PRINCIPAL]… [--print-env] [--write-env FILE] [--env-kind KIND] [--env-principal PRINCIPAL]
//        [--env-format sh|dotenv|powershell]
// Prints one JSON line on stdout when ready (it carries the admin token); with --print-env the environment block
// follows it on stdout. Everything else goes to stderr.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvError, environmentBlock, findPrincipal, renderEnv, type EnvFormat, type EnvKind } from './env';
import { EmulatorServer, type EmulatorOptions } from './server';
import { MAX_WINDOW_MS } from './windows';

interface CliOptions {
  server: EmulatorOptions;
  printEnv: boolean;
  envFile?: string;
  envKind?: EnvKind;
  envPrincipal?: string;
  envFormat: EnvFormat;
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`keyvault-emulator: ${msg}\n`);
  process.stderr.write('usage: keyvault-emulator [--port N|0] [--data DIR] [--seed FILE] [--host 127.0.0.1] [--verbose]\n' +
    '                         [--token-lifetime SECONDS] [--headers-timeout MS] [--request-timeout MS]\n' +
    '                         [--max-connections N] [--max-body BYTES]\n' +
    '                         [--delete-delay MS] [--recover-delay MS] [--purge-delay MS] [--windows MS]\n' +
    '                         [--mint-federated-token PRINCIPAL]... [--print-env] [--write-env FILE]\n' +
    '                         [--env-kind workload|secret|managedIdentity] [--env-principal PRINCIPAL] [--env-format sh|dotenv|powershell]\n');
  process.exit(2);
}

function windowFlag(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > MAX_WINDOW_MS) usage(`${flag} needs milliseconds from 0 to ${MAX_WINDOW_MS}, not ${v}`);
  return Number(v);
}

function positive(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) usage(`${flag} needs a positive integer, not ${v}`);
  return Number(v);
}

function parseArgs(argv: string[]): CliOptions {
  const opts: EmulatorOptions = { port: 0 };
  const cli: CliOptions = { server: opts, printEnv: false, envFormat: 'sh' };
  const mint: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) usage(`invalid port ${v}`);
        opts.port = Number(v);
        break;
      }
      case '--token-lifetime': opts.tokenLifetimeSeconds = positive(flag, value()); break;
      case '--headers-timeout': opts.headersTimeoutMs = positive(flag, value()); break;
      case '--request-timeout': opts.requestTimeoutMs = positive(flag, value()); break;
      case '--max-connections': opts.maxConnections = positive(flag, value()); break;
      case '--max-body': opts.maxBodyBytes = positive(flag, value()); break;
      case '--data': opts.dataDir = value(); break;
      case '--seed': opts.seedFile = value(); break;
      case '--host': opts.host = value(); break;
      case '--verbose': opts.verbose = true; break;
      case '--delete-delay': opts.deleteDelayMs = windowFlag(flag, value()); break;
      case '--recover-delay': opts.recoverDelayMs = windowFlag(flag, value()); break;
      case '--purge-delay': opts.purgeDelayMs = windowFlag(flag, value()); break;
      case '--windows': {
        const ms = windowFlag(flag, value());
        opts.deleteDelayMs = opts.recoverDelayMs = opts.purgeDelayMs = ms;
        break;
      }
      case '--mint-federated-token': mint.push(value()); break;
      case '--print-env': cli.printEnv = true; break;
      case '--write-env': cli.envFile = value(); break;
      case '--env-principal': cli.envPrincipal = value(); break;
      case '--env-kind': {
        const v = value();
        if (!['workload', 'secret', 'managedIdentity'].includes(v)) usage(`--env-kind is workload, secret or managedIdentity, not ${v}`);
        cli.envKind = v as EnvKind;
        break;
      }
      case '--env-format': {
        const v = value();
        if (!['sh', 'dotenv', 'powershell'].includes(v)) usage(`--env-format is sh, dotenv or powershell, not ${v}`);
        cli.envFormat = v as EnvFormat;
        break;
      }
      case '--help': case '-h': usage();
      // eslint-disable-next-line no-fallthrough
      default: usage(`unknown argument ${a}`);
    }
  }
  if (mint.length) opts.mintFederatedTokens = mint;
  return cli;
}

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  const server = new EmulatorServer(cli.server);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[keyvault-emulator] ${signal}: shutting down\n`);
    server.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  let info = await server.start();
  let envText: string | undefined;
  if (cli.printEnv || cli.envFile) {
    try {
      // Workload identity (the default when the principal has a local federated credential) needs a token file.
      const who = cli.envPrincipal ? findPrincipal(info, cli.envPrincipal) : info.principals.find((p) => p.federatedSubjects.length);
      if (cli.envKind !== 'secret' && cli.envKind !== 'managedIdentity' && who?.federatedSubjects.length && !info.federatedTokenFiles[who.clientId]) {
        await server.mintFederatedTokenFile(who.clientId);
        info = server.readyInfo();
      }
      envText = renderEnv(environmentBlock(info, { principal: cli.envPrincipal, kind: cli.envKind }), cli.envFormat);
      if (cli.envFile) {
        fs.mkdirSync(path.dirname(path.resolve(cli.envFile)), { recursive: true });
        fs.writeFileSync(cli.envFile, envText, { mode: 0o600 }); // may hold a client secret
        fs.chmodSync(cli.envFile, 0o600);
      }
    } catch (e) {
      await server.stop();
      throw e instanceof EnvError ? new Error(`--print-env/--write-env: ${e.message}`) : e;
    }
  }
  process.stdout.write(JSON.stringify(info) + '\n');
  if (cli.printEnv && envText) process.stdout.write(envText);
  process.stderr.write(`[keyvault-emulator] ready on https://localhost:${info.port} (vaults: ${info.vaults.map((v) => v.name).join(', ')})\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`keyvault-emulator: ${(e as Error)?.message ?? String(e)}\n`);
  process.exit(1);
});
