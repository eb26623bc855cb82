/**
 * HorizontalPodAutoscaler and PodDisruptionBudget analyzers. An HPA resting at minReplicas
 * (ScalingLimited/TooFewReplicas) is the autoscaler working as configured, not a finding (k8sgpt #1667).
 */
import type { ObjectRef } from "../model/index.js";
import type { Ctx } from "./context.js";
import type { Draft } from "./draft.js";
import { DOCS, type Evidence } from "./finding.js";
import type { Condition, HorizontalPodAutoscaler, PodSpec } from "./snapshot.js";
import { ageSeconds, humanDuration, plural, ref, refOf, selectorMatches } from "./util.js";

function manualFix(target: ObjectRef, summary: string) {
  return { summary, action: { kind: "manual" as const, target, params: {} } };
}

function condEvidence(object: ObjectRef, c: Condition): Evidence {
  return {
    object,
    source: "condition",
    message: `${c.type}=${c.status}${c.reason !== undefined ? ` ${c.reason}` : ""}${c.message !== undefined ? `: ${c.message}` : ""}`,
    at: c.lastTransitionTime,
  };
}

const TARGET_KEYS = {
  Deployment: "deployments",
  StatefulSet: "statefulSets",
  ReplicaSet: "replicaSets",
} as const;

function targetSpec(ctx: Ctx, h: HorizontalPodAutoscaler): { spec: PodSpec } | "missing" | "unknown" {
  const kind = h.spec.scaleTargetRef.kind;
  if (!(kind in TARGET_KEYS)) return "unknown";
  const key = TARGET_KEYS[kind as keyof typeof TARGET_KEYS];
  if (!ctx.has(key)) return "unknown";
  const list = ctx.snap[key] as readonly {
    metadata: { namespace: string; name: string };
    spec: { template: { spec: PodSpec } };
  }[];
  const t = list.find(
    (x) => x.metadata.namespace === h.metadata.namespace && x.metadata.name === h.spec.scaleTargetRef.name,
  );
  return t === undefined ? "missing" : { spec: t.spec.template.spec };
}

function hpaDrafts(ctx: Ctx, h: HorizontalPodAutoscaler): Draft[] {
  const out: Draft[] = [];
  const object = refOf("HorizontalPodAutoscaler", h.metadata);
  const t = h.spec.scaleTargetRef;
  const targetRef = ref(t.kind, h.metadata.namespace, t.name);
  const target = targetSpec(ctx, h);
  const conds = h.status.conditions;
  const scalingActive = conds.find((c) => c.type === "ScalingActive");
  const able = conds.find((c) => c.type === "AbleToScale");
  const limited = conds.find((c) => c.type === "ScalingLimited");
  if (target === "missing") {
    return [
      {
        analyzer: "HorizontalPodAutoscaler",
        code: "TargetMissing",
        severity: "high",
        object,
        ownerChain: [object],
        reason: `HPA ${h.metadata.name}: scale target ${t.kind} ${t.name} does not exist`,
        evidence: [
          { object, source: "spec", message: `scaleTargetRef ${t.kind}/${t.name}` },
          ...(able !== undefined && able.status === "False" ? [condEvidence(object, able)] : []),
        ],
        fix: manualFix(object, `point scaleTargetRef at an existing workload or delete the HPA`),
        docs: DOCS.hpa,
      },
    ];
  }
  const resources = h.spec.metrics.flatMap((m) =>
    m.type === "Resource" && m.resource !== undefined
      ? [{ name: m.resource.name, container: undefined as string | undefined }]
      : m.type === "ContainerResource" && m.containerResource !== undefined
        ? [{ name: m.containerResource.name, container: m.containerResource.container }]
        : [],
  );
  if (h.spec.metrics.length === 0) resources.push({ name: "cpu", container: undefined }); // the default metric
  let noRequests = false;
  if (typeof target === "object") {
    const missing = resources.flatMap((r) =>
      target.spec.containers
        .filter(
          (c) =>
            (r.container === undefined || c.name === r.container) &&
            c.resources.requests[r.name] === undefined,
        )
        .map((c) => ({ res: r.name, container: c.name })),
    );
    if (missing.length > 0) {
      noRequests = true;
      const first = missing[0];
      out.push({
        analyzer: "HorizontalPodAutoscaler",
        code: "MissingRequests",
        severity: "high",
        object,
        ownerChain: [object, targetRef],
        reason: `HPA ${h.metadata.name}: ${t.kind} ${t.name} has no ${[...new Set(missing.map((m) => m.res))].join("/")} request on container ${[...new Set(missing.map((m) => m.container))].join(", ")}, so utilization cannot be computed`,
        evidence: [
          ...missing.map((m): Evidence => ({
            object: targetRef,
            source: "spec",
            message: `container ${m.container}: no ${m.res} request`,
          })),
          ...(scalingActive?.status === "False" ? [condEvidence(object, scalingActive)] : []),
        ],
        fix:
          first === undefined
            ? manualFix(targetRef, "set resource requests")
            : manualFix(
                targetRef,
                `set resources.requests.${first.res} on container ${first.container} of ${t.kind} ${t.name}`,
              ),
        docs: DOCS.hpa,
      });
    }
  }
  if (!noRequests && scalingActive?.status === "False" && scalingActive.reason !== "ScalingDisabled") {
    out.push({
      analyzer: "HorizontalPodAutoscaler",
      code: "MetricsUnavailable",
      severity: "high",
      object,
      ownerChain: [object, targetRef],
      reason: `HPA ${h.metadata.name} cannot read its metrics (${scalingActive.reason ?? "?"}): it does not scale`,
      evidence: [condEvidence(object, scalingActive)],
      fix: manualFix(object, "check that metrics-server (or the custom metrics adapter) serves the metric"),
      docs: DOCS.hpa,
    });
  }
  if (able?.status === "False") {
    out.push({
      analyzer: "HorizontalPodAutoscaler",
      code: "UnableToScale",
      severity: "high",
      object,
      ownerChain: [object, targetRef],
      reason: `HPA ${h.metadata.name} cannot scale ${t.kind} ${t.name} (${able.reason ?? "?"})`,
      evidence: [condEvidence(object, able)],
      fix: manualFix(object, able.message ?? "check the scale subresource of the target"),
      docs: DOCS.hpa,
    });
  }
  // Pinned at max: wants more than maxReplicas, for long. At minReplicas (TooFewReplicas) is by design.
  const current = h.status.currentReplicas ?? 0;
  const max = h.spec.maxReplicas;
  if (limited?.status === "True" && limited.reason === "TooManyReplicas" && current >= max) {
    const age = ageSeconds(ctx.now, limited.lastTransitionTime) ?? 0;
    if (age >= ctx.cfg.hpaPinnedSeconds) {
      const next = Math.max(max + 1, Math.ceil(max * 1.5));
      out.push({
        analyzer: "HorizontalPodAutoscaler",
        code: "PinnedAtMaxReplicas",
        severity: "high",
        object,
        ownerChain: [object, targetRef],
        reason: `HPA ${h.metadata.name} has wanted more than maxReplicas ${max} for ${humanDuration(age)} (desired ${h.status.desiredReplicas ?? "?"}): the workload is capped`,
        evidence: [
          condEvidence(object, limited),
          {
            object,
            source: "status",
            message: `current ${current}, desired ${h.status.desiredReplicas ?? "?"}, max ${max}`,
            at: h.status.lastScaleTime,
          },
        ],
        fix: {
          summary: `raise maxReplicas to ${next} if the cluster has room, or make each pod handle more load`,
          action: { kind: "scale", target: object, params: { field: "maxReplicas", value: next } },
        },
        docs: DOCS.hpa,
      });
    }
  }
  return out;
}

