/**
 * @module
 * `vigil sandbox up|down|status`: a real control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler) with kwok as the kubelets and metrics-server for metrics.k8s.io, on free loopback
 * ports, with its state in one directory per sandbox.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, KubeConfig, type KubernetesObject, type V1Node } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { applyObjects, rawRequest } from "../kube/index.js";
import { VigilError } from "../model/index.js";
import {
  COMPONENTS,
  readState,
  sandboxPaths,
  type ComponentName,
  type SandboxPaths,
  type SandboxState,
} from "./layout.js";

import { freePorts, isAlive, startComponent, stopGroup, tailFile, type Started } from "./process.js";

export class SandboxError extends VigilError {}

export interface SandboxEnv {
  /** Vigil's state home, e.g. ~/.vigil. */
  readonly home: string;
  /** Directory with the testbed binaries (kube-apiserver, etcd, kwok, …, kwok-crds/). */
  readonly binDir: string;
  /** Directory with the shipped sandbox manifests (stages, metrics, logs). */
  readonly assetsDir: string;
  readonly progress: (message: string) => void;
  /** How to run this CLI (node + main.js): the sandbox runs `sandbox config-shim` as a component. */
  readonly selfCommand: readonly string[];
}

export interface UpOptions {
  readonly name: string;
  readonly nodes: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

const BINARIES: Readonly<Record<Exclude<ComponentName, "config-shim">, string>> = {
  etcd: "etcd",
  "kube-apiserver": "kube-apiserver",
  "kube-controller-manager": "kube-controller-manager",
  "kube-scheduler": "kube-scheduler",
  kwok: "kwok",
  "metrics-server": "metrics-server",
};

export function nodeName(i: number): string {
  return `node-${i}`;
}

function checkBinaries(binDir: string): void {
  const missing = Object.values(BINARIES).filter((b) => !existsSync(join(binDir, b)));
  if (!existsSync(join(binDir, "kwok-crds"))) missing.push("kwok-crds/");
  if (missing.length > 0) {
    throw new SandboxError("TestbedMissing", `testbed binaries missing in ${binDir}: ${missing.join(", ")}`, {
      hint: "build them once with: make testbed (or set VIGIL_TESTBED_BIN)",
    });
  }
}

function kubeconfigYaml(name: string, server: string, paths: SandboxPaths): string {
  const p = (f: string) => JSON.stringify(join(paths.pki, f));
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: vigil-${name}`,
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority: ${p("ca.crt")}`,
    "users:",
    `- name: vigil-${name}-admin`,
    "  user:",
    `    client-certificate: ${p("admin.crt")}`,
    `    client-key: ${p("admin.key")}`,
    "contexts:",
    `- name: vigil-${name}`,
    "  context:",
    `    cluster: vigil-${name}`,
    `    user: vigil-${name}-admin`,
    "    namespace: default",
    `current-context: vigil-${name}`,
    "",
  ].join("\n");
}

interface Args {
  readonly paths: SandboxPaths;
  readonly ports: SandboxState["ports"];
  readonly binDir: string;
}

