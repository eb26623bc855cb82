// Integration: a real sandbox (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok,
// metrics-server) and every pod behaviour of docs/sandbox.md, checked the way a kubelet reports it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  type CoreV1Event,
  type V1Deployment,
  type V1Pod,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, sandboxEnv, startSandbox, type TestSandbox } from "../../test/harness.js";
import * as sandbox from "./index.js";

const NS = "default";
let sb: TestSandbox;
let core: CoreV1Api;
let apps: AppsV1Api;

interface Workload {
  readonly name: string;
  readonly annotations?: Record<string, string>;
  readonly image?: string;
  readonly container?: Record<string, unknown>;
  readonly replicas?: number;
  readonly spec?: Partial<NonNullable<V1Deployment["spec"]>>;
}

function deployment(w: Workload): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: w.name, namespace: NS },
    spec: {
      replicas: w.replicas ?? 1,
      selector: { matchLabels: { app: w.name } },
      template: {
        metadata: { labels: { app: w.name }, annotations: w.annotations ?? {} },
        spec: { containers: [{ name: "app", image: w.image ?? "shop/api:1.4.2", ...w.container }] },
      },
      ...w.spec,
    },
  };
}

async function pods(app: string): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace: NS, labelSelector: `app=${app}` });
  return list.items.filter((p) => p.metadata?.deletionTimestamp === undefined);
}

async function events(podPrefix: string): Promise<CoreV1Event[]> {
  const list = await core.listNamespacedEvent({ namespace: NS });
  return list.items.filter((e) => e.involvedObject.name?.startsWith(podPrefix) === true);
}

function status0(p: V1Pod | undefined) {
  return p?.status?.containerStatuses?.[0];
}

const probe = { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 2, failureThreshold: 2 };

const workloads: Workload[] = [
  { name: "web", image: "nginx:1.27", replicas: 3 },
  {
    name: "crash",
    annotations: { "sandbox.vigil.dev/behavior": "crashloop", "sandbox.vigil.dev/exit-code": "3" },
  },
  {
    name: "oom",
    annotations: { "sandbox.vigil.dev/memory-need": "200Mi" },
    container: { resources: { limits: { memory: "64Mi" } } },
  },
  { name: "pull", image: "registry.invalid/shop/api:9.9", spec: { progressDeadlineSeconds: 10 } },
  { name: "cfg", container: { envFrom: [{ configMapRef: { name: "api-config" } }] } },
  {
    name: "live",
    annotations: { "sandbox.vigil.dev/behavior": "liveness-fail" },
    container: { livenessProbe: probe },
  },
  {
    name: "notready",
    annotations: { "sandbox.vigil.dev/behavior": "readiness-fail" },
    container: { readinessProbe: { ...probe, periodSeconds: 2 } },
  },
  {
    name: "slow",
    annotations: { "sandbox.vigil.dev/behavior": "slow-start", "sandbox.vigil.dev/start-seconds": "15" },
    container: { livenessProbe: probe },
  },
  {
    name: "delayed",
    annotations: { "sandbox.vigil.dev/ready-after": "4s" },
  },
];

beforeAll(async () => {
  sb = await startSandbox("it", 3);
  core = sb.kc.makeApiClient(CoreV1Api);
  apps = sb.kc.makeApiClient(AppsV1Api);
  for (const w of workloads) await apps.createNamespacedDeployment({ namespace: NS, body: deployment(w) });
});

afterAll(async () => {
  await sb.down();
});

