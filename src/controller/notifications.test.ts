// The operator's notification glue with a fake clock and a fake notifier (the `Notifier` port): finding and
// healer events and informer Events become one incident, notified once when the group wait is over and once
// when it resolves; a failed delivery is planned again after a backoff; Alertmanager re-sends are deduplicated.
import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { AlertingConfig, type Delivery, type Notifier } from "../alert/index.js";
import type * as health from "../health/index.js";
import type * as incident from "../incident/index.js";
import type * as remediate from "../remediate/index.js";
import { Notifications, parseListen } from "./index.js";

const T0 = Date.parse("2026-11-20T10:00:00Z");
const dep = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" };
const pod = { apiVersion: "v1", kind: "Pod", namespace: "shop", name: "web-6d4f-abcde" };

const finding = {
  id: "Deployment/BadRollout/Deployment/shop/web",
  analyzer: "Deployment",
  code: "BadRollout",
  severity: "high",
  object: dep,
  ownerChain: [pod, dep],
  reason: "the new ReplicaSet's pods fail to pull registry.invalid/web:2",
  evidence: [],
  evidenceOmitted: 0,
  fix: { summary: "roll back to the previous revision", action: { kind: "rollback" } },
  docs: "",
} as unknown as health.Finding;

const action = {
  id: "a1",
  key: "k",
  kind: "rollback",
  target: dep,
  scope: dep,
  mode: "Auto",
  disruptive: false,
  reason: { findingId: finding.id, message: "roll back the bad rollout" },
  patches: [],
  verify: {},
} as unknown as remediate.Action;

function harness(opts: { fail?: () => boolean } = {}) {
  let now = T0;
  const sent: incident.Notification[] = [];
  const notifier: Notifier = (n) => {
    const ok = opts.fail?.() !== true;
    if (ok) sent.push(n);
    const d: Delivery = { receiver: n.receiver, target: "webhook", ok };
    return Promise.resolve([d]);
  };
  const config = AlertingConfig.parse({
    receivers: [{ name: "default", webhook: { url: "http://127.0.0.1:1/hook" } }],
    policy: { groupWaitSeconds: 10, groupIntervalSeconds: 30 },
    correlation: { settleSeconds: 20 },
  });
  const n = new Notifications({
    clock: { now: () => new Date(now) },
    config,
    notifier,
    log: pino({ level: "silent" }),
  });
  const signal = new AbortController().signal;
  return {
    n,
    sent,
    at: (s: number) => {
      now = T0 + s * 1000;
    },
    step: () => n.step(signal),
  };
}

