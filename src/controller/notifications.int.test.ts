// Integration: `vigil run`'s notifications on the sandbox. The operator runs in this process (informers,
// observer, healer in Auto mode, notifications) with a webhook notifier pointed at a local HTTP receiver and
// the Alertmanager webhook receiver listening. A bad-image rollout is the fault: the healer rolls it back, an
// Alertmanager alert about the Deployment joins the incident, and exactly one incident notification and one
// resolve notification arrive, carrying the summary, the root cause, the timeline and the action.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import type { V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, installVigilCrds, startSandbox, type TestSandbox } from "../../test/harness.js";
import { AlertingConfig } from "../alert/index.js";
import { HealingPolicySpec } from "../api/index.js";
import * as health from "../health/index.js";
import { applyObjects, rawRequest } from "../kube/index.js";
import { Healer, Notifications, Observer, WatchSet, type HealEvent } from "./index.js";

interface Body {
  status: string;
  route: string;
  incidents: {
    change: string;
    id: string;
    title: string;
    summary: string;
    status: string;
    rootCause?: { kind: string; code: string; summary: string };
    timeline: { at: string; kind: string; text: string }[];
    actionsTaken: { action: string; result: string; reason: string }[];
    fixedBy?: string;
    labels: Record<string, string>;
  }[];
}

