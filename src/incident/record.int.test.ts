// Records the real signal streams of docs/sandbox.md's faults: a sandbox runs each fault, then heals it,
// while the operator's informers (WatchSet) and observer (health findings) watch. Every Kubernetes Event
// observation (ADDED, or MODIFIED with a new count), every finding detected/changed/resolved and every
// owner edge is kept. Each fault lasts 8 minutes, then is healed; 2 more minutes show the recovery. With VIGIL_RECORD_INCIDENTS=1 the streams are written to src/incident/testdata/ as
// `<scenario>.recording.json`, the fixtures `vigil bench alerts` and the golden tests replay.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type TestSandbox } from "../../test/harness.js";
import { Observer, WatchSet } from "../controller/index.js";
import * as health from "../health/index.js";
import type { ObjectJson } from "../kube/index.js";
import { Recording, type OwnerEdge, type RecordingInput, type SignalInput } from "./signal.js";

// About 11 minutes of sandbox time: it runs only when asked (`1` writes the fixtures, `check` records to a
// temporary directory), not in every `make test`.
const MODE = process.env["VIGIL_RECORD_INCIDENTS"];
const WRITE = MODE === "1";
const OUT = WRITE ? new URL("./testdata/", import.meta.url).pathname : mkdtempSync(join(tmpdir(), "rec-"));
const FAULT_MS = 480_000;
const AFTER_MS = 120_000;

let sb: TestSandbox;
let core: CoreV1Api;
let apps: AppsV1Api;
let watch: WatchSet;
let observer: Observer;
const stop = new AbortController();
const signals: { ns: string; s: SignalInput }[] = [];
const owners = new Map<string, OwnerEdge>();
const podNode = new Map<string, string>();
const eventCount = new Map<string, number>();
const windows = new Map<string, { start: string; end: string; description: string }>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = () => new Date().toISOString();

interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  ownerReferences?: { kind: string; name: string; apiVersion: string; controller?: boolean }[];
}

function ownerOf(obj: ObjectJson, kind: string, apiVersion: string): void {
  const m = obj.metadata as Meta | undefined;
  const o = m?.ownerReferences?.find((x) => x.controller === true);
  if (m?.name === undefined || o === undefined) return;
  const ns = m.namespace ?? "";
  owners.set(`${kind}/${ns}/${m.name}`, {
    object: { apiVersion, kind, namespace: ns, name: m.name },
    owner: { apiVersion: o.apiVersion, kind: o.kind, namespace: ns, name: o.name },
  });
}

function onEvent(obj: ObjectJson): void {
  const e = obj as ObjectJson & {
    type?: string;
    reason?: string;
    message?: string;
    count?: number;
    lastTimestamp?: string;
    eventTime?: string;
    firstTimestamp?: string;
    series?: { count?: number; lastObservedTime?: string };
    source?: { host?: string };
    involvedObject?: { apiVersion?: string; kind?: string; namespace?: string; name?: string };
  };
  const uid = (e.metadata as Meta | undefined)?.uid ?? "";
  const count = e.series?.count ?? e.count ?? 1;
  if (eventCount.get(uid) === count) return; // a MODIFIED without a new occurrence
  eventCount.set(uid, count);
  const io = e.involvedObject;
  if (io?.kind === undefined || io.name === undefined) return;
  const ns = io.namespace ?? "";
  const node = io.kind === "Pod" ? podNode.get(`${ns}/${io.name}`) : io.kind === "Node" ? io.name : undefined;
  signals.push({
    ns,
    s: {
      kind: "event",
      at: e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? iso(),
      object: { apiVersion: io.apiVersion ?? "", kind: io.kind, namespace: ns, name: io.name },
      type: e.type === "Warning" ? "Warning" : "Normal",
      reason: e.reason ?? "",
      message: (e.message ?? "").slice(0, 4096),
      count,
      uid,
      ...(node !== undefined ? { node } : e.source?.host !== undefined ? { node: e.source.host } : {}),
    },
  });
}

