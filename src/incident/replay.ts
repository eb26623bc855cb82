/**
 * Replays a recorded signal stream through correlation and the alert policy with a fake clock, as the
 * operator would have run it live: every `stepSeconds` the incidents are recomputed from the signals seen so
 * far and the policy decides what to send. Counts what `vigil bench alerts` reports.
 */
import type { IncidentConfig } from "./config.js";
import { correlate, ownerMap } from "./correlate.js";
import type { Incident } from "./incident.js";
import {
  type AlertPolicy,
  type Change,
  type Notification,
  emptyNotifyState,
  planNotifications,
} from "./policy.js";
import type { Recording } from "./signal.js";

export interface IncidentTally {
  readonly id: string;
  readonly title: string;
  readonly status: Incident["status"];
  readonly changes: Readonly<Record<Change, number>>;
  /** One firing notification, no escalation or repeat, and one resolution when it resolved. */
  readonly notifiedOnce: boolean;
}

export interface ReplayResult {
  readonly scenario: string;
  readonly rawWarningEvents: number;
  readonly notifications: readonly Notification[];
  readonly incidents: readonly Incident[];
  readonly tallies: readonly IncidentTally[];
  /** Notified incident ids that are not among the final incidents (merged away after being sent). */
  readonly orphans: readonly string[];
}

/** Seconds the replay runs past the end of the recording so that quiet periods and intervals elapse. */
export function replayTail(cfg: IncidentConfig, policy: AlertPolicy): number {
  return (
    Math.max(cfg.quietSeconds, cfg.settleSeconds) + policy.groupWaitSeconds + policy.groupIntervalSeconds + 10
  );
}

export function replay(
  rec: Recording,
  cfg: IncidentConfig,
  policy: AlertPolicy,
  stepSeconds = 5,
): ReplayResult {
  const owners = ownerMap(rec.owners);
  const start = Math.min(Date.parse(rec.startedAt), ...rec.signals.map((s) => Date.parse(s.at)));
  const end = Math.max(Date.parse(rec.endedAt), ...rec.signals.map((s) => Date.parse(s.at)));
  const stop = end + replayTail(cfg, policy) * 1000;
  let state = emptyNotifyState;
  const sent: Notification[] = [];
  let incidents: readonly Incident[] = [];
  for (let t = start; t <= stop; t += stepSeconds * 1000) {
    const now = new Date(t);
    incidents = correlate(now, rec.signals, owners, cfg);
    const step = planNotifications(now, incidents, state, policy);
    state = step.state;
    sent.push(...step.notifications);
  }
  const changes = new Map<string, Record<Change, number>>();
  for (const n of sent)
    for (const x of n.items) {
      const c = changes.get(x.incident.id) ?? { firing: 0, escalated: 0, repeat: 0, resolved: 0 };
      c[x.change]++;
      changes.set(x.incident.id, c);
    }
  const ids = new Set(incidents.map((i) => i.id));
  const tallies = incidents.map((i): IncidentTally => {
    const c = changes.get(i.id) ?? { firing: 0, escalated: 0, repeat: 0, resolved: 0 };
    return {
      id: i.id,
      title: i.title,
      status: i.status,
      changes: c,
      notifiedOnce:
        c.firing === 1 &&
        c.escalated === 0 &&
        c.repeat === 0 &&
        c.resolved === (i.status === "resolved" ? 1 : 0),
    };
  });
  return {
    scenario: rec.scenario,
    rawWarningEvents: rec.signals.filter((s) => s.kind === "event" && s.type === "Warning").length,
    notifications: sent,
    incidents,
    tallies,
    orphans: [...changes.keys()].filter((id) => !ids.has(id)).sort(),
  };
}
