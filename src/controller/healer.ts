/**
 * @module
 * The self-healing loop, thin: after each analysis it verifies the actions in flight (undoing those that
 * made things worse), asks the pure planner what to do, records each decision in an Incident custom
 * resource BEFORE acting, then sends the planner's patches verbatim. State lives in the API server: on
 * restart the Incidents give back the history and the actions still being verified, so nothing is done
 * twice and nothing is lost.
 */
import { createHash } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";
import type { HealingPolicySpec, IncidentAction, IncidentStatus, TimelineEntry } from "../api/index.js";
import type * as health from "../health/index.js";
import { expectOk, KubeError, rawRequest } from "../kube/index.js";
import { refKey, type Clock, type ObjectRef } from "../model/index.js";
import * as remediate from "../remediate/index.js";

export const INCIDENT_GROUP_PATH = "/apis/vigil.dev/v1alpha1";
const PENDING_ANNOTATION = "vigil.dev/pending-actions";
const FINDING_LABEL = "vigil.dev/finding";

export type HealEvent =
  | {
      readonly type: "acted" | "planned" | "dryRun";
      readonly action: remediate.Action;
      readonly incident: string;
    }
  | {
      readonly type: "verified" | "undone" | "timedOut" | "failed";
      readonly action: remediate.Action;
      readonly incident: string;
      readonly detail: string;
    }
  | {
      readonly type: "resolved";
      readonly incident: string;
      readonly finding: string;
      readonly mttrSeconds: number;
    }
  | { readonly type: "escalated"; readonly incident: string; readonly message: string }
  | { readonly type: "skipped"; readonly skipped: remediate.Skipped };

export interface HealerOptions {
  readonly clock: Clock;
  /** The cluster policy (from `vigil run --mode`): the default, and the cluster-wide limits. */
  readonly policy: HealingPolicySpec;
  /** The HealingPolicy objects currently in the cluster (each governs its namespace). */
  readonly policies?: () => readonly remediate.NamedPolicy[];
  /** Namespace the Incident objects live in. */
  readonly incidentNamespace: string;
  readonly onEvent: (e: HealEvent) => void;
  readonly onError: (fields: { op: string; error: string }) => void;
}

interface IncidentObj {
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: { target: ObjectRef & { namespace?: string }; findingId: string; reason: string; severity: string };
  status?: IncidentStatus;
}

function short(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 12);
}

function toApiRef(r: ObjectRef): { apiVersion: string; kind: string; name: string; namespace?: string } {
  return {
    apiVersion: r.apiVersion,
    kind: r.kind,
    name: r.name,
    ...(r.namespace !== "" ? { namespace: r.namespace } : {}),
  };
}

export class Healer {
  readonly #kc: KubeConfig;
  readonly #o: HealerOptions;
  /** Open incidents by finding id. */
  readonly #open = new Map<string, IncidentObj>();
  /** Actions being verified: action id -> action and its incident. */
  readonly #pending = new Map<string, { action: remediate.Action; incident: string }>();
  #history: remediate.HistoryEntry[] = [];
  /** Actions journaled by a previous run that may not have been sent: checked and sent on the first cycle. */
  #resume: { action: remediate.Action; incident: string }[] = [];
  #escalated = new Set<string>();
  /** After a storm escalation, node actions stay blocked until then (see remediate.STORM_MEMORY_SECONDS). */
  #stormUntil: string | undefined;
  #running = false;
  #again:
    | (() => { findings: readonly health.Finding[]; snapshot: health.Snapshot; raw: remediate.RawLookup })
    | undefined;

  constructor(kc: KubeConfig, opts: HealerOptions) {
    this.#kc = kc;
    this.#o = opts;
  }