function deployment(
  ns: string,
  name: string,
  tpl: Record<string, unknown>,
  extra: object = {},
): V1Deployment {
  const { annotations, nodeSelector, ...container } = tpl as {
    annotations?: Record<string, string>;
    nodeSelector?: Record<string, string>;
  } & Record<string, unknown>;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: annotations ?? {} },
        spec: {
          // The node scenario runs at the same time on node-3; the others stay off it.
          ...(nodeSelector !== undefined ? { nodeSelector } : { affinity: AVOID_NODE_3 }),
          containers: [{ name: "app", image: "shop/api:1.4.2", ...container }],
        },
      },
      ...extra,
    },
  };
}

const AVOID_NODE_3 = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "NotIn", values: ["node-3"] }] },
      ],
    },
  },
};

interface Scenario {
  readonly ns: string;
  readonly description: string;
  start(): Promise<void>;
  heal(): Promise<void>;
}

const probe = { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 2, failureThreshold: 2 };

function patch(ns: string, what: string, type: "json" | "merge" | "strategic", body: unknown) {
  return sb.kubectl("-n", ns, "patch", what, `--type=${type}`, "-p", JSON.stringify(body));
}

const scenarios: Scenario[] = [
  {
    ns: "crashloop",
    description: "Deployment api (2 replicas) crash-loops on start; fixed by a rollout without the crash.",
    start: () =>
      apps
        .createNamespacedDeployment({
          namespace: "crashloop",
          body: deployment("crashloop", "api", {
            annotations: { "sandbox.vigil.dev/behavior": "crashloop", "sandbox.vigil.dev/exit-code": "3" },
          }),
        })
        .then(() => undefined),
    heal: () =>
      patch("crashloop", "deployment/api", "json", [
        { op: "remove", path: "/spec/template/metadata/annotations/sandbox.vigil.dev~1behavior" },
      ]).then(() => undefined),
  },
  {
    ns: "oom",
    description: "Deployment worker needs 200Mi with a 64Mi limit (OOMKilled); fixed by raising the limit.",
    start: () =>
      apps
        .createNamespacedDeployment({
          namespace: "oom",
          body: deployment("oom", "worker", {
            annotations: { "sandbox.vigil.dev/memory-need": "200Mi" },
            resources: { limits: { memory: "64Mi" } },
          }),
        })
        .then(() => undefined),
    heal: () =>
      patch("oom", "deployment/worker", "json", [
        { op: "replace", path: "/spec/template/spec/containers/0/resources/limits/memory", value: "256Mi" },
      ]).then(() => undefined),
  },
  {
    ns: "imagepull",
    description: "Deployment web uses an image that cannot be pulled; fixed by a good image.",
    start: () =>
      apps
        .createNamespacedDeployment({
          namespace: "imagepull",
          body: deployment("imagepull", "web", { image: "registry.invalid/shop/web:2.0" }),
        })
        .then(() => undefined),
    heal: () =>
      patch("imagepull", "deployment/web", "json", [
        { op: "replace", path: "/spec/template/spec/containers/0/image", value: "nginx:1.27" },
      ]).then(() => undefined),
  },
  {
    ns: "missing-config",
    description: "Deployment api reads a ConfigMap that does not exist; fixed by creating it.",
    start: () =>
      apps
        .createNamespacedDeployment({
          namespace: "missing-config",
          body: deployment("missing-config", "api", { envFrom: [{ configMapRef: { name: "api-config" } }] }),
        })
        .then(() => undefined),
    heal: () =>
      core
        .createNamespacedConfigMap({
          namespace: "missing-config",
          body: { metadata: { name: "api-config" }, data: { LOG_LEVEL: "info" } },
        })
        .then(() => undefined),
  },
  {
    ns: "liveness",
    description:
      "Deployment api fails its liveness probe and is killed repeatedly; fixed by dropping the probe.",
    start: () =>
      apps
        .createNamespacedDeployment({
          namespace: "liveness",
          body: deployment("liveness", "api", {
            annotations: { "sandbox.vigil.dev/behavior": "liveness-fail" },
            livenessProbe: probe,
          }),
        })
        .then(() => undefined),
    heal: () =>
      patch("liveness", "deployment/api", "json", [
        { op: "remove", path: "/spec/template/spec/containers/0/livenessProbe" },
        { op: "remove", path: "/spec/template/metadata/annotations/sandbox.vigil.dev~1behavior" },
      ]).then(() => undefined),
  },
  {
    ns: "readiness",
    description:
      "Deployment api never becomes Ready, so Service api has no endpoints; fixed by a good build.",
    start: async () => {
      await core.createNamespacedService({
        namespace: "readiness",
        body: {
          metadata: { name: "api" },
          spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] },
        },
      });
      await apps.createNamespacedDeployment({
        namespace: "readiness",
        body: deployment("readiness", "api", {
          annotations: { "sandbox.vigil.dev/behavior": "readiness-fail" },
          readinessProbe: probe,
        }),
      });
    },
    heal: () =>
      patch("readiness", "deployment/api", "json", [
        { op: "remove", path: "/spec/template/metadata/annotations/sandbox.vigil.dev~1behavior" },
      ]).then(() => undefined),
  },
  {
    ns: "bad-rollout",
    description:
      "Deployment checkout runs healthy, then a rollout ships a crashing build; rolled back (the recorder stands in for Vigil's rollback action).",
    start: async () => {
      await apps.createNamespacedDeployment({
        namespace: "bad-rollout",
        body: deployment("bad-rollout", "checkout", { image: "shop/checkout:1.0" }),
      });
      await sleep(20_000);
      await patch("bad-rollout", "deployment/checkout", "merge", {
        spec: {
          template: {
            metadata: { annotations: { "sandbox.vigil.dev/behavior": "crashloop" } },
            spec: { containers: [{ name: "app", image: "shop/checkout:1.1" }] },
          },
        },
      });
    },
    heal: async () => {
      await sb.kubectl("-n", "bad-rollout", "rollout", "undo", "deployment/checkout");
      signals.push({
        ns: "bad-rollout",
        s: {
          kind: "action",
          at: iso(),
          action: "rollback",
          target: { apiVersion: "apps/v1", kind: "Deployment", namespace: "bad-rollout", name: "checkout" },
          result: "succeeded",
          reason: "rolled back to the previous revision (recorded: the recorder performed it for Vigil)",
        },
      });
    },
  },
  {
    ns: "slow-start",
    description:
      "Deployment search starts in 60 s but its liveness probe gives up after 4 s, so it is killed before it is up; fixed by a startupProbe.",
    start: () =>
      apps
        .createNamespacedDeployment({
          namespace: "slow-start",
          body: deployment("slow-start", "search", {
            annotations: {
              "sandbox.vigil.dev/behavior": "slow-start",
              "sandbox.vigil.dev/start-seconds": "60",
            },
            livenessProbe: probe,
          }),
        })
        .then(() => undefined),
    heal: () =>
      patch("slow-start", "deployment/search", "json", [
        {
          op: "add",
          path: "/spec/template/spec/containers/0/startupProbe",
          value: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 5, failureThreshold: 20 },
        },
      ]).then(() => undefined),
  },
];

