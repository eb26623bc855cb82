/**
 * Pod logs through the Kubernetes API on the real sandbox: kwok serves a Loghub sample (converted to the
 * CRI format in a temp file at test time) for one pod, and Vigil reads it back through the apiserver's
 * pods/log subresource, mines it and finds the same templates as mining the file directly.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARED_DATA } from "../../../test/data.js";
import { ROOT, eventually, startSandbox, type TestSandbox } from "../../../test/harness.js";
import { KubeError, podLogReader } from "../../kube/index.js";
import * as logmine from "../../logmine/index.js";
import { analyzeSource, fileSource, podSource } from "./logs.js";

const run = promisify(execFile);
const NS = "logs";
const LOGHUB = `${SHARED_DATA}/loghub`;
const miner = logmine.defaultMinerConfig;
const never = new AbortController().signal;

let sb: TestSandbox;
let started: TestSandbox | undefined;
let core: CoreV1Api;
let tmp: string;

/** Loghub lines as a kubelet stores them: the first half 3 h ago, the second half 10 min ago. */
function toCri(system: string, now: number): string {
  const lines = logmine.splitLines(readFileSync(`${LOGHUB}/${system}/${system}_2k.log`, "utf8"));
  const half = Math.floor(lines.length / 2);
  const file = join(tmp, `${system}.cri.log`);
  const ts = (i: number) =>
    new Date((i < half ? now - 3 * 3600_000 : now - 600_000) + i).toISOString().replace("Z", "000000Z");
  writeFileSync(file, lines.map((l, i) => `${ts(i)} stdout F ${l}\n`).join(""));
  return file;
}

async function kwokLogs(pod: string, logsFile: string): Promise<void> {
  await sb.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: "kwok.x-k8s.io",
    version: "v1alpha1",
    namespace: NS,
    plural: "logs",
    body: {
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      kind: "Logs",
      metadata: { name: pod, namespace: NS },
      spec: { logs: [{ logsFile, follow: false }] },
    },
  });
}

function pod(name: string, annotations: Record<string, string> = {}): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, annotations },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }], restartPolicy: "Always" },
  };
}

async function running(name: string): Promise<void> {
  await eventually(`pod ${name} running`, 60_000, async () => {
    const p = await core.readNamespacedPod({ name, namespace: NS });
    return p.status?.phase === "Running" ? p : undefined;
  });
}

/** Mines everything a reader yields (on this thread) and returns the report. */
async function mine(r: Awaited<ReturnType<typeof podLogReader>>, name = "pod") {
  return (await analyzeSource(podSource(name, r), { baselineLines: 0, top: 1000, miner }, never)).report;
}

const templates = (r: logmine.LogReport) =>
  r.templates.map((t) => `${t.count} ${t.template}`).sort((a, b) => a.localeCompare(b));

const haveData = existsSync(`${LOGHUB}/HDFS`) && existsSync(`${LOGHUB}/Zookeeper`);

