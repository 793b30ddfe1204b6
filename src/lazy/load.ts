// Modules loaded on first use. In the extension bundle (esbuild defines KEYVAULT_SPLIT_BUNDLE) they are the
// separate bundles dist/identity.js, dist/arm.js, dist/yaml.js, dist/secrets.js and dist/commands.js, required the
// first time a token, a discovery, a docker-compose file, a secrets client or a command is needed, so activation
// neither reads nor compiles @azure/identity, MSAL, the ARM clients, the yaml parser, the Key Vault SDK (and
// core-rest-pipeline) or the command handlers. dist/commands.js takes the modules it shares with dist/core.js
// from it (esbuild.js), so both see one hub, one tree and one set of classes. Everywhere else (tests under tsx,
// test bundles) they are the modules themselves.
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Identity from './identity';
import type * as Arm from './arm';
import type * as Yaml from './yaml';
import type * as Secrets from './secrets';
import type * as Commands from './commands';

/** A module loaded by `load` on the first call, then kept. */
function once<T>(load: () => T): { get: () => T; loaded: () => boolean } {
  let module: T | undefined;
  return { get: () => (module ??= load()), loaded: () => module !== undefined };
}

// Each loader keeps its `process.env.KEYVAULT_SPLIT_BUNDLE === '1'` test inline: esbuild's define turns it into a
// constant there, so the bundle that does not take a branch does not bundle its require either.
const identity = once(() => (process.env.KEYVAULT_SPLIT_BUNDLE === '1' ? require('./identity.js') : require('./identity')) as typeof Identity);
const arm = once(() => (process.env.KEYVAULT_SPLIT_BUNDLE === '1' ? require('./arm.js') : require('./arm')) as typeof Arm);
const yaml = once(() => (process.env.KEYVAULT_SPLIT_BUNDLE === '1' ? require('./yaml.js') : require('./yaml')) as typeof Yaml);
const secrets = once(() => (process.env.KEYVAULT_SPLIT_BUNDLE === '1' ? require('./secrets.js') : require('./secrets')) as typeof Secrets);
const commands = once(() => (process.env.KEYVAULT_SPLIT_BUNDLE === '1' ? require('./commands.js') : require('./commands')) as typeof Commands);

export const loadIdentity = identity.get;
export const loadArm = arm.get;
export const loadYaml = yaml.get;
export const loadSecrets = secrets.get;
export const loadCommands = commands.get;

/** Whether the identity module is loaded yet (for the activation benchmark and its test). */
export const identityLoaded = identity.loaded;
