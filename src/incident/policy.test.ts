import { describe, expect, it } from "vitest";
import {
  type AlertPolicyInput,
  type Incident,
  type Notification,
  type NotifyState,
  AlertPolicy,
  emptyNotifyState,
  matches,
  planNotifications,
  routesFor,
} from "./index.js";

const T0 = Date.parse("2026-11-20T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function inc(id: string, over: Partial<Incident> = {}, labels: Record<string, string> = {}): Incident {
  const severity = over.severity ?? "high";
  return {
    id,
    fingerprint: `X@${id}`,
    title: `title ${id}`,
    summary: `summary ${id}`,
    severity,
    status: "open",
    subject: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: id },
    startedAt: at(0),
    lastSignalAt: at(0),
    rootCauses: [],
    impact: { pods: 1, workloads: [], nodes: [], servicesWithoutEndpoints: [], warningEvents: 1 },
    timeline: [],
    timelineOmitted: 0,
    actionsTaken: [],
    signals: { events: 1, warningEvents: 1, findings: 0, anomalies: 0, logs: 0, actions: 0, alerts: 0 },
    ...over,
    labels: { namespace: "shop", severity, kind: "Deployment", name: id, cause: "X", ...labels },
  };
}

/** Runs the policy over `steps` (second → incidents), ticking every 5 s up to `until`. */
function simulate(
  policy: AlertPolicyInput,
  steps: Readonly<Record<number, readonly Incident[]>>,
  until: number,
): { sent: Notification[]; state: NotifyState } {
  const p = AlertPolicy.parse(policy);
  let state = emptyNotifyState;
  let current: readonly Incident[] = [];
  const sent: Notification[] = [];
  for (let s = 0; s <= until; s += 5) {
    current = steps[s] ?? current;
    const r = planNotifications(new Date(T0 + s * 1000), current, state, p);
    state = r.state;
    sent.push(...r.notifications);
  }
  return { sent, state };
}

const brief = (ns: readonly Notification[]) =>
  ns.map(
    (n) =>
      `${String((Date.parse(n.at) - T0) / 1000)}s ${n.receiver} ${n.items.map((x) => `${x.change}:${x.incident.id}`).join(",")}`,
  );

