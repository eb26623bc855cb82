/**
 * Cluster-level analyzers: Nodes (NotReady/Unknown, pressure, cordoned; vendor conditions are never failures),
 * storage (PVC, PV, StorageClass) and ResourceQuota usage.
 */
import type { ObjectRef } from "../model/index.js";
import type { Ctx } from "./context.js";
import type { Draft } from "./draft.js";
import { DOCS, type Evidence } from "./finding.js";
import type { Condition, Node } from "./snapshot.js";
import { ageSeconds, humanDuration, parseQuantity, plural, ref, refOf } from "./util.js";

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

function nodeDrafts(ctx: Ctx, n: Node): Draft[] {
  const out: Draft[] = [];
  const object = ref("Node", "", n.metadata.name);
  const ready = n.status.conditions.find((c) => c.type === "Ready");
  if (ready !== undefined && ready.status !== "True") {
    const podsOn = ctx.snap.pods.filter(
      (p) => p.spec.nodeName === n.metadata.name && p.metadata.deletionTimestamp === undefined,
    );
    const unknown = ready.status === "Unknown";
    const age = ageSeconds(ctx.now, ready.lastTransitionTime) ?? 0;
    out.push({
      analyzer: "Node",
      code: unknown ? "NodeUnreachable" : "NodeNotReady",
      severity: "critical",
      object,
      ownerChain: [object],
      reason: `Node ${n.metadata.name} ${unknown ? "stopped reporting (Ready=Unknown)" : `is NotReady (${ready.reason ?? "?"})`} for ${humanDuration(age)}; ${plural(podsOn.length, "pod")} on it`,
      evidence: [
        condEvidence(object, ready),
        ...n.spec.taints
          .filter((t) => t.key.startsWith("node.kubernetes.io/"))
          .map((t): Evidence => ({ object, source: "spec", message: `taint ${t.key}:${t.effect}` })),
      ],
      fix: {
        summary: unknown
          ? `node ${n.metadata.name} is unreachable: check the machine and its kubelet; cordon and drain it if it does not come back`
          : `check the kubelet and container runtime on ${n.metadata.name}; cordon and drain it if it does not recover`,
        action: { kind: "cordonAndDrain", target: object, params: {} },
      },
      docs: DOCS.node,
    });
  }
  for (const type of ctx.cfg.nodePressureConditions) {
    const c = n.status.conditions.find((x) => x.type === type);
    if (c?.status !== "True") continue;
    out.push({
      analyzer: "Node",
      code: type,
      severity: "high",
      object,
      ownerChain: [object],
      reason: `Node ${n.metadata.name} reports ${type}${c.message !== undefined ? `: ${c.message}` : ""}`,
      evidence: [condEvidence(object, c)],
      fix: manualFix(
        object,
        type === "NetworkUnavailable"
          ? "check the node's network plugin"
          : `free ${type.replace("Pressure", "").toLowerCase()} on the node or move pods away`,
      ),
      docs: DOCS.node,
    });
  }
  if (n.spec.unschedulable === true) {
    out.push({
      analyzer: "Node",
      code: "NodeCordoned",
      severity: "low",
      object,
      ownerChain: [object],
      reason: `Node ${n.metadata.name} is cordoned (unschedulable)`,
      evidence: [{ object, source: "spec", message: "spec.unschedulable=true" }],
      fix: {
        summary: `uncordon it when maintenance is done: kubectl uncordon ${n.metadata.name}`,
        action: { kind: "uncordon", target: object, params: {} },
      },
      docs: DOCS.node,
    });
  }
  return out;
}

