/**
 * @module
 * `vigil run`: the operator. Watches the cluster, analyses on every change, reports findings as they
 * appear and resolve (stdout lines, Kubernetes Events on the object, Prometheus metrics).
 */
import { createServer, type Server } from "node:http";
import { CoreV1Api, type CoreV1Event } from "@kubernetes/client-node";
import type { Command } from "commander";
import { pino, type Logger } from "pino";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { z } from "zod";
import { hostname } from "node:os";
import { HealingPolicySpec, CRDS, crdManifest } from "../../api/index.js";
import {
  AnalysisWorker,
  Anomalies,
  anomalyLine,
  anomalySignal,
  describeAction,
  Healer,
  Notifications,
  Observer,
  PolicyWatch,
  PredictiveScalerController,
  WatchSet,
  type FindingEvent,
  type HealEvent,
} from "../../controller/index.js";
import * as health from "../../health/index.js";
import { HistoryRecorder } from "../../metrics/index.js";
import { applyObjects, LeaderElector, loadKubeConfig, rawRequest } from "../../kube/index.js";
import { VigilError, type ObjectRef } from "../../model/index.js";
import { readAlertingConfig } from "../config.js";
import type { CliContext, CommandSpec } from "../context.js";

const Flags = z.object({
  mode: z.enum(["observe", "recommend", "dry-run", "auto"]),
  incidentNamespace: z.string().min(1).max(63),
  leaderElect: z.boolean().default(false),
  identity: z.string().optional(),
  namespace: z.string().optional(),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  metricsPort: z.coerce.number().int().min(0).max(65535),
  output: z.enum(["text", "json"]),
  events: z.boolean(),
  verbose: z.boolean().optional(),
  scalers: z.boolean().optional(),
  prometheusUrl: z.url().optional(),
  alertingConfig: z.string().min(1).optional(),
  notifyWebhook: z.string().optional(),
  notifySlack: z.string().optional(),
  notifyAlertmanager: z.string().optional(),
  alertReceiver: z.string().optional(),
});

export interface RunMetrics {
  readonly registry: Registry;
  readonly findings: Gauge;
  readonly detectionLatency: Histogram;
  readonly analysisDuration: Histogram;
  readonly findingEvents: Counter;
}