const nodeScenario: Scenario = {
  ns: "node-down",
  description:
    "node-3 goes NotReady (runtime down) under the 3 pods of Deployment cart and the 2 of Deployment search (pinned to it); it recovers about 7.5 min later, after the 300 s toleration evicted the pods.",
  start: async () => {
    await apps.createNamespacedDeployment({
      namespace: "node-down",
      body: deployment(
        "node-down",
        "cart",
        { image: "shop/cart:3.2", nodeSelector: { "kubernetes.io/hostname": "node-3" } },
        { replicas: 3 },
      ),
    });
    await apps.createNamespacedDeployment({
      namespace: "node-down",
      body: deployment("node-down", "search", {
        image: "shop/search:7.1",
        nodeSelector: { "kubernetes.io/hostname": "node-3" },
      }),
    });
    await sleep(20_000);
    await sb.kubectl("label", "node", "node-3", "sandbox.vigil.dev/not-ready=true", "--overwrite");
  },
  heal: () => sb.kubectl("label", "node", "node-3", "sandbox.vigil.dev/not-ready-").then(() => undefined),
};

async function runScenarios(list: readonly Scenario[]): Promise<void> {
  for (const s of list) await core.createNamespace({ body: { metadata: { name: s.ns } } });
  const start = iso();
  await Promise.all(list.map((s) => s.start()));
  await sleep(FAULT_MS);
  await Promise.all(list.map((s) => s.heal()));
  await sleep(AFTER_MS);
  for (const s of list) windows.set(s.ns, { start, end: iso(), description: s.description });
}

