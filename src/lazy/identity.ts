// Entry of dist/identity.js: @azure/identity (and MSAL behind it), loaded on the first token request rather
// than at activation (see src/lazy/load.ts).
export {
  AzureCliCredential, AzureDeveloperCliCredential, ClientSecretCredential, EnvironmentCredential, ManagedIdentityCredential,
} from '@azure/identity';
