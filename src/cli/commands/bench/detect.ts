/**
 * @module
 * `vigil bench detect`: the cost of one full health analysis. Generates a synthetic cluster in memory (raw API
 * objects as a list call returns them: 1,000 nodes and 10,000 pods by default, with a known set of faults),
 * then times ingest (slimming) and `health.analyze` and reports the process's peak RSS. Then (a) detection
 * latency: on a real sandbox (or --kubeconfig) the operator's watch-driven Observer runs in this process
 * while faults are created one after another through the API; each sample is the time from just before
 * the create request is sent to the moment the finding is emitted.
 */
import { performance } from "node:perf_hooks";
import { KubeConfig } from "@kubernetes/client-node";
import { Observer, WatchSet } from "../../../controller/index.js";
import { applyObjects, loadKubeConfig, rawRequest } from "../../../kube/index.js";
import * as sandbox from "../../../sandbox/index.js";
import type { Command } from "commander";
import { z } from "zod";
import * as health from "../../../health/index.js";
import { VigilError } from "../../../model/index.js";
import { sandboxEnv } from "../sandbox.js";
import type { CliContext } from "../../context.js";
import { renderData, renderTable } from "../../output.js";
import type { BenchSpec } from "../bench.js";

const Flags = z.object({
  nodes: z.coerce.number().int().min(1).max(100_000),
  pods: z.coerce.number().int().min(1).max(1_000_000),
  runs: z.coerce.number().int().min(1).max(100),
  output: z.enum(["table", "json"]),
  latencySamples: z.coerce.number().int().min(0).max(10_000),
  kubeconfig: z.string().optional(),
});

const LAT_NS = "vigil-bench-detect";

function latencyFault(i: number): Record<string, unknown> {
  const name = `lat-${i}`;
  switch (i % 3) {
    case 0:
      return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: LAT_NS },
        spec: { selector: { app: `nothing-${i}` }, ports: [{ port: 80 }] },
      };
    case 1:
      return {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name, namespace: LAT_NS },
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: `missing-${i}` },
          maxReplicas: 3,
        },
      };
    default:
      return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: LAT_NS },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              containers: [
                { name: "app", image: "shop/api:1", envFrom: [{ configMapRef: { name: `absent-${i}` } }] },
              ],
            },
          },
        },
      };
  }
}

function pct(sorted: readonly number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round((sorted[i] ?? 0) * 10) / 10;
}

/** Detection latency on a live cluster: `samples` faults, one at a time, each timed to its finding. */
export async function measureLatency(
  kc: KubeConfig,
  samples: number,
  progress: (s: string) => void,
): Promise<{ p50: number | null; p99: number | null; samples: number; max: number | null }> {
  const stop = new AbortController();
  const waiting = new Map<string, (t: number) => void>();
  const ref: { observer?: Observer } = {};
  const watch = new WatchSet(kc, {
    namespace: LAT_NS,
    onChange: () => {
      ref.observer?.changed();
    },
  });
  const observer = new Observer(watch, {
    clock: { now: () => new Date() },
    config: health.defaultHealthConfig,
    namespaces: [LAT_NS],
    onEvent: (e) => {
      if (e.type !== "detected") return;
      const done = waiting.get(e.finding.object.name);
      if (done !== undefined) {
        waiting.delete(e.finding.object.name);
        done(performance.now());
      }
    },
  });
  ref.observer = observer;
  await applyObjects(kc, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: LAT_NS } }], {
    force: true,
  });
  const running = Promise.all([watch.run(stop.signal), observer.run(stop.signal)]);
  try {
    while (!watch.synced) await new Promise((r) => setTimeout(r, 20));
    observer.analyzeNow();
    const lat: number[] = [];
    for (let i = 0; i < samples; i++) {
      const obj = latencyFault(i);
      const name = `lat-${i}`;
      const seen = new Promise<number>((resolve, reject) => {
        waiting.set(name, resolve);
        setTimeout(() => {
          reject(new VigilError("BenchTimeout", `no finding for ${String(obj["kind"])} ${name} within 10 s`));
        }, 10_000);
      });
      const t0 = performance.now();
      await applyObjects(kc, [obj], { force: true });
      lat.push((await seen) - t0);
      const kind = String(obj["kind"]);
      const plural =
        kind === "Service" ? "services" : kind === "Deployment" ? "deployments" : "horizontalpodautoscalers";
      const group =
        kind === "Service" ? "/api/v1" : kind === "Deployment" ? "/apis/apps/v1" : "/apis/autoscaling/v2";
      await rawRequest(kc, "DELETE", `${group}/namespaces/${LAT_NS}/${plural}/${name}`);
      if ((i + 1) % 50 === 0) progress(`latency: ${i + 1}/${samples} faults`);
    }
    const sorted = [...lat].sort((a, b) => a - b);
    return { p50: pct(sorted, 0.5), p99: pct(sorted, 0.99), samples: lat.length, max: pct(sorted, 1) };
  } finally {
    stop.abort();
    await running;
  }
}