describe("planNotifications", () => {
  const table: {
    name: string;
    policy: AlertPolicyInput;
    steps: Record<number, readonly Incident[]>;
    until: number;
    want: string[];
  }[] = [
    {
      name: "waits group_wait, notifies once, then once on resolution after group_interval",
      policy: {},
      steps: { 0: [inc("a")], 100: [inc("a", { status: "resolved", resolvedAt: at(100) })] },
      until: 1000,
      want: ["30s default firing:a", "330s default resolved:a"],
    },
    {
      name: "an incident resolved within group_wait is never announced",
      policy: {},
      steps: { 0: [inc("a")], 10: [inc("a", { status: "resolved" })] },
      until: 600,
      want: [],
    },
    {
      name: "no resolve notification when send_resolved is off",
      policy: { sendResolved: false },
      steps: { 0: [inc("a")], 100: [inc("a", { status: "resolved" })] },
      until: 1000,
      want: ["30s default firing:a"],
    },
    {
      name: "repeats an open incident after the repeat interval",
      policy: { repeatIntervalSeconds: 600 },
      steps: { 0: [inc("a")] },
      until: 1300,
      want: ["30s default firing:a", "630s default repeat:a", "1230s default repeat:a"],
    },
    {
      name: "notifies an escalation once the group interval has passed",
      policy: {},
      steps: { 0: [inc("a", { severity: "medium" })], 60: [inc("a", { severity: "critical" })] },
      until: 600,
      want: ["30s default firing:a", "330s default escalated:a"],
    },
    {
      name: "a lower severity is no news",
      policy: {},
      steps: { 0: [inc("a", { severity: "critical" })], 60: [inc("a", { severity: "low" })] },
      until: 600,
      want: ["30s default firing:a"],
    },
    {
      name: "routes by namespace and severity; the first match wins",
      policy: {
        routes: [
          { name: "pay", receivers: ["pay-team"], namespaces: ["pay"] },
          { name: "pager", receivers: ["pager"], minSeverity: "critical" },
          { name: "rest", receivers: ["chat"] },
        ],
      },
      steps: {
        0: [
          inc("p", {}, { namespace: "pay" }),
          inc("c", { severity: "critical" }),
          inc("l", { severity: "low" }),
        ],
      },
      until: 40,
      want: ["30s chat firing:l", "30s pager firing:c", "30s pay-team firing:p"],
    },
    {
      name: "continue sends to later routes too; matchers with regex",
      policy: {
        routes: [
          { name: "all", receivers: ["archive"], continue: true },
          { name: "oom", receivers: ["chat"], matchers: [{ name: "cause", op: "=~", value: "OOM.*" }] },
        ],
      },
      steps: { 0: [inc("a", {}, { cause: "OOMKilled" }), inc("b", {}, { cause: "BackOff" })] },
      until: 40,
      want: ["30s archive firing:a", "30s archive firing:b", "30s chat firing:a"],
    },
    {
      name: "group_by namespace batches incidents of a namespace into one notification",
      policy: { routes: [{ name: "ns", receivers: ["chat"], groupBy: ["namespace"] }] },
      steps: { 0: [inc("a"), inc("b")], 100: [inc("a"), inc("b"), inc("c")] },
      until: 400,
      want: ["30s chat firing:a,firing:b", "330s chat firing:c"],
    },
    {
      name: "a silenced incident is held back and announced group_wait after the silence ends",
      policy: {
        silences: [{ id: "s1", matchers: [{ name: "name", value: "a" }], startsAt: at(0), endsAt: at(200) }],
      },
      steps: { 0: [inc("a"), inc("b")] },
      until: 400,
      want: ["30s default firing:b", "230s default firing:a"],
    },
    {
      name: "an incident resolved while silenced is never sent",
      policy: {
        silences: [
          {
            id: "s1",
            matchers: [{ name: "severity", op: "=~", value: "high|low" }],
            startsAt: at(0),
            endsAt: at(900),
          },
        ],
      },
      steps: { 0: [inc("a")], 100: [inc("a", { status: "resolved" })] },
      until: 1000,
      want: [],
    },
  ];
  for (const c of table)
    it(c.name, () => {
      expect(brief(simulate(c.policy, c.steps, c.until).sent)).toEqual(c.want);
    });

  it("forgets groups whose incidents left the input resolved", () => {
    const { state } = simulate({}, { 0: [inc("a")], 100: [inc("a", { status: "resolved" })], 400: [] }, 500);
    expect(state.groups).toEqual({});
  });

  it("is deterministic: the same steps give the same notifications", () => {
    const steps = { 0: [inc("a"), inc("b", { severity: "low" })], 50: [inc("a", { status: "resolved" })] };
    expect(simulate({}, steps, 800)).toEqual(simulate({}, steps, 800));
  });
});

describe("matchers and routes", () => {
  const labels = { namespace: "shop", severity: "high", cause: "OOMKilled" };
  it.each([
    [{ name: "namespace", op: "=", value: "shop" }, true],
    [{ name: "namespace", op: "!=", value: "shop" }, false],
    [{ name: "cause", op: "=~", value: "OOM.*" }, true],
    [{ name: "cause", op: "=~", value: "OOM" }, false],
    [{ name: "cause", op: "!~", value: "Back.*" }, true],
    [{ name: "missing", op: "=", value: "" }, true],
    [{ name: "cause", op: "=~", value: "(" }, false],
    [{ name: "cause", op: "!~", value: "(" }, true],
  ] as const)("%o → %s", (m, want) => {
    expect(matches(m, labels)).toBe(want);
  });

  it("takes no route when nothing matches", () => {
    const p = AlertPolicy.parse({ routes: [{ name: "pay", receivers: ["x"], namespaces: ["pay"] }] });
    expect(routesFor(p.routes, inc("a"))).toEqual([]);
  });
});
