/**
 * Alert policy, pure: which incidents go to which receivers and when. Routing by severity, namespace and
 * label matchers (first match wins unless `continue`); grouping by labels (default: one group per incident);
 * group wait, group interval and repeat interval as in Alertmanager; resolve notifications; silences. A step
 * takes the current incidents and the previous state and returns the notifications to send and the new
 * state, so a replay gives the same notifications as the live run.
 */
import { z } from "zod";
import type { Incident } from "./incident.js";
import { SEVERITIES, SeverityName } from "./signal.js";

export const Matcher = z.object({
  name: z.string().min(1).max(256),
  value: z.string().max(1024),
  /** `=` equal, `!=` not equal, `=~` regex (anchored), `!~` not regex; a missing label is "". */
  op: z.enum(["=", "!=", "=~", "!~"]).default("="),
});
export type Matcher = z.output<typeof Matcher>;

export const Route = z.object({
  name: z.string().min(1).max(128),
  receivers: z.array(z.string().min(1).max(128)).min(1).max(16),
  /** Incidents below this severity do not match. */
  minSeverity: SeverityName.default("low"),
  /** Empty: any namespace. */
  namespaces: z.array(z.string().max(63)).max(256).default([]),
  matchers: z.array(Matcher).max(32).default([]),
  /** Keep matching later routes after this one. */
  continue: z.boolean().default(false),
  /** Incidents with equal values of these labels share notifications; `id` alone: one group per incident. */
  groupBy: z.array(z.string().max(256)).min(1).max(16).default(["id"]),
});
export type Route = z.output<typeof Route>;

export const Silence = z.object({
  id: z.string().min(1).max(128),
  matchers: z.array(Matcher).min(1).max(32),
  startsAt: z.string().max(64),
  endsAt: z.string().max(64),
  createdBy: z.string().max(256).default(""),
  comment: z.string().max(1024).default(""),
});
export type Silence = z.output<typeof Silence>;

const seconds = z.int().min(0).max(31_536_000);

export const AlertPolicy = z.object({
  routes: z
    .array(Route)
    .max(256)
    .prefault([{ name: "default", receivers: ["default"] }]),
  /** Wait this long after a group's first incident before its first notification (root causes settle). */
  groupWaitSeconds: seconds.default(30),
  /** At most one notification per group in this interval for new, escalated or resolved incidents. */
  groupIntervalSeconds: seconds.default(300),
  /** Re-send an open incident after this long. */
  repeatIntervalSeconds: seconds.default(14_400),
  sendResolved: z.boolean().default(true),
  /** Notify again when an open incident's severity rises. */
  notifyOnEscalation: z.boolean().default(true),
  silences: z.array(Silence).max(10_000).default([]),
  /** Incidents tracked per group; the oldest resolved ones go first. */
  maxTracked: z.int().min(10).max(1_000_000).default(10_000),
});
export type AlertPolicy = z.output<typeof AlertPolicy>;
export type AlertPolicyInput = z.input<typeof AlertPolicy>;
export const defaultAlertPolicy: AlertPolicy = AlertPolicy.parse({});

export type Change = "firing" | "escalated" | "repeat" | "resolved";

export interface NotificationItem {
  readonly change: Change;
  readonly incident: Incident;
}

export interface Notification {
  readonly receiver: string;
  readonly route: string;
  /** `receiver|route|label=value,…`: stable per group. */
  readonly group: string;
  readonly at: string;
  readonly items: readonly NotificationItem[];
}

interface Sent {
  readonly status: "open" | "resolved";
  readonly severity: SeverityName;
  readonly lastSentAt: string;
}

export interface GroupState {
  readonly firstSeenAt: string;
  readonly lastSentAt?: string | undefined;
  readonly incidents: Readonly<Record<string, Sent>>;
}

export interface NotifyState {
  readonly groups: Readonly<Record<string, GroupState>>;
}

export const emptyNotifyState: NotifyState = { groups: {} };

function rank(s: SeverityName): number {
  return 3 - SEVERITIES.indexOf(s);
}

/** Incident labels plus `id`, `status`, `severity`. */
export function labelsOf(i: Incident): Readonly<Record<string, string>> {
  return { ...i.labels, id: i.id, status: i.status, severity: i.severity };
}