function recordingOf(ns: string): RecordingInput {
  const w = windows.get(ns);
  if (w === undefined) throw new Error(`no window for ${ns}`);
  const cluster = ns === "node-down";
  const mine = signals
    .filter((x) => x.ns === ns || (cluster && x.ns === "" && x.s.at >= w.start && x.s.at <= w.end))
    .map((x) => x.s)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return {
    scenario: ns,
    description: w.description,
    startedAt: w.start,
    endedAt: w.end,
    owners: [...owners.values()].filter((o) => o.object.namespace === ns),
    signals: mine,
  };
}

describe.skipIf(MODE !== "1" && MODE !== "check")("record fault streams", () => {
  beforeAll(async () => {
    sb = await startSandbox("incidents", 3);
    core = sb.kc.makeApiClient(CoreV1Api);
    apps = sb.kc.makeApiClient(AppsV1Api);
    const ref: { observer?: Observer } = {};
    watch = new WatchSet(sb.kc, {
      onChange: (kind, key) => {
        const inf = watch.informers.find((i) => i.spec.key === kind)?.informer;
        const obj = inf?.get(key);
        if (obj !== undefined && kind === "events") onEvent(obj);
        if (obj !== undefined && kind === "pods") {
          ownerOf(obj, "Pod", "v1");
          const node = (obj["spec"] as { nodeName?: string } | undefined)?.nodeName;
          if (node !== undefined) podNode.set(key, node);
        }
        if (obj !== undefined && kind === "replicaSets") ownerOf(obj, "ReplicaSet", "apps/v1");
        ref.observer?.changed();
      },
    });
    observer = new Observer(watch, {
      clock: { now: () => new Date() },
      config: health.defaultHealthConfig,
      resyncMs: 5_000,
      onEvent: (e) => {
        const f = e.finding;
        const first = f.ownerChain[0];
        const node =
          first?.kind === "Pod"
            ? podNode.get(`${first.namespace}/${first.name}`)
            : f.object.kind === "Node"
              ? f.object.name
              : undefined;
        signals.push({
          ns: f.object.namespace,
          s: {
            kind: "finding",
            at: iso(),
            state: e.type === "resolved" ? "resolved" : "firing",
            id: f.id,
            code: f.code,
            severity: f.severity,
            object: f.object,
            ownerChain: [...f.ownerChain],
            reason: f.reason,
            fix: f.fix.summary,
            action: f.fix.action.kind,
            ...(node !== undefined ? { node } : {}),
          },
        });
      },
    });
    ref.observer = observer;
    void watch.run(stop.signal);
    void observer.run(stop.signal);
    while (!watch.synced) await sleep(100);
    observer.analyzeNow();
  }, 240_000);

  afterAll(async () => {
    stop.abort();
    await sb.down();
  }, 120_000);

  it("records every fault and its recovery", { timeout: 1_200_000 }, async () => {
    await runScenarios([...scenarios, nodeScenario]);
    // Write every stream first, so that one failed check does not lose the others.
    const recs = [...scenarios.map((s) => s.ns), nodeScenario.ns].map((ns) =>
      Recording.parse(recordingOf(ns)),
    );
    for (const rec of recs)
      writeFileSync(join(OUT, `${rec.scenario}.recording.json`), JSON.stringify(rec, undefined, 1) + "\n");
    for (const rec of recs) {
      const warnings = rec.signals.filter((s) => s.kind === "event" && s.type === "Warning");
      const firing = rec.signals.filter((s) => s.kind === "finding" && s.state === "firing");
      // A NotReady node makes no Warning events of its own (the node-lifecycle controller's are Normal).
      if (rec.scenario !== nodeScenario.ns)
        expect(warnings.length, `${rec.scenario}: warning events`).toBeGreaterThan(0);
      expect(firing.length, `${rec.scenario}: findings`).toBeGreaterThan(0);
    }
  });
});
