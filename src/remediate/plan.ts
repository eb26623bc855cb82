/**
 * The planner: findings, the snapshot, the cluster policy plus the cluster's HealingPolicy objects (each
 * governing its namespace, see `resolvePolicy`) and the action history in; actions with exact
 * patches, skipped actions with the guardrail that stopped them, and escalations out. Pure and deterministic:
 * the same input gives the same plan, and DryRun and Auto plans differ only in each action's `mode`.
 *
 * Order of checks per proposed action: suspended → scope (namespaceSelector, kube-system, selector) → mode Off →
 * the remediation's own preconditions (storm, grace, PDB, quota, dependency, history of restarts) → duplicate →
 * failed before → busy → cooldown → per-hour cap → concurrency cap.
 */
import type { ActionKind, IncidentAction } from "../api/index.js";
import { severityRank, type Finding, type Snapshot } from "../health/index.js";
import { refKey, type ObjectRef } from "../model/index.js";
import { ageSeconds, plusSeconds, workloadOf } from "./cluster.js";
import { actionId } from "./ids.js";
import { cleanupPods, recommendCapacity } from "./pods.js";
import { evacuateNode, forceDeletes, pdbGate, stormActive, stormState, uncordonNode } from "./nodes.js";
import { inScope, modeFor, resolvePolicy, type ResolvedPolicy } from "./policy.js";
import type { Ctx, Proposal } from "./proposal.js";
import type { Action, Escalation, Guardrail, HistoryEntry, Plan, PlanInput, Skipped } from "./types.js";
import { raiseMemory, restart, rollback, startupProbe } from "./workloads.js";

const HOUR = 3_600;
const DAY = 86_400;
/** Kinds that change a pod template: one at a time per workload, with a cooldown between them. */
const COOLDOWN_KINDS: ReadonlySet<ActionKind> = new Set([
  "rollback",
  "raiseMemory",
  "addStartupProbe",
  "restart",
]);

function compareFindings(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id);
}

/** Labels the policy selector is matched against: the workload's, else the object's own. */
function labelsOf(snap: Snapshot, r: ObjectRef): Readonly<Record<string, string>> {
  const w = workloadOf(snap, r);
  if (w !== undefined) return w.meta.labels;
  const match = (m: { namespace: string; name: string }) => m.namespace === r.namespace && m.name === r.name;
  if (r.kind === "Pod") return snap.pods.find((p) => match(p.metadata))?.metadata.labels ?? {};
  if (r.kind === "Node") return snap.nodes.find((n) => n.metadata.name === r.name)?.metadata.labels ?? {};
  return {};
}

