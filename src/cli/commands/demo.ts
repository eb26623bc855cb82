/**
 * @module
 * `vigil demo`: the main job on the embedded sandbox. Starts a sandbox, deploys a sample shop, ships a
 * bad release and shows what Kubernetes itself reports about it.
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment, type V1Pod } from "@kubernetes/client-node";
import type { Command } from "commander";
import { z } from "zod";
import { applyObjects, toKubeError } from "../../kube/index.js";
import { VigilError } from "../../model/index.js";
import * as sandbox from "../../sandbox/index.js";
import type { CliContext, CommandSpec } from "../context.js";
import { renderTable } from "../output.js";

const Flags = z.object({
  name: sandbox.SandboxName,
  down: z.boolean().default(false),
  wait: z.coerce.number().int().min(5).max(600),
});

const NS = "shop";

function checkout(image: string, annotations: Record<string, string>): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "checkout", namespace: NS, labels: { app: "checkout" } },
    spec: {
      replicas: 3,
      progressDeadlineSeconds: 30,
      selector: { matchLabels: { app: "checkout" } },
      template: {
        metadata: { labels: { app: "checkout" }, annotations },
        spec: {
          containers: [
            {
              name: "checkout",
              image,
              ports: [{ containerPort: 8080 }],
              resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
              readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 5 },
            },
          ],
        },
      },
    },
  };
}

/** kubectl's STATUS column, simplified: the first waiting/terminated reason, else the phase. */
export function podStatus(p: V1Pod): string {
  if (p.metadata?.deletionTimestamp !== undefined) return "Terminating";
  for (const cs of p.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason !== undefined) return cs.state.waiting.reason;
    if (cs.state?.terminated?.reason !== undefined) return cs.state.terminated.reason;
  }
  return p.status?.reason ?? p.status?.phase ?? "Unknown";
}

function podRows(pods: readonly V1Pod[]): string[][] {
  return [...pods]
    .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))
    .map((p) => {
      const cs = p.status?.containerStatuses ?? [];
      const ready = cs.filter((c) => c.ready).length;
      const restarts = cs.reduce((n, c) => n + c.restartCount, 0);
      return [
        p.metadata?.name ?? "",
        `${ready}/${p.spec?.containers.length ?? 0}`,
        podStatus(p),
        String(restarts),
        p.spec?.nodeName ?? "<none>",
        p.spec?.containers[0]?.image ?? "",
      ];
    });
}

