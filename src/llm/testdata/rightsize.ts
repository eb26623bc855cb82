/**
 * A small shop for the right-sizing tool: Deployment `api` (2 replicas) asks for 1 CPU and 1 GiB per pod but
 * uses 20m and ~100 MiB; Deployment `web` already fits its usage. PodMetrics as metrics.k8s.io serves them.
 */
import type { KubernetesObject } from "@kubernetes/client-node";

const NS = "shop";

function deployment(name: string, cpu: string, mem: string): KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "app",
              image: `shop/${name}:1`,
              resources: { requests: { cpu, memory: mem }, limits: { memory: mem } },
            },
          ],
        },
      },
    },
    status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 },
  } as KubernetesObject;
}

function replicaSet(name: string): KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${name}-5c6b`,
      namespace: NS,
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "Deployment", name, uid: `d-${name}`, controller: true },
      ],
    },
  };
}

function pod(name: string, i: number, cpu: string, mem: string): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${name}-5c6b-${i}`,
      namespace: NS,
      labels: { app: name, "pod-template-hash": "5c6b" },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `${name}-5c6b`,
          uid: `rs-${name}`,
          controller: true,
        },
      ],
    },
    spec: {
      nodeName: "node-1",
      containers: [{ name: "app", resources: { requests: { cpu, memory: mem }, limits: { memory: mem } } }],
    },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: { running: {} } }],
    },
  } as KubernetesObject;
}

function usage(name: string, i: number, cpu: string, mem: string): KubernetesObject {
  return {
    apiVersion: "metrics.k8s.io/v1beta1",
    kind: "PodMetrics",
    metadata: { name: `${name}-5c6b-${i}`, namespace: NS },
    containers: [{ name: "app", usage: { cpu, memory: mem } }],
  } as KubernetesObject;
}

export const RIGHTSIZE_OBJECTS: readonly KubernetesObject[] = [
  deployment("api", "1", "1Gi"),
  replicaSet("api"),
  pod("api", 1, "1", "1Gi"),
  pod("api", 2, "1", "1Gi"),
  usage("api", 1, "20m", "100Mi"),
  usage("api", 2, "15m", "90Mi"),
  {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1" },
    status: { allocatable: { cpu: "4", memory: "8Gi" }, conditions: [{ type: "Ready", status: "True" }] },
  } as KubernetesObject,
];
