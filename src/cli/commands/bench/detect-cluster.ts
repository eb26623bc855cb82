/**
 * @module
 * The synthetic cluster of `vigil bench detect`: raw API objects as a list call returns them (managedFields
 * included), generated deterministically so that the fake API server and the check of the findings agree.
 */
import type * as health from "../../../health/index.js";

/** The clock of the synthetic cluster. */
export const NOW = "2026-11-26T10:00:00Z";
const PODS_PER_DEPLOYMENT = 10;
const NAMESPACES = 50;
const FAULTS = ["crashloop", "imagepull", "oom", "unschedulable", "missingConfigMap"] as const;

function condition(type: string, status: string, reason?: string) {
  return {
    type,
    status,
    ...(reason !== undefined ? { reason } : {}),
    lastTransitionTime: "2026-11-26T09:00:00Z",
  };
}

/**
 * A synthetic cluster: `pods / 10` Deployments of 10 pods over 50 namespaces, each with its ReplicaSet,
 * Service, ConfigMap and a few events; every 50th Deployment gets one of five faults; every 200th node is
 * NotReady. Yields the raw objects of the lists `want` accepts, as [list key, object] in list order (with
 * managedFields, like a real list), and appends the faulted objects to `faults`.
 */
export function* syntheticObjects(
  nodes: number,
  pods: number,
  want: (list: string) => boolean = () => true,
  faults: string[] = [],
): Generator<readonly [string, unknown]> {
  const managedFields = [
    { manager: "kube-controller-manager", operation: "Update", fieldsV1: { "f:status": {} } },
  ];
  for (let i = 0; i < nodes; i++) {
    const notReady = i % 200 === 199;
    if (notReady) faults.push(`Node/node-${i}`);
    if (want("nodes"))
      yield [
        "nodes",
        {
          metadata: {
            name: `node-${i}`,
            uid: `n${i}`,
            labels: { "topology.kubernetes.io/zone": `zone-${i % 3}` },
            managedFields,
          },
          spec: {},
          status: {
            conditions: [
              condition("Ready", notReady ? "False" : "True", notReady ? "KubeletNotReady" : "KubeletReady"),
              condition("MemoryPressure", "False"),
              condition("DiskPressure", "False"),
              condition("PIDPressure", "False"),
              condition("KernelReady", "True"),
            ],
            allocatable: { cpu: "4", memory: "16Gi", pods: "110" },
            capacity: { cpu: "4", memory: "16Gi", pods: "110" },
          },
        },
      ];
  }
  const deployments = Math.ceil(pods / PODS_PER_DEPLOYMENT);
  let podCount = 0;
  for (let d = 0; d < deployments; d++) {
    const ns = `team-${d % NAMESPACES}`;
    const name = `app-${d}`;
    const fault = d % 50 === 49 ? FAULTS[Math.floor(d / 50) % FAULTS.length] : undefined;
    if (fault !== undefined) faults.push(`Deployment/${ns}/${name}`);
    const container = {
      name: "app",
      image: fault === "imagepull" ? `registry.invalid/${name}:1` : `registry.example/${name}:1.0.${d}`,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
      env: [{ name: "MODE", value: "prod" }],
      envFrom: [
        { configMapRef: { name: fault === "missingConfigMap" ? `${name}-missing` : `${name}-config` } },
      ],
      readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 10 },
    };
    const template = {
      metadata: { labels: { app: name } },
      spec: { serviceAccountName: name, containers: [container] },
    };
    const n = Math.min(PODS_PER_DEPLOYMENT, pods - podCount);
    const broken = fault !== undefined;
    if (want("deployments"))
      yield [
        "deployments",
        {
          metadata: { name, namespace: ns, uid: `d${d}`, generation: 1, managedFields },
          spec: { replicas: n, selector: { matchLabels: { app: name } }, template },
          status: {
            replicas: n,
            updatedReplicas: n,
            readyReplicas: broken ? 0 : n,
            availableReplicas: broken ? 0 : n,
            conditions: [
              condition("Available", broken ? "False" : "True"),
              condition("Progressing", "True", "NewReplicaSetAvailable"),
            ],
          },
        },
      ];
    const rs = `${name}-5d8f`;
    if (want("replicaSets"))
      yield [
        "replicaSets",
        {
          metadata: {
            name: rs,
            namespace: ns,
            uid: `rs${d}`,
            annotations: { "deployment.kubernetes.io/revision": "1" },
            ownerReferences: [{ kind: "Deployment", name, uid: `d${d}`, controller: true }],
            managedFields,
          },
          spec: { replicas: n, selector: { matchLabels: { app: name } }, template },
          status: { replicas: n, readyReplicas: broken ? 0 : n },
        },
      ];
    if (want("services"))
      yield [
        "services",
        {
          metadata: { name, namespace: ns, uid: `s${d}` },
          spec: { selector: { app: name }, ports: [{ port: 80 }] },
        },
      ];
    if (want("configMaps"))
      yield [
        "configMaps",
        {
          metadata: { name: `${name}-config`, namespace: ns },
          data: { "app.yaml": "x".repeat(512) },
        },
      ];
    if (d % 5 === 0) {
      if (want("horizontalPodAutoscalers"))
        yield [
          "horizontalPodAutoscalers",
          {
            metadata: { name, namespace: ns },
            spec: {
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
              minReplicas: n,
              maxReplicas: n * 2,
            },
            status: {
              currentReplicas: n,
              conditions: [condition("ScalingLimited", "True", "TooFewReplicas")],
            },
          },
        ];
    }
    for (let p = 0; p < n; p++, podCount++) {
      const pod = `${rs}-${p}`;
      const running = { running: { startedAt: "2026-11-26T08:00:00Z" } };
      const status =
        fault === "crashloop"
          ? { waiting: { reason: "CrashLoopBackOff" } }
          : fault === "imagepull"
            ? { waiting: { reason: "ImagePullBackOff" } }
            : fault === "oom"
              ? { waiting: { reason: "CrashLoopBackOff" } }
              : fault === "missingConfigMap"
                ? {
                    waiting: {
                      reason: "CreateContainerConfigError",
                      message: `configmap "${name}-missing" not found`,
                    },
                  }
                : running;
      const unschedulable = fault === "unschedulable";
      if (want("pods"))
        yield [
          "pods",
          {
            metadata: {
              name: pod,
              namespace: ns,
              uid: `p${podCount}`,
              labels: { app: name, "pod-template-hash": "5d8f" },
              creationTimestamp: "2026-11-26T08:00:00Z",
              ownerReferences: [{ kind: "ReplicaSet", name: rs, uid: `rs${d}`, controller: true }],
              managedFields,
            },
            spec: { ...template.spec, ...(unschedulable ? {} : { nodeName: `node-${podCount % nodes}` }) },
            status: {
              phase: unschedulable
                ? "Pending"
                : broken && fault !== "crashloop" && fault !== "oom"
                  ? "Pending"
                  : "Running",
              startTime: "2026-11-26T08:00:00Z",
              conditions: unschedulable
                ? [
                    {
                      ...condition("PodScheduled", "False", "Unschedulable"),
                      message: "0/1000 nodes are available: 1000 Insufficient cpu.",
                    },
                  ]
                : [condition("PodScheduled", "True"), condition("Ready", broken ? "False" : "True")],
              containerStatuses: unschedulable
                ? []
                : [
                    {
                      name: "app",
                      image: container.image,
                      ready: !broken,
                      restartCount: fault === "crashloop" || fault === "oom" ? 9 : 0,
                      state: status,
                      lastState:
                        fault === "oom"
                          ? {
                              terminated: {
                                reason: "OOMKilled",
                                exitCode: 137,
                                finishedAt: "2026-11-26T09:59:00Z",
                              },
                            }
                          : fault === "crashloop"
                            ? {
                                terminated: {
                                  reason: "Error",
                                  exitCode: 1,
                                  finishedAt: "2026-11-26T09:59:00Z",
                                },
                              }
                            : {},
                    },
                  ],
            },
          },
        ];
      if (want("events"))
        yield [
          "events",
          {
            metadata: { name: `${pod}.1`, namespace: ns },
            type: broken ? "Warning" : "Normal",
            reason: broken ? "BackOff" : "Started",
            message: broken ? "Back-off restarting failed container" : "Started container app",
            count: 1,
            firstTimestamp: "2026-11-26T08:00:01Z",
            lastTimestamp: "2026-11-26T09:59:00Z",
            involvedObject: { kind: "Pod", namespace: ns, name: pod },
          },
        ];
    }
  }
}

/** The whole synthetic cluster as raw lists, and the faulted objects. */
export function syntheticCluster(nodes: number, pods: number): { lists: health.RawLists; faults: string[] } {
  const lists: Record<string, unknown[]> = {
    nodes: [],
    pods: [],
    deployments: [],
    replicaSets: [],
    services: [],
    configMaps: [],
    events: [],
    horizontalPodAutoscalers: [],
  };
  const faults: string[] = [];
  for (const [k, o] of syntheticObjects(nodes, pods, () => true, faults)) (lists[k] ??= []).push(o);
  return { lists, faults };
}

/** The faulted objects of the synthetic cluster ("Node/node-199", "Deployment/team-49/app-49"), no objects built. */
export function syntheticFaults(nodes: number, pods: number): string[] {
  const faults: string[] = [];
  const it = syntheticObjects(nodes, pods, () => false, faults);
  while (it.next().done !== true);
  return faults;
}
