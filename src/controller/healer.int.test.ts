// Integration: the Healer's actions really change the cluster as planned (rollback, memory raise,
// startupProbe, node evacuation through the Eviction API with a PDB respected, force delete of pods stuck
// Terminating on a dead node, clean-up of Evicted pods), and a DryRun request equals the later real one.
import type { V1Container, V1Deployment, V1Node, V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, installVigilCrds, startSandbox, type TestSandbox } from "../../test/harness.js";
import { HealingPolicySpec } from "../api/index.js";
import * as health from "../health/index.js";
import { applyObjects, rawRequest } from "../kube/index.js";
import type * as remediate from "../remediate/index.js";
import { Healer, Observer, WatchSet, type HealEvent } from "./index.js";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startSandbox("healer", 3);
  await installVigilCrds(sb);
});
afterAll(async () => {
  await sb.down();
});

/** `vigil run` in this process, in one mode, journaling into `incidentNs`. */
async function operator(mode: "Auto" | "DryRun", incidentNs: string, events: HealEvent[]) {
  const stop = new AbortController();
  const clock = { now: () => new Date() };
  const healer = new Healer(sb.kc, {
    clock,
    policy: HealingPolicySpec.parse({ mode }),
    incidentNamespace: incidentNs,
    onEvent: (e) => {
      events.push(e);
    },
    onError: () => undefined,
  });
  await healer.restore();
  const ref: { o?: Observer } = {};
  const watch = new WatchSet(sb.kc, { onChange: () => ref.o?.changed() });
  const o = new Observer(watch, {
    clock,
    config: health.defaultHealthConfig,
    onEvent: () => undefined,
    onAnalysis: (findings) => {
      const snapshot = ref.o?.snapshot;
      if (snapshot !== undefined)
        void healer.cycle(() => ({ findings, snapshot, raw: (r) => watch.lookup(r) })).catch(() => undefined);
    },
  });
  ref.o = o;
  const done = Promise.all([watch.run(stop.signal), o.run(stop.signal)]);
  while (!watch.synced) await new Promise((r) => setTimeout(r, 50));
  o.analyzeNow();
  return {
    stop: async () => {
      stop.abort();
      await done.catch(() => undefined);
    },
  };
}

function deployment(
  ns: string,
  name: string,
  o: { replicas?: number; ann?: Record<string, string>; extra?: object; spec?: object } = {},
) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: {
      replicas: o.replicas ?? 2,
      progressDeadlineSeconds: 30,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: o.ann ?? {} },
        spec: {
          terminationGracePeriodSeconds: 1,
          ...o.spec,
          containers: [
            {
              name: "app",
              image: "nginx:1.27",
              ports: [{ containerPort: 8080 }],
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
              readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 2 },
              ...o.extra,
            },
          ],
        },
      },
    },
  };
}

async function get<T>(path: string): Promise<T> {
  const r = await rawRequest(sb.kc, "GET", path);
  return r.body as T;
}
const dep = (ns: string, n: string) => get<V1Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/${n}`);
const container = async (ns: string, n: string): Promise<V1Container> => {
  const c = (await dep(ns, n)).spec?.template.spec?.containers[0];
  if (c === undefined) throw new Error("no container");
  return c;
};
const pods = async (ns: string, sel: string) =>
  (await get<{ items: V1Pod[] }>(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(sel)}`))
    .items;
const podReady = (p: V1Pod) =>
  p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
async function available(ns: string, n: string): Promise<true | undefined> {
  const d = await dep(ns, n);
  const want = d.spec?.replicas;
  return d.status?.availableReplicas === want && d.status?.updatedReplicas === want ? true : undefined;
}
async function ns(name: string) {
  await sb.kubectl("create", "namespace", name);
}
const acted = (events: HealEvent[], kind: string) =>
  events.filter(
    (e): e is Extract<HealEvent, { action: remediate.Action }> => "action" in e && e.action.kind === kind,
  );