describe("sandbox: control plane", () => {
  it("starts with 3 Ready nodes and refuses a second start of the same sandbox", async () => {
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name).sort()).toEqual(["node-1", "node-2", "node-3"]);
    for (const n of nodes.items) {
      expect(n.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    }
    await expect(
      sandbox.up(sandboxEnv(sb.home), {
        name: sb.name,
        nodes: 1,
        timeoutMs: 10_000,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: "SandboxRunning" });
    const st = sandbox.status({ home: sb.home }, sb.name);
    expect(st.components.every((c) => c.running)).toBe(true);
  });

  it("runs a 3-replica Deployment: ReplicaSet from the controller-manager, pods bound by the scheduler, Ready", async () => {
    const ready = await eventually("3 ready web pods", 30_000, async () => {
      const ps = await pods("web");
      const ok = ps.filter(
        (p) =>
          p.status?.phase === "Running" &&
          p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      );
      return ok.length === 3 ? ok : undefined;
    });
    const rs = await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: "app=web" });
    expect(rs.items).toHaveLength(1);
    expect(rs.items[0]?.metadata?.ownerReferences?.[0]?.kind).toBe("Deployment");
    for (const p of ready) {
      expect(p.spec?.nodeName).toMatch(/^node-\d$/);
      expect(p.metadata?.ownerReferences?.[0]?.name).toBe(rs.items[0]?.metadata?.name);
      expect(p.status?.podIP).toMatch(/^10\.244\./);
    }
    const scheduled = (await events("web-")).filter((e) => e.reason === "Scheduled");
    expect(scheduled.length).toBeGreaterThanOrEqual(3);
  });

  it("honours a readiness delay", async () => {
    const p = await eventually("a running delayed pod", 20_000, async () =>
      (await pods("delayed")).find((x) => x.status?.phase === "Running"),
    );
    const ready = p.status?.conditions?.find((c) => c.type === "Ready");
    const start = Date.parse(String(p.status?.startTime));
    const readyPod = await eventually("delayed pod Ready", 20_000, async () => {
      const x = (await pods("delayed"))[0];
      return x?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true
        ? x
        : undefined;
    });
    const readyAt = Date.parse(
      String(readyPod.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime),
    );
    expect(ready).toBeDefined();
    expect(readyAt - start).toBeGreaterThanOrEqual(3_000);
  });
});

