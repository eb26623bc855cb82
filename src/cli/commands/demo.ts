/**
 * @module
 * `vigil demo`: the README's main command. Starts a sandbox, deploys a small shop, runs Vigil's operator
 * in auto mode in this process, injects three faults one after another (a bad release, memory pressure, a
 * node that stops heartbeating) and prints detection → action → verification as it happens, with the
 * time to recover of each incident and a summary table. Removes the sandbox at the end unless --keep.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment, type V1Pod } from "@kubernetes/client-node";
import type { Command } from "commander";
import { z } from "zod";
import { HealingPolicySpec, CRDS, crdManifest } from "../../api/index.js";
import { Healer, Observer, WatchSet, type HealEvent } from "../../controller/index.js";
import * as health from "../../health/index.js";
import { applyObjects, rawRequest } from "../../kube/index.js";
import { VigilError } from "../../model/index.js";
import * as sandbox from "../../sandbox/index.js";
import { sandboxEnv } from "./sandbox.js";
import type { CliContext, CommandSpec } from "../context.js";
import { renderTable } from "../output.js";

const Flags = z.object({
  name: sandbox.SandboxName,
  keep: z.boolean().default(false),
  faultTimeout: z.coerce.number().int().min(30).max(1800),
});

const NS = "shop";

interface AppSpec {
  readonly name: string;
  readonly image: string;
  readonly replicas: number;
  readonly memory?: string;
  readonly annotations?: Record<string, string>;
}

function deployment(a: AppSpec): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: a.name, namespace: NS, labels: { app: a.name } },
    spec: {
      replicas: a.replicas,
      progressDeadlineSeconds: 60,
      selector: { matchLabels: { app: a.name } },
      template: {
        metadata: { labels: { app: a.name }, annotations: a.annotations ?? {} },
        spec: {
          containers: [
            {
              name: a.name,
              image: a.image,
              ports: [{ containerPort: 8080 }],
              resources: {
                requests: { cpu: "100m", memory: a.memory ?? "128Mi" },
                limits: { memory: a.memory ?? "128Mi" },
              },
              readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 5 },
            },
          ],
        },
      },
    },
  };
}

const APPS: readonly AppSpec[] = [
  { name: "frontend", image: "shop/frontend:2.3.0", replicas: 2 },
  { name: "checkout", image: "shop/checkout:1.4.2", replicas: 3 },
  {
    name: "payments",
    image: "shop/payments:0.9.1",
    replicas: 2,
    memory: "128Mi",
    annotations: { "sandbox.vigil.dev/memory-need": "96Mi" },
  },
];

/** kubectl's STATUS column, simplified: the first waiting/terminated reason, else the phase. */
export function podStatus(p: V1Pod): string {
  if (p.metadata?.deletionTimestamp !== undefined) return "Terminating";
  for (const cs of p.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason !== undefined) return cs.state.waiting.reason;
    if (cs.state?.terminated?.reason !== undefined) return cs.state.terminated.reason;
  }
  return p.status?.reason ?? p.status?.phase ?? "Unknown";
}

interface Row {
  fault: string;
  injectedAt: number;
  detectedAt?: number;
  action?: string;
  recoveredAt?: number;
  incident?: string;
}

