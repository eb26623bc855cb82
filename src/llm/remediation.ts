/**
 * The assistant's only write path: the remediation engine. A write tool names what it wants (a rollback of
 * `shop/web`); Vigil reads the cluster, runs the health analyzers and the pure planner (`src/remediate`)
 * with the HealingPolicies and the action history from the Incidents, and takes the action only if the
 * planner built it, with the planner's exact patches. Every guardrail the operator obeys (policy scope, the
 * kube-system rule, mode Off, PDBs, cooldown, per-hour and concurrency caps, duplicates, "made things worse
 * before", storms) therefore binds the assistant too; a blocked action comes back as the guardrail and its
 * message. Before a human is asked, the patches are sent as a server-side dry run; after approval they are
 * journaled in an Incident (journal first, as the healer does) and sent verbatim.
 */
import { HealingPolicySpec, type ActionKind } from "../api/index.js";
import * as health from "../health/index.js";
import { refKey, type ObjectRef } from "../model/index.js";
import * as remediate from "../remediate/index.js";
import { readSnapshot } from "./health.js";
import type { ClusterReader } from "./tools.js";
import { resolveKind } from "./views.js";

/** Planner actions the assistant may apply: changes to one workload in one namespace (node actions stay with the operator). */
export const ASSISTANT_ACTION_KINDS = [
  "rollback",
  "raiseMemory",
  "addStartupProbe",
  "restart",
  "cleanupPods",
] as const satisfies readonly ActionKind[];
export type AssistantActionKind = (typeof ASSISTANT_ACTION_KINDS)[number];

/**
 * The cluster policy of `vigil ask`: the schema defaults (mode DryRun, cooldown 300 s, 5 actions per hour,
 * 2 concurrent disruptions, no namespaceSelector, so system namespaces stay out). HealingPolicy objects
 * override it in their own namespace (`remediate.resolvePolicy`), as in the operator.
 */
export const DEFAULT_POLICY = "the cluster policy (schema defaults; no HealingPolicy governs it)";
const CLUSTER_POLICY: HealingPolicySpec = HealingPolicySpec.parse({});
const PENDING_ANNOTATION = "vigil.dev/pending-actions";
const DAY_MS = 86_400_000;

/** The HealingPolicy objects (every namespace); none when the CRD is not served or not readable. */
export async function readPolicies(r: ClusterReader, signal: AbortSignal): Promise<remediate.NamedPolicy[]> {
  const kind = resolveKind("healingpolicy");
  const out: remediate.NamedPolicy[] = [];
  if (kind !== undefined) {
    try {
      const res = await r.list({ kind, namespace: undefined, limit: 500 }, signal);
      for (const o of res.items) {
        const spec = HealingPolicySpec.safeParse((o as { spec?: unknown }).spec ?? {});
        if (spec.success)
          out.push({ namespace: o.metadata?.namespace ?? "", name: o.metadata?.name ?? "", spec: spec.data });
      }
    } catch {
      // Not served (no CRDs) or forbidden: the defaults apply.
    }
  }
  return out;
}

interface IncidentAction {
  id: string;
  kind: string;
  findingId: string;
  target: { apiVersion: string; kind: string; name: string; namespace?: string };
  scope: { apiVersion: string; kind: string; name: string; namespace?: string };
  mode: remediate.HistoryEntry["mode"];
  at: string;
  outcome: remediate.Outcome;
  signature?: string;
}

/** The last day of actions from the Incidents (every namespace), as the healer restores them. */
export async function readHistory(
  r: ClusterReader,
  now: Date,
  signal: AbortSignal,
): Promise<remediate.HistoryEntry[]> {
  const kind = resolveKind("incident");
  if (kind === undefined) return [];
  let items: readonly unknown[];
  try {
    items = (await r.list({ kind, namespace: undefined, limit: 2000 }, signal)).items;
  } catch {
    return [];
  }
  const out: remediate.HistoryEntry[] = [];
  for (const inc of items as {
    metadata?: { annotations?: Record<string, string> };
    status?: { actions?: IncidentAction[] };
  }[]) {
    for (const a of inc.status?.actions ?? []) {
      if (now.getTime() - Date.parse(a.at) > DAY_MS) continue;
      out.push(remediate.historyFromIncident(a));
    }
    const pending = inc.metadata?.annotations?.[PENDING_ANNOTATION];
    if (pending === undefined) continue;
    try {
      for (const a of JSON.parse(pending) as remediate.Action[])
        if (!out.some((h) => h.id === a.id && h.mode === "Auto"))
          out.push(remediate.historyEntry({ ...a, mode: "Auto" }, now.toISOString(), "pending"));
    } catch {
      // An unreadable annotation adds nothing; the status list still counts.
    }
  }
  return out;
}

/** Everything the planner needs for one namespace. */
export interface PlanningState {
  readonly now: Date;
  readonly namespace: string;
  readonly findings: readonly health.Finding[];
  readonly snapshot: health.Snapshot;
  readonly raw: remediate.RawLookup;
  readonly limitRanges: readonly remediate.LimitRange[];
  readonly namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly history: readonly remediate.HistoryEntry[];
  readonly policies: readonly remediate.NamedPolicy[];
}

