/**
 * Recurring patterns: an incident whose fingerprint (cause and subject) matches a past incident is marked as
 * seen before, with what fixed it last time. The history is plain data the edge keeps (resolved Incident
 * resources, or a file); `remember` turns a resolved incident into a history entry.
 */
import { z } from "zod";
import type { Incident } from "./incident.js";

export const PastIncident = z.object({
  id: z.string().max(64),
  fingerprint: z.string().max(1024),
  title: z.string().max(1024).default(""),
  startedAt: z.string().max(64),
  resolvedAt: z.string().max(64).optional(),
  /** What fixed it, for a person. */
  fixedBy: z.string().max(1024).optional(),
});
export type PastIncident = z.output<typeof PastIncident>;

export const History = z.array(PastIncident).max(100_000);

export function remember(i: Incident): PastIncident {
  return {
    id: i.id,
    fingerprint: i.fingerprint,
    title: i.title,
    startedAt: i.startedAt,
    ...(i.resolvedAt !== undefined ? { resolvedAt: i.resolvedAt } : {}),
    ...(i.fixedBy !== undefined ? { fixedBy: i.fixedBy } : {}),
  };
}

/** Marks incidents seen before; only past incidents that started earlier count. */
export function recall(
  incidents: readonly Incident[],
  history: readonly PastIncident[],
): readonly Incident[] {
  const byFp = new Map<string, PastIncident[]>();
  for (const h of history) byFp.set(h.fingerprint, [...(byFp.get(h.fingerprint) ?? []), h]);
  return incidents.map((i) => {
    const past = (byFp.get(i.fingerprint) ?? [])
      .filter((h) => h.id !== i.id && h.startedAt < i.startedAt)
      .sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
    const last = past.at(-1);
    if (last === undefined) return i;
    const lastFix = [...past].reverse().find((h) => h.fixedBy !== undefined)?.fixedBy;
    const text =
      `seen ${String(past.length)} time(s) before (last ${last.id}, started ${last.startedAt})` +
      (lastFix !== undefined ? `; last fixed by ${lastFix}` : "; no fix was recorded");
    return {
      ...i,
      recurrence: {
        count: past.length,
        lastId: last.id,
        lastStartedAt: last.startedAt,
        ...(lastFix !== undefined ? { lastFix } : {}),
        text,
      },
    };
  });
}