describe("Notifications", () => {
  it("detected → action → verified → resolved: one firing and one resolved notification with the timeline", async () => {
    const h = harness();
    h.n.object("pods", "0/shop/web-6d4f-abcde", {
      metadata: {
        name: pod.name,
        namespace: "shop",
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-6d4f", controller: true }],
      },
      spec: { nodeName: "node-1" },
    });
    h.n.object("replicaSets", "2/shop/web-6d4f", {
      metadata: {
        name: "web-6d4f",
        namespace: "shop",
        ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", controller: true }],
      },
    });
    h.at(0);
    h.n.finding({ type: "detected", finding, latencyMs: 5 });
    const ev = (count: number, s: number) => ({
      metadata: { name: "web-6d4f-abcde.1", namespace: "shop" },
      type: "Warning",
      reason: "Failed",
      message: "Failed to pull image registry.invalid/web:2",
      count,
      lastTimestamp: new Date(T0 + s * 1000).toISOString(),
      involvedObject: { kind: "Pod", namespace: "shop", name: pod.name },
    });
    h.n.object("events", "20/shop/web-6d4f-abcde.1", ev(1, 0));
    h.n.object("events", "20/shop/web-6d4f-abcde.1", ev(1, 0)); // a MODIFIED without a new occurrence
    h.n.object("events", "20/shop/web-6d4f-abcde.1", ev(2, 1));
    h.n.object("events", "20/shop/other", { ...ev(1, 1), type: "Normal", reason: "Pulling" }); // not kept
    await h.step();
    expect(h.sent).toEqual([]); // group wait
    h.at(5);
    h.n.heal({ type: "acted", action, incident: "inc-x" });
    await h.step();
    h.at(11);
    await h.step();
    expect(h.sent.length).toBe(1);
    const first = h.sent[0]?.items[0];
    expect(first?.change).toBe("firing");
    expect(first?.incident.title).toBe("BadRollout on Deployment shop/web");
    expect(first?.incident.signals.warningEvents).toBe(2);
    expect(first?.incident.actionsTaken.map((a) => [a.action, a.result])).toEqual([
      ["rollback", "succeeded"],
    ]);
    h.at(40);
    h.n.heal({ type: "verified", action, incident: "inc-x", detail: "verified: 3/3 replicas available" });
    h.n.finding({ type: "resolved", finding, latencyMs: undefined });
    for (let s = 40; s <= 200; s += 5) {
      h.at(s);
      await h.step();
    }
    expect(h.sent.map((x) => x.items.map((i) => i.change))).toEqual([["firing"], ["resolved"]]);
    const done = h.sent[1]?.items[0]?.incident;
    expect(done?.status).toBe("resolved");
    expect(done?.fixedBy).toBe("rollback of Deployment shop/web by Vigil");
    expect(done?.timeline.map((t) => t.kind)).toEqual(
      expect.arrayContaining(["finding", "event", "action", "findingResolved", "resolved"]),
    );
    expect(done?.timeline.some((t) => t.text.includes("verified: 3/3 replicas available"))).toBe(true);
  });

  it("a failed delivery is planned again after a backoff, and sent once", async () => {
    let failing = true;
    const h = harness({ fail: () => failing });
    h.at(0);
    h.n.finding({ type: "detected", finding, latencyMs: 5 });
    for (let s = 0; s <= 10; s += 5) {
      h.at(s);
      await h.step();
    }
    expect(h.n.stats.failed).toBe(1);
    failing = false;
    h.at(13); // within the 5 s backoff after the failure at 10 s: nothing is tried
    await h.step();
    expect(h.n.stats.failed).toBe(1);
    expect(h.sent).toEqual([]);
    for (let s = 15; s <= 60; s += 5) {
      h.at(s);
      await h.step();
    }
    expect(h.sent.map((x) => x.items.map((i) => i.change))).toEqual([["firing"]]);
  });

  it("Alertmanager alerts join the incident of the object they name; re-sends are ignored", async () => {
    const h = harness();
    h.n.object("replicaSets", "2/shop/web-6d4f", {
      metadata: {
        name: "web-6d4f",
        namespace: "shop",
        ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", controller: true }],
      },
    });
    h.n.object("pods", "0/shop/web-6d4f-abcde", {
      metadata: {
        name: pod.name,
        namespace: "shop",
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-6d4f", controller: true }],
      },
    });
    h.at(0);
    h.n.finding({ type: "detected", finding, latencyMs: 5 });
    const alert: incident.AlertSignal = {
      kind: "alert",
      at: new Date(T0 + 2000).toISOString(),
      status: "firing",
      name: "KubePodNotReady",
      fingerprint: "f1",
      labels: { alertname: "KubePodNotReady", namespace: "shop", pod: pod.name, severity: "warning" },
      annotations: { summary: "pod not ready" },
      startsAt: new Date(T0 + 2000).toISOString(),
      object: pod,
    };
    h.at(3);
    h.n.alerts([alert]);
    h.n.alerts([alert]);
    for (let s = 3; s <= 15; s += 5) {
      h.at(s);
      await h.step();
    }
    expect(h.sent.length).toBe(1);
    const i = h.sent[0]?.items[0]?.incident;
    expect(i?.signals.alerts).toBe(1);
    expect(i?.labels["alertname"]).toBe("KubePodNotReady");
    expect(h.n.incidents.length).toBe(1);
  });

  it("parses listen addresses", () => {
    expect(parseListen(":9095")).toEqual({ host: "0.0.0.0", port: 9095 });
    expect(parseListen("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListen("[::1]:9095")).toEqual({ host: "::1", port: 9095 });
    expect(() => parseListen("9095")).toThrow(RangeError);
  });
});