export interface DetectBenchResult {
  latency_ms: { p50: number | null; p99: number | null; samples: number; max?: number | null };
  readonly full_scan: {
    readonly seconds: number;
    readonly ingest_seconds: number;
    readonly analyze_seconds: number;
    readonly rss_mib: number;
    /** RSS after generating the raw objects, before the first ingest: the process plus the raw lists. */
    readonly rss_before_mib: number;
    readonly heap_used_mib: number;
    readonly nodes: number;
    readonly pods: number;
    readonly objects: number;
    readonly findings: number;
    readonly injected_faults: number;
    readonly detected_faults: number;
    readonly runs: number;
  };
}

const NOW = "2026-11-26T10:00:00Z";
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
 * NotReady. Returns raw objects (with managedFields, like a real list) and the faulted objects.
 */
export function syntheticCluster(nodes: number, pods: number): { lists: health.RawLists; faults: string[] } {
  const managedFields = [
    { manager: "kube-controller-manager", operation: "Update", fieldsV1: { "f:status": {} } },
  ];
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
  const push = (k: string, o: unknown) => {
    (lists[k] ??= []).push(o);
  };
  for (let i = 0; i < nodes; i++) {
    const notReady = i % 200 === 199;
    if (notReady) faults.push(`Node/node-${i}`);
    push("nodes", {
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
    });
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
    push("deployments", {
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
    });
    const rs = `${name}-5d8f`;
    push("replicaSets", {
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
    });
    push("services", {
      metadata: { name, namespace: ns, uid: `s${d}` },
      spec: { selector: { app: name }, ports: [{ port: 80 }] },
    });
    push("configMaps", {
      metadata: { name: `${name}-config`, namespace: ns },
      data: { "app.yaml": "x".repeat(512) },
    });
    if (d % 5 === 0) {
      push("horizontalPodAutoscalers", {
        metadata: { name, namespace: ns },
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
          minReplicas: n,
          maxReplicas: n * 2,
        },
        status: { currentReplicas: n, conditions: [condition("ScalingLimited", "True", "TooFewReplicas")] },
      });
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
      push("pods", {
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
                        ? { terminated: { reason: "Error", exitCode: 1, finishedAt: "2026-11-26T09:59:00Z" } }
                        : {},
                },
              ],
        },
      });
      push("events", {
        metadata: { name: `${pod}.1`, namespace: ns },
        type: broken ? "Warning" : "Normal",
        reason: broken ? "BackOff" : "Started",
        message: broken ? "Back-off restarting failed container" : "Started container app",
        count: 1,
        firstTimestamp: "2026-11-26T08:00:01Z",
        lastTimestamp: "2026-11-26T09:59:00Z",
        involvedObject: { kind: "Pod", namespace: ns, name: pod },
      });
    }
  }
  return { lists: lists, faults };
}