describe("sandbox: pod behaviours look like a kubelet's", () => {
  it("crashloop: CrashLoopBackOff, climbing restarts, exit code, BackOff events, back-off doubling", async () => {
    const p = await eventually("2 restarts", 60_000, async () => {
      const x = (await pods("crash"))[0];
      return (status0(x)?.restartCount ?? 0) >= 2 && status0(x)?.state?.waiting !== undefined ? x : undefined;
    });
    const cs = status0(p);
    expect(cs?.state?.waiting?.reason).toBe("CrashLoopBackOff");
    expect(cs?.state?.waiting?.message).toMatch(/^back-off 20s restarting failed container=app pod=crash-/);
    expect(cs?.lastState?.terminated?.exitCode).toBe(3);
    expect(cs?.lastState?.terminated?.reason).toBe("Error");
    expect(p.status?.phase).toBe("Running");
    expect(p.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    const ev = await events("crash-");
    expect(ev.some((e) => e.reason === "BackOff" && e.type === "Warning")).toBe(true);
    const logs = await sb.kubectl("logs", "-n", NS, p.metadata?.name ?? "", "--previous");
    expect(logs).toContain("FATAL");
  });

  it("OOMKilled while the limit is below the need; raising the limit heals it", async () => {
    const p = await eventually("an OOMKilled restart", 40_000, async () => {
      const x = (await pods("oom"))[0];
      return status0(x)?.lastState?.terminated?.reason === "OOMKilled" ? x : undefined;
    });
    expect(status0(p)?.lastState?.terminated?.exitCode).toBe(137);
    await apps.patchNamespacedDeployment({
      name: "oom",
      namespace: NS,
      body: [
        { op: "replace", path: "/spec/template/spec/containers/0/resources/limits/memory", value: "256Mi" },
      ],
    });
    const healed = await eventually("a Ready pod with the raised limit", 40_000, async () => {
      const ps = await pods("oom");
      return ps.find(
        (x) =>
          x.spec?.containers[0]?.resources?.limits?.["memory"] === "256Mi" &&
          x.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      );
    });
    await new Promise((r) => setTimeout(r, 6_000));
    const again = (await pods("oom")).find((x) => x.metadata?.name === healed.metadata?.name);
    expect(status0(again)?.restartCount).toBe(0);
  });

  it("image pull failure: ErrImagePull then ImagePullBackOff, Failed events, ProgressDeadlineExceeded", async () => {
    await eventually("ImagePullBackOff", 30_000, async () => {
      const x = (await pods("pull"))[0];
      return status0(x)?.state?.waiting?.reason === "ImagePullBackOff" ? x : undefined;
    });
    const ev = await events("pull-");
    expect(
      ev.some(
        (e) => e.reason === "Failed" && e.type === "Warning" && /Failed to pull image/.test(e.message ?? ""),
      ),
    ).toBe(true);
    const d = await eventually("ProgressDeadlineExceeded", 60_000, async () => {
      const x = await apps.readNamespacedDeployment({ name: "pull", namespace: NS });
      return x.status?.conditions?.some(
        (c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded",
      ) === true
        ? x
        : undefined;
    });
    expect(d.status?.unavailableReplicas).toBe(1);
  });

  it("CreateContainerConfigError for a missing ConfigMap; creating it starts the pod", async () => {
    const p = await eventually("CreateContainerConfigError", 30_000, async () => {
      const x = (await pods("cfg"))[0];
      return status0(x)?.state?.waiting?.reason === "CreateContainerConfigError" ? x : undefined;
    });
    expect(status0(p)?.state?.waiting?.message).toBe('configmap "api-config" not found');
    expect(p.status?.phase).toBe("Pending");
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: "api-config" }, data: { LEVEL: "info" } },
    });
    await eventually("cfg pod Ready", 30_000, async () => {
      const x = (await pods("cfg"))[0];
      return x?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true
        ? x
        : undefined;
    });
  });

  it("failing liveness probe: Unhealthy events and restarts with exit code 137", async () => {
    const p = await eventually("a liveness restart", 40_000, async () => {
      const x = (await pods("live"))[0];
      return (status0(x)?.restartCount ?? 0) >= 1 ? x : undefined;
    });
    expect(status0(p)?.lastState?.terminated?.exitCode).toBe(137);
    const ev = await events("live-");
    expect(ev.some((e) => e.reason === "Unhealthy" && /^Liveness probe failed/.test(e.message ?? ""))).toBe(
      true,
    );
  });

  it("failing readiness probe: Running, never Ready, Unhealthy events, no restarts", async () => {
    await eventually("readiness Unhealthy events", 30_000, async () => {
      const ev = await events("notready-");
      return ev.some((e) => e.reason === "Unhealthy" && /^Readiness probe failed/.test(e.message ?? ""))
        ? ev
        : undefined;
    });
    const p = (await pods("notready"))[0];
    expect(p?.status?.phase).toBe("Running");
    expect(p?.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    expect(status0(p)?.restartCount).toBe(0);
  });

  it("slow start killed by a tight liveness probe; a startupProbe with enough budget fixes it", async () => {
    await eventually("slow-start restart", 40_000, async () => {
      const x = (await pods("slow"))[0];
      return (status0(x)?.restartCount ?? 0) >= 1 ? x : undefined;
    });
    await apps.patchNamespacedDeployment({
      name: "slow",
      namespace: NS,
      body: [
        {
          op: "add",
          path: "/spec/template/spec/containers/0/startupProbe",
          value: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 2, failureThreshold: 10 },
        },
      ],
    });
    const p = await eventually("slow pod Ready after its start time", 60_000, async () => {
      const ps = await pods("slow");
      return ps.find(
        (x) =>
          x.spec?.containers[0]?.startupProbe !== undefined &&
          x.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      );
    });
    expect(status0(p)?.restartCount).toBe(0);
  });
});

