// api-version: required on every data-plane and ARM request and checked the service's way, and the response
// shapes that depend on it.
//
// Data plane (sources: the REST specification folders specification/keyvault/data-plane/Microsoft.KeyVault/
// {2015-06-01, 2016-10-01, stable/7.x, stable/2025-07-01, preview/…} in Azure/azure-rest-api-specs, and the
// `serviceVersion` union of @azure/keyvault-secrets 4.12.0, which adds 2026-04-01):
// - unknown → 400 BadParameter "The specified version (x) is not recognized. Consider using the latest
//   supported version (y)." (seen from the service: Azure/azure-sdk-for-python#28595);
// - missing → 400 BadParameter "The 'api-version' query parameter is missing." (the code is the service's
//   code for bad parameters; this exact message is NOT verified against a public record).
// - SecretAttributes.recoveryLevel exists from 2016-10-01 (soft delete came with that version);
//   recoverableDays from 7.1 (stable/7.1/secrets.json has it, 7.0 does not).
//
// ARM (sources: Azure/azure-cli#27239 and #27109 for InvalidApiVersionParameter and ARM's own version list;
// MicrosoftDocs/feedback#2279 and cloudquery/cloudquery#6626 for MissingApiVersionParameter;
// Azure/azure-rest-api-specs#11929 and Azure/azure-cli#18483 for NoRegisteredProviderFound):
// - missing → 400 MissingApiVersionParameter "The api-version query parameter (?api-version=) is required for
//   all requests.";
// - unknown on ARM's own resources (tenants, subscriptions, /resources) → 400 InvalidApiVersionParameter
//   "The api-version 'x' is invalid. The supported versions are '…'.";
// - unknown on a resource provider's type (Microsoft.KeyVault vaults and managedHSMs, Microsoft.ResourceGraph)
//   → 400 NoRegisteredProviderFound "No registered resource provider found for location 'global' and API
//   version 'x' for type 'vaults'. The supported api-versions are '…'. The supported locations are '…'.".

/** Data-plane versions the emulator accepts (stable, then preview). */
export const DATA_PLANE_STABLE = ['2015-06-01', '2016-10-01', '7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01', '2026-04-01'] as const;
export const DATA_PLANE_PREVIEW = [
  '7.1-preview', '7.2-preview', '7.3-preview', '7.4-preview.1', '7.5-preview.1', '7.6-preview.1', '7.6-preview.2',
  '2025-06-01-preview', '2025-07-01-preview', '2026-01-01-preview',
] as const;
export const LATEST_DATA_PLANE = '2026-04-01';

const DATA_PLANE = new Set<string>([...DATA_PLANE_STABLE, ...DATA_PLANE_PREVIEW]);

/** Features of the response shape that depend on the api-version. */
export interface ApiShape {
  version: string;
  /** SecretAttributes.recoveryLevel (from 2016-10-01). */
  recoveryLevel: boolean;
  /** SecretAttributes.recoverableDays (from 7.1). */
  recoverableDays: boolean;
}

/** Orders versions: 2015-06-01 < 2016-10-01 < 7.0 < … < 7.6 < date versions (2025-…). */
function rank(version: string): number {
  if (version === '2015-06-01') return 0;
  if (version === '2016-10-01') return 1;
  const m = /^7\.(\d)/.exec(version);
  if (m) return 70 + Number(m[1]);
  const d = /^(\d{4})-(\d{2})-(\d{2})/.exec(version);
  if (d) return 100 + Number(d[1] + d[2] + d[3]) / 1e8;
  return -1;
}

const shapes = new Map<string, ApiShape>();

/** The shape of an api-version (one shared, read-only object per data-plane version). */
export function shapeOf(version: string): ApiShape {
  const known = shapes.get(version);
  if (known) return known;
  const r = rank(version);
  const shape = { version, recoveryLevel: r >= 1, recoverableDays: r >= 71 };
  if (DATA_PLANE.has(version)) shapes.set(version, shape);
  return shape;
}

export type ApiVersionProblem = { code: string; message: string };

/** undefined when the data plane takes this api-version, else the service's 400. */
export function checkDataPlaneVersion(version: string | undefined): ApiVersionProblem | undefined {
  if (version === undefined || version === '') return { code: 'BadParameter', message: "The 'api-version' query parameter is missing." };
  if (DATA_PLANE.has(version)) return undefined;
  return {
    code: 'BadParameter',
    message: `The specified version (${version}) is not recognized. Consider using the latest supported version (${LATEST_DATA_PLANE}).`,
  };
}

