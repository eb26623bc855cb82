/**
 * @module
 * The Kubernetes edge: kubeconfig loading, server-side apply, error translation.
 */
export { loadKubeConfig, type KubeTarget } from "./client.js";
export { applyObjects, FIELD_MANAGER, type ApplyOptions } from "./apply.js";
export { KubeError, toKubeError, type KubeReason } from "./errors.js";
export { contextNamespace, parseLogTarget, podLogReader, type PodLogReader } from "./logs.js";
