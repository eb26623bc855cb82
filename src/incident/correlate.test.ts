import { describe, expect, it } from "vitest";
import type { ObjectRef } from "../model/index.js";
import {
  type Incident,
  type Signal,
  type SignalInput,
  IncidentConfig,
  Signal as SignalSchema,
  correlate,
  defaultIncidentConfig,
  incidentId,
  ownerMap,
  recall,
  remember,
} from "./index.js";

const T0 = Date.parse("2026-11-20T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const ref = (kind: string, namespace: string, name: string): ObjectRef => ({
  apiVersion: kind === "Pod" || kind === "Node" || kind === "Service" ? "v1" : "apps/v1",
  kind,
  namespace,
  name,
});
const pod = (ns: string, name: string) => ref("Pod", ns, name);
const dep = (ns: string, name: string) => ref("Deployment", ns, name);
const node = (name: string) => ref("Node", "", name);

/** api-1/api-2 → ReplicaSet api-7d9 → Deployment api, in every namespace used below. */
const owners = ownerMap(
  ["shop", "pay"].flatMap((ns) =>
    ["api", "web", "cart"].flatMap((w) => [
      { object: pod(ns, `${w}-7d9f8c6b5-aaaaa`), owner: ref("ReplicaSet", ns, `${w}-7d9f8c6b5`) },
      { object: pod(ns, `${w}-7d9f8c6b5-bbbbb`), owner: ref("ReplicaSet", ns, `${w}-7d9f8c6b5`) },
      { object: pod(ns, `${w}-55c4d8f9b-ccccc`), owner: ref("ReplicaSet", ns, `${w}-55c4d8f9b`) },
      { object: ref("ReplicaSet", ns, `${w}-7d9f8c6b5`), owner: dep(ns, w) },
      { object: ref("ReplicaSet", ns, `${w}-55c4d8f9b`), owner: dep(ns, w) },
    ]),
  ),
);

function ev(
  s: number,
  object: ObjectRef,
  reason: string,
  message: string,
  extra: Partial<{ type: "Warning" | "Normal"; node: string; count: number }> = {},
): SignalInput {
  return { kind: "event", at: at(s), object, type: extra.type ?? "Warning", reason, message, ...extra };
}
function finding(
  s: number,
  code: string,
  object: ObjectRef,
  extra: Partial<{
    state: "firing" | "resolved";
    severity: "critical" | "high" | "medium" | "low";
    pod: ObjectRef;
    node: string;
  }> = {},
): SignalInput {
  return {
    kind: "finding",
    at: at(s),
    state: extra.state ?? "firing",
    id: `X/${code}/${object.kind}/${object.namespace}/${object.name}`,
    code,
    severity: extra.severity ?? "high",
    object,
    ownerChain: extra.pod !== undefined ? [extra.pod, object] : [object],
    reason: `${code} on ${object.name}`,
    fix: `fix ${code}`,
    action: "manual",
    ...(extra.node !== undefined ? { node: extra.node } : {}),
  };
}

function run(input: readonly SignalInput[], nowS: number, cfg = defaultIncidentConfig): readonly Incident[] {
  const signals: Signal[] = input.map((s) => SignalSchema.parse(s));
  return correlate(new Date(T0 + nowS * 1000), signals, owners, cfg);
}

const backoff = (s: number, p: ObjectRef, n = "node-1") =>
  ev(
    s,
    p,
    "BackOff",
    `Back-off restarting failed container app in pod ${p.name}_${p.namespace}(0b8c6a5e-1f2d-4c3b-9a8e-7d6c5b4a3f21)`,
    { node: n },
  );

interface Case {
  readonly name: string;
  readonly signals: readonly SignalInput[];
  readonly now: number;
  readonly expect: readonly {
    subject: string;
    cause: string;
    severity?: string;
    status?: string;
    pods?: number;
  }[];
}

