// Helpers for the extension-host tests: the extension's API, the emulator of this run, tree walking,
// scripted prompts (an unexpected prompt fails the test at once), and a direct SDK client to check what
// the commands really did in the vault.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { SecretClient } from '@azure/keyvault-secrets';
import type { KeyVaultExtensionApi } from '../../../src/extension';
import { createEmulatorCredential } from '../../../src/auth/emulatorCredential';
import { localEmulatorPolicy } from '../../../src/azure/localTransport';
import type { EmulatorReadyInfo } from '../../../src/azure/model';
import type { Node } from '../../../src/tree/nodes';
import type { Prompter } from '../../../src/ui/prompts';

export const EXTENSION_ID = 'keyvault-tools.vscode-keyvault';

export function emulatorInfo(): EmulatorReadyInfo {
  const raw = process.env.KEYVAULT_TEST_EMULATOR;
  assert.ok(raw, 'KEYVAULT_TEST_EMULATOR is not set');
  return JSON.parse(raw) as EmulatorReadyInfo;
}

export async function extensionApi(): Promise<KeyVaultExtensionApi> {
  const ext = vscode.extensions.getExtension<KeyVaultExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} not loaded`);
  return ext.activate();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

export function label(node: Node): string {
  const l = node.treeItem().label;
  return typeof l === 'string' ? l : l?.label ?? '';
}

export async function children(api: KeyVaultExtensionApi, node?: Node): Promise<Node[]> {
  return api.tree.getChildren(node);
}

/** Walks the tree by labels, e.g. ['Local emulator', 'app', 'db-password']. */
export async function findNode(api: KeyVaultExtensionApi, path: string[]): Promise<Node> {
  let current: Node | undefined;
  for (const part of path) {
    const kids: Node[] = await children(api, current);
    const next: Node | undefined = kids.find((k) => label(k) === part);
    assert.ok(next, `no "${part}" under ${current ? label(current) : 'the root'}: [${kids.map(label).join(', ')}]`);
    current = next;
  }
  return current!;
}

export function contextValue(node: Node): string {
  return node.treeItem().contextValue ?? '';
}

// ---- scripted prompts ----

export type Answer =
  | { inputBox: string | undefined; expectPassword?: boolean; expectPrompt?: RegExp }
  | { quickPick: string | RegExp | undefined; expectPlaceholder?: RegExp }
  /** Checks every item whose label equals a string or matches a regex (each must match at least one); undefined dismisses. */
  | { quickPickMany: (string | RegExp)[] | undefined; expectPlaceholder?: RegExp }
  | { confirm: string | undefined; expectMessage?: RegExp }
  | { openFile: vscode.Uri | undefined }
  | { saveFile: vscode.Uri | undefined };

export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  readonly pickItems: string[][] = [];
  /** Warning and info messages input validation showed for accepted answers. */
  readonly validationNotes: string[] = [];
  constructor(private readonly answers: Answer[]) {}

  private next<K extends string>(kind: K, describe: string): Extract<Answer, Record<K, unknown>> {
    this.asked.push(`${kind}: ${describe}`);
    const a = this.answers.shift();
    if (!a || !(kind in a)) throw new Error(`unexpected prompt ${kind} "${describe}" (next scripted answer: ${JSON.stringify(a)})`);
    return a as Extract<Answer, Record<K, unknown>>;
  }

  async inputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const a = this.next('inputBox', options.prompt ?? '');
    if (a.expectPassword !== undefined) assert.strictEqual(!!options.password, a.expectPassword, 'password input');
    if (a.expectPrompt) assert.match(options.prompt ?? '', a.expectPrompt);
    if (a.inputBox !== undefined && options.validateInput) {
      const problem = await options.validateInput(a.inputBox);
      // as in VS Code, only an error blocks the input; a warning or an info message is shown and accepted
      if (problem && typeof problem !== 'string' && problem.severity !== vscode.InputBoxValidationSeverity.Error) {
        this.validationNotes.push(problem.message);
      } else if (problem) {
        // the reason first (messages are cut short where they are shown), and never the whole input: it may be a value
        const shown = a.inputBox.length > 40 ? `${a.inputBox.slice(0, 40)}…` : a.inputBox;
        throw new Error(`input rejected by validation: ${typeof problem === 'string' ? problem : problem.message} (input "${shown}")`);
      }
    }
    return a.inputBox;
  }

  async quickPick<T extends vscode.QuickPickItem>(items: readonly T[] | Promise<readonly T[]>, options: vscode.QuickPickOptions): Promise<T | undefined> {
    // as in VS Code, a quick pick whose items fail rejects before anything is picked
    const list = await items;
    const a = this.next('quickPick', options.placeHolder ?? '');
    if (a.expectPlaceholder) assert.match(options.placeHolder ?? '', a.expectPlaceholder);
    this.pickItems.push(list.map((i) => i.label));
    if (a.quickPick === undefined) return undefined;
    const want = a.quickPick;
    const found = list.find((i) => (typeof want === 'string' ? i.label === want : want.test(i.label)));
    if (!found) throw new Error(`quick pick "${options.placeHolder}" has no item ${String(want)}: [${list.map((i) => i.label).join(', ')}]`);
    return found;
  }

  async quickPickMany<T extends vscode.QuickPickItem>(items: readonly T[] | Promise<readonly T[]>, options: vscode.QuickPickOptions): Promise<T[] | undefined> {
    const list = await items;
    const a = this.next('quickPickMany', options.placeHolder ?? '');
    if (a.expectPlaceholder) assert.match(options.placeHolder ?? '', a.expectPlaceholder);
    this.pickItems.push(list.map((i) => i.label));
    if (a.quickPickMany === undefined) return undefined;
    const matches = (want: string | RegExp, i: T) => (typeof want === 'string' ? i.label === want : want.test(i.label));
    for (const want of a.quickPickMany) {
      if (!list.some((i) => matches(want, i))) {
        throw new Error(`quick pick "${options.placeHolder}" has no item ${String(want)}: [${list.map((i) => i.label).join(', ')}]`);
      }
    }
    return list.filter((i) => a.quickPickMany!.some((want) => matches(want, i)));
  }

  async confirm(message: string, _detail: string | undefined, ...buttons: string[]): Promise<string | undefined> {
    const a = this.next('confirm', message);
    if (a.expectMessage) assert.match(message, a.expectMessage);
    if (a.confirm !== undefined) assert.ok(buttons.includes(a.confirm), `no button "${a.confirm}" in [${buttons.join(', ')}]`);
    return a.confirm;
  }

  async openFile(): Promise<vscode.Uri | undefined> {
    return this.next('openFile', '').openFile;
  }

  async saveFile(): Promise<vscode.Uri | undefined> {
    return this.next('saveFile', '').saveFile;
  }

  /** Every scripted answer was used. */
  assertDone(): void {
    assert.deepStrictEqual(this.answers, [], `unused scripted answers; prompts seen: ${this.asked.join(' | ')}`);
  }
}

/** Runs a command with scripted prompts; the command's error is rethrown. */
export async function runWith<T>(api: KeyVaultExtensionApi, answers: Answer[], command: string, ...args: unknown[]): Promise<T> {
  const prompter = new ScriptedPrompter(answers);
  api.setPrompter(prompter);
  try {
    const result = await vscode.commands.executeCommand<T>(command, ...(args.length ? args : [undefined]), { rethrow: true });
    prompter.assertDone();
    return result;
  } finally {
    api.setPrompter(undefined);
  }
}

/** Runs a command expecting it to fail; returns the user-facing message. */
export async function runExpectingError(api: KeyVaultExtensionApi, answers: Answer[], command: string, ...args: unknown[]): Promise<string> {
  try {
    await runWith(api, answers, command, ...args);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${command} was expected to fail`);
}

