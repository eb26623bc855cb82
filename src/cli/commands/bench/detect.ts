/**
 * @module
 * `vigil bench detect`: the cost of one full health analysis. Generates a synthetic cluster in memory (raw API
 * objects as a list call returns them: 1,000 nodes and 10,000 pods by default, with a known set of faults),
 * serves it from a loopback API server (./detect-server.ts), and times one full analysis in this process the
 * way `vigil analyze -A` runs it (page-by-page list and slim, analyze, report), with this process's peak RSS.
 * Then (a) detection
 * latency: on a real sandbox (or --kubeconfig) the operator's watch-driven Observer runs in this process
 * while faults are created one after another through the API; each sample is the time from just before
 * the create request is sent to the moment the finding is emitted.
 */
import { performance } from "node:perf_hooks";
import { KubeConfig } from "@kubernetes/client-node";
import type { Observer } from "../../../controller/index.js";
import { applyObjects, buildSnapshot, loadKubeConfig, rawRequest } from "../../../kube/index.js";
import type { Command } from "commander";
import { z } from "zod";
import * as health from "../../../health/index.js";
import { VigilError } from "../../../model/index.js";
import type { CliContext } from "../../context.js";
import { renderData, renderTable } from "../../output.js";
import type { BenchSpec } from "../bench.js";
import { NOW, syntheticFaults } from "./detect-cluster.js";
import { serveSyntheticCluster } from "./detect-server.js";

export { syntheticCluster } from "./detect-cluster.js";

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
  // Loaded here, after the full scan: `vigil analyze` does not load the operator's watch machinery.
  const { Observer, WatchSet } = await import("../../../controller/index.js");
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
    /** List + slim + analyze + report, the fastest run. */
    readonly seconds: number;
    /** `buildSnapshot`: listing from the API server and slimming each page as it arrives. */
    readonly list_ingest_seconds: number;
    /** `health.analyze`, `health.buildReport` and the JSON rendering. */
    readonly analyze_seconds: number;
    /** Peak RSS of this process up to the end of the full scan (start-up included). */
    readonly rss_mib: number;
    /** RSS before the first list: the process with its modules loaded, at rest. */
    readonly rss_before_mib: number;
    readonly heap_used_mib: number;
    readonly nodes: number;
    readonly pods: number;
    readonly objects: number;
    readonly findings: number;
    readonly report_json_bytes: number;
    readonly injected_faults: number;
    readonly detected_faults: number;
    readonly runs: number;
  };
}

function mib(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

function serverKubeConfig(port: number): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "bench", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "bench" }],
    contexts: [{ name: "bench", cluster: "bench", user: "bench" }],
    currentContext: "bench",
  });
  return kc;
}

/**
 * One full analysis the way `vigil analyze -A -o json` does it, in this process: `buildSnapshot` lists every
 * kind page by page from the loopback API server of the synthetic cluster and slims each page,
 * then `health.analyze`, `health.buildReport` and the JSON rendering. RSS is this process's peak
 * (`maxRSS`, start-up included), read before the latency part starts.
 */
export async function runDetectBench(nodes: number, pods: number, runs: number): Promise<DetectBenchResult> {
  const faults = syntheticFaults(nodes, pods);
  const server = await serveSyntheticCluster(nodes, pods);
  try {
    const kc = serverKubeConfig(server.port);
    const rssBefore = process.memoryUsage().rss;
    const cfg = health.HealthConfig.parse({});
    const now = new Date(NOW);
    let best = { list: Infinity, analyze: Infinity };
    let findings: readonly health.Finding[] = [];
    let objects = 0;
    let output = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const built = await buildSnapshot(kc, {});
      const t1 = performance.now();
      findings = health.analyze(now, built.snapshot, cfg);
      const report = health.buildReport(now, built.snapshot, findings, { warnings: built.warnings });
      output = renderData("json", report).length;
      const t2 = performance.now();
      objects = Object.values(built.counts).reduce((s, n) => s + n, 0);
      if (t2 - t0 < best.list + best.analyze) best = { list: t1 - t0, analyze: t2 - t1 };
    }
    const keys = new Set(
      findings.map(
        (f) =>
          `${f.object.kind}/${f.object.namespace === "" ? "" : `${f.object.namespace}/`}${f.object.name}`,
      ),
    );
    const detected = faults.filter((f) => keys.has(f)).length;
    const usage = process.memoryUsage();
    return {
      latency_ms: { p50: null, p99: null, samples: 0 },
      full_scan: {
        seconds: Math.round((best.list + best.analyze) / 10) / 100,
        list_ingest_seconds: Math.round(best.list / 10) / 100,
        analyze_seconds: Math.round(best.analyze / 10) / 100,
        rss_mib: mib(process.resourceUsage().maxRSS * 1024),
        rss_before_mib: mib(rssBefore),
        heap_used_mib: mib(usage.heapUsed),
        nodes,
        pods,
        objects,
        findings: findings.length,
        report_json_bytes: output,
        injected_faults: faults.length,
        detected_faults: detected,
        runs,
      },
    };
  } finally {
    await server.close();
  }
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
        const res = await runDetectBench(r.data.nodes, r.data.pods, r.data.runs);
        if (r.data.latencySamples > 0) {
          const progress = (m: string) => {
            ctx.err(`bench detect: ${m}\n`);
          };
          // Loaded only now, after the full scan (as the Observer is): `vigil analyze` needs neither.
          const sandbox = await import("../../../sandbox/index.js");
          let kc: KubeConfig;
          let name: string | undefined;
          if (r.data.kubeconfig !== undefined) kc = loadKubeConfig({ kubeconfig: r.data.kubeconfig });
          else {
            name = `bench-detect-${process.pid}`;
            progress(`starting sandbox ${name}`);
            const { sandboxEnv } = await import("../sandbox.js");
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
              ["full scan (list + slim + analyze + report)", `${s.seconds} s (target ≤ 2 s)`],
              ["  list + slim, page by page (buildSnapshot)", `${s.list_ingest_seconds} s`],
              ["  analyze + report", `${s.analyze_seconds} s`],
              ["peak RSS of this process", `${s.rss_mib} MiB (target ≤ 300 MiB)`],
              ["  RSS at rest, before the first list", `${s.rss_before_mib} MiB`],
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
