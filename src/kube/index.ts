/**
 * @module
 * The Kubernetes edge: kubeconfig loading, server-side apply, error translation.
 */
export { loadKubeConfig, type KubeTarget } from "./client.js";
export { applyObjects, FIELD_MANAGER, type ApplyOptions } from "./apply.js";
export { KubeError, toKubeError, type KubeReason } from "./errors.js";
export { contextNamespace, parseLogTarget, podLogReader, type PodLogReader } from "./logs.js";
export { buildSnapshot, type BuiltSnapshot, type SnapshotOptions } from "./snapshot.js";
export { rawRequest, expectOk, Discovery, objectPath, type RawResponse } from "./raw.js";
export {
  Informer,
  slim,
  keyOf,
  type ObjectJson,
  type InformerOptions,
  type InformerStats,
} from "./informer.js";
export { LeaderElector, type LeaseOptions } from "./lease.js";