const NS = "notify";
let sb: TestSandbox;
let hook: Server;
let hookUrl = "";
const received: Body[] = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Body);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${String((hook.address() as AddressInfo).port)}/hook`;
  sb = await startSandbox("notify", 2);
  await installVigilCrds(sb);
});
afterAll(async () => {
  await sb.down();
  hook.closeAllConnections();
  await new Promise((r) => hook.close(r));
});

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: NS },
  spec: {
    replicas: 2,
    progressDeadlineSeconds: 30,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "app",
            image: "nginx:1.27",
            ports: [{ containerPort: 8080 }],
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
            readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 2 },
          },
        ],
      },
    },
  },
};

async function get<T>(path: string): Promise<T> {
  return (await rawRequest(sb.kc, "GET", path)).body as T;
}

/** `vigil run --mode auto --notify-webhook URL --alert-receiver 127.0.0.1:0` in this process. */
async function operator(events: HealEvent[]) {
  const stop = new AbortController();
  const clock = { now: () => new Date() };
  const log = pino({ level: "silent" });
  const notifications = new Notifications({
    clock,
    log,
    tickMs: 1000,
    config: AlertingConfig.parse({
      receivers: [{ name: "default", webhook: { url: hookUrl } }],
      // Short waits so the test takes a minute; only this namespace goes to the webhook.
      policy: {
        groupWaitSeconds: 5,
        groupIntervalSeconds: 10,
        routes: [{ name: "notify-ns", receivers: ["default"], namespaces: [NS] }],
      },
      correlation: { settleSeconds: 15 },
      alertmanagerWebhook: { listen: "127.0.0.1:0" },
    }),
  });
  const healer = new Healer(sb.kc, {
    clock,
    policy: HealingPolicySpec.parse({ mode: "Auto" }),
    incidentNamespace: "default",
    onEvent: (e) => {
      events.push(e);
      notifications.heal(e);
    },
    onError: () => undefined,
  });
  await healer.restore();
  const ref: { o?: Observer } = {};
  const watch = new WatchSet(sb.kc, {
    onChange: () => ref.o?.changed(),
    onObject: (kind, id, obj) => {
      notifications.object(kind, id, obj);
    },
  });
  const o = new Observer(watch, {
    clock,
    config: health.defaultHealthConfig,
    onEvent: (e) => {
      notifications.finding(e);
    },
    onAnalysis: (findings) => {
      const snapshot = ref.o?.snapshot;
      if (snapshot !== undefined)
        void healer.cycle(() => ({ findings, snapshot, raw: (r) => watch.lookup(r) })).catch(() => undefined);
    },
  });
  ref.o = o;
  const done = Promise.all([watch.run(stop.signal), o.run(stop.signal), notifications.run(stop.signal)]);
  while (!watch.synced || notifications.receiverUrl === undefined)
    await new Promise((r) => setTimeout(r, 50));
  o.analyzeNow();
  return {
    notifications,
    receiverUrl: notifications.receiverUrl,
    stop: async () => {
      stop.abort();
      await done.catch(() => undefined);
    },
  };
}

function alertmanagerPayload(status: "firing" | "resolved", startsAt: string) {
  return {
    version: "4",
    status,
    receiver: "vigil",
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    alerts: [
      {
        status,
        labels: {
          alertname: "KubeDeploymentReplicasMismatch",
          namespace: NS,
          deployment: "web",
          severity: "warning",
        },
        annotations: { summary: `Deployment ${NS}/web has not matched the expected number of replicas` },
        startsAt,
        endsAt: status === "resolved" ? new Date().toISOString() : "0001-01-01T00:00:00Z",
        fingerprint: "notify-test-1",
      },
    ],
  };
}

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.status;
}

describe("vigil run notifications on the sandbox", () => {
  it("a bad-image rollout: one incident notification, one resolve notification, with cause, timeline and action", async () => {
    await sb.kubectl("create", "namespace", NS);
    await applyObjects(sb.kc, [deployment] as never, { force: true });
    await eventually("healthy", 60_000, async () => {
      const d = await get<V1Deployment>(`/apis/apps/v1/namespaces/${NS}/deployments/web`);
      return d.status?.availableReplicas === 2 && d.status.updatedReplicas === 2 ? true : undefined;
    });
    const events: HealEvent[] = [];
    const op = await operator(events);
    try {
      await sb.kubectl("-n", NS, "set", "image", "deployment/web", "app=registry.invalid/web:2");
      // A Prometheus alert about the Deployment (kube-state-metrics labels), through the Alertmanager
      // webhook receiver. (An alert naming a pod joins through the owner edges: notifications.test.ts.)
      const firingAt = new Date().toISOString();
      expect(await post(op.receiverUrl, alertmanagerPayload("firing", firingAt))).toBe(200);
      await eventually("the incident notification", 120_000, () =>
        Promise.resolve(received.length > 0 ? true : undefined),
      );
      await eventually("the rollback verified", 120_000, () =>
        Promise.resolve(
          events.some((e) => e.type === "verified" && e.action.kind === "rollback") ? true : undefined,
        ),
      );
      expect(await post(op.receiverUrl, alertmanagerPayload("resolved", firingAt))).toBe(200);
      await eventually("the resolve notification", 150_000, () =>
        Promise.resolve(received.some((b) => b.status === "resolved") ? true : undefined),
      );
      // Nothing else comes: no repeat, no second incident (two more group intervals).
      await new Promise((r) => setTimeout(r, 25_000));

      expect(received.map((b) => [b.status, b.incidents.map((i) => i.change)])).toEqual([
        ["firing", ["firing"]],
        ["resolved", ["resolved"]],
      ]);
      const [first, last] = [received[0]?.incidents[0], received[1]?.incidents[0]];
      expect(first?.id).toBe(last?.id);
      expect(last?.labels["namespace"]).toBe(NS);
      expect(last?.title).toMatch(/on Deployment notify\/web$/);
      expect(last?.summary).toMatch(
        /^Deployment notify\/web: .*resolved after .*fixed by rollback of Deployment notify\/web by Vigil/,
      );
      expect(last?.rootCause?.summary.length).toBeGreaterThan(0);
      expect(last?.fixedBy).toBe("rollback of Deployment notify/web by Vigil");
      expect(last?.actionsTaken.map((a) => [a.action, a.result])).toEqual(
        expect.arrayContaining([["rollback", "succeeded"]]),
      );
      const kinds = last?.timeline.map((t) => t.kind) ?? [];
      // detected → action → verified → resolved, with the Prometheus alert in it
      expect(kinds).toEqual(
        expect.arrayContaining(["finding", "action", "alert", "alertResolved", "resolved"]),
      );
      expect(kinds.at(-1)).toBe("resolved");
      expect(last?.timeline.some((t) => t.kind === "action" && t.text.includes("verified:"))).toBe(true);
      expect(last?.labels["alertname"]).toBe("KubeDeploymentReplicasMismatch");
      expect(op.notifications.stats.failed).toBe(0);
    } finally {
      await op.stop();
    }
  }, 480_000);
});