function componentArgs(c: ComponentName, a: Args): string[] {
  const { paths, ports } = a;
  const pki = (f: string) => join(paths.pki, f);
  const kubeconfig = `--kubeconfig=${paths.kubeconfig}`;
  switch (c) {
    case "etcd":
      return [
        "--name=node0",
        `--data-dir=${paths.etcdData}`,
        `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=node0=http://127.0.0.1:${ports.etcdPeer}`,
        "--auto-compaction-retention=1",
        "--unsafe-no-fsync=true",
        "--log-level=warn",
      ];
    case "kube-apiserver":
      return [
        `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${ports.apiserver}`,
        "--advertise-address=127.0.0.1",
        "--endpoint-reconciler-type=none",
        `--cert-dir=${paths.pki}`,
        `--tls-cert-file=${pki("apiserver.crt")}`,
        `--tls-private-key-file=${pki("apiserver.key")}`,
        `--client-ca-file=${pki("ca.crt")}`,
        "--authorization-mode=Node,RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${pki("sa.pub")}`,
        `--service-account-signing-key-file=${pki("sa.key")}`,
        "--service-cluster-ip-range=10.0.0.0/24",
        "--allow-privileged=true",
        `--requestheader-client-ca-file=${pki("front-proxy-ca.crt")}`,
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        `--proxy-client-cert-file=${pki("front-proxy-client.crt")}`,
        `--proxy-client-key-file=${pki("front-proxy-client.key")}`,
        `--kubelet-client-certificate=${pki("apiserver.crt")}`,
        `--kubelet-client-key=${pki("apiserver.key")}`,
        "--kubelet-preferred-address-types=InternalIP",
        "--enable-priority-and-fairness=false",
        "--profiling=false",
        "--v=0",
      ];
    case "kube-controller-manager":
      return [
        kubeconfig,
        `--authentication-kubeconfig=${paths.kubeconfig}`,
        `--authorization-kubeconfig=${paths.kubeconfig}`,
        "--leader-elect=false",
        `--service-account-private-key-file=${pki("sa.key")}`,
        `--root-ca-file=${pki("ca.crt")}`,
        "--node-monitor-period=5s",
        "--node-monitor-grace-period=20s",
        "--horizontal-pod-autoscaler-sync-period=5s",
        "--horizontal-pod-autoscaler-downscale-stabilization=30s",
        "--kube-api-qps=100",
        "--kube-api-burst=200",
        "--secure-port=0",
        "--profiling=false",
        "--v=0",
      ];
    case "kube-scheduler":
      return [
        kubeconfig,
        `--authentication-kubeconfig=${paths.kubeconfig}`,
        `--authorization-kubeconfig=${paths.kubeconfig}`,
        "--leader-elect=false",
        "--secure-port=0",
        "--profiling=false",
        "--kube-api-qps=100",
        "--kube-api-burst=200",
        "--v=0",
      ];
    case "kwok":
      return [
        kubeconfig,
        `--config=${join(paths.config, "kwok.yaml")}`,
        "--manage-all-nodes=false",
        "--manage-nodes-with-label-selector=kwok.x-k8s.io/node=fake",
        "--node-ip=127.0.0.1",
        "--node-name=localhost",
        `--node-port=${ports.kwok}`,
        `--server-address=127.0.0.1:${ports.kwok}`,
        `--tls-cert-file=${pki("kubelet.crt")}`,
        `--tls-private-key-file=${pki("kubelet.key")}`,
        "--cidr=10.244.0.1/16",
        "--enable-crds=Stage,Metric,ResourceUsage,ClusterResourceUsage,Logs,ClusterLogs",
      ];
    case "config-shim":
      return ["sandbox", "config-shim", `--kubeconfig=${paths.kubeconfig}`];
    case "metrics-server":
      return [
        kubeconfig,
        `--authentication-kubeconfig=${paths.kubeconfig}`,
        `--authorization-kubeconfig=${paths.kubeconfig}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${ports.metricsServer}`,
        `--cert-dir=${join(paths.pki, "metrics-server")}`,
        "--kubelet-use-node-status-port",
        "--kubelet-insecure-tls",
        "--kubelet-preferred-address-types=InternalIP",
        "--metric-resolution=10s",
        "--kubelet-request-timeout=5s",
        "--profiling=false",
      ];
  }
}

/** kwok's own defaulting is skipped for a config file, so every option it needs is spelled out. */
function kwokConfig(): string {
  return [
    "apiVersion: config.kwok.x-k8s.io/v1alpha1",
    "kind: KwokConfiguration",
    "options:",
    "  cidr: 10.244.0.1/16",
    "  nodeLeaseDurationSeconds: 40",
    "  nodeLeaseParallelism: 4",
    "  podPlayStageParallelism: 4",
    "  nodePlayStageParallelism: 4",
    "  podsOnNodeSyncParallelism: 1",
    "  enablePodsOnNodeSyncListPager: true",
    "  enablePodsOnNodeSyncStreamWatch: false",
    "  enableDebuggingHandlers: true",
    "  enableProfilingHandler: false",
    "  enableContentionProfiling: false",
    "",
  ].join("\n");
}