describe.skipIf(!haveData)("pod logs through the Kubernetes API (sandbox)", () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "vigil-logs-int-"));
    sb = await startSandbox("logs", 1);
    started = sb;
    core = sb.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    await eventually("default service account", 30_000, async () =>
      (await core.listNamespacedServiceAccount({ namespace: NS })).items.length > 0 ? true : undefined,
    );
    const now = Date.now();
    await core.createNamespacedPod({ namespace: NS, body: pod("hdfs") });
    await kwokLogs("hdfs", toCri("HDFS", now));
    toCri("Zookeeper", now);
    await running("hdfs");
  }, 240_000);

  afterAll(async () => {
    await started?.down();
    rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it("pod/NAME: the 2,000 HDFS lines arrive whole and mine to the same templates as the file", async () => {
    const r = await podLogReader(
      sb.kc,
      { kind: "pod", namespace: NS, name: "hdfs" },
      { previous: false, follow: false, maxBytes: 64 * 1024 * 1024 },
    );
    expect(r.streams).toEqual([{ pod: "hdfs", container: "app" }]);
    const viaApi = await mine(r);
    const direct = (
      await analyzeSource(
        fileSource(`${LOGHUB}/HDFS/HDFS_2k.log`, 1 << 30),
        { baselineLines: 0, top: 1000, miner },
        never,
      )
    ).report;
    expect(r.truncated).toBe(false);
    expect(viaApi.lines).toBe(2000);
    expect(templates(viaApi)).toEqual(templates(direct));
    expect(viaApi.templates.every((t) => t.sources.join() === "pod/hdfs")).toBe(true);
    // Loghub's HDFS sample: 292 lines receive a block, 314 update the block map.
    const count = (re: RegExp) =>
      viaApi.templates.filter((t) => re.test(t.template)).reduce((n, t) => n + t.count, 0);
    expect(count(/Receiving block <\*> src: <\*> dest: <\*>$/)).toBe(292);
    expect(count(/addStoredBlock: blockMap updated/)).toBe(314);
  });

  it("--since, --tail and the byte budget go to the apiserver and bound what is read", async () => {
    const since = await mine(
      await podLogReader(
        sb.kc,
        { kind: "pod", namespace: NS, name: "hdfs" },
        { previous: false, follow: false, sinceSeconds: 3600, maxBytes: 1 << 26 },
      ),
    );
    expect(since.lines).toBe(1000);
    const tail = await mine(
      await podLogReader(
        sb.kc,
        { kind: "pod", namespace: NS, name: "hdfs" },
        { previous: false, follow: false, tailLines: 25, maxBytes: 1 << 26 },
      ),
    );
    expect(tail.lines).toBe(25);
    const small = await podLogReader(
      sb.kc,
      { kind: "pod", namespace: NS, name: "hdfs" },
      { previous: false, follow: false, maxBytes: 10_000 },
    );
    const bounded = await mine(small);
    expect(small.truncated).toBe(true);
    expect(bounded.lines).toBeGreaterThan(10);
    expect(bounded.lines).toBeLessThan(120);
  });

  it("deployment/NAME reads every pod, each line labelled by its pod", async () => {
    const apps = sb.kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name: "web", namespace: NS },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
          },
        },
      },
    });
    const pods = await eventually("2 running web pods", 60_000, async () => {
      const l = await core.listNamespacedPod({ namespace: NS, labelSelector: "app=web" });
      const ok = l.items.filter((p) => p.status?.phase === "Running").map((p) => p.metadata?.name ?? "");
      return ok.length === 2 ? ok.sort() : undefined;
    });
    const [zk, plain] = pods as [string, string];
    await kwokLogs(zk, join(tmp, "Zookeeper.cri.log"));
    const r = await podLogReader(
      sb.kc,
      { kind: "deployment", namespace: NS, name: "web" },
      { previous: false, follow: false, maxBytes: 1 << 26 },
    );
    expect(r.streams.map((s) => s.pod).sort()).toEqual(pods);
    const rep = await mine(r, "deployment/web");
    const appLines = readFileSync(join(ROOT, "deploy/sandbox/logs/app.log"), "utf8")
      .trimEnd()
      .split("\n").length;
    expect(rep.lines).toBe(2000 + appLines);
    const zkOnly = rep.templates.find((t) => t.template.includes("QuorumCnxManager"));
    expect(zkOnly?.sources).toEqual([`pod/${zk}`]);
    const appOnly = rep.templates.find((t) => t.template.includes("listening on"));
    expect(appOnly?.sources).toEqual([`pod/${plain}`]);
  });

  it("--previous on a crash-looping pod reads the crashed container's fatal error", async () => {
    await core.createNamespacedPod({
      namespace: NS,
      body: pod("crash", {
        "sandbox.vigil.dev/behavior": "crashloop",
        "sandbox.vigil.dev/crash-after": "1s",
      }),
    });
    await eventually("a restart", 60_000, async () => {
      const p = await core.readNamespacedPod({ name: "crash", namespace: NS });
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
    });
    const rep = await mine(
      await podLogReader(
        sb.kc,
        { kind: "pod", namespace: NS, name: "crash" },
        { previous: true, follow: false, maxBytes: 1 << 20 },
      ),
    );
    const fatal = rep.errors.find((t) => t.template.includes("cannot start without a database"));
    expect(fatal?.severity).toBe("error");
    expect(rep.signature.summary).not.toBe("");
  });

  it("the CLI reads pod/NAME with --since through the built dist", async () => {
    const { stdout } = await run(
      process.execPath,
      [
        join(ROOT, "dist/cli/main.js"),
        "logs",
        "analyze",
        "pod/hdfs",
        "-n",
        NS,
        "--since",
        "1h",
        "--kubeconfig",
        sb.kubeconfig,
        "-o",
        "json",
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const out = JSON.parse(stdout) as logmine.LogReport & { source: string; truncated: boolean };
    expect(out.source).toBe(`${NS}/pod/hdfs`);
    expect(out.truncated).toBe(false);
    expect(out.lines).toBe(1000);
  });

  it("the CLI in follow mode prints the report when interrupted (Ctrl-C)", async () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, "dist/cli/main.js"), "logs", "analyze", "deployment/web", "-n", NS, "-f", "-o", "json"],
      { env: { ...process.env, KUBECONFIG: sb.kubeconfig }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    await sleep(3000);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => {
      child.once("exit", r);
    });
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as logmine.LogReport & { source: string };
    expect(out.source).toBe(`${NS}/deployment/web`);
    expect(out.lines).toBeGreaterThan(2000);
  });

  it("clear errors: pod not found, unreachable apiserver, missing RBAC", async () => {
    const cli = async (...args: string[]) =>
      run(process.execPath, [join(ROOT, "dist/cli/main.js"), "logs", "analyze", ...args]).then(
        () => ({ code: 0, stderr: "" }),
        (e: unknown) => e as { code: number; stderr: string },
      );
    const missing = await cli("pod/nope", "-n", NS, "--kubeconfig", sb.kubeconfig);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: get pod ${NS}/nope: pods "nope" not found`);

    const gone = await cli("deployment/nope", "-n", NS, "--kubeconfig", sb.kubeconfig);
    expect(gone.stderr).toContain(`deployments.apps "nope" not found`);

    const cluster = sb.kc.getCurrentCluster();
    const off = new KubeConfig();
    off.loadFromOptions({
      clusters: [{ ...cluster, name: "off", server: "https://127.0.0.1:1" }],
      users: [{ name: "u", token: "x" }],
      contexts: [{ name: "off", cluster: "off", user: "u" }],
      currentContext: "off",
    });
    const unreachable: unknown = await podLogReader(
      off,
      { kind: "pod", namespace: NS, name: "hdfs" },
      { previous: false, follow: false, maxBytes: 1000 },
    ).catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(KubeError);
    expect((unreachable as KubeError).reason).toBe("Unreachable");

    // A service account that may get pods but not read their logs, nor get deployments.
    await sb.kubectl("-n", NS, "create", "serviceaccount", "reader");
    await sb.kubectl("-n", NS, "create", "role", "pods-only", "--verb=get,list", "--resource=pods");
    await sb.kubectl(
      "-n",
      NS,
      "create",
      "rolebinding",
      "reader",
      "--role=pods-only",
      `--serviceaccount=${NS}:reader`,
    );
    const token = (await sb.kubectl("-n", NS, "create", "token", "reader")).trim();
    const limited = new KubeConfig();
    limited.loadFromOptions({
      clusters: [{ ...cluster, name: "sb" }],
      users: [{ name: "reader", token }],
      contexts: [{ name: "reader", cluster: "sb", user: "reader", namespace: NS }],
      currentContext: "reader",
    });
    const r = await podLogReader(
      limited,
      { kind: "pod", namespace: NS, name: "hdfs" },
      { previous: false, follow: false, maxBytes: 1000 },
    );
    const forbidden: unknown = await mine(r).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(KubeError);
    expect((forbidden as KubeError).reason).toBe("Forbidden");
    expect((forbidden as KubeError).message).toMatch(/pods "hdfs" is forbidden.*pods\/log/);
    expect((forbidden as KubeError).hint).toMatch(/pods\/log/);
    const noDeploy: unknown = await podLogReader(
      limited,
      { kind: "deployment", namespace: NS, name: "web" },
      { previous: false, follow: false, maxBytes: 1000 },
    ).catch((e: unknown) => e);
    expect((noDeploy as KubeError).reason).toBe("Forbidden");
  });

  it("follow keeps the stream open until aborted, then ends cleanly", async () => {
    const r = await podLogReader(
      sb.kc,
      { kind: "deployment", namespace: NS, name: "web" },
      { previous: false, follow: true, maxBytes: 1 << 26 },
    );
    const stop = new AbortController();
    const seen = new Set<string>();
    let n = 0;
    const started = Date.now();
    const timer = setTimeout(() => {
      stop.abort();
    }, 3000);
    for await (const l of r.lines(stop.signal)) {
      seen.add(l.source);
      n++;
    }
    clearTimeout(timer);
    expect(stop.signal.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(n).toBeGreaterThan(2000);
    expect(seen.size).toBe(2);
  });
});