const cases: Case[] = [
  {
    name: "warnings from two pods of one Deployment are one incident about the Deployment",
    signals: [
      backoff(0, pod("shop", "api-7d9f8c6b5-aaaaa")),
      backoff(5, pod("shop", "api-7d9f8c6b5-bbbbb")),
      backoff(30, pod("shop", "api-7d9f8c6b5-aaaaa")),
      backoff(60, pod("shop", "api-7d9f8c6b5-bbbbb")),
    ],
    now: 90,
    expect: [
      { subject: "Deployment/shop/api", cause: "BackOff", severity: "medium", status: "open", pods: 2 },
    ],
  },
  {
    name: "different workloads are different incidents",
    signals: [backoff(0, pod("shop", "api-7d9f8c6b5-aaaaa")), backoff(3, pod("shop", "web-7d9f8c6b5-aaaaa"))],
    now: 30,
    expect: [
      { subject: "Deployment/shop/api", cause: "BackOff" },
      { subject: "Deployment/shop/web", cause: "BackOff" },
    ],
  },
  {
    name: "a finding outranks the warnings it explains and sets the severity",
    signals: [
      backoff(0, pod("shop", "api-7d9f8c6b5-aaaaa")),
      finding(10, "CrashLoopBackOff", dep("shop", "api"), { pod: pod("shop", "api-7d9f8c6b5-aaaaa") }),
      finding(12, "UnavailableReplicas", dep("shop", "api"), { severity: "critical" }),
    ],
    now: 60,
    expect: [{ subject: "Deployment/shop/api", cause: "CrashLoopBackOff", severity: "critical" }],
  },
  {
    name: "a NotReady node explains the failures of pods of several workloads on it",
    signals: [
      ev(0, node("node-3"), "NodeNotReady", "Node node-3 status is now: NodeNotReady", { type: "Normal" }),
      ev(2, pod("shop", "api-7d9f8c6b5-aaaaa"), "NodeNotReady", "Node is not ready", { node: "node-3" }),
      ev(2, pod("pay", "cart-7d9f8c6b5-aaaaa"), "NodeNotReady", "Node is not ready", { node: "node-3" }),
      finding(8, "NodeNotReady", node("node-3"), { severity: "critical" }),
      finding(9, "UnavailableReplicas", dep("pay", "cart"), {
        pod: pod("pay", "cart-7d9f8c6b5-aaaaa"),
        node: "node-3",
      }),
      backoff(10, pod("shop", "web-7d9f8c6b5-aaaaa"), "node-1"),
    ],
    now: 60,
    expect: [
      { subject: "Node//node-3", cause: "NodeNotReady", severity: "critical", pods: 2 },
      { subject: "Deployment/shop/web", cause: "BackOff" },
    ],
  },
  {
    name: "a node problem takes over a workload incident on that node that began just before",
    signals: [
      finding(0, "UnavailableReplicas", dep("pay", "cart"), {
        pod: pod("pay", "cart-7d9f8c6b5-aaaaa"),
        node: "node-2",
      }),
      finding(20, "NodeUnreachable", node("node-2"), { severity: "critical" }),
    ],
    now: 40,
    expect: [{ subject: "Node//node-2", cause: "NodeUnreachable", severity: "critical" }],
  },
  {
    name: "a rollout shortly before a crash loop is ranked as its cause",
    signals: [
      ev(0, dep("shop", "api"), "ScalingReplicaSet", "Scaled up replica set api-7d9f8c6b5 to 2", {
        type: "Normal",
      }),
      ev(300, dep("shop", "api"), "ScalingReplicaSet", "Scaled up replica set api-55c4d8f9b to 1", {
        type: "Normal",
      }),
      backoff(320, pod("shop", "api-55c4d8f9b-ccccc")),
      finding(330, "CrashLoopBackOff", dep("shop", "api"), { pod: pod("shop", "api-55c4d8f9b-ccccc") }),
    ],
    now: 400,
    expect: [{ subject: "Deployment/shop/api", cause: "Rollout", severity: "high" }],
  },
  {
    name: "the first ReplicaSet of a new Deployment is not a rollout",
    signals: [
      ev(0, dep("shop", "api"), "ScalingReplicaSet", "Scaled up replica set api-7d9f8c6b5 to 2", {
        type: "Normal",
      }),
      finding(20, "CrashLoopBackOff", dep("shop", "api")),
    ],
    now: 60,
    expect: [{ subject: "Deployment/shop/api", cause: "CrashLoopBackOff" }],
  },
  {
    name: "a Service without endpoints joins its workload's incident and makes it critical",
    signals: [
      finding(0, "ReadinessProbeFailing", dep("shop", "api"), { severity: "medium" }),
      finding(10, "NoEndpoints", ref("Service", "shop", "api"), { severity: "high" }),
    ],
    now: 60,
    expect: [{ subject: "Deployment/shop/api", cause: "ReadinessProbeFailing", severity: "critical" }],
  },
  {
    name: "resolved findings and no warnings for the settle time resolve the incident",
    signals: [
      finding(0, "OOMKilled", dep("shop", "api")),
      backoff(5, pod("shop", "api-7d9f8c6b5-aaaaa")),
      finding(100, "OOMKilled", dep("shop", "api"), { state: "resolved" }),
    ],
    now: 200,
    expect: [{ subject: "Deployment/shop/api", cause: "OOMKilled", status: "resolved" }],
  },
  {
    name: "a burst after the quiet period is a new incident",
    signals: [
      backoff(0, pod("shop", "api-7d9f8c6b5-aaaaa")),
      backoff(1000, pod("shop", "api-7d9f8c6b5-aaaaa")),
    ],
    now: 1010,
    expect: [
      { subject: "Deployment/shop/api", cause: "BackOff", status: "resolved" },
      { subject: "Deployment/shop/api", cause: "BackOff", status: "open" },
    ],
  },
  {
    name: "Normal events alone make no incident",
    signals: [
      ev(0, dep("shop", "api"), "ScalingReplicaSet", "Scaled up replica set api-7d9f8c6b5 to 2", {
        type: "Normal",
      }),
    ],
    now: 60,
    expect: [],
  },
  {
    name: "an Alertmanager alert naming a Deployment joins that Deployment's incident",
    signals: [
      finding(0, "CrashLoopBackOff", dep("shop", "api")),
      {
        kind: "alert",
        at: at(30),
        status: "firing",
        name: "KubeDeploymentReplicasMismatch",
        fingerprint: "abc",
        labels: {
          alertname: "KubeDeploymentReplicasMismatch",
          namespace: "shop",
          deployment: "api",
          severity: "warning",
        },
        annotations: { summary: "Deployment has not matched the expected number of replicas." },
        startsAt: at(30),
        object: dep("shop", "api"),
      },
    ],
    now: 60,
    expect: [{ subject: "Deployment/shop/api", cause: "CrashLoopBackOff" }],
  },
];

