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