describe("sandbox: nodes, metrics, autoscaling, logs", () => {
  it("a NotReady node gets the not-ready taint from the node-lifecycle controller and recovers", async () => {
    await core.patchNode({
      name: "node-3",
      body: [{ op: "add", path: "/metadata/labels/sandbox.vigil.dev~1not-ready", value: "true" }],
    });
    const n = await eventually("not-ready NoExecute taint", 60_000, async () => {
      const x = await core.readNode({ name: "node-3" });
      return x.spec?.taints?.some(
        (t) => t.key === "node.kubernetes.io/not-ready" && t.effect === "NoExecute",
      ) === true
        ? x
        : undefined;
    });
    expect(n.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    await core.patchNode({
      name: "node-3",
      body: [{ op: "remove", path: "/metadata/labels/sandbox.vigil.dev~1not-ready" }],
    });
    await eventually("node-3 Ready and untainted", 60_000, async () => {
      const x = await core.readNode({ name: "node-3" });
      const ready = x.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
      return ready && !(x.spec?.taints ?? []).some((t) => t.key.startsWith("node.kubernetes.io/"))
        ? x
        : undefined;
    });
  });

  it("a node that stops heartbeating goes Unknown with the unreachable taint, and comes back", async () => {
    await core.patchNode({
      name: "node-2",
      body: [{ op: "replace", path: "/metadata/labels/kwok.x-k8s.io~1node", value: "stopped" }],
    });
    await eventually("unreachable taint", 90_000, async () => {
      const x = await core.readNode({ name: "node-2" });
      const unknown = x.status?.conditions?.find((c) => c.type === "Ready")?.status === "Unknown";
      return unknown && x.spec?.taints?.some((t) => t.key === "node.kubernetes.io/unreachable") === true
        ? x
        : undefined;
    });
    await core.patchNode({
      name: "node-2",
      body: [{ op: "replace", path: "/metadata/labels/kwok.x-k8s.io~1node", value: "fake" }],
    });
    await eventually("node-2 Ready again", 60_000, async () => {
      const x = await core.readNode({ name: "node-2" });
      return x.status?.conditions?.find((c) => c.type === "Ready")?.status === "True" ? x : undefined;
    });
  });

  it("kubectl top pods reports usage that follows the pod's load annotations", async () => {
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: deployment({
        name: "busy",
        annotations: { "sandbox.vigil.dev/cpu": "250m", "sandbox.vigil.dev/memory": "96Mi" },
      }),
    });
    const out = await eventually("top pods for busy", 60_000, async () => {
      const o = await sb.kubectl("top", "pods", "-n", NS, "-l", "app=busy", "--no-headers");
      return o.trim().length > 0 ? o : undefined;
    });
    const [, cpu, mem] = out.trim().split(/\s+/);
    // CPU comes from a cumulative counter's rate over the scrape window: allow a little jitter.
    expect(Number(cpu?.replace("m", ""))).toBeGreaterThanOrEqual(240);
    expect(Number(cpu?.replace("m", ""))).toBeLessThanOrEqual(260);
    expect(mem).toBe("96Mi");
  });

  it("an HPA scales a Deployment whose pods' CPU rises", async () => {
    const spikeAt = Math.floor(Date.now() / 1000) + 5;
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: deployment({
        name: "spiky",
        annotations: {
          "sandbox.vigil.dev/cpu": "50m",
          "sandbox.vigil.dev/load": "spike",
          "sandbox.vigil.dev/spike-at": String(spikeAt),
          "sandbox.vigil.dev/spike-factor": "4",
        },
        container: { resources: { requests: { cpu: "100m" } } },
      }),
    });
    const hpa = sb.kc.makeApiClient(AutoscalingV2Api);
    await hpa.createNamespacedHorizontalPodAutoscaler({
      namespace: NS,
      body: {
        metadata: { name: "spiky" },
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "spiky" },
          minReplicas: 1,
          maxReplicas: 4,
          metrics: [
            {
              type: "Resource",
              resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
            },
          ],
        },
      },
    });
    const d = await eventually("HPA scale-up", 120_000, async () => {
      const x = await apps.readNamespacedDeployment({ name: "spiky", namespace: NS });
      return (x.spec?.replicas ?? 0) > 1 ? x : undefined;
    });
    expect(d.spec?.replicas).toBeGreaterThan(1);
  });

  it("kubectl logs returns the pod's lines", async () => {
    const out = await sb.kubectl("logs", "-n", NS, "deploy/web");
    expect(out.split("\n").filter((l) => l.length > 0).length).toBeGreaterThan(5);
    expect(out).toContain("listening on :8080");
  });
});

describe("sandbox: teardown", () => {
  it("sandbox down stops every process and removes the state", async () => {
    const pids = sb.state.components.map((c) => c.pid);
    const res = await sandbox.down({ home: sb.home }, sb.name);
    expect(res.existed).toBe(true);
    for (const pid of pids) {
      expect(() => process.kill(pid, 0), `pid ${pid} still alive`).toThrow();
    }
    expect(existsSync(sandbox.sandboxPaths(sb.home, sb.name).dir)).toBe(false);
    const orphans = readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return readFileSync(`/proc/${d}/cmdline`, "utf8").includes(sb.home);
        } catch {
          return false;
        }
      });
    expect(orphans).toEqual([]);
  });
});
