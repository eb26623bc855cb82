/**
 * Analyzers that read pod templates: references to ConfigMaps and Secrets (and their keys) that do not exist,
 * and container hygiene (privileged, runs as root, no requests or limits, unpinned images, default service
 * account). Both work on the workload, before any pod fails.
 */
import type { Ctx } from "./context.js";
import type { Draft } from "./draft.js";
import { DOCS, type Evidence } from "./finding.js";
import { workloadSpecs, type WorkloadSpec } from "./templates.js";
import { imageUnpinned, ref } from "./util.js";

interface Reference {
  readonly kind: "ConfigMap" | "Secret";
  readonly name: string;
  readonly key: string | undefined;
  readonly where: string;
}

function references(w: WorkloadSpec): Reference[] {
  const out: Reference[] = [];
  for (const c of [...w.spec.initContainers, ...w.spec.containers]) {
    for (const e of c.envFrom) {
      if (e.configMapRef !== undefined && e.configMapRef.optional !== true)
        out.push({
          kind: "ConfigMap",
          name: e.configMapRef.name,
          key: undefined,
          where: `container ${c.name} envFrom`,
        });
      if (e.secretRef !== undefined && e.secretRef.optional !== true)
        out.push({
          kind: "Secret",
          name: e.secretRef.name,
          key: undefined,
          where: `container ${c.name} envFrom`,
        });
    }
    for (const e of c.env) {
      const cm = e.valueFrom?.configMapKeyRef;
      const sec = e.valueFrom?.secretKeyRef;
      if (cm !== undefined && cm.optional !== true)
        out.push({
          kind: "ConfigMap",
          name: cm.name,
          key: cm.key,
          where: `container ${c.name} env ${e.name}`,
        });
      if (sec !== undefined && sec.optional !== true)
        out.push({
          kind: "Secret",
          name: sec.name,
          key: sec.key,
          where: `container ${c.name} env ${e.name}`,
        });
    }
  }
  for (const v of w.spec.volumes) {
    if (v.configMap !== undefined && v.configMap.optional !== true)
      out.push({ kind: "ConfigMap", name: v.configMap.name, key: undefined, where: `volume ${v.name}` });
    if (v.secret !== undefined && v.secret.optional !== true)
      out.push({ kind: "Secret", name: v.secret.secretName, key: undefined, where: `volume ${v.name}` });
    for (const p of v.projected?.sources ?? []) {
      if (p.configMap !== undefined && p.configMap.optional !== true)
        out.push({ kind: "ConfigMap", name: p.configMap.name, key: undefined, where: `volume ${v.name}` });
      if (p.secret !== undefined && p.secret.optional !== true)
        out.push({ kind: "Secret", name: p.secret.name, key: undefined, where: `volume ${v.name}` });
    }
  }
  for (const s of w.spec.imagePullSecrets) {
    if (s.name !== "") out.push({ kind: "Secret", name: s.name, key: undefined, where: "imagePullSecrets" });
  }
  return out;
}

export function configReferenceDrafts(ctx: Ctx): Draft[] {
  const out: Draft[] = [];
  const have = {
    ConfigMap: ctx.has("configMaps")
      ? new Map(
          ctx.snap.configMaps.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, new Set(c.keys)]),
        )
      : undefined,
    Secret: ctx.has("secrets")
      ? new Map(ctx.snap.secrets.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, new Set(c.keys)]))
      : undefined,
  };
  for (const w of workloadSpecs(ctx)) {
    const ns = w.meta.namespace;
    for (const kind of ["ConfigMap", "Secret"] as const) {
      const index = have[kind];
      if (index === undefined) continue;
      const missing = references(w).filter((r) => {
        if (r.kind !== kind) return false;
        const keys = index.get(`${ns}/${r.name}`);
        return keys === undefined || (r.key !== undefined && !keys.has(r.key));
      });
      const first = missing[0];
      if (first === undefined) continue;
      const absent = missing.filter((m) => !index.has(`${ns}/${m.name}`));
      const target = ref(kind, ns, first.name);
      const describe = (r: Reference) =>
        r.key === undefined
          ? `${kind} ${r.name} (${r.where})`
          : `key ${r.key} of ${kind} ${r.name} (${r.where})`;
      out.push({
        analyzer: "ConfigReference",
        code: kind === "Secret" ? "MissingSecret" : "MissingConfigMap",
        severity: "high",
        object: w.object,
        ownerChain: [w.object],
        reason: `${w.object.kind} ${w.object.name} refers to ${describe(first)}, which does not exist${missing.length > 1 ? ` (+${missing.length - 1} more)` : ""}`,
        evidence: missing.map((r): Evidence => ({
          object: ref(kind, ns, r.name),
          source: "spec",
          message: `${describe(r)} not found`,
        })),
        fix:
          absent.length > 0 && first.key === undefined
            ? {
                summary: `create ${kind} ${ns}/${first.name}, or mark the reference optional`,
                action: {
                  kind: "createObject",
                  target,
                  params: {
                    keys: missing
                      .filter((m) => m.name === first.name && m.key !== undefined)
                      .map((m) => m.key ?? ""),
                  },
                },
              }
            : {
                summary: `add the missing key(s) to ${kind} ${ns}/${first.name}`,
                action: { kind: "manual", target, params: {} },
              },
        docs: kind === "Secret" ? DOCS.secrets : DOCS.configMaps,
      });
    }
  }
  return out;
}

