// Secret versions in the order people mean: Key Vault lists them in no promised order.
export function newestFirst<T extends { createdOn?: Date }>(versions: readonly T[]): T[] {
  return [...versions].sort((a, b) => (b.createdOn?.getTime() ?? 0) - (a.createdOn?.getTime() ?? 0));
}
