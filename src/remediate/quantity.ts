/** Kubernetes quantities: parse to a number, format memory in Mi and CPU in millicores. */

export const MI = 2 ** 20;

export { parseQuantity } from "../model/index.js";

/** Bytes, rounded up to whole Mi: 171966464 → "164Mi". */
export function formatMemory(bytes: number): string {
  return `${Math.ceil(bytes / MI - 1e-9)}Mi`;
}

/** A resource amount in its usual unit: memory and storage in Mi, cpu in millicores, others as numbers. */
export function formatResource(resource: string, v: number): string {
  if (resource === "cpu") return `${Math.ceil(v * 1000 - 1e-6)}m`;
  if (resource === "memory" || resource.includes("storage") || resource.startsWith("hugepages-"))
    return formatMemory(v);
  return String(Math.ceil(v - 1e-9));
}