// ---- ARM ----------------------------------------------------------------------------------------------------

/** ARM's own versions (tenants, subscriptions, resources), as the service listed them in 2023, plus later ones. */
const ARM_OWN = [
  '2025-04-01', '2025-03-01', '2025-01-01', '2024-11-01', '2024-07-01', '2024-03-01',
  '2023-07-01', '2023-07-01-preview', '2023-03-01-preview', '2022-12-01', '2022-11-01-preview', '2022-09-01', '2022-06-01',
  '2022-05-01', '2022-03-01-preview', '2022-01-01', '2021-04-01', '2021-01-01', '2020-10-01', '2020-09-01', '2020-08-01',
  '2020-07-01', '2020-06-01', '2020-05-01', '2020-01-01', '2019-11-01', '2019-10-01', '2019-09-01', '2019-08-01',
  '2019-07-01', '2019-06-01', '2019-05-10', '2019-05-01', '2019-03-01', '2018-11-01', '2018-09-01', '2018-08-01',
  '2018-07-01', '2018-06-01', '2018-05-01', '2018-02-01', '2018-01-01', '2017-12-01', '2017-08-01', '2017-06-01',
  '2017-05-10', '2017-05-01', '2017-03-01', '2016-09-01', '2016-07-01', '2016-06-01', '2016-02-01', '2015-11-01',
  '2015-01-01', '2014-04-01-preview', '2014-04-01', '2014-01-01', '2013-03-01', '2014-02-26', '2014-04',
];

/** Microsoft.KeyVault (vaults, managedHSMs): the management API versions of the REST specification. */
const KEYVAULT_RP = [
  '2026-02-01', '2025-05-01', '2024-12-01-preview', '2024-11-01', '2024-04-01-preview', '2023-08-01-preview', '2023-07-01',
  '2023-02-01', '2022-11-01', '2022-07-01', '2022-02-01-preview', '2021-11-01-preview', '2021-10-01', '2021-06-01-preview',
  '2021-04-01-preview', '2020-04-01-preview', '2019-09-01', '2018-02-14', '2018-02-14-preview', '2016-10-01', '2015-06-01',
];

/** Microsoft.ResourceGraph/resources. */
const RESOURCE_GRAPH = ['2024-04-01', '2022-10-01', '2021-06-01-preview', '2021-03-01', '2020-09-01-preview', '2020-04-01-preview', '2019-04-01', '2018-09-01-preview'];

export type ArmApiFamily = 'arm' | { provider: 'Microsoft.KeyVault' | 'Microsoft.ResourceGraph'; type: string };

/** The api-version family of an ARM operation (its stats name). */
export function armFamily(operation: string): ArmApiFamily {
  if (operation.startsWith('vaults.') && operation !== 'vaults.list') return { provider: 'Microsoft.KeyVault', type: 'vaults' };
  if (operation.startsWith('managedHsms.')) return { provider: 'Microsoft.KeyVault', type: 'managedHSMs' };
  if (operation === 'resourceGraph') return { provider: 'Microsoft.ResourceGraph', type: 'resources' };
  return 'arm';
}

/** undefined when ARM takes this api-version for the operation, else the service's 400. */
export function checkArmVersion(version: string | undefined, operation: string): ApiVersionProblem | undefined {
  if (version === undefined || version === '') {
    return { code: 'MissingApiVersionParameter', message: 'The api-version query parameter (?api-version=) is required for all requests.' };
  }
  const family = armFamily(operation);
  if (family === 'arm') {
    if (ARM_OWN.includes(version)) return undefined;
    return { code: 'InvalidApiVersionParameter', message: `The api-version '${version}' is invalid. The supported versions are '${ARM_OWN.join(',')}'.` };
  }
  const list = family.provider === 'Microsoft.KeyVault' ? KEYVAULT_RP : RESOURCE_GRAPH;
  if (list.includes(version)) return undefined;
  return {
    code: 'NoRegisteredProviderFound',
    message: `No registered resource provider found for location 'global' and API version '${version}' for type '${family.type}'. ` +
      `The supported api-versions are '${list.join(', ')}'. The supported locations are 'westeurope, northeurope, eastus, westus2'.`,
  };
}