export function hygieneDrafts(ctx: Ctx): Draft[] {
  if (!ctx.cfg.hygiene) return [];
  const ignore = new Set(ctx.cfg.hygieneIgnoreNamespaces);
  const out: Draft[] = [];
  for (const w of workloadSpecs(ctx)) {
    if (ignore.has(w.meta.namespace)) continue;
    const o = w.object;
    const add = (
      code: string,
      severity: "medium" | "low",
      reason: string,
      evidence: Evidence[],
      summary: string,
      docs: string,
    ) => {
      if (evidence.length === 0) return;
      out.push({
        analyzer: "ContainerHygiene",
        code,
        severity,
        object: o,
        ownerChain: [o],
        reason: `${o.kind} ${o.name}: ${reason}`,
        evidence,
        fix: { summary, action: { kind: "manual", target: o, params: {} } },
        docs,
      });
    };
    const containers = [...w.spec.initContainers, ...w.spec.containers];
    const ev = (message: string): Evidence => ({ object: o, source: "spec", message });
    const privileged = containers.filter((c) => c.securityContext?.privileged === true);
    add(
      "Privileged",
      "medium",
      `${privileged.map((c) => c.name).join(", ")} run privileged`,
      privileged.map((c) => ev(`container ${c.name}: securityContext.privileged=true`)),
      "drop privileged; grant only the capabilities needed",
      DOCS.securityContext,
    );
    const podNonRoot =
      w.spec.securityContext?.runAsNonRoot === true || (w.spec.securityContext?.runAsUser ?? 0) > 0;
    const root = containers.filter(
      (c) =>
        !(
          c.securityContext?.runAsNonRoot === true ||
          (c.securityContext?.runAsUser ?? 0) > 0 ||
          (podNonRoot && c.securityContext?.runAsUser !== 0)
        ),
    );
    add(
      "RunsAsRoot",
      "low",
      `${root.map((c) => c.name).join(", ")} may run as root`,
      root.map((c) => ev(`container ${c.name}: neither runAsNonRoot nor a non-zero runAsUser`)),
      "set securityContext.runAsNonRoot: true (and a non-zero runAsUser)",
      DOCS.securityContext,
    );
    const noRes = w.spec.containers.filter(
      (c) =>
        c.resources.requests["cpu"] === undefined ||
        c.resources.requests["memory"] === undefined ||
        c.resources.limits["memory"] === undefined,
    );
    add(
      "NoRequestsOrLimits",
      "low",
      `${noRes.map((c) => c.name).join(", ")} lack CPU/memory requests or a memory limit`,
      noRes.map((c) =>
        ev(
          `container ${c.name}: ${[
            c.resources.requests["cpu"] === undefined ? "no cpu request" : "",
            c.resources.requests["memory"] === undefined ? "no memory request" : "",
            c.resources.limits["memory"] === undefined ? "no memory limit" : "",
          ]
            .filter((x) => x !== "")
            .join(", ")}`,
        ),
      ),
      "set requests from observed usage and a memory limit (vigil recommend, when available)",
      DOCS.resources,
    );
    const unpinned = containers.filter((c) => imageUnpinned(c.image));
    add(
      "UnpinnedImage",
      "low",
      `image ${unpinned.map((c) => c.image).join(", ")} has no tag or uses :latest`,
      unpinned.map((c) => ev(`container ${c.name}: image ${c.image}`)),
      "pin images to a version tag or a digest",
      DOCS.images,
    );
    const sa = w.spec.serviceAccountName;
    if (sa === undefined || sa === "" || sa === "default") {
      add(
        "DefaultServiceAccount",
        "low",
        "runs as the namespace's default service account",
        [ev("serviceAccountName unset or default")],
        "give the workload its own ServiceAccount with only the permissions it needs",
        DOCS.serviceAccount,
      );
    }
  }
  return out;
}
