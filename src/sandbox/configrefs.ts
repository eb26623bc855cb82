/**
 * @module
 * What a kubelet checks before it creates a container: every ConfigMap and Secret the pod's
 * environment refers to (env valueFrom, envFrom) must exist, and a referenced key must be present,
 * unless the reference is optional. Pure: the pod and the known objects in, the first problem out.
 */
import type { V1Pod } from "@kubernetes/client-node";

/** Known ConfigMaps and Secrets of one namespace: name -> data keys. */
export interface ConfigIndex {
  readonly configMaps: ReadonlyMap<string, ReadonlySet<string>>;
  readonly secrets: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The kubelet's message for the first missing reference, or undefined when all are present. */
export function missingConfig(pod: V1Pod, idx: ConfigIndex): string | undefined {
  const ns = pod.metadata?.namespace ?? "default";
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    for (const src of c.envFrom ?? []) {
      if (
        src.configMapRef !== undefined &&
        src.configMapRef.optional !== true &&
        !idx.configMaps.has(src.configMapRef.name ?? "")
      ) {
        return `configmap "${src.configMapRef.name}" not found`;
      }
      if (
        src.secretRef !== undefined &&
        src.secretRef.optional !== true &&
        !idx.secrets.has(src.secretRef.name ?? "")
      ) {
        return `secret "${src.secretRef.name}" not found`;
      }
    }
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef;
      if (cm !== undefined && cm.optional !== true) {
        const keys = idx.configMaps.get(cm.name ?? "");
        if (keys === undefined) return `configmap "${cm.name}" not found`;
        if (!keys.has(cm.key)) return `couldn't find key ${cm.key} in ConfigMap ${ns}/${cm.name}`;
      }
      const sec = e.valueFrom?.secretKeyRef;
      if (sec !== undefined && sec.optional !== true) {
        const keys = idx.secrets.get(sec.name ?? "");
        if (keys === undefined) return `secret "${sec.name}" not found`;
        if (!keys.has(sec.key)) return `couldn't find key ${sec.key} in Secret ${ns}/${sec.name}`;
      }
    }
  }
  return undefined;
}

/** Whether the pod's environment refers to any ConfigMap or Secret (what the pod-running Stage waits on). */
export function hasConfigRefs(pod: V1Pod): boolean {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return containers.some(
    (c) =>
      (c.envFrom ?? []).length > 0 ||
      (c.env ?? []).some(
        (e) => e.valueFrom?.configMapKeyRef !== undefined || e.valueFrom?.secretKeyRef !== undefined,
      ),
  );
}
