// Entry of dist/secrets.js: @azure/keyvault-secrets (and core-rest-pipeline behind it), loaded when the first
// secrets client is created rather than at activation (see src/lazy/load.ts).
export { SecretClient } from '@azure/keyvault-secrets';
