// Entry of dist/commands.js: the command handlers, loaded with the first command rather than at activation (see
// src/lazy/load.ts). The modules they share with the extension (dist/core.js) come from it (esbuild.js), not a second copy.
export { handlers } from '../commands/handlers';