function nodeObject(i: number): KubernetesObject & V1Node {
  const name = nodeName(i);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        "metrics.k8s.io/resource-metrics-path": `/metrics/nodes/${name}/metrics/resource`,
      },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "topology.kubernetes.io/zone": `zone-${String.fromCharCode(97 + ((i - 1) % 3))}`,
        type: "kwok",
        // kwok manages nodes with this label; setting it to anything else stops the node's heartbeat.
        "kwok.x-k8s.io/node": "fake",
      },
    },
    status: {
      allocatable: { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" },
      capacity: { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" },
    },
  };
}

export function loadManifests(
  files: readonly string[],
  vars: Readonly<Record<string, string>>,
): KubernetesObject[] {
  const out: KubernetesObject[] = [];
  for (const f of files) {
    let text = readFileSync(f, "utf8");
    for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`\${${k}}`, v);
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        throw new SandboxError("ManifestInvalid", `${f}: ${doc.errors[0]?.message ?? "invalid YAML"}`);
      }
      const obj = doc.toJS() as unknown;
      if (obj !== null && typeof obj === "object") out.push(obj);
    }
  }
  return out;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(dir, f));
}

async function waitFor(
  what: string,
  timeoutMs: number,
  signal: AbortSignal,
  died: () => string | undefined,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (signal.aborted) throw new SandboxError("Interrupted", `interrupted while waiting for ${what}`);
    const d = died();
    if (d !== undefined) throw new SandboxError("ComponentDied", d);
    try {
      if (await probe()) return;
    } catch {
      // not ready yet
    }
    if (performance.now() > deadline) throw new SandboxError("Timeout", `timed out waiting for ${what}`);
    await sleep(150);
  }
}

async function httpGetOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return res.ok;
}