function storageDrafts(ctx: Ctx): Draft[] {
  const out: Draft[] = [];
  const s = ctx.snap;
  const classes = new Set(s.storageClasses.map((c) => c.metadata.name));
  const defaults = s.storageClasses.filter(
    (c) =>
      c.metadata.annotations["storageclass.kubernetes.io/is-default-class"] === "true" ||
      c.metadata.annotations["storageclass.beta.kubernetes.io/is-default-class"] === "true",
  );
  if (defaults.length > 1) {
    const object = ref("StorageClass", "", defaults[0]?.metadata.name ?? "");
    out.push({
      analyzer: "Storage",
      code: "MultipleDefaultStorageClasses",
      severity: "medium",
      object,
      ownerChain: [object],
      reason: `${defaults.length} StorageClasses are marked default (${defaults.map((d) => d.metadata.name).join(", ")}); PVCs without a class get the newest`,
      evidence: defaults.map((d): Evidence => ({
        object: ref("StorageClass", "", d.metadata.name),
        source: "spec",
        message: "is-default-class=true",
      })),
      fix: manualFix(object, "keep one default StorageClass"),
      docs: DOCS.storageClass,
    });
  }
  for (const pvc of s.persistentVolumeClaims) {
    if (!ctx.inScope(pvc.metadata.namespace)) continue;
    const object = refOf("PersistentVolumeClaim", pvc.metadata);
    const chain = ctx.chain(object, pvc.metadata);
    const phase = pvc.status.phase;
    const sc = pvc.spec.storageClassName;
    if (phase === "Lost") {
      out.push({
        analyzer: "Storage",
        code: "PVCLost",
        severity: "critical",
        object,
        ownerChain: chain,
        reason: `PersistentVolumeClaim ${pvc.metadata.name} lost its volume ${pvc.spec.volumeName ?? ""}`,
        evidence: [{ object, source: "status", message: "phase Lost" }],
        fix: manualFix(object, "restore the PersistentVolume from backup or recreate the claim"),
        docs: DOCS.pvc,
      });
      continue;
    }
    if (phase !== "Pending") continue;
    const events = ctx
      .eventsFor("PersistentVolumeClaim", pvc.metadata.namespace, pvc.metadata.name)
      .filter((e) => e.type === "Warning");
    const missingClass = sc !== undefined && sc !== "" && ctx.has("storageClasses") && !classes.has(sc);
    const failed = events.find((e) => e.reason === "ProvisioningFailed");
    const age = ageSeconds(ctx.now, pvc.metadata.creationTimestamp) ?? 0;
    if (!missingClass && failed === undefined && age < ctx.cfg.pendingSeconds) continue;
    out.push({
      analyzer: "Storage",
      code: missingClass ? "MissingStorageClass" : failed !== undefined ? "ProvisioningFailed" : "PVCPending",
      severity: "high",
      object,
      ownerChain: chain,
      reason: missingClass
        ? `PersistentVolumeClaim ${pvc.metadata.name} asks for StorageClass ${sc}, which does not exist`
        : failed !== undefined
          ? `PersistentVolumeClaim ${pvc.metadata.name} cannot be provisioned: ${failed.message}`
          : `PersistentVolumeClaim ${pvc.metadata.name} Pending for ${humanDuration(age)}`,
      evidence: [
        { object, source: "status", message: `phase Pending, storageClassName ${sc ?? "(default)"}` },
        ...events.map((e) => ctx.eventEvidence(e)),
      ],
      fix: manualFix(
        object,
        missingClass
          ? `use an existing StorageClass (${[...classes].join(", ") || "none installed"})`
          : "check the provisioner and the claim's size/access modes",
      ),
      docs: missingClass ? DOCS.storageClass : DOCS.pvc,
    });
  }
  for (const pv of s.persistentVolumes) {
    const phase = pv.status.phase;
    if (phase !== "Failed" && phase !== "Released") continue;
    const object = ref("PersistentVolume", "", pv.metadata.name);
    out.push({
      analyzer: "Storage",
      code: phase === "Failed" ? "PVFailed" : "PVReleased",
      severity: phase === "Failed" ? "medium" : "low",
      object,
      ownerChain: [object],
      reason: `PersistentVolume ${pv.metadata.name} is ${phase}${pv.status.message !== undefined ? `: ${pv.status.message}` : ""} (reclaim policy ${pv.spec.persistentVolumeReclaimPolicy ?? "?"})`,
      evidence: [
        {
          object,
          source: "status",
          message: `phase ${phase}${pv.spec.claimRef !== undefined ? `, was bound to ${pv.spec.claimRef.namespace ?? ""}/${pv.spec.claimRef.name ?? ""}` : ""}`,
        },
      ],
      fix: manualFix(
        object,
        phase === "Released"
          ? "reclaim the data and delete the volume, or clear claimRef to reuse it"
          : "check the volume plugin's error",
      ),
      docs: DOCS.pvc,
    });
  }
  return out;
}

function quotaDrafts(ctx: Ctx): Draft[] {
  const out: Draft[] = [];
  for (const q of ctx.snap.resourceQuotas) {
    if (!ctx.inScope(q.metadata.namespace)) continue;
    const object = refOf("ResourceQuota", q.metadata);
    const over: { res: string; used: string; hard: string; ratio: number }[] = [];
    for (const [res, hardStr] of Object.entries(q.status.hard)) {
      const hard = parseQuantity(hardStr);
      const used = parseQuantity(q.status.used[res] ?? "0");
      if (hard === undefined || used === undefined || hard <= 0) continue;
      const ratio = used / hard;
      if (ratio >= ctx.cfg.quotaNearRatio)
        over.push({ res, used: q.status.used[res] ?? "0", hard: hardStr, ratio });
    }
    if (over.length === 0) continue;
    const full = over.some((o) => o.ratio >= 1);
    out.push({
      analyzer: "ResourceQuota",
      code: full ? "QuotaExhausted" : "QuotaNearLimit",
      severity: full ? "high" : "medium",
      object,
      ownerChain: [object],
      reason: `ResourceQuota ${q.metadata.name}: ${over.map((o) => `${o.res} ${o.used}/${o.hard}`).join(", ")}${full ? " (new pods are rejected)" : ""}`,
      evidence: over.map((o): Evidence => ({
        object,
        source: "status",
        message: `${o.res}: used ${o.used} of ${o.hard} (${Math.round(o.ratio * 100)}%)`,
      })),
      fix: manualFix(object, "raise the quota or lower requests/replicas in the namespace"),
      docs: DOCS.quota,
    });
  }
  return out;
}

export function clusterDrafts(ctx: Ctx): Draft[] {
  return [...ctx.snap.nodes.flatMap((n) => nodeDrafts(ctx, n)), ...storageDrafts(ctx), ...quotaDrafts(ctx)];
}