function pdbDrafts(ctx: Ctx, p: (typeof ctx.snap.podDisruptionBudgets)[number]): Draft[] {
  const expected = p.status.expectedPods ?? 0;
  const allowed = p.status.disruptionsAllowed ?? 0;
  if (expected === 0 || allowed > 0) return [];
  const object = refOf("PodDisruptionBudget", p.metadata);
  const healthy = p.status.currentHealthy ?? 0;
  const desired = p.status.desiredHealthy ?? 0;
  const sel = p.spec.selector;
  const pods =
    sel === undefined
      ? []
      : ctx.podsIn(p.metadata.namespace).filter((x) => selectorMatches(sel, x.metadata.labels));
  const roots = [
    ...new Map(
      pods.map((x) => {
        const r = ctx.chain(refOf("Pod", x.metadata), x.metadata).at(-1) ?? refOf("Pod", x.metadata);
        return [`${r.kind}/${r.name}`, r] as const;
      }),
    ).values(),
  ];
  const unhealthy = healthy < desired;
  return [
    {
      analyzer: "PodDisruptionBudget",
      code: unhealthy ? "DisruptionsBlockedByUnhealthyPods" : "BlocksAllDisruptions",
      severity: "medium",
      object,
      ownerChain: [object],
      reason: unhealthy
        ? `PDB ${p.metadata.name} allows no disruption: only ${healthy}/${desired} required pods are healthy`
        : `PDB ${p.metadata.name} allows no disruption even with all ${plural(expected, "pod")} healthy (minAvailable ${String(p.spec.minAvailable ?? "-")}, maxUnavailable ${String(p.spec.maxUnavailable ?? "-")}): node drains will hang`,
      evidence: [
        {
          object,
          source: "status",
          message: `disruptionsAllowed 0, currentHealthy ${healthy}, desiredHealthy ${desired}, expectedPods ${expected}`,
        },
      ],
      fix: manualFix(
        object,
        unhealthy
          ? "fix the unhealthy pods the PDB protects"
          : "allow at least one disruption (maxUnavailable: 1) or add replicas",
      ),
      docs: DOCS.pdb,
      ...(unhealthy ? { symptom: true, foldInto: roots } : {}),
    },
  ];
}

export function autoscalingDrafts(ctx: Ctx): Draft[] {
  const out: Draft[] = [];
  for (const h of ctx.snap.horizontalPodAutoscalers)
    if (ctx.inScope(h.metadata.namespace)) out.push(...hpaDrafts(ctx, h));
  for (const p of ctx.snap.podDisruptionBudgets)
    if (ctx.inScope(p.metadata.namespace)) out.push(...pdbDrafts(ctx, p));
  return out;
}
