// Entry of dist/arm.js: the ARM clients of vault discovery, loaded when discovery first runs (see src/lazy/load.ts).
export { KeyVaultManagementClient } from '@azure/arm-keyvault';
export { ResourceGraphClient } from '@azure/arm-resourcegraph';
export { SubscriptionClient } from '@azure/arm-resources-subscriptions';