export const demoCommand: CommandSpec = {
  name: "demo",
  register(program: Command, ctx: CliContext) {
    program
      .command("demo")
      .description(
        "start a sandbox, deploy a sample app, ship a bad release and show what Kubernetes reports",
      )
      .option("--name <name>", "sandbox name", "demo")
      .option("--wait <seconds>", "how long to let the bad release run before reporting", "40")
      .option("--down", "remove the sandbox at the end (default: keep it for exploring)")
      .action(async (raw: unknown) => {
        const parsed = Flags.safeParse(raw);
        if (!parsed.success) throw new VigilError("Usage", z.prettifyError(parsed.error));
        const f = parsed.data;
        const say = (s: string) => {
          ctx.out(s + "\n");
        };
        const env: sandbox.SandboxEnv = {
          home: ctx.cfg.home,
          binDir: ctx.cfg.testbedBin ?? join(ctx.cfg.root, "testbed", "bin"),
          assetsDir: join(ctx.cfg.root, "deploy", "sandbox"),
          progress: (m) => {
            ctx.err(`sandbox: ${m}\n`);
          },
          selfCommand: [process.execPath, join(ctx.cfg.root, "dist", "cli", "main.js")],
        };
        let kubeconfig: string;
        const st = sandbox.status({ home: ctx.cfg.home }, f.name);
        if (st.exists && st.components.every((c) => c.running) && st.kubeconfig !== undefined) {
          say(`== Using the running sandbox "${f.name}"`);
          kubeconfig = st.kubeconfig;
        } else {
          say(`== 1. Starting a real Kubernetes v1.37.2 control plane (sandbox "${f.name}", 3 nodes)`);
          const res = await sandbox.up(env, {
            name: f.name,
            nodes: 3,
            timeoutMs: 120_000,
            signal: ctx.signal,
          });
          say(`   ready in ${res.seconds.toFixed(1)}s`);
          kubeconfig = res.state.kubeconfig;
        }
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfig);
        const core = kc.makeApiClient(CoreV1Api);
        const apps = kc.makeApiClient(AppsV1Api);
        const listPods = async () => {
          try {
            return (await core.listNamespacedPod({ namespace: NS, labelSelector: "app=checkout" })).items;
          } catch (err) {
            throw toKubeError(err, "list", `pods in ${NS}`);
          }
        };
        const waitUntil = async (what: string, seconds: number, ok: () => Promise<boolean>) => {
          const deadline = performance.now() + seconds * 1000;
          while (!(await ok())) {
            if (ctx.signal.aborted) throw new VigilError("Interrupted", "interrupted");
            if (performance.now() > deadline)
              throw new VigilError("DemoTimeout", `timed out waiting for ${what}`);
            await sleep(1000);
          }
        };

        say(`\n== 2. Deploying shop/checkout:1.4.2 (3 replicas) and its Service`);
        await applyObjects(kc, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }], {
          force: true,
        });
        await applyObjects(
          kc,
          [
            checkout("shop/checkout:1.4.2", {}),
            {
              apiVersion: "v1",
              kind: "Service",
              metadata: { name: "checkout", namespace: NS },
              spec: { selector: { app: "checkout" }, ports: [{ port: 80, targetPort: 8080 }] },
            } as never,
          ],
          { force: true },
        );
        await waitUntil("3 ready checkout pods", 60, async () => {
          const ps = await listPods();
          return (
            ps.filter(
              (p) =>
                p.metadata?.deletionTimestamp === undefined &&
                p.status?.containerStatuses?.[0]?.ready === true,
            ).length === 3
          );
        });
        const headers = ["name", "ready", "status", "restarts", "node", "image"];
        ctx.out(renderTable(headers, podRows(await listPods())));

        say(`\n== 3. Shipping a bad release: shop/checkout:1.4.3 crashes on start`);
        await applyObjects(
          kc,
          [checkout("shop/checkout:1.4.3", { "sandbox.vigil.dev/behavior": "crashloop" })],
          { force: true },
        );
        say(`   letting it run for ${f.wait}s…`);
        await sleep(f.wait * 1000, undefined, { signal: ctx.signal }).catch(() => undefined);

        say(`\n== 4. What Kubernetes reports`);
        ctx.out(renderTable(headers, podRows(await listPods())));
        const d = await apps.readNamespacedDeployment({ name: "checkout", namespace: NS });
        say("");
        ctx.out(
          renderTable(
            ["condition", "status", "reason", "message"],
            (d.status?.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? "", c.message ?? ""]),
          ),
        );
        const events = (await core.listNamespacedEvent({ namespace: NS })).items
          .filter((e) => e.type === "Warning")
          .sort((a, b) =>
            String(a.lastTimestamp ?? a.eventTime).localeCompare(String(b.lastTimestamp ?? b.eventTime)),
          )
          .slice(-8);
        say("");
        ctx.out(
          renderTable(
            ["type", "reason", "object", "count", "message"],
            events.map((e) => [
              e.type ?? "",
              e.reason ?? "",
              `${e.involvedObject.kind ?? ""}/${e.involvedObject.name ?? ""}`,
              String(e.count ?? 1),
              e.message ?? "",
            ]),
          ),
        );
        say(
          [
            "",
            "Kubernetes shows the symptoms pod by pod: CrashLoopBackOff, climbing restarts, BackOff events, a",
            "rollout stuck halfway with the old ReplicaSet still serving. It does not say that release 1.4.3",
            "is the cause, nor undo it.",
          ].join("\n"),
        );
        if (f.down) {
          await sandbox.down({ home: ctx.cfg.home }, f.name);
          say(`\nsandbox "${f.name}" removed`);
        } else {
          say(`\nThe sandbox keeps running. Explore it, then remove it:`);
          say(`  export KUBECONFIG=${kubeconfig}`);
          say(`  vigil sandbox down --name ${f.name}`);
        }
      });
  },
};