export function runMetrics(): RunMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "vigil_" });
  return {
    registry,
    findings: new Gauge({
      name: "vigil_findings",
      help: "Current findings.",
      labelNames: ["severity", "kind", "reason"],
      registers: [registry],
    }),
    detectionLatency: new Histogram({
      name: "vigil_detection_latency_seconds",
      help: "From the first watch event of a change to the finding being emitted.",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    analysisDuration: new Histogram({
      name: "vigil_analysis_duration_seconds",
      help: "One full analysis of the informer caches.",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers: [registry],
    }),
    findingEvents: new Counter({
      name: "vigil_finding_events_total",
      help: "Findings detected, changed and resolved.",
      labelNames: ["type"],
      registers: [registry],
    }),
  };
}

function line(e: FindingEvent, now: Date): string {
  const f = e.finding;
  const ns = f.object.namespace === "" ? "" : `${f.object.namespace}/`;
  const lat = e.latencyMs !== undefined ? ` (${e.latencyMs.toFixed(0)} ms after the change)` : "";
  return `${now.toISOString()} ${e.type.toUpperCase().padEnd(8)} ${f.severity.padEnd(8)} ${f.object.kind} ${ns}${f.object.name} ${f.code}: ${f.reason}${lat}\n`;
}

/** Posts one Kubernetes Event about `target` (cluster-scoped targets: in `default`); failures are logged. */
async function postEvent(
  core: CoreV1Api,
  log: Logger,
  target: ObjectRef,
  e: {
    type: "Normal" | "Warning";
    reason: string;
    message: string;
    now: Date;
    about: Record<string, string>;
  },
): Promise<void> {
  const ns = target.namespace === "" ? "default" : target.namespace;
  const body: CoreV1Event = {
    metadata: { generateName: `vigil-${target.name.slice(0, 40)}-`, namespace: ns },
    involvedObject: {
      apiVersion: target.apiVersion,
      kind: target.kind,
      name: target.name,
      ...(target.namespace !== "" ? { namespace: target.namespace } : {}),
    },
    type: e.type,
    reason: e.reason,
    message: e.message.slice(0, 1000),
    source: { component: "vigil" },
    firstTimestamp: e.now,
    lastTimestamp: e.now,
    count: 1,
  };
  try {
    await core.createNamespacedEvent({ namespace: ns, body });
  } catch (err) {
    log.warn(
      { err: err instanceof Error ? err.message.slice(0, 200) : String(err), ...e.about },
      "could not record event",
    );
  }
}

function recordEvent(core: CoreV1Api, e: FindingEvent, now: Date, log: Logger): Promise<void> {
  const f = e.finding;
  return postEvent(core, log, f.object, {
    type: e.type === "resolved" ? "Normal" : "Warning",
    reason: e.type === "resolved" ? "VigilResolved" : "VigilFinding",
    message: `${f.code}: ${f.reason}`,
    now,
    about: { finding: f.id },
  });
}

const HEAL_EVENT_REASONS = {
  acted: ["Normal", "VigilActed"],
  verified: ["Normal", "VigilVerified"],
  undone: ["Warning", "VigilUndone"],
  timedOut: ["Warning", "VigilVerifyTimedOut"],
  failed: ["Warning", "VigilActionFailed"],
} as const;

/** A Kubernetes Event on the action's target for each step of an action: the audit trail `kubectl describe` shows. */
async function recordHealEvent(core: CoreV1Api, e: HealEvent, now: Date, log: Logger): Promise<void> {
  if (!(e.type in HEAL_EVENT_REASONS) || !("action" in e)) return;
  const [type, reason] = HEAL_EVENT_REASONS[e.type as keyof typeof HEAL_EVENT_REASONS];
  const detail = "detail" in e ? `: ${e.detail}` : "";
  await postEvent(core, log, e.action.target, {
    type,
    reason,
    message: `${e.action.kind} ${e.action.id} (incident ${e.incident}): ${e.action.reason.message}${detail}`,
    now,
    about: { action: e.action.id },
  });
}

function healLine(e: HealEvent, now: Date): string {
  const t = now.toISOString();
  switch (e.type) {
    case "acted":
      return `${t} ACTED    ${describeAction(e.action)} [incident ${e.incident}]\n`;
    case "planned":
      return `${t} RECOMMEND ${describeAction(e.action)} [incident ${e.incident}]\n`;
    case "dryRun":
      return `${t} DRY-RUN  ${describeAction(e.action)}\n${e.action.patches.map((p) => `    ${p.method} ${p.path} (${p.contentType})\n    ${JSON.stringify(p.body)}\n`).join("")}`;
    case "verified":
    case "undone":
    case "timedOut":
    case "failed":
      return `${t} ${e.type.toUpperCase().padEnd(8)} ${describeAction(e.action)}: ${e.detail}\n`;
    case "resolved":
      return `${t} RESOLVED incident ${e.incident} (${e.finding}) in ${e.mttrSeconds.toFixed(1)}s\n`;
    case "escalated":
      return `${t} ESCALATE incident ${e.incident}: ${e.message}\n`;
    case "skipped":
      return "";
  }
}

export const runCommand: CommandSpec = {
  name: "run",
  register(program: Command, ctx: CliContext) {
    program
      .command("run")
      .description("run the operator: watch the cluster and report findings as they appear and resolve")
      .option(
        "--mode <mode>",
        "observe (report only) | recommend | dry-run (plan, show the exact patch) | auto (act)",
        "observe",
      )
      .option("--incident-namespace <ns>", "where Incident records are written", "default")
      .option(
        "--leader-elect",
        "only act while holding the vigil-operator Lease (run several replicas safely)",
      )
      .option("--identity <id>", "this replica's identity for leader election (default: hostname-pid)")
      .option("-n, --namespace <ns>", "watch one namespace (default: all)")
      .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
      .option("--context <name>", "kubeconfig context")
      .option("--metrics-port <port>", "serve Prometheus metrics on 127.0.0.1:PORT/metrics (0: off)", "9464")
      .option("-o, --output <format>", "text|json lines on stdout", "text")
      .option("--no-events", "do not record Kubernetes Events on the objects")
      .option("--scalers", "also reconcile PredictiveScalers (history, forecast, HPA floor or scale)")
      .option("--prometheus-url <url>", "PredictiveScaler history from Prometheus range queries")
      .option("--alerting-config <file>", "incident notifications: routes, receivers, silences (YAML/JSON)")
      .option("--notify-webhook <url>", "send incident notifications as JSON to this webhook")
      .option("--notify-slack <url>", "send incident notifications to this Slack incoming webhook")
      .option("--notify-alertmanager <url>", "push incidents as alerts to this Alertmanager (v2 API)")
      .option("--alert-receiver <addr>", "accept Alertmanager webhooks on HOST:PORT (path /alertmanager)")
      .action(async (raw: Record<string, unknown>) => {
        const parsed = Flags.safeParse({ ...raw, verbose: program.opts<{ verbose?: boolean }>().verbose });
        if (!parsed.success) throw new VigilError("Usage", z.prettifyError(parsed.error));
        const f = parsed.data;
        const log = pino(
          { level: f.verbose === true ? "debug" : "info", base: { component: "vigil" } },
          pino.destination(2),
        );
        const kc = loadKubeConfig({
          kubeconfig: f.kubeconfig ?? ctx.cfg.kubeconfigEnv?.split(":")[0],
          context: f.context,
        });
        const core = kc.makeApiClient(CoreV1Api);
        const metrics = runMetrics();
        const clock = { now: () => new Date() };
        const ref: { observer?: Observer; healer?: Healer; policies?: PolicyWatch; leading: boolean } = {
          leading: !f.leaderElect,
        };
        const alerting = readAlertingConfig(f);
        const notifications =
          alerting === undefined
            ? undefined
            : new Notifications({
                clock,
                config: alerting,
                log: log.child({ controller: "notifications" }),
                registry: metrics.registry,
              });
        // Metric anomalies per workload and node (CPU, memory, restart rate), fed by the informers and metric polls.
        const anomalies = new Anomalies({
          log: log.child({ controller: "anomalies" }),
          registry: metrics.registry,
          onAnomaly: (a) => {
            log.info(
              {
                ...a.object,
                metric: a.metric,
                value: a.value,
                baseline: a.baseline,
                score: a.score,
                at: a.at,
              },
              "metric anomaly",
            );
            ctx.out(
              f.output === "json"
                ? JSON.stringify({ time: a.at, type: "anomaly", anomaly: a }) + "\n"
                : anomalyLine(a),
            );
            notifications?.anomaly(anomalySignal(a));
          },
        });
        if (f.mode !== "observe") {
          // The Incident CRD must exist: install Vigil's CRDs when they are missing.
          const probe = await rawRequest(kc, "GET", "/apis/vigil.dev/v1alpha1");
          if (probe.status === 404) {
            log.info({}, "installing vigil.dev CRDs");
            await applyObjects(
              kc,
              CRDS.map((d) => crdManifest(d) as never),
              { force: true },
            );
            for (
              let i = 0;
              i < 50 && (await rawRequest(kc, "GET", "/apis/vigil.dev/v1alpha1/incidents")).status !== 200;
              i++
            ) {
              await new Promise((r) => setTimeout(r, 200));
            }
          }
          const mode = ({ recommend: "Recommend", "dry-run": "DryRun", auto: "Auto" } as const)[f.mode];
          // HealingPolicy objects override the cluster policy in their own namespace.
          ref.policies = new PolicyWatch(kc, {
            namespace: f.namespace,
            onInvalid: (fields) => {
              log.warn(fields, "healing policy ignored: invalid spec");
            },
            onRestart: (fields) => {
              log.warn(fields, "watch restarted");
            },
          });
          const policyWatch = ref.policies;
          ref.healer = new Healer(kc, {
            clock,
            policy: HealingPolicySpec.parse({ mode }),
            policies: () => policyWatch.current(),
            incidentNamespace: f.incidentNamespace,
            onEvent: (e) => {
              ctx.out(healLine(e, clock.now()));
              notifications?.heal(e);
              if (f.events) void recordHealEvent(core, e, clock.now(), log);
            },
            onError: (fields) => {
              log.warn(fields, "heal bookkeeping failed");
            },
          });
          await ref.healer.restore();
          if (ref.healer.pendingCount > 0)
            log.info({ pending: ref.healer.pendingCount }, "resuming verification of actions in flight");
        }
        // The analyzers run in a worker thread fed with every change, so watches and Lease renewals on this
        // thread never wait for a full analysis (falls back to this thread when the worker is unavailable).
        const worker = AnalysisWorker.start();
        const watch = new WatchSet(kc, {
          namespace: f.namespace,
          onChange: () => {
            ref.observer?.changed();
          },
          onObject: (kind, id, obj) => {
            notifications?.object(kind, id, obj);
            anomalies.object(kind, id, obj);
            if (obj === undefined) worker?.delete(kind, id);
            else worker?.set(kind, id, obj);
          },
          onMetrics: (items) => {
            worker?.metrics(items);
            anomalies.metrics(items);
          },
          onRestart: (fields) => {
            log.warn(fields, "watch restarted");
          },
        });
        const observer = new Observer(watch, {
          clock,
          worker,
          config: health.defaultHealthConfig,
          namespaces: f.namespace !== undefined ? [f.namespace] : undefined,
          onEvent: (e) => {
            const now = clock.now();
            metrics.findingEvents.inc({ type: e.type });
            if (e.latencyMs !== undefined && e.type === "detected")
              metrics.detectionLatency.observe(e.latencyMs / 1000);
            if (f.output === "json")
              ctx.out(
                JSON.stringify({
                  time: now.toISOString(),
                  type: e.type,
                  latencyMs: e.latencyMs,
                  finding: e.finding,
                }) + "\n",
              );
            else ctx.out(line(e, now));
            if (f.events) void recordEvent(core, e, now, log);
            notifications?.finding(e);
          },
          onAnalysis: (findings, tookMs) => {
            if (ref.healer !== undefined && ref.leading) {
              const snapshot = ref.observer?.snapshot;
              if (snapshot !== undefined) {
                ref.healer
                  .cycle(() => ({ findings, snapshot, raw: (r) => watch.lookup(r) }))
                  .catch((err: unknown) => {
                    log.error({ err: err instanceof Error ? err.message : String(err) }, "heal cycle failed");
                  });
              }
            }
            metrics.analysisDuration.observe(tookMs / 1000);
            metrics.findings.reset();
            for (const x of findings)
              metrics.findings.inc({ severity: x.severity, kind: x.object.kind, reason: x.code });
            log.debug({ findings: findings.length, tookMs: Math.round(tookMs) }, "analysis done");
          },
        });
        ref.observer = observer;
        let server: Server | undefined;
        if (f.metricsPort > 0) {
          server = createServer((req, res) => {
            if (req.url === "/metrics") {
              metrics.registry
                .metrics()
                .then((text) => {
                  res.writeHead(200, { "Content-Type": metrics.registry.contentType }).end(text);
                })
                .catch(() => res.writeHead(500).end());
            } else if (req.url === "/healthz" || req.url === "/readyz") {
              res.writeHead(req.url === "/readyz" && !watch.synced ? 503 : 200).end("ok");
            } else res.writeHead(404).end();
          });
          await new Promise<void>((resolve, reject) => {
            server?.once("error", (err) => {
              reject(
                new VigilError(
                  "MetricsPortBusy",
                  `cannot serve metrics on 127.0.0.1:${f.metricsPort}: ${err.message}`,
                  { hint: "pass --metrics-port 0 or another port" },
                ),
              );
            });
            server?.listen(f.metricsPort, "127.0.0.1", resolve);
          });
        }
        log.info(
          { mode: f.mode, namespace: f.namespace ?? "*", metricsPort: f.metricsPort },
          "operator starting",
        );
        const watching = Promise.all([watch.run(ctx.signal), ref.policies?.run(ctx.signal)]);
        const electing = f.leaderElect
          ? new LeaderElector(kc, {
              namespace: f.incidentNamespace,
              name: "vigil-operator",
              identity: f.identity ?? `${hostname()}-${process.pid}`,
              onEvent: (e) => {
                log.info({ event: e.type }, "leader election");
              },
            }).run(ctx.signal, async (leader) => {
              ref.leading = true;
              ref.observer?.analyzeNow();
              await new Promise<void>((r) => {
                leader.addEventListener("abort", () => {
                  r();
                });
              });
              ref.leading = false;
            })
          : Promise.resolve();
        // First analysis once every informer has listed.
        while (!(watch.synced && (ref.policies?.synced ?? true)) && !ctx.signal.aborted)
          await new Promise((r) => setTimeout(r, 50));
        if (!ctx.signal.aborted) {
          observer.analyzeNow();
          log.info({ findings: observer.findings.length }, "caches synced; watching");
          ctx.err(
            `vigil: watching${f.namespace !== undefined ? ` namespace ${f.namespace}` : " all namespaces"}; ${observer.findings.length} findings now (Ctrl-C to stop)\n`,
          );
        }
        // PredictiveScalers (--scalers): history recorder + controller; they act only while leading.
        const scalers: Promise<void>[] = [];
        if (f.scalers === true) {
          const active = () => ref.leading;
          const recorder =
            f.prometheusUrl === undefined
              ? new HistoryRecorder(kc, {
                  active,
                  log: (level, fields, msg) => {
                    log[level](fields, msg);
                  },
                })
              : undefined;
          const psc = new PredictiveScalerController(kc, {
            clock,
            active,
            log: log.child({ controller: "predictivescaler" }),
            namespace: f.namespace,
            recorder,
            prometheusUrl: f.prometheusUrl,
          });
          scalers.push(psc.run(ctx.signal));
          if (recorder !== undefined) scalers.push(recorder.run(ctx.signal));
        }
        // Incident notifications (--alerting-config / --notify-*): sent only while leading, like actions.
        if (notifications !== undefined) scalers.push(notifications.run(ctx.signal, () => ref.leading));
        await Promise.all([watching, observer.run(ctx.signal), electing, ...scalers]);
        server?.close();
        await worker?.stop();
        log.info({}, "operator stopped");
      });
  },
};
