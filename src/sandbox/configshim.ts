/**
 * @module
 * The sandbox's stand-in for the kubelet's ConfigMap/Secret check. kwok Stages see one pod at a
 * time, so this process watches pods, ConfigMaps and Secrets and marks a Pending pod whose
 * environment refers to a missing one with the annotation `sandbox.vigil.dev/missing-config`
 * (the kubelet's message). The `pod-create-container-config-error` Stage turns that into
 * CreateContainerConfigError; once the object exists the mark goes and the pod starts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  CoreV1Api,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ConfigMap,
  type V1Pod,
  type V1Secret,
} from "@kubernetes/client-node";
import { hasConfigRefs, missingConfig, type ConfigIndex } from "./configrefs.js";

export const MISSING_CONFIG_ANNOTATION = "sandbox.vigil.dev/missing-config";
/** Set once the shim has looked a pod's references up; the pod-running Stage waits for it. */
export const CONFIG_CHECKED_ANNOTATION = "sandbox.vigil.dev/config-checked";

function keysOf(data: Record<string, string> | undefined, other?: Record<string, string>): Set<string> {
  return new Set([...Object.keys(data ?? {}), ...Object.keys(other ?? {})]);
}

/** Runs until `signal` aborts. Logs go to stderr (the component's log file). */
export async function runConfigShim(kc: KubeConfig, signal: AbortSignal): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const pods = makeInformer<V1Pod>(kc, "/api/v1/pods", () => core.listPodForAllNamespaces());
  const cms = makeInformer<V1ConfigMap>(kc, "/api/v1/configmaps", () => core.listConfigMapForAllNamespaces());
  const secrets = makeInformer<V1Secret>(kc, "/api/v1/secrets", () => core.listSecretForAllNamespaces());
  const dirty = new Set<string>(); // namespaces to re-check
  const markAll = () => {
    for (const p of pods.list()) dirty.add(p.metadata?.namespace ?? "");
  };
  const markNs = (o: { metadata?: { namespace?: string } }) => {
    dirty.add(o.metadata?.namespace ?? "");
  };
  const informers = [pods, cms, secrets] as const;
  pods.on("add", markNs);
  pods.on("update", markNs);
  cms.on("add", markNs);
  cms.on("update", markNs);
  cms.on("delete", markNs);
  secrets.on("add", markNs);
  secrets.on("update", markNs);
  secrets.on("delete", markNs);
  for (const inf of informers) {
    inf.on("error", (err) => {
      process.stderr.write(`config-shim: watch error: ${String(err)}; restarting in 1s\n`);
      setTimeout(() => {
        void inf.start().catch(() => undefined);
      }, 1000);
    });
  }
  await Promise.all([pods.start(), cms.start(), secrets.start()]);
  markAll();
  process.stderr.write("config-shim: watching pods, configmaps and secrets\n");
  while (!signal.aborted) {
    const namespaces = [...dirty];
    dirty.clear();
    for (const ns of namespaces) {
      const idx: ConfigIndex = {
        configMaps: new Map(cms.list(ns).map((c) => [c.metadata?.name ?? "", keysOf(c.data, c.binaryData)])),
        secrets: new Map(secrets.list(ns).map((s) => [s.metadata?.name ?? "", keysOf(s.data, s.stringData)])),
      };
      for (const pod of pods.list(ns)) {
        const meta = pod.metadata;
        if (
          meta === undefined ||
          pod.status?.phase !== "Pending" ||
          pod.spec?.nodeName === undefined ||
          meta.deletionTimestamp !== undefined
        )
          continue;
        if (!hasConfigRefs(pod)) continue;
        const want = missingConfig(pod, idx);
        const have = meta.annotations?.[MISSING_CONFIG_ANNOTATION];
        if (want === have && meta.annotations?.[CONFIG_CHECKED_ANNOTATION] !== undefined) continue;
        try {
          await core.patchNamespacedPod(
            {
              name: meta.name ?? "",
              namespace: ns,
              body: {
                metadata: {
                  annotations: {
                    [MISSING_CONFIG_ANNOTATION]: want ?? null,
                    [CONFIG_CHECKED_ANNOTATION]: "true",
                  },
                },
              },
            },
            setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
          );
        } catch (err) {
          process.stderr.write(
            `config-shim: patch ${ns}/${meta.name ?? ""} failed: ${String(err).slice(0, 200)}\n`,
          );
          dirty.add(ns);
        }
      }
    }
    await sleep(250, undefined, { signal }).catch(() => undefined);
  }
  await Promise.all([pods.stop(), cms.stop(), secrets.stop()]);
}
