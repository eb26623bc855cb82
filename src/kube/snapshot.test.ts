// The raw list path (plain JSON.parse, in-place preparation) against the typed client-node path it replaced:
// the same objects, served by a loopback API server, must give the same snapshot.
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  PolicyV1Api,
  StorageV1Api,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import * as health from "../health/index.js";
import { buildSnapshot } from "./snapshot.js";

const PATHS: Readonly<Record<string, string>> = {
  "/api/v1/pods": "Pod",
  "/apis/apps/v1/deployments": "Deployment",
  "/apis/apps/v1/replicasets": "ReplicaSet",
  "/apis/apps/v1/statefulsets": "StatefulSet",
  "/apis/apps/v1/daemonsets": "DaemonSet",
  "/apis/batch/v1/jobs": "Job",
  "/apis/batch/v1/cronjobs": "CronJob",
  "/api/v1/services": "Service",
  "/apis/networking.k8s.io/v1/ingresses": "Ingress",
  "/apis/networking.k8s.io/v1/ingressclasses": "IngressClass",
  "/api/v1/persistentvolumeclaims": "PersistentVolumeClaim",
  "/api/v1/persistentvolumes": "PersistentVolume",
  "/apis/storage.k8s.io/v1/storageclasses": "StorageClass",
  "/api/v1/nodes": "Node",
  "/apis/autoscaling/v2/horizontalpodautoscalers": "HorizontalPodAutoscaler",
  "/apis/policy/v1/poddisruptionbudgets": "PodDisruptionBudget",
  "/apis/networking.k8s.io/v1/networkpolicies": "NetworkPolicy",
  "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations": "ValidatingWebhookConfiguration",
  "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations": "MutatingWebhookConfiguration",
  "/api/v1/configmaps": "ConfigMap",
  "/api/v1/secrets": "Secret",
  "/api/v1/resourcequotas": "ResourceQuota",
  "/api/v1/events": "Event",
};

/** Objects the golden scenarios do not spell: nulls, managedFields, fractional and offset timestamps. */
const TRICKY: unknown[] = [
  {
    kind: "Pod",
    metadata: {
      name: "tricky",
      namespace: "edge",
      uid: "p-tricky",
      creationTimestamp: "2026-11-26T09:00:00.123456+02:00",
      deletionTimestamp: null,
      labels: { app: "edge" },
      annotations: { startTime: "2026-11-26T09:00:00Z", creationTimestamp: "x" },
      managedFields: [{ manager: "kubectl", time: "2026-11-26T09:00:00Z", fieldsV1: { "f:spec": {} } }],
    },
    spec: {
      containers: [{ name: "app", image: "edge:1", env: [{ name: "A", value: null }] }],
      nodeName: null,
    },
    status: {
      phase: "Running",
      startTime: "2026-11-26T09:00:01Z",
      conditions: [
        { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2026-11-26T09:00:02Z" },
      ],
      containerStatuses: [
        {
          name: "app",
          image: "edge:1",
          ready: true,
          restartCount: 1,
          state: { running: { startedAt: "2026-11-26T09:00:03Z" } },
          lastState: {
            terminated: {
              exitCode: 137,
              reason: "OOMKilled",
              startedAt: null,
              finishedAt: "2026-11-26T09:00:02Z",
            },
          },
        },
      ],
    },
  },
  {
    kind: "Event",
    metadata: { name: "tricky.1", namespace: "edge", creationTimestamp: "2026-11-26T09:00:04Z" },
    involvedObject: { kind: "Pod", name: "tricky", namespace: "edge" },
    reason: "BackOff",
    message: "Back-off restarting failed container",
    type: "Warning",
    count: 3,
    firstTimestamp: null,
    lastTimestamp: null,
    eventTime: "2026-11-26T09:00:04.654321Z",
    series: { count: 3, lastObservedTime: "2026-11-26T09:00:05.000001Z" },
  },
  {
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: "hook", creationTimestamp: "2026-11-26T08:00:00Z" },
    webhooks: [],
  },
];

function fixtures(): unknown[] {
  const dir = new URL("../health/testdata/", import.meta.url);
  const out: unknown[] = [...TRICKY];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith(".scenario.yaml"))
    .sort()) {
    const sc = parse(readFileSync(new URL(f, dir), "utf8"), { merge: true }) as { objects: unknown[] };
    out.push(...sc.objects);
  }
  return out;
}

/** A paginated loopback API server of the objects, list items without `kind`, like kube-apiserver's. */
function serve(objects: readonly unknown[]): Server {
  const byKind = new Map<string, unknown[]>();
  for (const o of objects) {
    const { kind, ...rest } = o as { kind: string };
    let l = byKind.get(kind);
    if (l === undefined) byKind.set(kind, (l = []));
    l.push(rest);
  }
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const kind = PATHS[url.pathname];
    if (kind === undefined) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", code: 404, message: "not found" }));
      return;
    }
    const all = byKind.get(kind) ?? [];
    const from = Number(url.searchParams.get("continue") ?? "0") || 0;
    const limit = Number(url.searchParams.get("limit") ?? "0") || all.length;
    const next = from + limit < all.length ? String(from + limit) : undefined;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        kind: "List",
        apiVersion: "v1",
        metadata: next !== undefined ? { continue: next, resourceVersion: null } : { resourceVersion: "1" },
        items: all.slice(from, from + limit),
      }),
    );
  });
}

interface TypedPage {
  items: unknown[];
  metadata?: { _continue?: string };
}

