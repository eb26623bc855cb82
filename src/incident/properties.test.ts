// Properties of correlation and the alert policy over generated signal streams.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Signal,
  Signal as SignalSchema,
  correlate,
  defaultAlertPolicy,
  defaultIncidentConfig,
  emptyNotifyState,
  planNotifications,
} from "./index.js";

const T0 = Date.parse("2026-11-20T10:00:00Z");
const ns = fc.constantFrom("shop", "pay");
const workload = fc.constantFrom("api", "web");
const nodeName = fc.constantFrom("node-1", "node-2");
const second = fc.integer({ min: 0, max: 3600 });
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const signal: fc.Arbitrary<Signal> = fc
  .oneof(
    fc
      .record({
        s: second,
        ns,
        w: workload,
        n: nodeName,
        reason: fc.constantFrom("BackOff", "Unhealthy", "Failed", "NodeNotReady"),
        warn: fc.boolean(),
      })
      .map((x) => ({
        kind: "event",
        at: at(x.s),
        object: { apiVersion: "v1", kind: "Pod", namespace: x.ns, name: `${x.w}-7d9f8c6b5-aaaaa` },
        type: x.warn ? "Warning" : "Normal",
        reason: x.reason,
        message: "m",
        node: x.n,
      })),
    fc
      .record({
        s: second,
        ns,
        w: workload,
        code: fc.constantFrom("CrashLoopBackOff", "OOMKilled"),
        firing: fc.boolean(),
        sev: fc.constantFrom("critical", "high", "medium", "low"),
      })
      .map((x) => ({
        kind: "finding",
        at: at(x.s),
        state: x.firing ? "firing" : "resolved",
        id: `Pod/${x.code}/Deployment/${x.ns}/${x.w}`,
        code: x.code,
        severity: x.sev,
        object: { apiVersion: "apps/v1", kind: "Deployment", namespace: x.ns, name: x.w },
        reason: "r",
      })),
    fc.record({ s: second, n: nodeName, firing: fc.boolean() }).map((x) => ({
      kind: "finding",
      at: at(x.s),
      state: x.firing ? "firing" : "resolved",
      id: `Node/NodeNotReady/Node/-/${x.n}`,
      code: "NodeNotReady",
      severity: "critical",
      object: { apiVersion: "v1", kind: "Node", namespace: "", name: x.n },
      reason: "r",
    })),
    fc.record({ s: second, ns, w: workload }).map((x) => ({
      kind: "action",
      at: at(x.s),
      action: "rollback",
      target: { apiVersion: "apps/v1", kind: "Deployment", namespace: x.ns, name: x.w },
      result: "succeeded",
    })),
  )
  .map((x) => SignalSchema.parse(x));

const owners = (r: { kind: string; namespace: string; name: string }) =>
  r.kind === "Pod"
    ? { apiVersion: "apps/v1", kind: "Deployment", namespace: r.namespace, name: r.name.split("-")[0] ?? "" }
    : undefined;

describe("correlation properties", () => {
  it("unique ids, ordered times, no signal counted twice, input order irrelevant", () => {
    fc.assert(
      fc.property(fc.array(signal, { maxLength: 60 }), (signals) => {
        const now = new Date(T0 + 4000_000);
        const got = correlate(now, signals, owners, defaultIncidentConfig);
        expect(new Set(got.map((i) => i.id)).size).toBe(got.length);
        for (const i of got) {
          expect(i.startedAt <= i.lastSignalAt).toBe(true);
          if (i.resolvedAt !== undefined) expect(i.startedAt <= i.resolvedAt).toBe(true);
          expect(i.timeline.length).toBeLessThanOrEqual(defaultIncidentConfig.maxTimeline + 1);
          expect(i.rootCauses.length).toBeGreaterThan(0);
        }
        const counted = got.reduce(
          (n, i) => n + i.signals.events + i.signals.findings + i.signals.actions,
          0,
        );
        expect(counted).toBeLessThanOrEqual(signals.length);
        expect(correlate(now, [...signals].reverse(), owners, defaultIncidentConfig)).toEqual(got);
      }),
      { numRuns: 200 },
    );
  });

  it("the policy never announces an incident twice nor resolves one it did not announce", () => {
    fc.assert(
      fc.property(fc.array(signal, { maxLength: 40 }), (signals) => {
        let state = emptyNotifyState;
        const firing = new Map<string, number>();
        for (let s = 0; s <= 4500; s += 15) {
          const now = new Date(T0 + s * 1000);
          const step = planNotifications(
            now,
            correlate(now, signals, owners, defaultIncidentConfig),
            state,
            defaultAlertPolicy,
          );
          state = step.state;
          for (const n of step.notifications)
            for (const x of n.items) {
              const open = firing.get(x.incident.id) ?? 0;
              if (x.change === "firing") {
                expect(open).toBe(0);
                firing.set(x.incident.id, 1);
              }
              if (x.change === "resolved") {
                expect(open).toBe(1);
                firing.set(x.incident.id, 0);
              }
            }
        }
      }),
      { numRuns: 40 },
    );
  });
});