export function matches(m: Matcher, labels: Readonly<Record<string, string>>): boolean {
  const v = labels[m.name] ?? "";
  switch (m.op) {
    case "=":
      return v === m.value;
    case "!=":
      return v !== m.value;
    case "=~":
    case "!~": {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${m.value})$`);
      } catch {
        return m.op === "!~";
      }
      return re.test(v) === (m.op === "=~");
    }
  }
}

export function routeMatches(r: Route, i: Incident): boolean {
  const labels = labelsOf(i);
  if (rank(i.severity) < rank(r.minSeverity)) return false;
  if (r.namespaces.length > 0 && !r.namespaces.includes(labels["namespace"] ?? "")) return false;
  return r.matchers.every((m) => matches(m, labels));
}

/** The routes an incident takes: in order, stopping at the first match without `continue`. */
export function routesFor(routes: readonly Route[], i: Incident): Route[] {
  const out: Route[] = [];
  for (const r of routes) {
    if (!routeMatches(r, i)) continue;
    out.push(r);
    if (!r.continue) break;
  }
  return out;
}

export function silencedBy(silences: readonly Silence[], i: Incident, now: Date): Silence | undefined {
  const t = now.getTime();
  const labels = labelsOf(i);
  return silences.find(
    (s) =>
      Date.parse(s.startsAt) <= t && t < Date.parse(s.endsAt) && s.matchers.every((m) => matches(m, labels)),
  );
}

const after = (iso: string | undefined, seconds: number, now: number): boolean =>
  iso === undefined || Date.parse(iso) + seconds * 1000 <= now;

/**
 * One step of the notifier: what to send now. Call it whenever incidents change and periodically (every
 * few seconds) so that waits and intervals elapse.
 */
export function planNotifications(
  now: Date,
  incidents: readonly Incident[],
  state: NotifyState,
  policy: AlertPolicy,
): { readonly notifications: readonly Notification[]; readonly state: NotifyState } {
  const t = now.getTime();
  const at = now.toISOString();
  const groups: Record<string, GroupState> = { ...state.groups };
  const members = new Map<string, { receiver: string; route: string; incidents: Incident[] }>();
  for (const i of incidents) {
    if (silencedBy(policy.silences, i, now) !== undefined) continue;
    const labels = labelsOf(i);
    for (const r of routesFor(policy.routes, i))
      for (const receiver of r.receivers) {
        const gk = `${receiver}|${r.name}|${r.groupBy.map((l) => `${l}=${labels[l] ?? ""}`).join(",")}`;
        const m = members.get(gk) ?? { receiver, route: r.name, incidents: [] };
        m.incidents.push(i);
        members.set(gk, m);
      }
  }
  const out: Notification[] = [];
  for (const [gk, m] of [...members].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const g: GroupState = groups[gk] ?? { firstSeenAt: at, incidents: {} };
    const items: NotificationItem[] = [];
    for (const i of m.incidents) {
      const sent = g.incidents[i.id];
      if (i.status === "resolved") {
        // Never announced (resolved within the group wait or while silenced): nothing to resolve.
        if (sent?.status === "open" && policy.sendResolved) items.push({ change: "resolved", incident: i });
        continue;
      }
      if (sent === undefined || sent.status === "resolved") items.push({ change: "firing", incident: i });
      else if (policy.notifyOnEscalation && rank(i.severity) > rank(sent.severity))
        items.push({ change: "escalated", incident: i });
      else if (after(sent.lastSentAt, policy.repeatIntervalSeconds, t))
        items.push({ change: "repeat", incident: i });
    }
    const waitOver =
      g.lastSentAt === undefined
        ? after(g.firstSeenAt, policy.groupWaitSeconds, t)
        : after(g.lastSentAt, policy.groupIntervalSeconds, t) || items.every((x) => x.change === "repeat");
    if (items.length === 0 || !waitOver) {
      groups[gk] = g;
      continue;
    }
    const next: Record<string, Sent> = { ...g.incidents };
    for (const x of items)
      next[x.incident.id] = {
        status: x.change === "resolved" ? "resolved" : "open",
        severity: x.incident.severity,
        lastSentAt: at,
      };
    groups[gk] = { firstSeenAt: g.firstSeenAt, lastSentAt: at, incidents: prune(next, policy.maxTracked) };
    out.push({ receiver: m.receiver, route: m.route, group: gk, at, items });
  }
  // Groups whose incidents all left the input and were all resolved (or never sent) are forgotten.
  const kept = Object.fromEntries(
    Object.entries(groups).filter(
      ([gk, g]) => members.has(gk) || Object.values(g.incidents).some((x) => x.status === "open"),
    ),
  );
  return { notifications: out, state: { groups: kept } };
}

/** Keeps at most `max` entries: open ones first, then the most recently sent. */
function prune(entries: Record<string, Sent>, max: number): Record<string, Sent> {
  const list = Object.entries(entries);
  if (list.length <= max) return entries;
  list.sort(
    ([, a], [, b]) =>
      (a.status === "open" ? 0 : 1) - (b.status === "open" ? 0 : 1) ||
      (a.lastSentAt < b.lastSentAt ? 1 : a.lastSentAt > b.lastSentAt ? -1 : 0),
  );
  return Object.fromEntries(list.slice(0, max));
}
