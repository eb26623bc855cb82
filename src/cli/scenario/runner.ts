/**
 * @module
 * The scenario runner (IO edge): deploys a scenario's workload into a fresh namespace, waits until it is
 * healthy, starts Vigil in auto mode in this process (unless baseline), injects the fault, samples
 * availability every second, reads the Incidents Vigil journaled, and cleans up (namespace, node labels,
 * Vigil's cordons) so the next scenario can reuse the sandbox. The numbers come from `scenario.measure`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { parse as parseYaml } from "yaml";
import { CRDS, crdManifest, HealingPolicySpec } from "../../api/index.js";
import { describeAction, Healer, Observer, WatchSet } from "../../controller/index.js";
import * as health from "../../health/index.js";
import { applyObjects, expectOk, rawRequest } from "../../kube/index.js";
import { VigilError } from "../../model/index.js";
import * as scenario from "../../scenario/index.js";

export interface RunnerEnv {
  readonly kc: KubeConfig;
  readonly kubeconfigPath: string;
  /** Package root: dist/cli/main.js is started as the operator. */
  readonly root: string;
  readonly progress: (message: string) => void;
  readonly signal: AbortSignal;
}

export interface RunOptions {
  readonly baseline: boolean;
  /** Overrides the scenario's recovery timeout (seconds). */
  readonly timeoutSeconds?: number | undefined;
  /** Cap for the baseline's recovery timeout (seconds). */
  readonly baselineCapSeconds?: number | undefined;
  /** Keep the namespace afterwards (for inspection). */
  readonly keep?: boolean | undefined;
}

export interface ScenarioRun {
  readonly name: string;
  readonly mode: "vigil" | "baseline";
  readonly namespace: string;
  readonly result: scenario.RunResult;
  /** Seconds the whole run took, set-up and clean-up included. */
  readonly wall_s: number;
}

const STABLE_SECONDS = 5;
const HARM_WINDOW_SECONDS = 30;

/** Scenario files shipped in deploy/scenarios, by name. */
export function catalogue(root: string): Map<string, string> {
  const dir = join(root, "deploy", "scenarios");
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).sort())
    if (f.endsWith(".yaml")) out.set(f.replace(/\.yaml$/, ""), join(dir, f));
  return out;
}

/** Loads a scenario by catalogue name or file path; invalid files are a usage error naming every problem. */
export function loadScenario(root: string, nameOrFile: string): scenario.Scenario {
  const file =
    nameOrFile.endsWith(".yaml") || nameOrFile.endsWith(".yml")
      ? nameOrFile
      : catalogue(root).get(nameOrFile);
  if (file === undefined)
    throw new VigilError("Usage", `no scenario named ${nameOrFile}`, {
      hint: `known: ${[...catalogue(root).keys()].join(", ")}`,
    });
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new VigilError("Usage", `cannot read scenario ${file}`, { cause: err });
  }
  const r = scenario.parseScenario(doc);
  if (r.kind === "invalid") throw new VigilError("Usage", `invalid scenario ${file}:\n${r.message}`);
  return r.scenario;
}

interface Raw {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec?: Record<string, unknown> & { nodeName?: string; unschedulable?: boolean };
  status?: Record<string, unknown>;
}

const PATHS: Readonly<Record<string, string>> = {
  Deployment: "/apis/apps/v1/namespaces/NS/deployments",
  StatefulSet: "/apis/apps/v1/namespaces/NS/statefulsets",
  DaemonSet: "/apis/apps/v1/namespaces/NS/daemonsets",
  Pod: "/api/v1/namespaces/NS/pods",
  Service: "/api/v1/namespaces/NS/services",
  ConfigMap: "/api/v1/namespaces/NS/configmaps",
  Secret: "/api/v1/namespaces/NS/secrets",
};

const CONTENT: Readonly<Record<string, string>> = {
  strategic: "application/strategic-merge-patch+json",
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
};

class Cluster {
  readonly kc: KubeConfig;
  readonly signal: AbortSignal;
  constructor(kc: KubeConfig, signal: AbortSignal) {
    this.kc = kc;
    this.signal = signal;
  }

  async req(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const res = await rawRequest(this.kc, method, path, {
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(contentType !== undefined ? { contentType } : {}),
      signal: this.signal,
    });
    if (method === "DELETE" && res.status === 404) return undefined;
    return expectOk(res, method, path);
  }

