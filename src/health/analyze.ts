/**
 * Turns a cluster snapshot into findings. Pure: no IO, no clock, no logging.
 *
 * Order of work: pod issues → the bad-rollout signature (absorbs the new revision's pod issues) → pod issues
 * grouped per workload → every other analyzer → drafts with the same id merged → symptoms (unavailable
 * replicas, failed Jobs, Services without ready endpoints) folded into the cause on the same object → sorted.
 */
import { refKey } from "../model/index.js";
import { autoscalingDrafts } from "./autoscaling.js";
import { clusterDrafts } from "./cluster.js";
import type { HealthConfig } from "./config.js";
import { buildCtx } from "./context.js";
import { finish, maxSeverity, mergeDrafts, type Draft } from "./draft.js";
import { compareFindings, severityRank, type Finding } from "./finding.js";
import { networkDrafts } from "./network.js";
import { groupPodIssues, podIssues } from "./pods.js";
import type { Snapshot } from "./snapshot.js";
import { configReferenceDrafts, hygieneDrafts } from "./specs.js";
import { badRollouts, workloadDrafts } from "./workloads.js";

function addEvidence(into: Draft, from: Draft): void {
  const seen = new Set(into.evidence.map((e) => `${refKey(e.object)}\u0000${e.message}`));
  for (const e of from.evidence) {
    const k = `${refKey(e.object)}\u0000${e.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      into.evidence.push(e);
    }
  }
}

/** Folds symptoms into a cause on the same (or the named) object; lone symptoms on one object into the worst. */
function foldSymptoms(drafts: readonly Draft[]): Draft[] {
  const causes = new Map<string, Draft[]>();
  for (const d of drafts) {
    if (d.symptom === true || d.standalone === true || d.analyzer === "ContainerHygiene") continue;
    const k = refKey(d.object);
    const list = causes.get(k);
    if (list === undefined) causes.set(k, [d]);
    else list.push(d);
  }
  const alone = new Map<string, Draft[]>();
  for (const s of drafts) {
    if (s.symptom !== true) continue;
    let cause: Draft | undefined;
    for (const t of s.foldInto ?? [s.object]) {
      const c = causes
        .get(refKey(t))
        ?.reduce((a, b) => (severityRank(b.severity) > severityRank(a.severity) ? b : a));
      if (c !== undefined) {
        cause = c;
        break;
      }
    }
    if (cause !== undefined) {
      addEvidence(cause, s);
      cause.severity = maxSeverity(cause.severity, s.severity);
      continue;
    }
    if (s.quiet === true) continue;
    const k = refKey(s.object);
    const list = alone.get(k);
    if (list === undefined) alone.set(k, [s]);
    else list.push(s);
  }
  const out = drafts.filter((d) => d.symptom !== true);
  for (const list of alone.values()) {
    const [head, ...rest] = [...list].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    if (head === undefined) continue;
    for (const r of rest) addEvidence(head, r);
    out.push(head);
  }
  return out;
}

/** All findings for a snapshot, one per root cause, most severe first. */
export function analyze(now: Date, snap: Snapshot, cfg: HealthConfig): readonly Finding[] {
  const ctx = buildCtx(now, snap, cfg);
  const issues = ctx.has("pods")
    ? snap.pods.filter((p) => ctx.inScope(p.metadata.namespace)).flatMap((p) => podIssues(ctx, p))
    : [];
  const rollouts = badRollouts(ctx, issues);
  const drafts = mergeDrafts([
    ...rollouts.drafts,
    ...groupPodIssues(
      ctx,
      issues.filter((i) => !rollouts.absorbed.has(i)),
    ),
    ...configReferenceDrafts(ctx),
    ...workloadDrafts(ctx),
    ...networkDrafts(ctx),
    ...autoscalingDrafts(ctx),
    ...clusterDrafts(ctx),
    ...hygieneDrafts(ctx),
  ]);
  return foldSymptoms(drafts)
    .map((d) => finish(d, cfg))
    .sort(compareFindings);
}
