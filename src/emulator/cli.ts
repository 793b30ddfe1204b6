// CLI: node dist/emulator.js [--port N|0] [--data DIR] [--seed FILE] [--host ADDR] [--verbose]
//        [--token-lifetime SECONDS] [--headers-timeout MS] [--request-timeout MS] [--max-connections N] [--max-body BYTES]
// Prints exactly one JSON line on stdout when ready (it carries the admin token); everything else goes to stderr.
import { EmulatorServer, type EmulatorOptions } from './server';

function usage(msg?: string): never {
  if (msg) process.stderr.write(`keyvault-emulator: ${msg}\n`);
  process.stderr.write('usage: keyvault-emulator [--port N|0] [--data DIR] [--seed FILE] [--host 127.0.0.1] [--verbose]\n' +
    '                         [--token-lifetime SECONDS] [--headers-timeout MS] [--request-timeout MS]\n' +
    '                         [--max-connections N] [--max-body BYTES]\n');
  process.exit(2);
}

function positive(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) usage(`${flag} needs a positive integer, not ${v}`);
  return Number(v);
}

function parseArgs(argv: string[]): EmulatorOptions {
  const opts: EmulatorOptions = { port: 0 };
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
      case '--help': case '-h': usage();
      // eslint-disable-next-line no-fallthrough
      default: usage(`unknown argument ${a}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  const server = new EmulatorServer(parseArgs(process.argv.slice(2)));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[keyvault-emulator] ${signal}: shutting down\n`);
    server.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const info = await server.start();
  process.stdout.write(JSON.stringify(info) + '\n');
  process.stderr.write(`[keyvault-emulator] ready on https://localhost:${info.port} (vaults: ${info.vaults.map((v) => v.name).join(', ')})\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`keyvault-emulator: ${(e as Error)?.message ?? String(e)}\n`);
  process.exit(1);
});
