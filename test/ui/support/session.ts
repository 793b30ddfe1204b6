// What the UI runner (test/host/run-ui-tests.js) started for this run, handed to the UI tests: one browser
// context, one code-server with the extension under development, one emulator.
import type { BrowserContext } from 'playwright-core';
import type { EmulatorReadyInfo } from '../../../src/azure/model';

/** The emulator's ready line: the same contract the extension reads. */
export type EmulatorReady = EmulatorReadyInfo;

export interface UiSession {
  /** The shared chromium context; each Workbench.open() makes a new page in it. */
  browser: BrowserContext;
  /** Workbench URL with the extension under development loaded (no tests path). */
  workbenchUrl: string;
  /** Folder the workbench has open (throw-away). */
  workspace: string;
  /** The emulator's ready line, parsed (undefined only if the runner was told to start none). */
  emulator: EmulatorReady | undefined;
  /** Where screenshots go: test-output/ui/. */
  outDir: string;
  /** code-server's log folder (the extension host's output channels, "Key Vault" among them). */
  logsDir?: string;
}

let current: UiSession | undefined;

export function setSession(s: UiSession | undefined): void {
  current = s;
}

export function session(): UiSession {
  if (!current) throw new Error('UI tests run through test/host/run-ui-tests.js (npm run test:ui)');
  return current;
}
