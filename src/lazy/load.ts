// Modules loaded on first use. In the extension bundle (esbuild defines KEYVAULT_SPLIT_BUNDLE) they are the
// separate bundles dist/identity.js, dist/arm.js, dist/yaml.js, dist/secrets.js and dist/commands.js, required the
// first time a token, a discovery, a docker-compose file, a secrets client or a command is needed, so activation
// neither reads nor compiles @azure/identity, MSAL, the ARM clients, the yaml parser, the Key Vault SDK (and
// core-rest-pipeline) or the command handlers. dist/commands.js takes the modules it shares with dist/extension.js
// from it (esbuild.js), so both see one hub, one tree and one set of classes. Everywhere else (tests under tsx,
// test bundles) they are the modules themselves.
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Identity from './identity';
import type * as Arm from './arm';
import type * as Yaml from './yaml';
import type * as Secrets from './secrets';
import type * as Commands from './commands';

let identityModule: typeof Identity | undefined;
let armModule: typeof Arm | undefined;

export function loadIdentity(): typeof Identity {
  if (!identityModule) {
    identityModule = process.env.KEYVAULT_SPLIT_BUNDLE === '1'
      ? require('./identity.js') as typeof Identity
      : require('./identity') as typeof Identity;
  }
  return identityModule;
}

export function loadArm(): typeof Arm {
  if (!armModule) {
    armModule = process.env.KEYVAULT_SPLIT_BUNDLE === '1'
      ? require('./arm.js') as typeof Arm
      : require('./arm') as typeof Arm;
  }
  return armModule;
}

let yamlModule: typeof Yaml | undefined;
export function loadYaml(): typeof Yaml {
  if (!yamlModule) {
    yamlModule = process.env.KEYVAULT_SPLIT_BUNDLE === '1'
      ? require('./yaml.js') as typeof Yaml
      : require('./yaml') as typeof Yaml;
  }
  return yamlModule;
}

let secretsModule: typeof Secrets | undefined;
export function loadSecrets(): typeof Secrets {
  if (!secretsModule) {
    secretsModule = process.env.KEYVAULT_SPLIT_BUNDLE === '1'
      ? require('./secrets.js') as typeof Secrets
      : require('./secrets') as typeof Secrets;
  }
  return secretsModule;
}

let commandsModule: typeof Commands | undefined;
export function loadCommands(): typeof Commands {
  if (!commandsModule) {
    commandsModule = process.env.KEYVAULT_SPLIT_BUNDLE === '1'
      ? require('./commands.js') as typeof Commands
      : require('./commands') as typeof Commands;
  }
  return commandsModule;
}

/** Whether the identity module is loaded yet (for the activation benchmark and its test). */
export const identityLoaded = (): boolean => identityModule !== undefined;
