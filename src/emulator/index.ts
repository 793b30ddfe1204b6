// Programmatic start: `const emu = await startEmulator({ port: 0 }); … await emu.stop();`
// (Tests and the extension normally run the CLI as a child process; in-process start is for unit tests.)
import { EmulatorServer, type EmulatorOptions, type ReadyInfo } from './server';

export type { EmulatorLimits, EmulatorOptions, ReadyInfo } from './server';
export { ADMIN_TOKEN_HEADER, DEFAULT_LIMITS, EmulatorServer, ServerStatus } from './server';

export interface RunningEmulator {
  port: number;
  ca: string;
  info: ReadyInfo;
  server: EmulatorServer;
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const server = new EmulatorServer(options);
  const info = await server.start();
  return { port: info.port, ca: info.ca, info, server, stop: () => server.stop() };
}
