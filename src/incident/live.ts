/**
 * The live notifier's step, pure: the operator keeps a bounded window of signals and the notify state, and
 * on every tick asks what to send. The window keeps exactly what correlation still needs (whole incidents
 * that are open, not yet announced as resolved, or recent, with their context, and the recent past that may
 * start a new one), so a live run sends what a replay of the full stream would send (live.test.ts checks it
 * on every recorded fault stream).
 */
import type { IncidentConfig } from "./config.js";
import { NOTABLE_NORMAL, correlate, type OwnerLookup } from "./correlate.js";
import type { Incident } from "./incident.js";
import { type AlertPolicy, type Notification, type NotifyState, planNotifications } from "./policy.js";
import type { Signal } from "./signal.js";

export interface LiveState {
  readonly signals: readonly Signal[];
  readonly notify: NotifyState;
  /** Signals dropped by the size cap (never by the retention rule), for a counter. */
  readonly dropped: number;
}

export const emptyLiveState: LiveState = { signals: [], notify: { groups: {} }, dropped: 0 };

export interface LiveStep {
  readonly incidents: readonly Incident[];
  readonly notifications: readonly Notification[];
  readonly state: LiveState;
}

/**
 * Whether a live signal is worth keeping: Normal events only when correlation reads them (rollouts, node
 * lifecycle, kills); every other signal always.
 */
export function relevant(s: Signal): boolean {
  return s.kind !== "event" || s.type === "Warning" || NOTABLE_NORMAL.has(s.reason);
}

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
};

/** Incident ids announced as open to some receiver: their resolution is still to be sent. */
function announced(notify: NotifyState): Set<string> {
  const out = new Set<string>();
  for (const g of Object.values(notify.groups))
    for (const [id, s] of Object.entries(g.incidents)) if (s.status === "open") out.add(id);
  return out;
}

/**
 * The signals correlation still needs at `now`. The window starts at the recent past (the longest of the
 * quiet, settle and context windows) and moves back to the start (less the context window) of every incident
 * that is open, whose resolution is not sent yet, or that has a signal inside the window, until no incident
 * straddles it. Every signal either belongs to an incident or is context before one, so the window holds whole
 * incidents only: correlating it gives the same incidents (same ids) as correlating the full stream, and what
 * falls out are incidents that are over and announced (or never will be).
 */
export function retain(
  now: Date,
  signals: readonly Signal[],
  incidents: readonly Incident[],
  notify: NotifyState,
  cfg: IncidentConfig,
): readonly Signal[] {
  const pending = announced(notify);
  const ctx = cfg.contextSeconds * 1000;
  let from = now.getTime() - Math.max(cfg.quietSeconds, cfg.settleSeconds, cfg.contextSeconds) * 1000;
  const bounds = incidents.map((i) => ({
    start: ms(i.startedAt) - ctx,
    last: ms(i.lastSignalAt),
    keep: i.status === "open" || pending.has(i.id),
  }));
  for (let moved = true; moved;) {
    moved = false;
    for (const b of bounds)
      if ((b.keep || b.last >= from) && b.start < from) {
        from = b.start;
        moved = true;
      }
  }
  return signals.filter((s) => ms(s.at) >= from);
}

/** Keeps at most `max` signals: stateful ones (findings, alerts) last, the oldest of the rest first. */
function cap(signals: readonly Signal[], max: number): { kept: readonly Signal[]; dropped: number } {
  const over = signals.length - max;
  if (over <= 0) return { kept: signals, dropped: 0 };
  const order = signals
    .map((s, i) => ({ i, stateful: s.kind === "finding" || s.kind === "alert", t: ms(s.at) }))
    .sort((a, b) => Number(a.stateful) - Number(b.stateful) || a.t - b.t || a.i - b.i);
  const drop = new Set(order.slice(0, over).map((x) => x.i));
  return { kept: signals.filter((_, i) => !drop.has(i)), dropped: over };
}

/**
 * One tick: add the new signals, correlate the window, plan the notifications and trim the window. The
 * caller sends the notifications; a group whose delivery failed is handed back with `unsend` so that the next
 * tick plans it again.
 */
export function liveStep(
  now: Date,
  state: LiveState,
  added: readonly Signal[],
  owners: OwnerLookup,
  opts: { readonly cfg: IncidentConfig; readonly policy: AlertPolicy; readonly maxSignals: number },
): LiveStep {
  const capped = cap([...state.signals, ...added], opts.maxSignals);
  const incidents = correlate(now, capped.kept, owners, opts.cfg);
  const plan = planNotifications(now, incidents, state.notify, opts.policy);
  return {
    incidents,
    notifications: plan.notifications,
    state: {
      signals: retain(now, capped.kept, incidents, plan.state, opts.cfg),
      notify: plan.state,
      dropped: state.dropped + capped.dropped,
    },
  };
}

/**
 * Undoes the planned sends of `groups` (their delivery failed): those groups get back what was sent before,
 * keeping when they were first seen, so the next step plans the same items again.
 */
export function unsend(before: NotifyState, after: NotifyState, groups: readonly string[]): NotifyState {
  const next = { ...after.groups };
  for (const g of groups) {
    const now = after.groups[g];
    const prev = before.groups[g];
    if (now === undefined) continue;
    next[g] = {
      firstSeenAt: prev?.firstSeenAt ?? now.firstSeenAt,
      ...(prev?.lastSentAt !== undefined ? { lastSentAt: prev.lastSentAt } : {}),
      incidents: prev?.incidents ?? {},
    };
  }
  return { groups: next };
}