  get #base(): string {
    return `${INCIDENT_GROUP_PATH}/namespaces/${this.#o.incidentNamespace}/incidents`;
  }

  /** Reads the Incidents back: open ones, their actions (history) and the actions still in flight. */
  async restore(): Promise<void> {
    const body = expectOk(await rawRequest(this.#kc, "GET", this.#base), "list", "incidents") as {
      items?: IncidentObj[];
    };
    const dayAgo = this.#o.clock.now().getTime() - 24 * 3600_000;
    for (const inc of body.items ?? []) {
      for (const a of inc.status?.actions ?? []) {
        if (Date.parse(a.at) >= dayAgo) this.#history.push(remediate.historyFromIncident(a));
      }
      const phase = inc.status?.phase;
      if (phase !== "Resolved") this.#open.set(inc.spec.findingId, inc);
      if (phase === "Escalated") this.#escalated.add(inc.spec.findingId);
      const pending = inc.metadata.annotations?.[PENDING_ANNOTATION];
      if (pending !== undefined) {
        try {
          const decided = new Set(
            (inc.status?.actions ?? []).filter((a) => a.outcome !== "pending").map((a) => a.id),
          );
          for (const a of JSON.parse(pending) as remediate.Action[]) {
            if (decided.has(a.id)) continue;
            this.#pending.set(a.id, { action: a, incident: inc.metadata.name });
            this.#resume.push({ action: a, incident: inc.metadata.name });
            // The annotation is written before status.actions: a crash in between leaves no history entry,
            // and the planner would plan (and send) the same action again.
            if (!this.#history.some((h) => h.id === a.id && h.mode === "Auto"))
              this.#history.push(remediate.historyEntry(a, this.#o.clock.now().toISOString(), "pending"));
          }
        } catch {
          this.#o.onError({
            op: "restore",
            error: `incident ${inc.metadata.name} has an unreadable ${PENDING_ANNOTATION}`,
          });
        }
      }
    }
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Runs one heal cycle; calls made while one runs are folded into one more cycle afterwards. */
  async cycle(
    input: () => { findings: readonly health.Finding[]; snapshot: health.Snapshot; raw: remediate.RawLookup },
  ): Promise<void> {
    if (this.#running) {
      this.#again = input;
      return;
    }
    this.#running = true;
    try {
      let next: typeof input | undefined = input;
      while (next !== undefined) {
        this.#again = undefined;
        await this.#cycleOnce(next());
        next = this.#again;
      }
    } finally {
      this.#running = false;
    }
  }

  async #cycleOnce(inp: {
    findings: readonly health.Finding[];
    snapshot: health.Snapshot;
    raw: remediate.RawLookup;
  }): Promise<void> {
    const now = this.#o.clock.now();
    const byId = new Map(inp.findings.map((f) => [f.id, f]));

    // 0. Actions a killed predecessor journaled: send those that never reached the cluster.
    for (const p of this.#resume.splice(0)) {
      if (await this.#applied(p.action)) continue;
      const err = await this.#send(p.action.patches, false);
      if (err !== undefined) {
        this.#pending.delete(p.action.id);
        await this.#recordOutcome(p, "failed", "Note", `request failed on resume: ${err}`);
        this.#o.onEvent({ type: "failed", action: p.action, incident: p.incident, detail: err });
      } else this.#o.onEvent({ type: "acted", action: p.action, incident: p.incident });
    }

    // 1. Verify what is in flight.
    for (const [id, p] of [...this.#pending]) {
      const actedAt = this.#history.find((h) => h.id === id && h.mode === "Auto")?.at;
      const v = remediate.verify(now, p.action, inp.snapshot, inp.findings, actedAt);
      if (v.outcome === "pending") continue;
      this.#pending.delete(id);
      if (v.outcome === "verified") {
        await this.#recordOutcome(p, "verified", "Verified", v.reason);
        this.#o.onEvent({ type: "verified", action: p.action, incident: p.incident, detail: v.reason });
      } else if (v.undo && p.action.undo !== undefined && p.action.undo.length > 0) {
        const err = await this.#send(p.action.undo, false);
        await this.#recordOutcome(
          p,
          err === undefined ? "undone" : "failed",
          "Undone",
          `${v.reason}; undo ${err === undefined ? "applied" : `failed: ${err}`}`,
        );
        this.#o.onEvent({ type: "undone", action: p.action, incident: p.incident, detail: v.reason });
      } else {
        await this.#recordOutcome(p, v.outcome === "worse" ? "worse" : "timedOut", "Escalated", v.reason);
        this.#o.onEvent({ type: "timedOut", action: p.action, incident: p.incident, detail: v.reason });
      }
    }

    // 2. Resolve incidents whose finding is gone and that have nothing in flight.
    for (const [fid, inc] of [...this.#open]) {
      if (byId.has(fid)) continue;
      if ([...this.#pending.values()].some((p) => p.incident === inc.metadata.name)) continue;
      const detected = Date.parse(inc.status?.detectedAt ?? now.toISOString());
      const mttr = Math.max(0, (now.getTime() - detected) / 1000);
      await this.#updateStatus(inc, (st) => ({
        ...st,
        phase: "Resolved",
        resolvedAt: now.toISOString(),
        mttrSeconds: Math.round(mttr * 10) / 10,
        timeline: [
          ...(st.timeline ?? []),
          { time: now.toISOString(), kind: "Resolved", message: "the finding is gone" },
        ],
      }));
      this.#open.delete(fid);
      this.#escalated.delete(fid);
      this.#o.onEvent({ type: "resolved", incident: inc.metadata.name, finding: fid, mttrSeconds: mttr });
    }

    // 3. Plan.
    const plan = remediate.plan(now, {
      findings: inp.findings,
      snapshot: inp.snapshot,
      policy: this.#o.policy,
      policies: this.#o.policies?.() ?? [],
      history: this.#history,
      raw: inp.raw,
      stormUntil: this.#stormUntil,
    });
    if (plan.escalations.some((e) => e.reason === "storm")) {
      this.#stormUntil = new Date(now.getTime() + remediate.STORM_MEMORY_SECONDS * 1000).toISOString();
    }
    for (const s of plan.skipped) this.#o.onEvent({ type: "skipped", skipped: s });
    for (const e of plan.escalations) {
      for (const fid of e.findingIds) {
        if (this.#escalated.has(fid)) continue;
        const f = byId.get(fid);
        if (f === undefined) continue;
        const inc = await this.#incidentFor(f, now);
        await this.#updateStatus(inc, (st) => ({
          ...st,
          phase: "Escalated",
          timeline: [
            ...(st.timeline ?? []),
            { time: now.toISOString(), kind: "Escalated", message: e.message.slice(0, 4000) },
          ],
        }));
        this.#escalated.add(fid);
        this.#o.onEvent({ type: "escalated", incident: inc.metadata.name, message: e.message });
      }
    }
    for (const action of plan.actions) {
      const f = byId.get(action.reason.findingId);
      if (f === undefined) continue;
      if (this.#history.some((h) => h.id === action.id && h.mode === action.mode)) continue; // idempotent
      const inc = await this.#incidentFor(f, now);
      const patchText = JSON.stringify(
        action.patches.map((p) => ({
          method: p.method,
          path: p.path,
          contentType: p.contentType,
          body: p.body,
        })),
      );
      if (action.mode === "Recommend") {
        await this.#appendAction(inc, action, now, "verified", {
          kind: "Planned",
          message: `recommended: ${action.reason.message}`,
          patch: patchText.slice(0, 32000),
        });
        this.#o.onEvent({ type: "planned", action, incident: inc.metadata.name });
        continue;
      }
      if (action.mode === "DryRun") {
        const err = await this.#send(action.patches, true);
        await this.#appendAction(inc, action, now, err === undefined ? "verified" : "failed", {
          kind: "Planned",
          message: `dry run${err === undefined ? "" : ` rejected: ${err}`}: ${action.reason.message}`,
          patch: patchText.slice(0, 32000),
        });
        this.#o.onEvent({ type: "dryRun", action, incident: inc.metadata.name });
        continue;
      }
      // Auto: journal first (pending), then act; a crash in between is seen on restart as a pending action.
      await this.#appendAction(
        inc,
        action,
        now,
        "pending",
        { kind: "Acted", message: action.reason.message, patch: patchText.slice(0, 32000) },
        true,
      );
      const err = await this.#send(action.patches, false);
      if (err !== undefined) {
        this.#pending.delete(action.id);
        await this.#recordOutcome(
          { action, incident: inc.metadata.name },
          "failed",
          "Note",
          `request failed: ${err}`,
        );
        this.#o.onEvent({ type: "failed", action, incident: inc.metadata.name, detail: err });
        continue;
      }
      this.#o.onEvent({ type: "acted", action, incident: inc.metadata.name });
    }
  }

  /**
   * Did a journaled action reach the cluster? Workload and node changes carry the action id in an
   * annotation; deletions and evictions are idempotent (uid preconditions, 404 is success), so they
   * count as not applied and are simply sent again.
   */
  async #applied(a: remediate.Action): Promise<boolean> {
    const first = a.patches[0];
    if (first === undefined || first.type === "delete" || first.type === "eviction") return false;
    try {
      const obj = expectOk(await rawRequest(this.#kc, "GET", first.path), "read", first.path) as {
        metadata?: { annotations?: Record<string, string> };
      };
      const ann = obj.metadata?.annotations ?? {};
      return ann[remediate.ANNOTATION_ACTION] === a.id || ann[remediate.ANNOTATION_CORDONED] === a.id;
    } catch {
      return true; // cannot tell: do not risk a second send; verification decides
    }
  }

  /** Sends patches in order; returns an error message at the first failure. A 409 on a retry of the same action counts as done. */
  async #send(patches: readonly remediate.Patch[], dryRun: boolean): Promise<string | undefined> {
    for (const p of patches) {
      const q = new URLSearchParams();
      if (p.method === "PATCH") q.set("fieldManager", "vigil");
      if (dryRun) q.set("dryRun", "All");
      const qs = q.toString();
      try {
        const res = await rawRequest(this.#kc, p.method, `${p.path}${qs !== "" ? `?${qs}` : ""}`, {
          body: JSON.stringify(p.body),
          contentType: p.contentType,
        });
        if (p.type === "delete" && res.status === 404) continue; // already gone: the goal is met
        expectOk(res, p.method, p.path);
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    }
    return undefined;
  }

  async #incidentFor(f: health.Finding, now: Date): Promise<IncidentObj> {
    const have = this.#open.get(f.id);
    if (have !== undefined) return have;
    const name = `${f.object.name.slice(0, 30).replace(/[^a-z0-9-]/g, "-")}-${short(f.id)}-${Math.floor(now.getTime() / 1000).toString(36)}`;
    const body = {
      apiVersion: "vigil.dev/v1alpha1",
      kind: "Incident",
      metadata: { name, namespace: this.#o.incidentNamespace, labels: { [FINDING_LABEL]: short(f.id) } },
      spec: {
        target: toApiRef(f.object),
        findingId: f.id,
        reason: f.reason.slice(0, 1000),
        severity: f.severity,
      },
    };
    const created = expectOk(
      await rawRequest(this.#kc, "POST", this.#base, { body: JSON.stringify(body) }),
      "create",
      `incident ${name}`,
    ) as IncidentObj;
    const detectedAt =
      f.since !== undefined && Date.parse(f.since) < now.getTime() ? now.toISOString() : now.toISOString();
    const inc = await this.#putStatus(created, {
      phase: "Open",
      detectedAt,
      timeline: [{ time: detectedAt, kind: "Detected", message: `${f.code}: ${f.reason}`.slice(0, 4000) }],
      actions: [],
    });
    this.#open.set(f.id, inc);
    return inc;
  }

  async #appendAction(
    inc: IncidentObj,
    action: remediate.Action,
    now: Date,
    outcome: remediate.Outcome,
    entry: Omit<TimelineEntry, "time" | "action">,
    pending = false,
  ): Promise<void> {
    const h = remediate.historyEntry(action, now.toISOString(), outcome);
    this.#history.push(h);
    if (pending) this.#pending.set(action.id, { action, incident: inc.metadata.name });
    const record = toRecord(h);
    if (pending) await this.#setPendingAnnotation(inc);
    await this.#updateStatus(inc, (st) => ({
      ...st,
      phase: outcome === "pending" ? "Verifying" : st.phase,
      actions: [...(st.actions ?? []), record].slice(-50),
      timeline: [...(st.timeline ?? []), { time: now.toISOString(), action: action.kind, ...entry }].slice(
        -200,
      ),
    }));
  }

  async #recordOutcome(
    p: { action: remediate.Action; incident: string },
    outcome: remediate.Outcome,
    kind: TimelineEntry["kind"],
    message: string,
  ): Promise<void> {
    const now = this.#o.clock.now();
    this.#history = this.#history.map((h) =>
      h.id === p.action.id && h.outcome === "pending" ? { ...h, outcome } : h,
    );
    const inc = [...this.#open.values()].find((i) => i.metadata.name === p.incident);
    if (inc === undefined) return;
    // The outcome first, then the journal entry goes: killed in between, the restarted operator finds the
    // action still journaled but already decided (and skips it) instead of undecided and no longer journaled.
    await this.#updateStatus(inc, (st) => ({
      ...st,
      phase:
        kind === "Escalated"
          ? "Escalated"
          : outcome === "verified" || outcome === "undone"
            ? "Open"
            : st.phase,
      actions: withOutcome(st.actions ?? [], this.#history, p.action.id, outcome),
      timeline: [
        ...(st.timeline ?? []),
        { time: now.toISOString(), kind, action: p.action.kind, message: message.slice(0, 4000) },
      ].slice(-200),
    }));
    await this.#setPendingAnnotation(inc);
  }

  async #setPendingAnnotation(inc: IncidentObj): Promise<void> {
    const mine = [...this.#pending.values()]
      .filter((p) => p.incident === inc.metadata.name)
      .map((p) => p.action);
    const patch = {
      metadata: { annotations: { [PENDING_ANNOTATION]: mine.length > 0 ? JSON.stringify(mine) : null } },
    };
    try {
      const res = await rawRequest(this.#kc, "PATCH", `${this.#base}/${inc.metadata.name}`, {
        body: JSON.stringify(patch),
        contentType: "application/merge-patch+json",
      });
      const obj = expectOk(res, "annotate", `incident ${inc.metadata.name}`) as IncidentObj;
      inc.metadata = obj.metadata;
    } catch (err) {
      this.#o.onError({ op: "annotate incident", error: err instanceof Error ? err.message : String(err) });
    }
  }

  async #updateStatus(inc: IncidentObj, f: (st: IncidentStatus) => IncidentStatus): Promise<void> {
    const next = await this.#putStatus(inc, f(inc.status ?? {}));
    Object.assign(inc, next);
  }

  async #putStatus(inc: IncidentObj, status: IncidentStatus): Promise<IncidentObj> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const body = {
        apiVersion: "vigil.dev/v1alpha1",
        kind: "Incident",
        metadata: inc.metadata,
        spec: inc.spec,
        status,
      };
      const res = await rawRequest(this.#kc, "PUT", `${this.#base}/${inc.metadata.name}/status`, {
        body: JSON.stringify(body),
      });
      if (res.status === 409) {
        const fresh = expectOk(
          await rawRequest(this.#kc, "GET", `${this.#base}/${inc.metadata.name}`),
          "read",
          `incident ${inc.metadata.name}`,
        ) as IncidentObj;
        inc.metadata = fresh.metadata;
        continue;
      }
      try {
        return expectOk(res, "update", `incident ${inc.metadata.name} status`) as IncidentObj;
      } catch (err) {
        if (err instanceof KubeError) this.#o.onError({ op: "incident status", error: err.message });
        return inc;
      }
    }
    return inc;
  }
}

function toRecord(h: remediate.HistoryEntry): IncidentAction {
  return {
    id: h.id,
    kind: h.kind,
    findingId: h.findingId,
    target: toApiRef(h.target),
    scope: toApiRef(h.scope),
    mode: h.mode,
    at: h.at,
    outcome: h.outcome,
    ...(h.signature !== undefined ? { signature: h.signature } : {}),
  };
}

/**
 * Sets the outcome of a pending action in the Incident's list. An action missing from the list (the
 * operator died after the pending annotation, before the status write) is added from the history.
 */
function withOutcome(
  actions: readonly IncidentAction[],
  history: readonly remediate.HistoryEntry[],
  id: string,
  outcome: remediate.Outcome,
): IncidentAction[] {
  if (actions.some((a) => a.id === id))
    return actions.map((a) => (a.id === id && a.outcome === "pending" ? { ...a, outcome } : a));
  const h = history.find((x) => x.id === id && x.mode === "Auto");
  return h === undefined ? [...actions] : [...actions, toRecord({ ...h, outcome })].slice(-50);
}

export function describeAction(a: remediate.Action): string {
  return `${a.kind} ${refKey(a.target)}: ${a.reason.message}`;
}