function proposals(
  base: Ctx,
  policyFor: (r: ObjectRef, labels: Readonly<Record<string, string>>) => ResolvedPolicy,
): { p: Proposal; policy: ResolvedPolicy }[] {
  const gate = pdbGate(base.snap);
  const out: { p: Proposal; policy: ResolvedPolicy }[] = [];
  const seen = new Set<string>();
  for (const f of [...base.findings].sort(compareFindings)) {
    // Knobs such as memory headroom or node grace come from the policy that governs the finding's object.
    const policy = policyFor(f.object, labelsOf(base.snap, f.object));
    const ctx: Ctx = policy.spec === base.policy ? base : { ...base, policy: policy.spec };
    const ps = [
      rollback(ctx, f),
      raiseMemory(ctx, f),
      startupProbe(ctx, f),
      restart(ctx, f),
      evacuateNode(ctx, f, gate),
      ...forceDeletes(ctx, f),
      uncordonNode(ctx, f),
      cleanupPods(ctx, f),
      recommendCapacity(ctx, f),
    ];
    for (const p of ps) {
      if (p === undefined) continue;
      const k = `${p.kind}\u0000${refKey(p.target)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ p, policy: p.target === f.object ? policy : policyFor(p.target, p.labels) });
    }
  }
  return out;
}

function entriesOn(history: readonly HistoryEntry[], scope: ObjectRef): HistoryEntry[] {
  const k = refKey(scope);
  return history.filter((h) => h.mode === "Auto" && refKey(h.scope) === k);
}

function summarize(
  actions: readonly Action[],
  skipped: readonly Skipped[],
  escalations: readonly Escalation[],
): string {
  const count = (xs: readonly string[]) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return [...m.entries()].map(([k, n]) => `${k} ${n}`).join(", ");
  };
  const parts: string[] = [];
  if (actions.length > 0)
    parts.push(
      `${actions.length} action${actions.length === 1 ? "" : "s"} (${count(actions.map((a) => a.mode))})`,
    );
  if (skipped.length > 0) parts.push(`${skipped.length} skipped (${count(skipped.map((s) => s.guardrail))})`);
  if (escalations.length > 0)
    parts.push(`${escalations.length} escalation${escalations.length === 1 ? "" : "s"}`);
  return parts.length === 0 ? "nothing to do" : parts.join("; ");
}

export function plan(now: Date, input: PlanInput): Plan {
  const { policy, snapshot: snap, history } = input;
  const storm = stormState(snap, policy.maxUnhealthyNodesPercent);
  const stormNow = stormActive(storm, now, input.stormUntil);
  const ctx: Ctx = {
    now,
    snap,
    policy,
    history,
    raw: input.raw,
    limitRanges: input.limitRanges ?? [],
    findings: input.findings,
    storm: stormNow.now || stormNow.remembered,
  };
  const actions: Action[] = [];
  const skipped: Skipped[] = [];
  const escalations = new Map<string, Escalation>();
  const escalate = (e: Escalation) => {
    const k = `${e.reason}\u0000${refKey(e.target)}`;
    const had = escalations.get(k);
    escalations.set(
      k,
      had === undefined
        ? e
        : { ...had, findingIds: [...new Set([...had.findingIds, ...e.findingIds])].sort() },
    );
  };

  const nodeFindings = input.findings.filter(
    (f) => f.code === "NodeNotReady" || f.code === "NodeUnreachable",
  );
  if (stormNow.now && !policy.suspend && policy.namespaceSelector === undefined && nodeFindings.length > 0) {
    const first = [...nodeFindings].sort((a, b) => a.object.name.localeCompare(b.object.name))[0];
    if (first !== undefined)
      escalate({
        reason: "storm",
        target: first.object,
        findingIds: nodeFindings.map((f) => f.id).sort(),
        message: `${storm.notReady}/${storm.total} nodes are NotReady, more than the ${storm.allowed} maxUnhealthyNodesPercent ${policy.maxUnhealthyNodesPercent}% allows: likely a network partition or a control-plane problem; Vigil takes no node action`,
      });
  }

  const auto = history.filter((h) => h.mode === "Auto");
  let inFlight = auto.filter((h) => h.outcome === "pending" && h.kind !== "recommendCapacity").length;
  const busy = new Set(
    auto.filter((h) => h.outcome === "pending" && COOLDOWN_KINDS.has(h.kind)).map((h) => refKey(h.scope)),
  );
  const plannedOn = new Map<string, number>();

  const policyFor = (r: ObjectRef, labels: Readonly<Record<string, string>>) =>
    resolvePolicy(policy, input.policies ?? [], r, labels);
  for (const { p, policy: governing } of proposals(ctx, policyFor)) {
    const f = p.finding;
    // Per-target rules (scope, mode, cooldown, rate, verification) follow the governing policy; the
    // cluster-wide cap on disruptions and the storm stop stay with the cluster policy.
    const pol = governing.spec;
    const named = governing.object === undefined ? "this policy" : governing.source;
    const base = { kind: p.kind, target: p.target, findingId: f.id };
    const skip = (
      guardrail: Guardrail,
      message: string,
      extra: { retryAt?: string | undefined; action?: Action } = {},
    ) => skipped.push({ ...base, guardrail, message, ...extra });
    if (pol.suspend) {
      skip("suspended", `${named === "this policy" ? "the policy" : named} is suspended`);
      continue;
    }
    const scope = inScope(pol, p.target, p.labels, input.namespaceLabels);
    if (!scope.ok) {
      skip(scope.guardrail, scope.message);
      continue;
    }
    const mode = modeFor(pol, p.kind);
    const r = p.result;
    if (r.type === "blocked") {
      if (mode === "Off") skip("modeOff", `${p.kind} is Off in ${named}`);
      else {
        skip(r.guardrail, r.message, { retryAt: r.retryAt });
        if (r.escalation !== undefined) escalate(r.escalation);
      }
      continue;
    }
    const key = `${f.id}|${p.kind}|${refKey(p.target)}|${r.generation}`;
    const id = actionId(p.kind, key);
    const watch = [...r.verify.watch, ...r.verify.workloads.map((w) => w.ref)].map(refKey);
    const action: Action = {
      id,
      key,
      kind: p.kind,
      target: p.target,
      scope: p.scope,
      mode: p.kind === "recommendCapacity" && mode === "Auto" ? "Recommend" : mode,
      disruptive: r.disruptive,
      reason: { findingId: f.id, message: r.message },
      patches: r.patches(id),
      undo: r.undo?.(id),
      verify: {
        ...r.verify,
        deadline: plusSeconds(now, pol.verifyTimeoutSeconds),
        findingsBefore: input.findings
          .filter((x) => watch.includes(refKey(x.object)))
          .map((x) => x.id)
          .sort(),
      },
      signature: r.signature,
      recommendation: r.recommendation,
    };
    if (mode === "Off") {
      skip("modeOff", `${p.kind} is Off in ${named}`, { action });
      continue;
    }
    const mine = entriesOn(history, p.scope);
    const dup = auto.find((h) => h.id === id && h.outcome !== "failed");
    if (dup !== undefined) {
      skip("duplicate", `already sent at ${dup.at} (${dup.outcome})`, { action });
      continue;
    }
    const bad = auto.find(
      (h) =>
        h.findingId === f.id &&
        h.kind === p.kind &&
        (h.outcome === "worse" || h.outcome === "undone") &&
        (ageSeconds(now, h.at) ?? Infinity) < DAY,
    );
    if (bad !== undefined) {
      const message = `${p.kind} for this finding made things worse at ${bad.at} (${bad.id}); not retried for 24 h`;
      skip("failedBefore", message, { action });
      escalate({ reason: "failedBefore", target: p.scope, findingIds: [f.id], message });
      continue;
    }
    const sk = refKey(p.scope);
    if (COOLDOWN_KINDS.has(p.kind)) {
      if (busy.has(sk)) {
        skip("busy", `another action on ${sk} is still being verified or was just planned`, { action });
        continue;
      }
      const last = mine
        .filter((h) => h.outcome !== "failed")
        .map((h) => ageSeconds(now, h.at) ?? Infinity)
        .reduce((a, b) => Math.min(a, b), Infinity);
      if (last < pol.cooldownSeconds) {
        skip(
          "cooldown",
          `last action on ${sk} ${Math.round(last)}s ago; cooldownSeconds ${pol.cooldownSeconds}`,
          {
            action,
            retryAt: plusSeconds(now, pol.cooldownSeconds - last),
          },
        );
        continue;
      }
    }
    const counts = action.mode === "Auto" || action.mode === "DryRun";
    if (p.kind !== "recommendCapacity") {
      const ages = mine.map((h) => ageSeconds(now, h.at) ?? Infinity).filter((a) => a < HOUR);
      const n = ages.length + (plannedOn.get(sk) ?? 0);
      if (n >= pol.maxActionsPerHour) {
        const oldest = ages.reduce((a, b) => Math.max(a, b), 0);
        skip(
          "rateLimit",
          `${n} actions on ${sk} in the last hour; maxActionsPerHour ${pol.maxActionsPerHour}`,
          {
            action,
            retryAt: ages.length > 0 ? plusSeconds(now, HOUR - oldest) : undefined,
          },
        );
        continue;
      }
    }
    if (action.disruptive && counts && inFlight >= policy.maxConcurrentDisruptions) {
      skip(
        "concurrency",
        `${inFlight} disruptive actions in flight; maxConcurrentDisruptions ${policy.maxConcurrentDisruptions}`,
        {
          action,
        },
      );
      continue;
    }
    for (const part of r.partial ?? [])
      skipped.push({
        kind: p.kind,
        target: part.target,
        findingId: f.id,
        guardrail: part.guardrail,
        message: part.message,
      });
    actions.push(action);
    if (counts) {
      plannedOn.set(sk, (plannedOn.get(sk) ?? 0) + 1);
      if (action.disruptive) inFlight++;
      if (COOLDOWN_KINDS.has(p.kind)) busy.add(sk);
    }
  }
  const esc = [...escalations.values()];
  return {
    at: now.toISOString(),
    actions,
    skipped,
    escalations: esc,
    summary: summarize(actions, skipped, esc),
  };
}

/** The journal entry for an action the executor sent (or recorded): what `history` expects. */
export function historyEntry(action: Action, at: string, outcome: HistoryEntry["outcome"]): HistoryEntry {
  return {
    id: action.id,
    kind: action.kind,
    findingId: action.reason.findingId,
    target: action.target,
    scope: action.scope,
    mode: action.mode,
    at,
    outcome,
    signature: action.signature,
  };
}

/** An action as an Incident records it (`status.actions[]`), read back as the planner's history. */
export function historyFromIncident(a: IncidentAction): HistoryEntry {
  const ref = (r: IncidentAction["target"]): ObjectRef => ({
    apiVersion: r.apiVersion,
    kind: r.kind,
    name: r.name,
    namespace: r.namespace ?? "",
  });
  return {
    id: a.id,
    kind: a.kind as HistoryEntry["kind"],
    findingId: a.findingId,
    target: ref(a.target),
    scope: ref(a.scope),
    mode: a.mode,
    at: a.at,
    outcome: a.outcome,
    signature: a.signature,
  };
}