  async list(path: string, selector?: string): Promise<Raw[]> {
    const q = selector !== undefined ? `?labelSelector=${encodeURIComponent(selector)}` : "";
    return ((await this.req("GET", `${path}${q}`)) as { items?: Raw[] }).items ?? [];
  }

  async view(ns: string): Promise<scenario.ClusterView> {
    const [pods, deployments, nodes] = await Promise.all([
      this.list(`/api/v1/namespaces/${ns}/pods`),
      this.list(`/apis/apps/v1/namespaces/${ns}/deployments`),
      this.list("/api/v1/nodes"),
    ]);
    return { pods, deployments: deployments as scenario.DeploymentView[], nodes };
  }
}

/**
 * Vigil in auto mode, in this process: the same wiring as `vigil run --mode auto` (informers, analysis on
 * every change, the Healer journaling into Incidents in the scenario's namespace). Collects the findings
 * it detects and the escalations it raises.
 */
class Operator {
  readonly findings: scenario.SeenFinding[] = [];
  escalations = 0;
  readonly #stop = new AbortController();
  #done: Promise<unknown> = Promise.resolve();

  async start(env: RunnerEnv, ns: string): Promise<void> {
    const kc = env.kc;
    if ((await rawRequest(kc, "GET", "/apis/vigil.dev/v1alpha1")).status === 404) {
      await applyObjects(
        kc,
        CRDS.map((d) => crdManifest(d) as KubernetesObject),
        { force: true },
      );
      for (
        let i = 0;
        i < 50 && (await rawRequest(kc, "GET", "/apis/vigil.dev/v1alpha1/incidents")).status !== 200;
        i++
      )
        await sleep(200);
    }
    const clock = { now: () => new Date() };
    const healer = new Healer(kc, {
      clock,
      policy: HealingPolicySpec.parse({ mode: "Auto" }),
      incidentNamespace: ns,
      onEvent: (e) => {
        // Told a person instead of acting: an escalation, or a recommendation Vigil may not apply itself.
        if (e.type === "escalated" || e.type === "planned") this.escalations++;
        if (e.type !== "skipped")
          env.progress(`  vigil: ${e.type}${"action" in e ? ` ${describeAction(e.action)}` : ""}`);
      },
      onError: (fields) => {
        env.progress(`  vigil: heal bookkeeping failed (${fields.op}): ${fields.error}`);
      },
    });
    await healer.restore();
    const ref: { observer?: Observer } = {};
    const watch = new WatchSet(kc, {
      onChange: () => {
        ref.observer?.changed();
      },
    });
    const observer = new Observer(watch, {
      clock,
      config: health.defaultHealthConfig,
      onEvent: (e) => {
        if (e.type !== "detected") return;
        const o = e.finding.object;
        this.findings.push({
          at: Date.now(),
          kind: o.kind,
          namespace: o.namespace,
          name: o.name,
          code: e.finding.code,
        });
      },
      onAnalysis: (findings) => {
        const snapshot = ref.observer?.snapshot;
        if (snapshot === undefined) return;
        healer
          .cycle(() => ({ findings, snapshot, raw: (r) => watch.lookup(r) }))
          .catch((err: unknown) => {
            env.progress(`  vigil: heal cycle failed: ${err instanceof Error ? err.message : String(err)}`);
          });
      },
    });
    ref.observer = observer;
    const signal = this.#stop.signal;
    this.#done = Promise.all([watch.run(signal), observer.run(signal)]).catch(() => undefined);
    const deadline = Date.now() + 60_000;
    while (!watch.synced) {
      if (Date.now() > deadline)
        throw new VigilError("OperatorTimeout", "Vigil's informers did not list in time");
      await sleep(50);
    }
    observer.analyzeNow();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.race([this.#done, sleep(10_000)]);
  }
}

function withNamespace(o: unknown, ns: string): KubernetesObject {
  const obj = structuredClone(o) as { metadata: Record<string, unknown> };
  obj.metadata["namespace"] = ns;
  return obj;
}

/** Picks nodes: the ones running the Deployment's pods first (most pods first), then the rest by name. */
async function pickNodes(c: Cluster, ns: string, sel: scenario.NodePick): Promise<string[]> {
  if (sel.names !== undefined) return sel.names.slice(0, Math.max(sel.count, sel.names.length));
  const counts = new Map<string, number>();
  if (sel.podsOf !== undefined) {
    const d = (await c.req("GET", `/apis/apps/v1/namespaces/${ns}/deployments/${sel.podsOf}`)) as {
      spec: { selector: { matchLabels?: Record<string, string> } };
    };
    const s = Object.entries(d.spec.selector.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    for (const p of await c.list(`/api/v1/namespaces/${ns}/pods`, s)) {
      const n = p.spec?.nodeName;
      if (n !== undefined && p.metadata.deletionTimestamp === undefined)
        counts.set(n, (counts.get(n) ?? 0) + 1);
    }
  }
  const all = (await c.list("/api/v1/nodes")).map((n) => n.metadata.name).sort();
  const ordered = [
    ...[...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([n]) => n),
    ...all.filter((n) => !counts.has(n)),
  ];
  return ordered.slice(0, sel.count);
}

interface StepState {
  /** Node label values before the scenario changed them, to put back afterwards. */
  readonly nodeLabels: Map<string, Record<string, string | null>>;
  readonly touchedNodes: Set<string>;
  /** Node picks are sticky: the same pick names the same nodes for the whole run (a flapping node). */
  readonly picks: Map<string, string[]>;
}

async function runStep(
  c: Cluster,
  ns: string,
  s: scenario.BasicStep,
  st: StepState,
  signal: AbortSignal,
): Promise<void> {
  if ("wait" in s) {
    await sleep(s.wait * 1000, undefined, { signal });
  } else if ("apply" in s) {
    await applyObjects(
      c.kc,
      s.apply.map((o) => withNamespace(o, ns)),
      { force: true },
    );
  } else if ("patch" in s) {
    const base = (PATHS[s.patch.kind] ?? "").replace("NS", ns);
    await c.req("PATCH", `${base}/${s.patch.name ?? ""}`, s.patch.body, CONTENT[s.patch.type]);
  } else if ("scale" in s) {
    const base = (PATHS[s.scale.kind] ?? "").replace("NS", ns);
    await c.req(
      "PATCH",
      `${base}/${s.scale.name ?? ""}`,
      { spec: { replicas: s.scale.replicas } },
      CONTENT["merge"],
    );
  } else if ("annotatePods" in s) {
    for (const p of await c.list(`/api/v1/namespaces/${ns}/pods`, s.annotatePods.selector)) {
      if (p.metadata.deletionTimestamp !== undefined) continue;
      await c.req(
        "PATCH",
        `/api/v1/namespaces/${ns}/pods/${p.metadata.name}`,
        { metadata: { annotations: s.annotatePods.annotations } },
        CONTENT["merge"],
      );
    }
  } else if ("delete" in s) {
    const base = (PATHS[s.delete.kind] ?? "").replace("NS", ns);
    const names =
      s.delete.name !== undefined
        ? [s.delete.name]
        : (await c.list(base, s.delete.selector)).map((o) => o.metadata.name);
    for (const n of names) await c.req("DELETE", `${base}/${n}`);
  } else if ("labelNodes" in s) {
    const key = JSON.stringify(s.labelNodes.nodes);
    const names = st.picks.get(key) ?? (await pickNodes(c, ns, s.labelNodes.nodes));
    st.picks.set(key, names);
    for (const name of names) {
      const node = (await c.req("GET", `/api/v1/nodes/${name}`)) as Raw;
      const saved = st.nodeLabels.get(name) ?? {};
      for (const k of Object.keys(s.labelNodes.labels))
        if (!(k in saved)) saved[k] = node.metadata.labels?.[k] ?? null;
      st.nodeLabels.set(name, saved);
      st.touchedNodes.add(name);
      await c.req(
        "PATCH",
        `/api/v1/nodes/${name}`,
        { metadata: { labels: s.labelNodes.labels } },
        CONTENT["merge"],
      );
    }
  }
}

async function runSteps(
  c: Cluster,
  ns: string,
  steps: readonly scenario.Step[],
  st: StepState,
  signal: AbortSignal,
): Promise<void> {
  for (const s of scenario.flatSteps(steps)) await runStep(c, ns, s, st, signal);
}

interface IncidentRaw {
  metadata: { name: string };
  status?: {
    phase?: string;
    actions?: {
      id: string;
      kind: string;
      mode: string;
      at: string;
      outcome: string;
      target: { kind: string; name: string };
    }[];
    timeline?: { kind: string }[];
  };
}

async function incidents(
  c: Cluster,
  ns: string,
): Promise<{ actions: scenario.SeenAction[]; escalations: number }> {
  const res = await rawRequest(c.kc, "GET", `/apis/vigil.dev/v1alpha1/namespaces/${ns}/incidents`);
  if (res.status !== 200) return { actions: [], escalations: 0 };
  const items = (res.body as { items?: IncidentRaw[] }).items ?? [];
  const actions = items
    .flatMap((i) =>
      (i.status?.actions ?? [])
        .filter((a) => a.mode === "Auto")
        .map((a) => ({
          at: Date.parse(a.at),
          id: a.id,
          kind: a.kind,
          targetKind: a.target.kind,
          targetName: a.target.name,
          outcome: a.outcome,
        })),
    )
    .sort((a, b) => a.at - b.at);
  const escalations = items.filter((i) =>
    (i.status?.timeline ?? []).some((t) => t.kind === "Escalated"),
  ).length;
  return { actions, escalations };
}

/** Puts back node labels, uncordons what Vigil cordoned, and waits for the nodes to be Ready. */
async function restoreNodes(c: Cluster, st: StepState, progress: (m: string) => void): Promise<void> {
  for (const [name, labels] of st.nodeLabels)
    await c.req("PATCH", `/api/v1/nodes/${name}`, { metadata: { labels } }, CONTENT["merge"]);
  for (const n of await c.list("/api/v1/nodes")) {
    if (
      n.metadata.annotations?.["vigil.dev/cordoned"] !== undefined ||
      (st.touchedNodes.has(n.metadata.name) && n.spec?.unschedulable === true)
    )
      await c.req(
        "PATCH",
        `/api/v1/nodes/${n.metadata.name}`,
        { metadata: { annotations: { "vigil.dev/cordoned": null } }, spec: { unschedulable: null } },
        CONTENT["merge"],
      );
  }
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const nodes = (await c.list("/api/v1/nodes")) as scenario.NodeView[];
    if (nodes.every(scenario.nodeReady)) return;
    await sleep(1000);
  }
  progress("warning: some nodes are still not Ready after the clean-up");
}

async function deleteNamespace(c: Cluster, ns: string): Promise<void> {
  await c.req("DELETE", `/api/v1/namespaces/${ns}`);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await rawRequest(c.kc, "GET", `/api/v1/namespaces/${ns}`);
    if (res.status === 404) return;
    // Pods on a dead node never finish terminating by themselves.
    for (const p of await c.list(`/api/v1/namespaces/${ns}/pods`))
      if (p.metadata.deletionTimestamp !== undefined)
        await c.req("DELETE", `/api/v1/namespaces/${ns}/pods/${p.metadata.name}`, { gracePeriodSeconds: 0 });
    await sleep(1000);
  }
}

/** Runs one scenario once (with Vigil, or baseline) on the cluster the kubeconfig names. */
export async function runScenario(
  env: RunnerEnv,
  sc: scenario.Scenario,
  opts: RunOptions,
): Promise<ScenarioRun> {
  const t0 = Date.now();
  const c = new Cluster(env.kc, env.signal);
  const mode = opts.baseline ? "baseline" : "vigil";
  const ns = `${sc.metadata.name.slice(0, 40)}-${mode === "vigil" ? "v" : "b"}-${(Date.now() % 1e8).toString(36)}`;
  const say = (m: string) => {
    env.progress(`${sc.metadata.name} [${mode}]: ${m}`);
  };
  const st: StepState = { nodeLabels: new Map(), touchedNodes: new Set(), picks: new Map() };
  const rec = sc.spec.recovery;
  let timeout = opts.baseline ? rec.baselineTimeoutSeconds : rec.timeoutSeconds;
  if (opts.timeoutSeconds !== undefined) timeout = opts.timeoutSeconds;
  if (opts.baseline && opts.baselineCapSeconds !== undefined)
    timeout = Math.min(timeout, opts.baselineCapSeconds);
  let op: Operator | undefined;
  const stepsAbort = new AbortController();
  const onAbort = () => {
    stepsAbort.abort();
  };
  env.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await c.req("POST", "/api/v1/namespaces", {
      metadata: { name: ns, labels: { "vigil.dev/scenario": sc.metadata.name } },
    });
    say(`deploying into namespace ${ns}`);
    await applyObjects(
      env.kc,
      sc.spec.workload.map((o) => withNamespace(o, ns)),
      { force: true },
    );
    const healthyBy = Date.now() + sc.spec.healthyTimeoutSeconds * 1000;
    for (let since: number | undefined; ;) {
      const a = scenario.assess(await c.view(ns), { ...rec, nodesReady: false }, []);
      since = a.healthy ? (since ?? Date.now()) : undefined;
      if (since !== undefined && Date.now() - since >= 2000) break;
      if (Date.now() > healthyBy)
        throw new VigilError("ScenarioUnhealthy", `the workload never became healthy: ${a.detail}`);
      await sleep(500, undefined, { signal: env.signal });
    }
    if (!opts.baseline) {
      op = new Operator();
      await op.start(env, ns);
      await sleep(2000, undefined, { signal: env.signal }); // let the first heal cycle settle
    }
    say("healthy; injecting the fault");
    const samples: scenario.Sample[] = [];
    const faultAt = Date.now();
    const progress: { done: boolean; error?: Error } = { done: false };
    const steps = (async () => {
      await runSteps(c, ns, sc.spec.fault, st, stepsAbort.signal);
      say("fault injected");
      await runSteps(c, ns, sc.spec.after, st, stepsAbort.signal);
    })()
      .catch((err: unknown) => {
        if (!stepsAbort.signal.aborted) progress.error = err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        progress.done = true;
      });
    const deadline = faultAt + timeout * 1000;
    let lastDetail = "";
    while (Date.now() < deadline && !env.signal.aborted) {
      const a = scenario.assess(await c.view(ns), rec, [...st.touchedNodes]);
      samples.push({ at: Date.now(), healthy: a.healthy, score: a.score });
      if (a.detail !== lastDetail && a.detail !== "") say(a.detail);
      lastDetail = a.detail;
      if (progress.error !== undefined) throw progress.error;
      const wantEscalation = !opts.baseline && sc.spec.expect.escalate && (op?.escalations ?? 0) === 0;
      if (
        progress.done &&
        Date.now() - faultAt >= rec.minObserveSeconds * 1000 &&
        !wantEscalation &&
        scenario.recoveryTime(samples, faultAt, STABLE_SECONDS) !== undefined
      )
        break;
      await sleep(1000, undefined, { signal: env.signal });
    }
    stepsAbort.abort();
    await steps;
    const inc = opts.baseline ? { actions: [], escalations: 0 } : await incidents(c, ns);
    const result = scenario.measure(
      {
        faultAt,
        namespace: ns,
        touchedNodes: [...st.touchedNodes],
        samples,
        findings: op?.findings ?? [],
        actions: inc.actions,
        escalations: Math.max(inc.escalations, op?.escalations ?? 0),
        stableSeconds: STABLE_SECONDS,
        harmWindowSeconds: HARM_WINDOW_SECONDS,
      },
      sc,
      opts.baseline,
    );
    say(
      `${result.recovered ? `recovered in ${String(result.mttr_s)}s` : `not recovered within ${timeout}s`}; ${result.actions} actions, ${result.harmful_actions} harmful`,
    );
    return {
      name: sc.metadata.name,
      mode,
      namespace: ns,
      result,
      wall_s: Math.round((Date.now() - t0) / 100) / 10,
    };
  } finally {
    env.signal.removeEventListener("abort", onAbort);
    stepsAbort.abort();
    await op?.stop();
    const cleanup = new Cluster(env.kc, new AbortController().signal);
    await restoreNodes(cleanup, st, say).catch((err: unknown) => {
      say(`warning: node clean-up failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    if (opts.keep !== true)
      await deleteNamespace(cleanup, ns).catch((err: unknown) => {
        say(`warning: namespace clean-up failed: ${err instanceof Error ? err.message : String(err)}`);
      });
  }
}