function nodeReady(n: V1Node): boolean {
  return n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

export interface UpResult {
  readonly state: SandboxState;
  readonly seconds: number;
}

/** Starts a sandbox and waits until `nodes` nodes are Ready. On any failure everything started is stopped. */
export async function up(env: SandboxEnv, opts: UpOptions): Promise<UpResult> {
  const t0 = performance.now();
  checkBinaries(env.binDir);
  const paths = sandboxPaths(env.home, opts.name);
  const existing = readState(paths);
  if (existing !== undefined) {
    const alive = existing.components.filter((c) => isAlive(c.pid));
    if (alive.length > 0) {
      throw new SandboxError(
        "SandboxRunning",
        `sandbox "${opts.name}" is already running (${alive.length} processes)`,
        {
          hint: `use it with: export KUBECONFIG=${existing.kubeconfig}, or stop it with: vigil sandbox down --name ${opts.name}`,
        },
      );
    }
    env.progress(`removing stale state of sandbox "${opts.name}"`);
  }
  rmSync(paths.dir, { recursive: true, force: true });
  for (const d of [paths.dir, paths.pki, paths.logs, paths.etcdData, paths.config])
    mkdirSync(d, { recursive: true, mode: 0o700 });

  const [etcdClient, etcdPeer, apiserver, kwok, metricsServer] = await freePorts(5);
  if (
    etcdClient === undefined ||
    etcdPeer === undefined ||
    apiserver === undefined ||
    kwok === undefined ||
    metricsServer === undefined
  ) {
    throw new SandboxError("NoPorts", "could not reserve loopback ports");
  }
  const ports = { etcdClient, etcdPeer, apiserver, kwok, metricsServer };
  const server = `https://127.0.0.1:${apiserver}`;
  const state: SandboxState = {
    name: opts.name,
    createdAt: new Date().toISOString(),
    nodes: opts.nodes,
    ports,
    kubeconfig: paths.kubeconfig,
    components: [],
  };
  const exits = new Map<ComponentName, { started: Started; exit?: string }>();
  const saveState = () => {
    writeFileSync(paths.state + ".tmp", JSON.stringify(state, undefined, 2));
    renameSync(paths.state + ".tmp", paths.state);
  };
  const died = (): string | undefined => {
    for (const [name, e] of exits) {
      if (e.exit !== undefined) {
        const log = join(paths.logs, `${name}.log`);
        return `${name} exited (${e.exit}) during start-up; last lines of ${log}:\n${tailFile(log, 15)}`;
      }
    }
    return undefined;
  };
  const start = (c: ComponentName) => {
    const log = join(paths.logs, `${c}.log`);
    const args = componentArgs(c, { paths, ports, binDir: env.binDir });
    const [self, ...selfArgs] = env.selfCommand;
    const started =
      c === "config-shim"
        ? startComponent(self ?? process.execPath, [...selfArgs, ...args], log)
        : startComponent(join(env.binDir, BINARIES[c]), args, log);
    const entry: { started: Started; exit?: string } = { started };
    exits.set(c, entry);
    void started.exited.then((how) => {
      entry.exit = how;
    });
    state.components.push({ name: c, pid: started.pid, log });
    saveState();
  };

  try {
    env.progress("generating certificates");
    const { generatePki } = await import("./pki.js"); // heavy; loaded only when a sandbox starts
    const pki = await generatePki(new Date());
    const files: Record<string, string> = {
      "ca.crt": pki.ca.cert,
      "ca.key": pki.ca.key,
      "apiserver.crt": pki.apiserver.cert,
      "apiserver.key": pki.apiserver.key,
      "admin.crt": pki.admin.cert,
      "admin.key": pki.admin.key,
      "kubelet.crt": pki.kubelet.cert,
      "kubelet.key": pki.kubelet.key,
      "front-proxy-ca.crt": pki.frontProxyCa.cert,
      "front-proxy-client.crt": pki.frontProxyClient.cert,
      "front-proxy-client.key": pki.frontProxyClient.key,
      "sa.pub": pki.serviceAccount.publicKey,
      "sa.key": pki.serviceAccount.privateKey,
    };
    for (const [f, content] of Object.entries(files))
      writeFileSync(join(paths.pki, f), content, { mode: 0o600 });
    writeFileSync(paths.kubeconfig, kubeconfigYaml(opts.name, server, paths), { mode: 0o600 });
    writeFileSync(join(paths.config, "kwok.yaml"), kwokConfig());
    saveState();

    env.progress("starting etcd");
    start("etcd");
    await waitFor("etcd", 20_000, opts.signal, died, () =>
      httpGetOk(`http://127.0.0.1:${etcdClient}/health`),
    );

    env.progress("starting kube-apiserver");
    start("kube-apiserver");
    const kc = new KubeConfig();
    kc.loadFromFile(paths.kubeconfig);
    await waitFor(
      "kube-apiserver /readyz",
      60_000,
      opts.signal,
      died,
      async () => (await rawRequest(kc, "GET", "/readyz", { timeoutMs: 2000 })).status === 200,
    );

    env.progress("starting kube-controller-manager and kube-scheduler");
    start("kube-controller-manager");
    start("kube-scheduler");

    env.progress("installing kwok CRDs, stages and nodes");
    await applyObjects(kc, loadManifests(yamlFiles(join(env.binDir, "kwok-crds")), {}), { force: true });
    const core = kc.makeApiClient(CoreV1Api);
    await waitFor("kwok CRDs", 30_000, opts.signal, died, async () => {
      const res = await rawRequest(kc, "GET", "/apis/kwok.x-k8s.io/v1alpha1", { timeoutMs: 2000 });
      const kinds = new Set(
        ((res.body as { resources?: { kind: string }[] } | undefined)?.resources ?? []).map((r) => r.kind),
      );
      return res.status === 200 && kinds.has("ClusterResourceUsage") && kinds.has("Stage");
    });
    const vars = { METRICS_SERVER_PORT: String(metricsServer), ASSETS_DIR: env.assetsDir };
    await applyObjects(
      kc,
      [
        ...loadManifests(yamlFiles(join(env.assetsDir, "stages")), vars),
        ...loadManifests(yamlFiles(join(env.assetsDir, "kwok")), vars),
        ...loadManifests(yamlFiles(join(env.assetsDir, "cluster")), vars),
      ],
      { force: true },
    );
    await applyObjects(
      kc,
      Array.from({ length: opts.nodes }, (_, i) => nodeObject(i + 1)),
      { force: true },
    );

    env.progress("starting kwok and metrics-server");
    start("kwok");
    start("metrics-server");
    start("config-shim");

    env.progress(`waiting for ${opts.nodes} nodes to be Ready`);
    const remaining = Math.max(5_000, opts.timeoutMs - (performance.now() - t0));
    await waitFor(`${opts.nodes} Ready nodes`, remaining, opts.signal, died, async () => {
      const nodes = await core.listNode();
      return nodes.items.filter(nodeReady).length >= opts.nodes;
    });
    await waitFor("default service account", 20_000, opts.signal, died, async () => {
      await core.readNamespacedServiceAccount({ name: "default", namespace: "default" });
      return true;
    });
    saveState();
    return { state, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    env.progress("start-up failed; stopping what was started");
    await stopAll(state);
    if (err instanceof VigilError) {
      // Keep the logs for the user; drop the rest of the state so `up` can run again.
      rmSync(paths.state, { force: true });
      throw err;
    }
    rmSync(paths.state, { force: true });
    throw new SandboxError(
      "StartFailed",
      `sandbox start failed: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

async function stopAll(state: SandboxState): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // Reverse start order: kwok and the controllers first, etcd last.
  const comps = [...state.components].reverse();
  for (const c of comps) out[c.name] = await stopGroup(c.pid, 5_000);
  return out;
}

export interface DownResult {
  readonly existed: boolean;
  readonly stopped: Record<string, string>;
}

/** Stops every process group of the sandbox and removes its state directory. */
export async function down(env: Pick<SandboxEnv, "home">, name: string): Promise<DownResult> {
  const paths = sandboxPaths(env.home, name);
  if (!existsSync(paths.dir)) return { existed: false, stopped: {} };
  const state = readState(paths);
  const stopped = state === undefined ? {} : await stopAll(state);
  rmSync(paths.dir, { recursive: true, force: true });
  return { existed: true, stopped };
}

export interface ComponentStatus {
  readonly name: ComponentName;
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly log: string | undefined;
  readonly logTail: string;
}

export interface SandboxStatus {
  readonly name: string;
  readonly exists: boolean;
  readonly kubeconfig: string | undefined;
  readonly apiserver: string | undefined;
  readonly components: readonly ComponentStatus[];
}

export function status(env: Pick<SandboxEnv, "home">, name: string): SandboxStatus {
  const paths = sandboxPaths(env.home, name);
  const state = readState(paths);
  if (state === undefined)
    return { name, exists: false, kubeconfig: undefined, apiserver: undefined, components: [] };
  const components = COMPONENTS.map((c): ComponentStatus => {
    const s = state.components.find((x) => x.name === c);
    if (s === undefined) return { name: c, pid: undefined, running: false, log: undefined, logTail: "" };
    const running = isAlive(s.pid);
    return { name: c, pid: s.pid, running, log: s.log, logTail: running ? "" : tailFile(s.log, 10) };
  });
  return {
    name,
    exists: true,
    kubeconfig: state.kubeconfig,
    apiserver: `https://127.0.0.1:${state.ports.apiserver}`,
    components,
  };
}

/** Names of the sandboxes that have a state directory. */
export function list(env: Pick<SandboxEnv, "home">): string[] {
  const dir = join(env.home, "sandboxes");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort();
}
