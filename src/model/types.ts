/**
 * @module
 * Small shared value types.
 */

/** A namespaced (or cluster-scoped, namespace "") Kubernetes object. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The clock is a port: the edges pass the real one, tests pass a fake. */
export interface Clock {
  now(): Date;
}

export function refKey(ref: ObjectRef): string {
  return ref.namespace === "" ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** The apiVersion of each kind Vigil reads or writes (core kinds default to `v1`). */
const API_VERSIONS: Readonly<Record<string, string>> = {
  Pod: "v1",
  Service: "v1",
  Node: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  PersistentVolumeClaim: "v1",
  PersistentVolume: "v1",
  ResourceQuota: "v1",
  ServiceAccount: "v1",
  Namespace: "v1",
  Deployment: "apps/v1",
  ReplicaSet: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
  Ingress: "networking.k8s.io/v1",
  IngressClass: "networking.k8s.io/v1",
  NetworkPolicy: "networking.k8s.io/v1",
  StorageClass: "storage.k8s.io/v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
  PodDisruptionBudget: "policy/v1",
  ValidatingWebhookConfiguration: "admissionregistration.k8s.io/v1",
  MutatingWebhookConfiguration: "admissionregistration.k8s.io/v1",
};

/** A reference to an object of a known kind, with its apiVersion filled in. */
export function objectRef(kind: string, namespace: string, name: string): ObjectRef {
  return { apiVersion: API_VERSIONS[kind] ?? "v1", kind, namespace, name };
}