const subjectOf = (i: Incident) => `${i.subject.kind}/${i.subject.namespace}/${i.subject.name}`;

describe("correlate", () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = run(c.signals, c.now);
      expect(
        got.map((i) => ({
          subject: subjectOf(i),
          cause: i.rootCauses[0]?.code,
          ...(c.expect.some((e) => e.severity !== undefined) ? { severity: i.severity } : {}),
          ...(c.expect.some((e) => e.status !== undefined) ? { status: i.status } : {}),
          ...(c.expect.some((e) => e.pods !== undefined) ? { pods: i.impact.pods } : {}),
        })),
      ).toEqual(
        c.expect.map((e, k) => {
          const i = got[k];
          return {
            subject: e.subject,
            cause: e.cause,
            ...(c.expect.some((x) => x.severity !== undefined)
              ? { severity: e.severity ?? i?.severity }
              : {}),
            ...(c.expect.some((x) => x.status !== undefined) ? { status: e.status ?? i?.status } : {}),
            ...(c.expect.some((x) => x.pods !== undefined) ? { pods: e.pods ?? i?.impact.pods } : {}),
          };
        }),
      );
    });
  }

  it("keeps incident ids stable as the stream grows", () => {
    const stream = cases[0]?.signals ?? [];
    const early = run(stream.slice(0, 2), 10);
    const late = run(stream, 90);
    expect(early[0]?.id).toBe(late[0]?.id);
    expect(late[0]?.id).toBe(incidentId("Deployment/shop/api", at(0)));
    expect(late[0]?.id).toMatch(/^inc-[0-9a-f]{10}$/);
  });

  it("gives the same incidents for any input order", () => {
    const stream = cases.flatMap((c) =>
      c.signals.filter((s) => (s.kind === "event" ? s.object.namespace !== "" : true)),
    );
    const a = run(stream, 2000);
    const b = run([...stream].reverse(), 2000);
    expect(b).toEqual(a);
  });

  it("ignores signals after now", () => {
    expect(run([backoff(100, pod("shop", "api-7d9f8c6b5-aaaaa"))], 50)).toEqual([]);
  });

  it("deduplicates the timeline: one entry per repeated warning, with a count and the pods", () => {
    const got = run(cases[0]?.signals ?? [], 90)[0];
    const backoffs = got?.timeline.filter((e) => e.text.startsWith("Warning BackOff")) ?? [];
    expect(backoffs).toHaveLength(1);
    expect(backoffs[0]?.count).toBe(4);
    expect(backoffs[0]?.text).toContain("[2 pods]");
    expect(backoffs[0]?.until).toBe(at(60));
  });

  it("caps the timeline and counts what it left out", () => {
    const cfg = IncidentConfig.parse({ maxTimeline: 4 });
    const many = Array.from({ length: 10 }, (_, k) =>
      ev(k, pod("shop", "api-7d9f8c6b5-aaaaa"), `Reason${String(k)}`, "m"),
    );
    const got = run(many, 20, cfg)[0];
    expect(got?.timeline).toHaveLength(4);
    expect(got?.timelineOmitted).toBe(6);
  });

  it("records Vigil's action and what fixed the incident", () => {
    const got = run(
      [
        finding(0, "CrashLoopBackOff", dep("shop", "api")),
        {
          kind: "action",
          at: at(20),
          action: "rollback",
          target: dep("shop", "api"),
          result: "succeeded",
          reason: "bad rollout",
        },
        finding(40, "CrashLoopBackOff", dep("shop", "api"), { state: "resolved" }),
      ],
      200,
    )[0];
    expect(got?.actionsTaken.map((a) => a.action)).toEqual(["rollback"]);
    expect(got?.fixedBy).toBe("rollback of Deployment shop/api by Vigil");
    expect(got?.status).toBe("resolved");
    expect(got?.resolvedAt).toBe(at(40));
  });

  it("recognises a recurring pattern and what fixed it last time", () => {
    const first = run(
      [
        finding(0, "OOMKilled", dep("shop", "api")),
        {
          kind: "action",
          at: at(20),
          action: "setResources",
          target: dep("shop", "api"),
          result: "succeeded",
          reason: "",
        },
        finding(40, "OOMKilled", dep("shop", "api"), { state: "resolved" }),
      ],
      200,
    );
    const second = run([finding(5000, "OOMKilled", dep("shop", "api"))], 5100);
    const marked = recall(second, first.map(remember));
    expect(marked[0]?.recurrence?.count).toBe(1);
    expect(marked[0]?.recurrence?.lastFix).toBe("setResources of Deployment shop/api by Vigil");
    expect(recall(first, first.map(remember))[0]?.recurrence).toBeUndefined();
  });
});