function mib(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

export function runDetectBench(nodes: number, pods: number, runs: number): DetectBenchResult {
  const { lists, faults } = syntheticCluster(nodes, pods);
  const objects = Object.values(lists).reduce((s, l) => s + l.length, 0);
  const rssBefore = process.memoryUsage().rss;
  const cfg = health.HealthConfig.parse({});
  const now = new Date(NOW);
  let best = { ingest: Infinity, analyze: Infinity };
  let findings: readonly health.Finding[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const { snapshot } = health.ingest(lists);
    const t1 = performance.now();
    findings = health.analyze(now, snapshot, cfg);
    const t2 = performance.now();
    if (t2 - t0 < best.ingest + best.analyze) best = { ingest: t1 - t0, analyze: t2 - t1 };
  }
  const keys = new Set(
    findings.map(
      (f) => `${f.object.kind}/${f.object.namespace === "" ? "" : `${f.object.namespace}/`}${f.object.name}`,
    ),
  );
  const detected = faults.filter((f) => keys.has(f)).length;
  const usage = process.memoryUsage();
  return {
    latency_ms: { p50: null, p99: null, samples: 0 },
    full_scan: {
      seconds: Math.round((best.ingest + best.analyze) / 10) / 100,
      ingest_seconds: Math.round(best.ingest / 10) / 100,
      analyze_seconds: Math.round(best.analyze / 10) / 100,
      rss_mib: mib(process.resourceUsage().maxRSS * 1024),
      rss_before_mib: mib(rssBefore),
      heap_used_mib: mib(usage.heapUsed),
      nodes,
      pods,
      objects,
      findings: findings.length,
      injected_faults: faults.length,
      detected_faults: detected,
      runs,
    },
  };
}

export const detectBench: BenchSpec = {
  name: "detect",
  register(bench: Command, ctx: CliContext) {
    bench
      .command("detect")
      .description(
        "one full health analysis of a synthetic 1,000-node / 10,000-pod cluster: time and peak RSS",
      )
      .option("--nodes <n>", "nodes", "1000")
      .option("--pods <n>", "pods", "10000")
      .option("--runs <n>", "repetitions (the fastest is reported; RSS is the process peak)", "3")
      .option("-o, --output <format>", "table or json", "table")
      .option(
        "--latency-samples <n>",
        "faults injected on a live cluster for detection latency (0: skip)",
        "200",
      )
      .option("--kubeconfig <file>", "measure latency on this cluster instead of a fresh sandbox")
      .action(async (raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const res = runDetectBench(r.data.nodes, r.data.pods, r.data.runs);
        if (r.data.latencySamples > 0) {
          const progress = (m: string) => {
            ctx.err(`bench detect: ${m}\n`);
          };
          let kc: KubeConfig;
          let name: string | undefined;
          if (r.data.kubeconfig !== undefined) kc = loadKubeConfig({ kubeconfig: r.data.kubeconfig });
          else {
            name = `bench-detect-${process.pid}`;
            progress(`starting sandbox ${name}`);
            const up = await sandbox.up(sandboxEnv(ctx, undefined, progress), {
              name,
              nodes: 1,
              timeoutMs: 120_000,
              signal: ctx.signal,
            });
            kc = new KubeConfig();
            kc.loadFromFile(up.state.kubeconfig);
          }
          try {
            res.latency_ms = await measureLatency(kc, r.data.latencySamples, progress);
          } finally {
            if (name !== undefined) await sandbox.down({ home: ctx.cfg.home }, name);
          }
        }
        if (r.data.output === "json") {
          ctx.out(renderData("json", res));
          return;
        }
        const s = res.full_scan;
        ctx.out(
          renderTable(
            ["what", "value"],
            [
              ["cluster", `${s.nodes} nodes, ${s.pods} pods, ${s.objects} objects`],
              ["full scan (ingest + analyze)", `${s.seconds} s (target ≤ 2 s)`],
              ["  ingest (slimming)", `${s.ingest_seconds} s`],
              ["  analyze", `${s.analyze_seconds} s`],
              ["peak RSS", `${s.rss_mib} MiB (target ≤ 300 MiB)`],
              ["  RSS before analysis (process + raw objects)", `${s.rss_before_mib} MiB`],
              ["findings", String(s.findings)],
              ["injected faults found", `${s.detected_faults}/${s.injected_faults}`],
              [
                "detection latency (API change → finding)",
                res.latency_ms.samples === 0
                  ? "not measured (--latency-samples 0)"
                  : `p50 ${String(res.latency_ms.p50)} ms, p99 ${String(res.latency_ms.p99)} ms over ${res.latency_ms.samples} faults (target p99 ≤ 250 ms)`,
              ],
            ],
          ),
        );
      });
  },
};