// ---- direct checks against the emulator with the real SDK ----

export function directClient(vaultName: string, info = emulatorInfo()): SecretClient {
  const vault = info.vaults.find((v) => v.name === vaultName);
  assert.ok(vault, `emulator has no vault ${vaultName}`);
  return new SecretClient(vault.url, createEmulatorCredential(info), {
    additionalPolicies: [{ policy: localEmulatorPolicy(fs.readFileSync(info.ca)), position: 'perCall' }],
  });
}

export async function adminStats(info = emulatorInfo()): Promise<Record<string, number>> {
  const res = await adminRequest('GET', '/_admin/stats', undefined, info);
  return (res as { requests: Record<string, number> }).requests;
}

export async function adminRequest(method: string, path: string, body?: unknown, info = emulatorInfo()): Promise<unknown> {
  const https = await import('https');
  const ca = fs.readFileSync(info.ca);
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    // Node frames no body on DELETE by default: say its length
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    if (info.adminToken) headers.authorization = `Bearer ${info.adminToken}`;
    const req = https.request(`https://localhost:${info.port}${path}`, { method, ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
        else resolve(text ? JSON.parse(text) : undefined);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A unique secret name for one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/**
 * The kind of a tree node from its contextValue. (The test bundle has its own copies of the src classes, so
 * `instanceof` against them is always false for the extension's nodes.)
 */
export function kind(node: Node): string {
  return contextValue(node).split(' ')[0] ?? '';
}
