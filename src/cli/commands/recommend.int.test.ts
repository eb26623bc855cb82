// Integration: `vigil recommend` (the built binary) against a real sandbox. An over-provisioned
// Deployment gets a recommendation far below its requests; --dry-run prints a patch, the apiserver accepts
// it with dryRun=All and nothing changes; --apply sends the same bytes and new pods carry the new requests.
// Another over-provisioned Deployment has its template patched, without --apply, because a HealingPolicy in
// Auto mode selects it (a DryRun-mode policy first leaves it alone).
// An OOM-ing Deployment has its memory raised (never lowered) under a HealingPolicy in Auto mode, and its
// new pods stop being killed. A bare pod is refused. Errors are one sentence with a hint.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppsV1Api, CoreV1Api, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, ROOT, startSandbox, type TestSandbox } from "../../../test/harness.js";

const exec = promisify(execFile);
const NS = "rightsize";
let sb: TestSandbox;
let core: CoreV1Api;
let apps: AppsV1Api;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function vigil(...args: string[]): Promise<Run> {
  try {
    const r = await exec(process.execPath, [join(ROOT, "dist", "cli", "main.js"), ...args], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

interface PlanJson {
  workloads: {
    kind: string;
    name: string;
    status: string;
    patchBytes?: string;
    reason: string;
    containers: {
      name: string;
      peak: { mem: number };
      current: { requests: { cpu?: number; mem?: number }; limits: { cpu?: number; mem?: number } };
      proposed: { requests: { cpu?: number; mem?: number }; limits: { cpu?: number; mem?: number } };
      oomKills: number;
    }[];
  }[];
  skipped: { kind: string; name: string; reason: string }[];
  results: { name: string; action: string; why: string }[];
}

const Mi = 1024 * 1024;

function deployment(
  name: string,
  resources: Record<string, unknown>,
  annotations: Record<string, string>,
): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: { containers: [{ name: "app", image: "shop/api:1.0", resources }] },
      },
    },
  };
}

