import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AlertSignal, objectOfLabels, parseAlertmanagerWebhook } from "./index.js";

const NOW = new Date("2026-11-20T10:00:00Z");

const sample = {
  version: "4",
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
  status: "firing",
  receiver: "vigil",
  groupLabels: { alertname: "KubePodCrashLooping" },
  commonLabels: { alertname: "KubePodCrashLooping", namespace: "shop", severity: "warning" },
  commonAnnotations: { summary: "Pod is crash looping." },
  externalURL: "http://alertmanager:9093",
  alerts: [
    {
      status: "firing",
      labels: {
        alertname: "KubePodCrashLooping",
        namespace: "shop",
        pod: "api-7d9f8c6b5-aaaaa",
        severity: "warning",
      },
      annotations: {
        description: "Pod shop/api-7d9f8c6b5-aaaaa is in waiting state (reason: CrashLoopBackOff).",
      },
      startsAt: "2026-11-20T09:58:00Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus:9090/graph",
      fingerprint: "4a1f1b5c2d3e4f50",
    },
    {
      status: "resolved",
      labels: { alertname: "KubeNodeNotReady", node: "node-3", severity: "critical" },
      annotations: {},
      startsAt: "2026-11-20T09:00:00Z",
      endsAt: "2026-11-20T09:30:00Z",
    },
  ],
};

describe("parseAlertmanagerWebhook", () => {
  it("turns a webhook payload into alert signals with the objects their labels name", () => {
    const r = parseAlertmanagerWebhook(sample, NOW);
    expect(r.kind).toBe("ok");
    if (r.kind !== "ok") return;
    expect(r.signals).toHaveLength(2);
    const [crash, node] = r.signals;
    expect(crash?.object).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      namespace: "shop",
      name: "api-7d9f8c6b5-aaaaa",
    });
    expect(crash?.at).toBe("2026-11-20T09:58:00.000Z");
    expect(crash?.endsAt).toBeUndefined();
    expect(crash?.annotations["summary"]).toBe("Pod is crash looping.");
    expect(crash?.fingerprint).toBe("4a1f1b5c2d3e4f50");
    expect(node?.status).toBe("resolved");
    expect(node?.at).toBe("2026-11-20T09:30:00.000Z");
    expect(node?.object?.kind).toBe("Node");
    expect(node?.node).toBe("node-3");
    expect(node?.fingerprint).toMatch(/^v[0-9a-f]{16}$/);
  });

  it.each([
    ["not an object", 42],
    ["no alerts", { version: "4" }],
    ["bad status", { alerts: [{ status: "pending", labels: {} }] }],
    ["label values must be strings", { alerts: [{ status: "firing", labels: { a: 1 } }] }],
  ])("rejects %s as data, without throwing", (_name, body) => {
    expect(parseAlertmanagerWebhook(body, NOW).kind).toBe("invalid");
  });

  it("clamps times from a clock that runs ahead", () => {
    const body = {
      alerts: [{ status: "firing", labels: { alertname: "X" }, startsAt: "2099-01-01T00:00:00Z" }],
    };
    const r = parseAlertmanagerWebhook(body, NOW);
    expect(r.kind === "ok" ? r.signals[0]?.at : undefined).toBe(NOW.toISOString());
  });

  it("never throws on arbitrary JSON, and what it accepts are valid signals", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseAlertmanagerWebhook(v, NOW);
        if (r.kind === "ok") for (const s of r.signals) AlertSignal.parse(s);
      }),
      { numRuns: 500 },
    );
  });

  const labelKey = fc.constantFrom(
    "alertname",
    "namespace",
    "pod",
    "deployment",
    "node",
    "severity",
    "team",
    "job_name",
  );
  const alertArb = fc.record({
    status: fc.constantFrom("firing", "resolved"),
    labels: fc.dictionary(labelKey, fc.string({ maxLength: 40 })),
    annotations: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 40 })),
    startsAt: fc.oneof(
      fc
        .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.string({ maxLength: 30 }),
    ),
    endsAt: fc.oneof(
      fc.constant("0001-01-01T00:00:00Z"),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
  });

  it("accepts every well-formed payload: one signal per alert, never after receipt, stable fingerprints", () => {
    fc.assert(
      fc.property(fc.array(alertArb, { maxLength: 20 }), (alerts) => {
        const r = parseAlertmanagerWebhook({ version: "4", alerts }, NOW);
        expect(r.kind).toBe("ok");
        if (r.kind !== "ok") return;
        expect(r.signals).toHaveLength(alerts.length);
        r.signals.forEach((s, k) => {
          expect(Date.parse(s.at)).toBeLessThanOrEqual(NOW.getTime());
          const a = alerts[k];
          if (a === undefined) return;
          expect(s.status).toBe(a.status);
          // The fingerprint does not depend on the order of the labels.
          const reversed = Object.fromEntries(Object.entries(a.labels).reverse());
          const again = parseAlertmanagerWebhook({ alerts: [{ ...a, labels: reversed }] }, NOW);
          expect(again.kind === "ok" ? again.signals[0]?.fingerprint : "").toBe(s.fingerprint);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe("objectOfLabels", () => {
  it.each([
    [{ namespace: "a", pod: "p", deployment: "d" }, "Pod/a/p"],
    [{ namespace: "a", deployment: "d" }, "Deployment/a/d"],
    [{ namespace: "a", job_name: "j" }, "Job/a/j"],
    [{ node: "n1" }, "Node//n1"],
    [{ pod: "p" }, undefined],
    [{ namespace: "a" }, undefined],
  ])("%o → %s", (labels, want) => {
    const o = objectOfLabels(labels);
    expect(o === undefined ? undefined : `${o.kind}/${o.namespace}/${o.name}`).toBe(want);
  });
});
