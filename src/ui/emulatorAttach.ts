// The emulator that KEYVAULT_EMULATOR_READY announces (npm run demo, the test host) shows under "Local emulator".
import type { Hub } from './hub';
import { readyInfoFromEnv } from './emulatorProcess';
import { outputChannel } from './output';

/**
 * A stale announcement (the emulator is gone, its CA file with it) is reported in the output channel and ignored:
 * activation goes on. Returns whether it attached.
 */
export function attachAnnouncedEmulator(hub: Pick<Hub, 'setEmulator'>, announced: string | undefined): boolean {
  const info = readyInfoFromEnv(announced);
  if (!info) return false;
  try {
    hub.setEmulator(info, false);
    return true;
  } catch (err) {
    outputChannel().warn(`KEYVAULT_EMULATOR_READY announces an emulator that cannot be used: ${(err as Error).message}`);
    return false;
  }
}
