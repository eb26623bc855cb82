/**
 * Small pure helpers the analyzers share: label selectors, quantities, time arithmetic, object references.
 */
import { objectRef, type ObjectRef } from "../model/index.js";
import type { Meta } from "./snapshot.js";

export const ref = objectRef;

export function refOf(kind: string, meta: Pick<Meta, "namespace" | "name">): ObjectRef {
  return ref(kind, meta.namespace, meta.name);
}

export { selectorMatches } from "../model/index.js";

/** A Service-style selector (map of equalities); an empty map selects nothing, as for Services. */
export function mapSelects(
  sel: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  const entries = Object.entries(sel);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

export { parseQuantity } from "../model/index.js";

/** Bytes as a short binary quantity ("200Mi"). */
export function formatBytes(b: number): string {
  for (const [s, m] of [
    ["Gi", 2 ** 30],
    ["Mi", 2 ** 20],
    ["Ki", 2 ** 10],
  ] as const) {
    if (b >= m) return `${Math.round((b / m) * 10) / 10}${s}`;
  }
  return String(Math.round(b));
}

export function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** Seconds from `iso` to `now`; undefined when the time is unknown. */
export function ageSeconds(now: Date, iso: string | undefined): number | undefined {
  const t = ms(iso);
  return t === undefined ? undefined : (now.getTime() - t) / 1000;
}

export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s}s`;
  if (s < 7_200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3_600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function earliest(times: readonly (string | undefined)[]): string | undefined {
  let best: string | undefined;
  let bestMs = Infinity;
  for (const t of times) {
    const v = ms(t);
    if (v !== undefined && v < bestMs) {
      bestMs = v;
      best = t;
    }
  }
  return best;
}

/** An image reference without a tag or with `:latest` (a digest pins it). */
export function imageUnpinned(image: string): boolean {
  if (image.includes("@")) return false;
  const last = image.slice(image.lastIndexOf("/") + 1);
  const colon = last.lastIndexOf(":");
  return colon < 0 || last.slice(colon + 1) === "latest";
}
