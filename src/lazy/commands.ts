// Entry of dist/commands.js: the command handlers, loaded with the first command rather than at activation (see
// src/lazy/load.ts). The modules they share with dist/extension.js come from it (esbuild.js), not a second copy.
export { handlers } from '../commands/handlers';
