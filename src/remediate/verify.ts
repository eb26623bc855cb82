/**
 * Verification: after an action, is its goal met (finding gone, workloads available, node drained or
 * schedulable, pods gone) before the deadline, or did availability get worse than before the action? "worse"
 * is the signal to send the action's undo patches.
 */
import type { Finding, Snapshot } from "../health/index.js";
import { refKey } from "../model/index.js";
import { nodeReady, workloadOf } from "./cluster.js";
import type { Action } from "./types.js";

export const VERIFY_OUTCOMES = ["pending", "verified", "worse", "timedOut"] as const;
export type VerifyOutcome = (typeof VERIFY_OUTCOMES)[number];

export interface Verification {
  readonly outcome: VerifyOutcome;
  /** One line for the Incident timeline: what is met, missing or worse. */
  readonly reason: string;
  /** Send `action.undo` now: the outcome is "worse" and the action has an undo. */
  readonly undo: boolean;
}

/** Symptom codes the availability check already measures directly. */
const SYMPTOMS = new Set(["UnavailableReplicas"]);

/**
 * `actedAt` (when the action was sent, if known): a "new" finding whose onset (`since`) is earlier is the
 * fault the action is fixing, surfacing a moment late (a pod's ErrImagePull reported just after the
 * rollback was planned), not harm the action did.
 */
export function verify(
  now: Date,
  action: Action,
  snapshot: Snapshot,
  findings: readonly Finding[],
  actedAt?: string,
): Verification {
  const v = action.verify;
  const past = now.getTime() >= Date.parse(v.deadline);
  const missing: string[] = [];
  const worse: string[] = [];
  for (const w of v.workloads) {
    const cur = workloadOf(snapshot, w.ref);
    const name = `${w.ref.kind} ${w.ref.name}`;
    if (cur === undefined) {
      missing.push(`${name} not found`);
      continue;
    }
    if (cur.available < w.desired) missing.push(`${name} ${cur.available}/${w.desired} available`);
    if (cur.available < w.availableBefore && (cur.settled || past))
      worse.push(`${name} available ${w.availableBefore} → ${cur.available}`);
  }
  if (v.findingGone !== undefined && findings.some((f) => f.id === v.findingGone))
    missing.push(`finding ${v.findingGone} still present`);
  const watched = new Set([...v.watch, ...v.workloads.map((w) => w.ref)].map(refKey));
  const before = new Set(v.findingsBefore);
  const fresh = findings.filter(
    (f) =>
      watched.has(refKey(f.object)) &&
      !before.has(f.id) &&
      !SYMPTOMS.has(f.code) &&
      (f.severity === "critical" || f.severity === "high") &&
      !(actedAt !== undefined && f.since !== undefined && Date.parse(f.since) < Date.parse(actedAt)),
  );
  if (fresh.length > 0)
    worse.push(
      `new ${fresh.map((f) => f.code).join(", ")} on ${[...new Set(fresh.map((f) => refKey(f.object)))].join(", ")}`,
    );
  if (v.node !== undefined) {
    const n = snapshot.nodes.find((x) => x.metadata.name === v.node?.name);
    if (v.node.want === "drained") {
      if (n !== undefined && n.spec.unschedulable !== true)
        missing.push(`node ${v.node.name} is not cordoned`);
    } else if (n === undefined) missing.push(`node ${v.node.name} not found`);
    else {
      if (nodeReady(n)?.status !== "True") worse.push(`node ${v.node.name} is NotReady again`);
      if (n.spec.unschedulable === true) missing.push(`node ${v.node.name} is still cordoned`);
    }
  }
  for (const p of v.pods) {
    const cur = snapshot.pods.find(
      (x) =>
        x.metadata.namespace === p.namespace &&
        x.metadata.name === p.name &&
        (p.uid === "" || x.metadata.uid === p.uid),
    );
    if (cur === undefined) continue;
    if (v.terminatingIsEnough && cur.metadata.deletionTimestamp !== undefined) continue;
    missing.push(
      `pod ${p.namespace}/${p.name} still ${cur.metadata.deletionTimestamp === undefined ? "exists" : "terminating"}`,
    );
  }
  if (worse.length > 0)
    return {
      outcome: "worse",
      reason: `worse than before: ${worse.join("; ")}`,
      undo: action.undo !== undefined,
    };
  if (missing.length === 0) return { outcome: "verified", reason: verifiedReason(action), undo: false };
  return {
    outcome: past ? "timedOut" : "pending",
    reason: `${past ? `not met by ${v.deadline}` : "waiting"}: ${missing.join("; ")}`,
    undo: false,
  };
}

function verifiedReason(a: Action): string {
  const parts: string[] = [];
  if (a.verify.findingGone !== undefined) parts.push(`finding ${a.verify.findingGone} gone`);
  for (const w of a.verify.workloads) parts.push(`${w.ref.kind} ${w.ref.name} ≥ ${w.desired} available`);
  if (a.verify.node !== undefined) parts.push(`node ${a.verify.node.name} ${a.verify.node.want}`);
  if (a.verify.pods.length > 0)
    parts.push(
      `${a.verify.pods.length} pod${a.verify.pods.length === 1 ? "" : "s"} ${a.verify.terminatingIsEnough ? "evicted" : "gone"}`,
    );
  return parts.length === 0 ? "verified" : `verified: ${parts.join("; ")}`;
}