export const demoCommand: CommandSpec = {
  name: "demo",
  register(program: Command, ctx: CliContext) {
    program
      .command("demo")
      .description("start a sandbox and a sample shop, break it three ways and watch Vigil heal it")
      .option("--name <name>", "sandbox name", "demo")
      .option("--keep", "keep the sandbox running at the end (default: remove it)")
      .option("--fault-timeout <seconds>", "give up on one fault after this long", "240")
      .action(async (raw: unknown) => {
        const parsed = Flags.safeParse(raw);
        if (!parsed.success) throw new VigilError("Usage", z.prettifyError(parsed.error));
        const f = parsed.data;
        const t0 = performance.now();
        const secs = () => ((performance.now() - t0) / 1000).toFixed(1).padStart(6);
        const say = (s: string) => {
          ctx.out(`${secs()}s  ${s}\n`);
        };
        const env = sandboxEnv(ctx);
        const existing = sandbox.status({ home: ctx.cfg.home }, f.name);
        if (existing.exists) await sandbox.down({ home: ctx.cfg.home }, f.name);
        say(`starting a real Kubernetes v1.37.2 control plane (sandbox "${f.name}", 3 nodes)`);
        const up = await sandbox.up(env, { name: f.name, nodes: 3, timeoutMs: 120_000, signal: ctx.signal });
        say(`cluster ready in ${up.seconds.toFixed(1)}s`);
        const stop = new AbortController();
        const onAbort = () => {
          stop.abort();
        };
        ctx.signal.addEventListener("abort", onAbort, { once: true });
        try {
          const kc = new KubeConfig();
          kc.loadFromFile(up.state.kubeconfig);
          const core = kc.makeApiClient(CoreV1Api);
          const apps = kc.makeApiClient(AppsV1Api);

          say(`deploying the shop: ${APPS.map((a) => `${a.name} (${a.replicas})`).join(", ")}`);
          await applyObjects(kc, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }], {
            force: true,
          });
          await applyObjects(
            kc,
            APPS.map((a) => deployment(a) as never),
            { force: true },
          );
          const healthy = async () => {
            const ds = (await apps.listNamespacedDeployment({ namespace: NS })).items;
            return (
              ds.length === APPS.length &&
              ds.every((d) => {
                const want = d.spec?.replicas ?? 1;
                const st = d.status;
                return st?.availableReplicas === want && st.updatedReplicas === want && st.replicas === want;
              })
            );
          };
          const waitUntil = async (seconds: number, ok: () => Promise<boolean>) => {
            const deadline = performance.now() + seconds * 1000;
            while (!(await ok())) {
              if (stop.signal.aborted) throw new VigilError("Interrupted", "interrupted");
              if (performance.now() > deadline) return false;
              await sleep(500);
            }
            return true;
          };
          await waitUntil(60, healthy);
          say("the shop is up: all replicas Ready");

          // Vigil's operator, in this process, in auto mode.
          if ((await rawRequest(kc, "GET", "/apis/vigil.dev/v1alpha1")).status === 404) {
            await applyObjects(
              kc,
              CRDS.map((d) => crdManifest(d) as never),
              { force: true },
            );
            await waitUntil(
              20,
              async () => (await rawRequest(kc, "GET", "/apis/vigil.dev/v1alpha1/incidents")).status === 200,
            );
          }
          const rows: Row[] = [];
          const current = () => rows.at(-1);
          const clock = { now: () => new Date() };
          const healer = new Healer(kc, {
            clock,
            policy: HealingPolicySpec.parse({
              mode: "Auto",
              nodeNotReadyGraceSeconds: 20,
              forceDeleteGraceSeconds: 15,
            }),
            incidentNamespace: NS,
            onEvent: (e: HealEvent) => {
              const r = current();
              switch (e.type) {
                case "acted":
                  say(
                    `  ACT     ${e.action.kind} ${e.action.target.kind}/${e.action.target.name}: ${e.action.reason.message}`,
                  );
                  if (r !== undefined)
                    r.action =
                      r.action === undefined
                        ? e.action.kind
                        : r.action.includes(e.action.kind)
                          ? r.action
                          : `${r.action}, ${e.action.kind}`;
                  break;
                case "verified":
                  say(`  VERIFY  ${e.action.kind} worked: ${e.detail}`);
                  break;
                case "undone":
                  say(`  UNDO    ${e.action.kind} made things worse and was undone: ${e.detail}`);
                  break;
                case "timedOut":
                case "failed":
                  say(`  ${e.type === "failed" ? "FAILED " : "TIMEOUT"} ${e.action.kind}: ${e.detail}`);
                  break;
                case "resolved":
                  say(`  RESOLVED incident ${e.incident} (MTTR ${e.mttrSeconds.toFixed(1)}s)`);
                  break;
                case "escalated":
                  say(`  ESCALATE ${e.message}`);
                  break;
                case "planned":
                case "dryRun":
                case "skipped":
                  break;
              }
            },
            onError: () => undefined,
          });
          const ref: { observer?: Observer } = {};
          const watch = new WatchSet(kc, {
            namespace: undefined,
            onChange: () => {
              ref.observer?.changed();
            },
          });
          const observer = new Observer(watch, {
            clock,
            config: health.defaultHealthConfig,
            onEvent: (e) => {
              if (e.finding.severity === "low") return;
              const r = current();
              if (e.type === "detected") {
                if (r !== undefined && r.detectedAt === undefined) r.detectedAt = performance.now();
                say(
                  `  DETECT  ${e.finding.severity} ${e.finding.object.kind}/${e.finding.object.name} ${e.finding.code}: ${e.finding.reason}`,
                );
              }
            },
            onAnalysis: (findings) => {
              const snapshot = ref.observer?.snapshot;
              if (snapshot !== undefined)
                void healer
                  .cycle(() => ({ findings, snapshot, raw: (x) => watch.lookup(x) }))
                  .catch(() => undefined);
            },
          });
          ref.observer = observer;
          const watching = watch.run(stop.signal);
          const resync = observer.run(stop.signal);
          await waitUntil(30, () => Promise.resolve(watch.synced));
          observer.analyzeNow();
          say("Vigil is watching (vigil run --mode auto, in this process)\n");

          const inject = async (
            fault: string,
            act: () => Promise<void>,
            recovered: () => Promise<boolean>,
          ) => {
            say(`FAULT: ${fault}`);
            const row: Row = { fault, injectedAt: performance.now() };
            rows.push(row);
            await act();
            await sleep(3000);
            const ok = await waitUntil(f.faultTimeout, async () => (await recovered()) && (await healthy()));
            if (ok) row.recoveredAt = performance.now();
            say(
              ok
                ? `recovered: every replica Ready on a healthy version\n`
                : `not recovered within ${f.faultTimeout}s\n`,
            );
          };

          // 1. A bad release of checkout: the new version crashes on start.
          await inject(
            "release checkout 1.4.3, which crashes on start",
            async () => {
              await applyObjects(
                kc,
                [
                  deployment({
                    name: "checkout",
                    image: "shop/checkout:1.4.3",
                    replicas: 3,
                    annotations: { "sandbox.vigil.dev/behavior": "crashloop" },
                  }),
                ],
                { force: true },
              );
            },
            async () => {
              const d = await apps.readNamespacedDeployment({ name: "checkout", namespace: NS });
              return d.spec?.template.spec?.containers[0]?.image === "shop/checkout:1.4.2";
            },
          );

          // 2. Memory pressure on payments: its pods now need more than their 128Mi limit.
          await inject(
            "payments gets more traffic and needs 200Mi, above its 128Mi limit (OOMKilled)",
            async () => {
              const ps = (await core.listNamespacedPod({ namespace: NS, labelSelector: "app=payments" }))
                .items;
              for (const p of ps) {
                await core.patchNamespacedPod({
                  name: p.metadata?.name ?? "",
                  namespace: NS,
                  body: [
                    {
                      op: "add",
                      path: "/metadata/annotations/sandbox.vigil.dev~1memory-need",
                      value: "200Mi",
                    },
                  ],
                });
              }
            },
            async () => {
              const d = await apps.readNamespacedDeployment({ name: "payments", namespace: NS });
              return d.spec?.template.spec?.containers[0]?.resources?.limits?.["memory"] !== "128Mi";
            },
          );

          // 3. A node stops heartbeating (its kubelet is gone).
          const pods = (await core.listNamespacedPod({ namespace: NS })).items;
          const counts = new Map<string, number>();
          for (const p of pods)
            if (p.spec?.nodeName !== undefined)
              counts.set(p.spec.nodeName, (counts.get(p.spec.nodeName) ?? 0) + 1);
          const victim = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "node-1";
          await inject(
            `${victim} stops heartbeating (${counts.get(victim) ?? 0} shop pods on it)`,
            async () => {
              await core.patchNode({
                name: victim,
                body: [{ op: "replace", path: "/metadata/labels/kwok.x-k8s.io~1node", value: "stopped" }],
              });
            },
            async () => {
              // Recovered when every replica runs elsewhere; pods left Terminating on the dead node no longer count.
              const ps = (await core.listNamespacedPod({ namespace: NS })).items;
              return ps.every(
                (p) => p.metadata?.deletionTimestamp !== undefined || p.spec?.nodeName !== victim,
              );
            },
          );

          stop.abort();
          await Promise.all([watching, resync]);
          const incidents = (
            await rawRequest(kc, "GET", `/apis/vigil.dev/v1alpha1/namespaces/${NS}/incidents`)
          ).body as {
            items?: {
              metadata: { name: string };
              spec: { reason: string };
              status?: { phase?: string; mttrSeconds?: number };
            }[];
          };
          ctx.out("\nSummary\n");
          ctx.out(
            renderTable(
              ["fault", "detected after", "action", "recovered after"],
              rows.map((r) => [
                r.fault.length > 60 ? `${r.fault.slice(0, 57)}...` : r.fault,
                r.detectedAt !== undefined ? `${((r.detectedAt - r.injectedAt) / 1000).toFixed(1)}s` : "-",
                r.action ?? "-",
                r.recoveredAt !== undefined
                  ? `${((r.recoveredAt - r.injectedAt) / 1000).toFixed(1)}s`
                  : "not recovered",
              ]),
            ),
          );
          ctx.out(`\nIncident records (kubectl get incidents -n ${NS}):\n`);
          ctx.out(
            renderTable(
              ["name", "phase", "mttr", "reason"],
              (incidents.items ?? []).map((i) => [
                i.metadata.name,
                i.status?.phase ?? "",
                i.status?.mttrSeconds !== undefined ? `${i.status.mttrSeconds}s` : "-",
                i.spec.reason.slice(0, 70),
              ]),
            ),
          );
          const failed = rows.filter((r) => r.recoveredAt === undefined).length;
          if (failed > 0)
            throw new VigilError("DemoIncomplete", `${failed} of ${rows.length} faults did not recover`);
        } finally {
          ctx.signal.removeEventListener("abort", onAbort);
          stop.abort();
          if (f.keep) {
            ctx.out(
              `\nThe sandbox keeps running:\n  export KUBECONFIG=${up.state.kubeconfig}\n  vigil sandbox down --name ${f.name}\n`,
            );
          } else {
            await sandbox.down({ home: ctx.cfg.home }, f.name);
            ctx.err(`sandbox: "${f.name}" removed\n`);
          }
        }
      });
  },
};