describe("Healer on the sandbox", () => {
  it("rollback, memory raise, startupProbe and Evicted clean-up change the cluster as planned", async () => {
    await Promise.all(["rb", "oom", "slow", "evicted"].map(ns));
    await applyObjects(
      sb.kc,
      [
        deployment("rb", "web"),
        deployment("oom", "web", { ann: { "sandbox.vigil.dev/memory-need": "200Mi" } }),
      ] as never,
      { force: true },
    );
    await eventually("healthy", 60_000, async () =>
      (await available("rb", "web")) === true ? available("oom", "web") : undefined,
    );
    const events: HealEvent[] = [];
    const op = await operator("Auto", "default", events);
    try {
      // Faults: a bad image release; pods needing more memory than their limit; a slow starter killed by
      // liveness (first revision, so no rollback is possible); a Deployment whose pods get evicted.
      await sb.kubectl("-n", "rb", "set", "image", "deployment/web", "app=registry.invalid/web:2");
      for (const p of await pods("oom", "app=web"))
        await sb.kubectl(
          "-n",
          "oom",
          "annotate",
          "pod",
          p.metadata?.name ?? "",
          "sandbox.vigil.dev/memory-need=400Mi",
          "--overwrite",
        );
      await applyObjects(
        sb.kc,
        [
          deployment("slow", "web", {
            ann: { "sandbox.vigil.dev/behavior": "slow-start", "sandbox.vigil.dev/start-seconds": "25" },
            extra: {
              livenessProbe: {
                httpGet: { path: "/healthz", port: 8080 },
                initialDelaySeconds: 2,
                periodSeconds: 2,
                failureThreshold: 3,
              },
            },
          }),
          deployment("evicted", "web", {
            replicas: 1,
            ann: { "sandbox.vigil.dev/behavior": "evicted", "sandbox.vigil.dev/evict-after": "2s" },
          }),
        ] as never,
        { force: true },
      );

      // Rollback: the template is the first revision's again, annotated with the action.
      await eventually("rollback verified", 90_000, () =>
        Promise.resolve(acted(events, "rollback").some((e) => e.type === "verified") ? true : undefined),
      );
      expect((await container("rb", "web")).image).toBe("nginx:1.27");
      expect((await dep("rb", "web")).metadata?.annotations?.["vigil.dev/action"]).toMatch(/^rollback-/);
      await eventually("rb available", 60_000, () => available("rb", "web"));

      // Memory raise: the limit goes above the 256Mi that the pods outgrew, and stays there (not undone).
      await eventually("memory raised", 120_000, async () => {
        const l = (await container("oom", "web")).resources?.limits?.["memory"];
        return l !== undefined && l !== "256Mi" ? l : undefined;
      });
      // startupProbe: copied from liveness, with a budget covering the start; then the pods become Ready.
      const sp = await eventually(
        "startupProbe added",
        150_000,
        async () => (await container("slow", "web")).startupProbe,
      );
      expect(sp.httpGet?.path).toBe("/healthz");
      expect((sp.periodSeconds ?? 10) * (sp.failureThreshold ?? 3)).toBeGreaterThanOrEqual(25);
      await eventually("slow available", 120_000, () => available("slow", "web"));

      // Evicted clutter: the replaced Failed pods are deleted.
      await eventually("evicted cleaned", 60_000, () =>
        Promise.resolve(acted(events, "cleanupPods").some((e) => e.type === "acted") ? true : undefined),
      );
      expect(acted(events, "cleanupPods").some((e) => e.type === "undone" || e.type === "failed")).toBe(
        false,
      );
      expect(
        events.flatMap((e) => (e.type === "undone" ? [`${e.action.kind} ${e.action.id}: ${e.detail}`] : [])),
      ).toEqual([]);
    } finally {
      await op.stop();
      await sb.kubectl("delete", "namespace", "rb", "oom", "slow", "evicted", "--wait=false");
    }
  }, 300_000);

  it("dead node: cordon + eviction (the PDB-protected pod stays), then force delete of the stuck pods", async () => {
    await ns("node");
    await applyObjects(
      sb.kc,
      [
        deployment("node", "free", { replicas: 6 }),
        deployment("node", "guarded", {
          replicas: 3,
          spec: {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: { app: "guarded" } },
              },
            ],
          },
        }),
        {
          apiVersion: "policy/v1",
          kind: "PodDisruptionBudget",
          metadata: { name: "guarded", namespace: "node" },
          spec: { minAvailable: 3, selector: { matchLabels: { app: "guarded" } } },
        },
      ] as never,
      { force: true },
    );
    await eventually("healthy", 60_000, async () =>
      (await available("node", "free")) === true ? available("node", "guarded") : undefined,
    );
    const counts = new Map<string, number>();
    for (const p of await pods("node", "app=free")) {
      const n = p.spec?.nodeName ?? "";
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    const dead = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "node-1";
    const guardedThere = (await pods("node", "app=guarded")).find((p) => p.spec?.nodeName === dead);
    expect(guardedThere).toBeDefined();
    const events: HealEvent[] = [];
    const op = await operator("Auto", "node", events);
    const t0 = Date.now();
    try {
      await sb.kubectl("label", "node", dead, "kwok.x-k8s.io/node=stopped", "--overwrite");
      await eventually("evacuated", 120_000, () =>
        Promise.resolve(acted(events, "evacuateNode").some((e) => e.type === "acted") ? true : undefined),
      );
      const node = await get<V1Node>(`/api/v1/nodes/${dead}`);
      expect(node.spec?.unschedulable).toBe(true);
      expect(node.metadata?.annotations?.["vigil.dev/cordoned"]).toMatch(/^evacuatenode-/i);
      // free's pods run elsewhere; the guarded pod was not evicted (its PDB allows no disruption).
      await eventually("free runs elsewhere", 90_000, async () => {
        const ps = await pods("node", "app=free");
        const good = ps.filter(
          (p) => p.metadata?.deletionTimestamp === undefined && p.spec?.nodeName !== dead && podReady(p),
        );
        return good.length >= 6 ? good : undefined;
      });
      const rescheduledIn = (Date.now() - t0) / 1000;
      expect(rescheduledIn).toBeLessThan(90);
      const g = (await pods("node", "app=guarded")).find(
        (p) => p.metadata?.uid === guardedThere?.metadata?.uid,
      );
      expect(g).toBeDefined();
      expect(g?.metadata?.deletionTimestamp).toBeUndefined();
      // The evicted pods are stuck Terminating on the dead node until Vigil force-deletes them.
      await eventually("stuck pods force-deleted", 120_000, async () => {
        const left = (await pods("node", "app=free")).filter((p) => p.spec?.nodeName === dead);
        return left.length === 0 ? true : undefined;
      });
      expect(acted(events, "forceDeletePod").some((e) => e.type === "acted")).toBe(true);
      expect(events.filter((e) => e.type === "undone" || e.type === "failed")).toEqual([]);
    } finally {
      await op.stop();
      await sb.kubectl("label", "node", dead, "kwok.x-k8s.io/node=fake", "--overwrite");
      await sb.kubectl("uncordon", dead);
    }
  }, 300_000);

  it("dry-run fidelity: the DryRun request is accepted by the apiserver and equals the later real request", async () => {
    await ns("dry");
    await applyObjects(sb.kc, [deployment("dry", "web")] as never, { force: true });
    await eventually("healthy", 60_000, () => available("dry", "web"));
    await sb.kubectl("-n", "dry", "set", "image", "deployment/web", "app=registry.invalid/web:2");
    const dry: HealEvent[] = [];
    const op1 = await operator("DryRun", "dry", dry);
    let planned: remediate.Action;
    try {
      planned = await eventually("dry run", 60_000, () =>
        Promise.resolve(acted(dry, "rollback").find((e) => e.type === "dryRun")?.action),
      );
    } finally {
      await op1.stop();
    }
    // Nothing changed, and the apiserver accepted the dry-run request (the Incident says so).
    expect((await container("dry", "web")).image).toBe("registry.invalid/web:2");
    const inc = await get<{ items: { status?: { timeline?: { message?: string }[] } }[] }>(
      "/apis/vigil.dev/v1alpha1/namespaces/dry/incidents",
    );
    const msgs = inc.items.flatMap((i) => (i.status?.timeline ?? []).map((t) => t.message ?? ""));
    expect(msgs.some((m) => m.startsWith("dry run: "))).toBe(true);
    expect(msgs.some((m) => m.includes("rejected"))).toBe(false);
    const real: HealEvent[] = [];
    const op2 = await operator("Auto", "default", real);
    try {
      const a = await eventually("acted", 60_000, () =>
        Promise.resolve(acted(real, "rollback").find((e) => e.type === "acted")?.action),
      );
      expect(a.id).toBe(planned.id);
      expect(JSON.stringify(a.patches)).toBe(JSON.stringify(planned.patches));
      await eventually("rolled back", 60_000, () => available("dry", "web"));
    } finally {
      await op2.stop();
    }
  }, 240_000);
});