export async function planningState(
  r: ClusterReader,
  namespace: string,
  now: Date,
  signal: AbortSignal,
): Promise<PlanningState> {
  const [snap, history, policies, limitRanges, labels] = await Promise.all([
    readSnapshot(r, namespace, signal),
    readHistory(r, now, signal),
    readPolicies(r, signal),
    (async () => {
      const k = resolveKind("limitrange");
      if (k === undefined) return [];
      try {
        const res = await r.list({ kind: k, namespace, limit: 100 }, signal);
        return res.items.flatMap((o) => {
          const lr = remediate.LimitRange.safeParse(o);
          return lr.success ? [lr.data] : [];
        });
      } catch {
        return [];
      }
    })(),
    (async () => {
      const k = resolveKind("namespace");
      if (k === undefined) return {};
      try {
        const o = await r.get({ kind: k, namespace: undefined, name: namespace }, signal);
        return o.metadata?.labels ?? {};
      } catch {
        return {};
      }
    })(),
  ]);
  return {
    now,
    namespace,
    findings: health.analyze(now, snap.snapshot, health.defaultHealthConfig),
    snapshot: snap.snapshot,
    raw: (ref) => snap.objects.get(refKey(ref)),
    limitRanges,
    namespaceLabels: { [namespace]: labels },
    history,
    policies,
  };
}

/** The planner's verdict, and which policies it weighed. */
export interface PolicyPlan {
  /** The policies in play: the cluster policy and the HealingPolicy objects of the namespace. */
  readonly policy: string;
  readonly plan: remediate.Plan;
}

/** The planner over the namespace, as the operator runs it (HealingPolicy objects resolved per target). Pure. */
export function planAll(s: PlanningState): PolicyPlan[] {
  const mine = s.policies.filter((p) => p.namespace === s.namespace);
  return [
    {
      policy:
        mine.length === 0
          ? DEFAULT_POLICY
          : `HealingPolicy ${mine.map((p) => `${p.namespace}/${p.name}`).join(", ")} over the cluster policy (schema defaults)`,
      plan: remediate.plan(s.now, {
        findings: s.findings,
        snapshot: s.snapshot,
        policy: CLUSTER_POLICY,
        policies: s.policies,
        history: s.history,
        raw: s.raw,
        limitRanges: s.limitRanges,
        namespaceLabels: s.namespaceLabels,
      }),
    },
  ];
}