async function recommend(...args: string[]): Promise<{ run: Run; plan: PlanJson }> {
  const run = await vigil(
    "recommend",
    "-n",
    NS,
    "--sample",
    "20s",
    "--interval",
    "10s",
    "-o",
    "json",
    "--kubeconfig",
    sb.kubeconfig,
    ...args,
  );
  if (run.code !== 0) throw new Error(`vigil recommend ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
  return { run, plan: JSON.parse(run.stdout) as PlanJson };
}

beforeAll(async () => {
  sb = await startSandbox("recommend", 1);
  core = sb.kc.makeApiClient(CoreV1Api);
  apps = sb.kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await apps.createNamespacedDeployment({
    namespace: NS,
    body: deployment(
      "fat",
      { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
      { "sandbox.vigil.dev/cpu": "50m", "sandbox.vigil.dev/memory": "64Mi" },
    ),
  });
  await apps.createNamespacedDeployment({
    namespace: NS,
    body: deployment(
      "lean",
      { requests: { cpu: "500m", memory: "512Mi" } },
      { "sandbox.vigil.dev/cpu": "20m", "sandbox.vigil.dev/memory": "48Mi" },
    ),
  });
  await apps.createNamespacedDeployment({
    namespace: NS,
    body: deployment(
      "oom",
      { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "100Mi" } },
      { "sandbox.vigil.dev/memory-need": "150Mi", "sandbox.vigil.dev/memory": "32Mi" },
    ),
  });
  await core.createNamespacedPod({
    namespace: NS,
    body: {
      metadata: { name: "debug", namespace: NS },
      spec: { containers: [{ name: "app", image: "shop/debug:1.0" }] },
    },
  });
  await sb.kubectl(
    "apply",
    "--server-side",
    "-f",
    join(ROOT, "deploy", "crds", "healingpolicies.vigil.dev.yaml"),
  );
  // Usage reaches metrics.k8s.io one or two scrapes after the pod runs; the OOM kill takes a few seconds.
  await eventually("metrics for fat and lean", 120_000, async () => {
    const out = await sb.kubectl("get", "--raw", `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`);
    return out.includes('"fat-') && out.includes('"lean-') ? true : undefined;
  });
  await eventually("an OOM kill in oom", 120_000, async () => {
    const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: "app=oom" });
    return pods.items.some((p) =>
      p.status?.containerStatuses?.some((s) => s.lastState?.terminated?.reason === "OOMKilled"),
    )
      ? true
      : undefined;
  });
}, 300_000);

afterAll(async () => {
  await sb.down();
});

describe("vigil recommend on a live sandbox", () => {
  let dryPatch: string | undefined;

  it("--dry-run: far-below recommendation, the exact patch accepted with dryRun=All, nothing changed", async () => {
    const { plan } = await recommend("--dry-run");
    const fat = plan.workloads.find((w) => w.name === "fat");
    expect(fat?.status).toBe("resize");
    const c = fat?.containers[0];
    expect(c?.proposed.requests.cpu).toBeLessThan(0.2);
    expect(c?.proposed.requests.mem).toBeGreaterThanOrEqual(64 * Mi);
    expect(c?.proposed.requests.mem).toBeLessThan(256 * Mi);
    expect(c?.peak.mem).toBe(64 * Mi);
    expect(plan.results.find((r) => r.name === "fat")?.action).toBe("serverDryRun");
    dryPatch = fat?.patchBytes;
    expect(dryPatch).toBeDefined();
    // Bare pods are listed as skipped, never patched.
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        kind: "Pod",
        name: "debug",
        reason: expect.stringContaining("bare pod") as unknown,
      }),
    ]);
    const d = await apps.readNamespacedDeployment({ namespace: NS, name: "fat" });
    expect(d.spec?.template.spec?.containers[0]?.resources?.requests).toEqual({ cpu: "1", memory: "1Gi" });
    expect(d.metadata?.annotations?.["vigil.dev/rightsized"]).toBeUndefined();
  }, 120_000);

  it("without --apply or a policy: nothing is sent", async () => {
    const { plan } = await recommend("deployment/fat");
    expect(plan.results).toEqual([
      expect.objectContaining({
        name: "fat",
        action: "notApplied",
        why: expect.stringContaining("--apply") as unknown,
      }),
    ]);
  }, 120_000);

  it("--apply sends the dry run's bytes; new pods carry the new requests", async () => {
    const { plan } = await recommend("deployment/fat", "--apply");
    const fat = plan.workloads.find((w) => w.name === "fat");
    expect(plan.results).toEqual([
      expect.objectContaining({ name: "fat", action: "applied", why: "--apply" }),
    ]);
    expect(fat?.patchBytes).toBe(dryPatch);
    const patch = JSON.parse(fat?.patchBytes ?? "{}") as {
      spec: { template: { spec: { containers: { resources: { requests: Record<string, string> } }[] } } };
    };
    const want = patch.spec.template.spec.containers[0]?.resources.requests;
    const d = await apps.readNamespacedDeployment({ namespace: NS, name: "fat" });
    expect(d.spec?.template.spec?.containers[0]?.resources?.requests).toEqual(want);
    expect(d.metadata?.annotations?.["vigil.dev/rightsized"]).toBe(fat?.reason);
    expect(d.metadata?.managedFields?.some((m) => m.manager === "vigil")).toBe(true);
    await eventually("a running pod of fat with the new requests", 120_000, async () => {
      const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: "app=fat" });
      return pods.items.some(
        (p) =>
          p.status?.phase === "Running" &&
          p.metadata?.deletionTimestamp === undefined &&
          JSON.stringify(p.spec?.containers[0]?.resources?.requests) === JSON.stringify(want),
      )
        ? true
        : undefined;
    });
  }, 180_000);

  it("over-provisioned Deployment: a DryRun HealingPolicy leaves it, an Auto one patches its template", async () => {
    const policy = (mode: string) =>
      writeTmp(
        "lean-policy.yaml",
        `apiVersion: vigil.dev/v1alpha1\nkind: HealingPolicy\nmetadata: {name: lean, namespace: ${NS}}\nspec: {mode: ${mode}, selector: {matchLabels: {app: lean}}}\n`,
      );
    await sb.kubectl("apply", "-f", policy("DryRun"));
    const dry = await recommend("deployment/lean");
    expect(dry.plan.results).toEqual([
      expect.objectContaining({
        name: "lean",
        action: "notApplied",
        why: "HealingPolicy lean is in DryRun mode",
      }),
    ]);
    const before = await apps.readNamespacedDeployment({ namespace: NS, name: "lean" });
    expect(before.spec?.template.spec?.containers[0]?.resources?.requests).toEqual({
      cpu: "500m",
      memory: "512Mi",
    });

    await sb.kubectl("apply", "-f", policy("Auto"));
    const { plan } = await recommend("deployment/lean");
    const lean = plan.workloads.find((w) => w.name === "lean");
    expect(lean?.status).toBe("resize");
    const c = lean?.containers[0];
    expect(c?.proposed.requests.cpu).toBeLessThan(0.1);
    expect(c?.proposed.requests.mem).toBeGreaterThanOrEqual(48 * Mi); // never below the peak
    expect(c?.proposed.requests.mem).toBeLessThan(128 * Mi);
    expect(c?.proposed.limits).toEqual({}); // no limit before, none added
    expect(plan.results).toEqual([
      expect.objectContaining({ name: "lean", action: "applied", why: "HealingPolicy lean is in Auto mode" }),
    ]);
    const patch = JSON.parse(lean?.patchBytes ?? "{}") as {
      spec: { template: { spec: { containers: { resources: { requests: Record<string, string> } }[] } } };
    };
    const want = patch.spec.template.spec.containers[0]?.resources.requests;
    expect(want?.["memory"]).toBe(`${Math.round((c?.proposed.requests.mem ?? 0) / Mi)}Mi`);
    const d = await apps.readNamespacedDeployment({ namespace: NS, name: "lean" });
    expect(d.spec?.template.spec?.containers[0]?.resources?.requests).toEqual(want);
    expect(d.metadata?.annotations?.["vigil.dev/rightsized"]).toBe(lean?.reason);
    await eventually("a running pod of lean with the new requests", 120_000, async () => {
      const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: "app=lean" });
      return pods.items.some(
        (p) =>
          p.status?.phase === "Running" &&
          p.metadata?.deletionTimestamp === undefined &&
          JSON.stringify(p.spec?.containers[0]?.resources?.requests) === JSON.stringify(want),
      )
        ? true
        : undefined;
    });
  }, 180_000);

  it("OOM-ing Deployment: memory raised (never lowered) by an Auto HealingPolicy; new pods stop being killed", async () => {
    await sb.kubectl(
      "apply",
      "-f",
      writeTmp(
        "policy.yaml",
        `apiVersion: vigil.dev/v1alpha1\nkind: HealingPolicy\nmetadata: {name: heal, namespace: ${NS}}\nspec: {mode: Auto, selector: {matchLabels: {app: oom}}}\n`,
      ),
    );
    const { plan } = await recommend("deployment/oom");
    const oom = plan.workloads.find((w) => w.name === "oom");
    const c = oom?.containers[0];
    expect(c?.oomKills).toBeGreaterThan(0);
    expect(c?.proposed.limits.mem).toBeGreaterThan(100 * Mi);
    expect(c?.proposed.limits.mem).toBeGreaterThanOrEqual(150 * Mi); // the sandbox's memory need
    expect(c?.proposed.requests.mem).toBeGreaterThanOrEqual(64 * Mi);
    expect(plan.results).toEqual([
      expect.objectContaining({ name: "oom", action: "applied", why: "HealingPolicy heal is in Auto mode" }),
    ]);
    const d = await apps.readNamespacedDeployment({ namespace: NS, name: "oom" });
    expect(d.spec?.template.spec?.containers[0]?.resources?.limits?.["memory"]).toBe(
      `${Math.round((c?.proposed.limits.mem ?? 0) / Mi)}Mi`,
    );
    await eventually("a ready pod of oom", 120_000, async () => {
      const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: "app=oom" });
      return pods.items.some(
        (p) =>
          p.metadata?.deletionTimestamp === undefined &&
          p.spec?.containers[0]?.resources?.limits?.["memory"] !== "100Mi" &&
          p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True"),
      )
        ? true
        : undefined;
    });
  }, 180_000);

  it("refuses a bare pod, and points from an owned pod to its workload", async () => {
    const bare = await vigil("recommend", "pod/debug", "-n", NS, "--apply", "--kubeconfig", sb.kubeconfig);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/^error: pod rightsize\/debug is a bare pod .*never patches pods\nhint: /);
    const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: "app=fat" });
    const owned = pods.items[0]?.metadata?.name ?? "";
    const r = await vigil("recommend", `pod/${owned}`, "-n", NS, "--kubeconfig", sb.kubeconfig);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("belongs to deployment/fat");
  }, 60_000);
});

function writeTmp(name: string, text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), "vigil-rs-")), name);
  writeFileSync(p, text);
  return p;
}

describe("vigil recommend errors", () => {
  it("an unreachable apiserver is one sentence with a hint", async () => {
    const kc = writeTmp(
      "kubeconfig",
      "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: x}}]\n",
    );
    const r = await vigil("recommend", "-n", "x", "--kubeconfig", kc);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*unreachable.*\nhint: /);
  }, 60_000);
});