/** The typed list calls `buildSnapshot` made before it read raw JSON, in its order. */
function typedListers(
  kc: KubeConfig,
): [health.KindKey, string | undefined, (c?: string) => Promise<TypedPage>][] {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const storage = kc.makeApiClient(StorageV1Api);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const p = (c?: string): { limit: number; _continue?: string } => ({
    limit: 2,
    ...(c !== undefined ? { _continue: c } : {}),
  });
  return [
    ["pods", undefined, (c) => core.listPodForAllNamespaces(p(c))],
    ["deployments", undefined, (c) => apps.listDeploymentForAllNamespaces(p(c))],
    ["replicaSets", undefined, (c) => apps.listReplicaSetForAllNamespaces(p(c))],
    ["statefulSets", undefined, (c) => apps.listStatefulSetForAllNamespaces(p(c))],
    ["daemonSets", undefined, (c) => apps.listDaemonSetForAllNamespaces(p(c))],
    ["jobs", undefined, (c) => batch.listJobForAllNamespaces(p(c))],
    ["cronJobs", undefined, (c) => batch.listCronJobForAllNamespaces(p(c))],
    ["services", undefined, (c) => core.listServiceForAllNamespaces(p(c))],
    ["ingresses", undefined, (c) => net.listIngressForAllNamespaces(p(c))],
    ["ingressClasses", undefined, (c) => net.listIngressClass(p(c))],
    ["persistentVolumeClaims", undefined, (c) => core.listPersistentVolumeClaimForAllNamespaces(p(c))],
    ["persistentVolumes", undefined, (c) => core.listPersistentVolume(p(c))],
    ["storageClasses", undefined, (c) => storage.listStorageClass(p(c))],
    ["nodes", undefined, (c) => core.listNode(p(c))],
    [
      "horizontalPodAutoscalers",
      undefined,
      (c) => autoscaling.listHorizontalPodAutoscalerForAllNamespaces(p(c)),
    ],
    ["podDisruptionBudgets", undefined, (c) => policy.listPodDisruptionBudgetForAllNamespaces(p(c))],
    ["networkPolicies", undefined, (c) => net.listNetworkPolicyForAllNamespaces(p(c))],
    [
      "webhookConfigurations",
      "ValidatingWebhookConfiguration",
      (c) => admission.listValidatingWebhookConfiguration(p(c)),
    ],
    [
      "webhookConfigurations",
      "MutatingWebhookConfiguration",
      (c) => admission.listMutatingWebhookConfiguration(p(c)),
    ],
    ["configMaps", undefined, (c) => core.listConfigMapForAllNamespaces(p(c))],
    ["secrets", undefined, (c) => core.listSecretForAllNamespaces(p(c))],
    ["resourceQuotas", undefined, (c) => core.listResourceQuotaForAllNamespaces(p(c))],
    ["events", undefined, (c) => core.listEventForAllNamespaces(p(c))],
  ];
}

/** The old path: typed pages (Dates, class instances), `{ ...it, kind }` for webhooks, `ingestInto`. */
async function typedSnapshot(
  kc: KubeConfig,
): Promise<{ snapshot: health.Snapshot; dropped: health.DroppedObject[] }> {
  const slim: Partial<Record<health.KindKey, unknown[]>> = {};
  const dropped: health.DroppedObject[] = [];
  for (const [key, kind, list] of typedListers(kc)) {
    let cont: string | undefined;
    do {
      const page = await list(cont);
      const raw = kind !== undefined ? page.items.map((it) => ({ ...(it as object), kind })) : page.items;
      health.ingestInto(key, raw, (slim[key] ??= []), dropped);
      cont = page.metadata?._continue;
      if (cont === "") cont = undefined;
    } while (cont !== undefined);
  }
  return { snapshot: health.assembleSnapshot(slim, {}), dropped };
}

describe("buildSnapshot (raw JSON lists)", () => {
  let server: Server;
  let kc: KubeConfig;
  beforeAll(async () => {
    server = serve(fixtures());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: "t",
          server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          skipTLSVerify: true,
        },
      ],
      users: [{ name: "t" }],
      contexts: [{ name: "t", cluster: "t", user: "t" }],
      currentContext: "t",
    });
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it("gives the snapshot the typed client-node lists gave, page by page", async () => {
    const old = await typedSnapshot(kc);
    const built = await buildSnapshot(kc, { pageSize: 2, metrics: false });
    expect(built.snapshot.pods.length).toBeGreaterThan(5);
    expect(built.snapshot).toStrictEqual(old.snapshot);
    expect(JSON.stringify(built.snapshot)).toBe(JSON.stringify(old.snapshot));
    expect(built.warnings).toEqual(old.dropped.map((d) => `ignored ${d.kind} ${d.name}: ${d.problem}`));
    const pod = built.snapshot.pods.find((p) => p.metadata.name === "tricky");
    expect(pod?.metadata.creationTimestamp).toBe("2026-11-26T07:00:00.123Z");
    expect(pod?.metadata.annotations).toEqual({ startTime: "2026-11-26T09:00:00Z", creationTimestamp: "x" });
  });

  it("a missing kind is a skipped kind, as before", async () => {
    const built = await buildSnapshot(kc, { pageSize: 50, metrics: true });
    expect(built.snapshot.skipped).toEqual([
      { kind: "podMetrics", reason: "the API server does not serve pods.metrics.k8s.io" },
    ]);
  });
});