/** The policy governing one target, for the approver and the messages. */
export function governingPolicy(s: PlanningState, target: ObjectRef): string {
  const labels =
    (s.raw(target) as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels ?? {};
  const r = remediate.resolvePolicy(CLUSTER_POLICY, s.policies, target, labels);
  return r.spec === CLUSTER_POLICY ? DEFAULT_POLICY : r.source;
}

/** What a write tool asks for. Built by code from the tool's arguments (see `writeRequest`). */
export interface WriteRequest {
  readonly tool: string;
  readonly kind: AssistantActionKind;
  readonly namespace: string;
  readonly name: string;
  /** From plan_remediation: the action must still be that one (same finding, same generation). */
  readonly actionId?: string | undefined;
  /** The model's words, shown to the human, never trusted. */
  readonly reason: string;
}

export type Decision =
  | {
      readonly type: "ready";
      readonly action: remediate.Action;
      readonly finding: health.Finding;
      readonly policy: string;
    }
  | {
      readonly type: "refused";
      /** A planner guardrail, or `noAction`, `stale`, `dryRunRejected`. */
      readonly guardrail: string;
      readonly message: string;
      readonly retryAt?: string | undefined;
    };

/**
 * Which planned action answers the request, or why none does. Policies are tried in order: a policy that
 * does not cover the target (outOfScope) gives way to the next; any other guardrail refuses. Pure.
 */
export function decide(
  req: WriteRequest,
  plans: readonly PolicyPlan[],
  findings: readonly health.Finding[],
  policyOf: (target: ObjectRef) => string = () => plans[0]?.policy ?? DEFAULT_POLICY,
): Decision {
  const on = (t: ObjectRef) => t.namespace === req.namespace && t.name === req.name;
  let outOfScope: remediate.Skipped | undefined;
  for (const { plan } of plans) {
    const a = plan.actions.find((x) => x.kind === req.kind && on(x.target));
    if (a !== undefined) {
      if (req.actionId !== undefined && req.actionId !== a.id)
        return {
          type: "refused",
          guardrail: "stale",
          message: `the planned action is now ${a.id}, not ${req.actionId} (the workload or its findings changed); review it with plan_remediation`,
        };
      const finding = findings.find((f) => f.id === a.reason.findingId);
      if (finding === undefined)
        return { type: "refused", guardrail: "noAction", message: "the action's finding is gone" };
      return { type: "ready", action: a, finding, policy: policyOf(a.target) };
    }
    const s = plan.skipped.find((x) => x.kind === req.kind && on(x.target));
    if (s === undefined) continue;
    if (s.guardrail === "outOfScope") {
      outOfScope ??= s;
      continue;
    }
    return {
      type: "refused",
      guardrail: s.guardrail,
      message: `${s.message} (${policyOf(s.target)})`,
      retryAt: s.retryAt,
    };
  }
  if (outOfScope !== undefined)
    return { type: "refused", guardrail: "outOfScope", message: outOfScope.message };
  const mine = findings.filter((f) => on(f.object) || f.ownerChain.some((o) => on(o) && o.kind !== "Node"));
  const planned = plans
    .flatMap((p) => p.plan.actions)
    .filter((a) => a.target.namespace === req.namespace)
    .map((a) => `${a.kind} ${refKey(a.target)}`);
  return {
    type: "refused",
    guardrail: "noAction",
    message:
      (mine.length === 0
        ? `Vigil has no finding on ${req.namespace}/${req.name}; the remediation engine acts only on a finding`
        : `the remediation engine proposes no ${req.kind} for ${req.namespace}/${req.name} (its findings: ${[...new Set(mine.map((f) => f.code))].join(", ")})`) +
      (planned.length > 0 ? `; it would do: ${[...new Set(planned)].join("; ")}` : ""),
  };
}

/** Sends one planner patch verbatim; `dryRun` adds `dryRun=All`. The edge uses the API server; tests record. */
export type PatchSender = (p: remediate.Patch, dryRun: boolean, signal: AbortSignal) => Promise<void>;

/** Records approved actions the way the healer does: in the finding's Incident, before the request is sent. */
export interface ActionJournal {
  /** Adds the action as pending (timeline `Acted`, with the patch); returns the Incident's name. */
  acted(
    e: {
      readonly action: remediate.Action;
      readonly finding: health.Finding;
      readonly at: string;
      readonly message: string;
      readonly patch: string;
    },
    signal: AbortSignal,
  ): Promise<string>;
  /** The request failed: the action's outcome becomes `failed`. */
  failed(incident: string, action: remediate.Action, message: string, signal: AbortSignal): Promise<void>;
}

export interface ReadyWrite {
  readonly type: "ready";
  readonly request: WriteRequest;
  readonly action: remediate.Action;
  readonly finding: health.Finding;
  readonly policy: string;
  /** The exact requests, as the human reviews them. */
  readonly patch: string;
  /** The server-side dry run's verdict. */
  readonly dryRun: string;
}

export type Prepared = ReadyWrite | Extract<Decision, { type: "refused" }>;

export interface Remediator {
  /** Plans with every guardrail and dry-runs the patches; changes nothing. */
  prepare(req: WriteRequest, signal: AbortSignal): Promise<Prepared>;
  /** Journals, then sends an approved action's patches; returns one line for the model. */
  apply(w: ReadyWrite, signal: AbortSignal): Promise<string>;
}

export function patchText(patches: readonly remediate.Patch[]): string {
  return JSON.stringify(
    patches.map((p) => ({ method: p.method, path: p.path, contentType: p.contentType, body: p.body })),
    undefined,
    2,
  );
}

const errText = (err: unknown) => (err instanceof Error ? err.message : "request failed");

export function createRemediator(o: {
  readonly cluster: ClusterReader;
  readonly send: PatchSender;
  readonly journal: ActionJournal;
  readonly now: () => Date;
}): Remediator {
  return {
    async prepare(req, signal) {
      const state = await planningState(o.cluster, req.namespace, o.now(), signal);
      const d = decide(req, planAll(state), state.findings, (t) => governingPolicy(state, t));
      if (d.type === "refused") return d;
      for (const p of d.action.patches) {
        try {
          await o.send(p, true, signal);
        } catch (err) {
          return {
            type: "refused",
            guardrail: "dryRunRejected",
            message: `the API server rejected the dry run of ${p.method} ${p.path}: ${errText(err)}`,
          };
        }
      }
      return {
        type: "ready",
        request: req,
        action: d.action,
        finding: d.finding,
        policy: d.policy,
        patch: patchText(d.action.patches),
        dryRun: `accepted by the API server (dryRun=All), ${d.action.patches.length} request(s)`,
      };
    },
    async apply(w, signal) {
      // Sent for real: it counts as an Auto action for every later plan (cooldown, caps, duplicates).
      const action: remediate.Action = { ...w.action, mode: "Auto" };
      let incident: string;
      try {
        incident = await o.journal.acted(
          {
            action,
            finding: w.finding,
            at: o.now().toISOString(),
            message: `approved in vigil ask (${w.request.tool}): ${action.reason.message}`,
            patch: w.patch,
          },
          signal,
        );
      } catch (err) {
        return `not applied: the action could not be journaled in an Incident first (${errText(err)})`;
      }
      for (const p of action.patches) {
        try {
          await o.send(p, false, signal);
        } catch (err) {
          const msg = `${p.method} ${p.path}: ${errText(err)}`;
          await o.journal.failed(incident, action, msg, signal).catch(() => undefined);
          return `failed: ${msg} (recorded in Incident ${incident})`;
        }
      }
      return `applied: ${action.kind} ${refKey(action.target)}: ${action.reason.message}. Recorded in Incident ${incident} (verification pending).`;
    },
  };
}
