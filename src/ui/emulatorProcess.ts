// Runs the bundled emulator (dist/emulator.js) as a child process, like Azurite from VS Code, and reads
// its ready line. Also attaches to an emulator started outside VS Code.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { EmulatorReadyInfo } from '../azure/model';
import * as l10n from '@vscode/l10n';

/**
 * The emulator's ready line, accepted only when every endpoint in it is on this machine: the emulator's
 * credential (and its tokens) must never be sent anywhere else, whoever wrote the line.
 */
export function parseReadyInfo(text: string): EmulatorReadyInfo | undefined {
  let info: Partial<EmulatorReadyInfo>;
  try {
    info = JSON.parse(text) as Partial<EmulatorReadyInfo>;
  } catch {
    return undefined;
  }
  if (!info || info.ready !== true || typeof info.port !== 'number' || typeof info.ca !== 'string' ||
    !Array.isArray(info.vaults) || !Array.isArray(info.principals)) {
    return undefined;
  }
  const local = `https://localhost:${info.port}`;
  const isLocal = (u: unknown) => typeof u === 'string' && u.replace(/\/+$/, '') === local;
  const isEmulatorVault = (u: unknown) => {
    try {
      const url = new URL(String(u));
      return url.protocol === 'https:' && url.port === String(info.port) && /^[a-z0-9-]+\.vault\.localhost$/i.test(url.hostname);
    } catch {
      return false;
    }
  };
  if (!isLocal(info.authorityHost) || !isLocal(info.armEndpoint) || !info.vaults.every((v) => isEmulatorVault(v?.url))) {
    return undefined;
  }
  return info as EmulatorReadyInfo;
}

/** Ready info from an environment variable holding the ready line, or the path of a file holding it. */
export function readyInfoFromEnv(value: string | undefined): EmulatorReadyInfo | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) return parseReadyInfo(trimmed);
  try {
    return parseReadyInfo(fs.readFileSync(trimmed, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Where an emulator started outside VS Code announces itself: <stateDir>/instances/<port>.json. */
export function instanceFileCandidates(port: number, extraStateDirs: readonly string[] = []): string[] {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const dirs = [...extraStateDirs, process.env.KEYVAULT_EMULATOR_HOME, path.join(cacheHome, 'keyvault-emulator')]
    .filter((d): d is string => !!d);
  return dirs.map((d) => path.join(d, 'instances', `${port}.json`));
}

export function findInstance(port: number, extraStateDirs: readonly string[] = []): EmulatorReadyInfo | undefined {
  for (const file of instanceFileCandidates(port, extraStateDirs)) {
    try {
      const info = parseReadyInfo(fs.readFileSync(file, 'utf8'));
      if (info && info.port === port) return info;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

export interface StartOptions {
  script: string;
  dataDir: string;
  port?: number;
  seedFile?: string;
  onLog?: (line: string) => void;
  timeoutMs?: number;
  /** Cancel: the child is killed and start() rejects with an AbortError. */
  abortSignal?: AbortSignal;
}

export class EmulatorProcess {
  private constructor(readonly child: ChildProcess, readonly info: EmulatorReadyInfo) {}

  static start(options: StartOptions): Promise<EmulatorProcess> {
    const args = [options.script, '--port', String(options.port ?? 0), '--data', options.dataDir];
    if (options.seedFile) args.push('--seed', options.seedFile);
    fs.mkdirSync(options.dataDir, { recursive: true });
    // In desktop VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it plain Node.
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(l10n.t('The local emulator did not report ready within 30 s; see the Key Vault output.'))),
        options.timeoutMs ?? 30000);
      const recent: string[] = [];
      readline.createInterface({ input: child.stderr! }).on('line', (l) => {
        recent.push(l);
        if (recent.length > 5) recent.shift();
        options.onLog?.(l);
      });
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        const info = parseReadyInfo(line);
        if (info && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve(new EmulatorProcess(child, info));
        }
      });
      child.once('error', (e) => fail(new Error(l10n.t('Could not start the local emulator: {0}', e.message))));
      options.abortSignal?.addEventListener('abort', () => {
        const e = new Error('Cancelled');
        e.name = 'AbortError';
        fail(e);
      }, { once: true });
      child.once('exit', (code, signal) => setTimeout(() => fail(new Error(
        recent.length ? l10n.t('The local emulator exited before it was ready ({0}): {1}', signal ?? l10n.t('code {0}', String(code)), recent[recent.length - 1]!)
          : l10n.t('The local emulator exited before it was ready ({0})', signal ?? l10n.t('code {0}', String(code))))), 50));
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
