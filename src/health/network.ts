/**
 * Network analyzers: Services (a selector that matches nothing, named label by label; endpoints not ready),
 * Ingresses (class, backends, TLS secrets), NetworkPolicies that select nothing, and admission webhooks whose
 * backend Service is missing or has no ready endpoints.
 */
import type { ObjectRef } from "../model/index.js";
import type { Ctx } from "./context.js";
import type { Draft } from "./draft.js";
import { DOCS, type Evidence } from "./finding.js";
import type { Pod, Service } from "./snapshot.js";
import { mapSelects, plural, ref, refOf, selectorMatches } from "./util.js";

function manualFix(target: ObjectRef, summary: string) {
  return { summary, action: { kind: "manual" as const, target, params: {} } };
}

function livePods(ctx: Ctx, ns: string): Pod[] {
  return ctx
    .podsIn(ns)
    .filter(
      (p) =>
        p.metadata.deletionTimestamp === undefined &&
        p.status.phase !== "Succeeded" &&
        p.status.phase !== "Failed",
    );
}

function podReady(p: Pod): boolean {
  return p.status.conditions.some((c) => c.type === "Ready" && c.status === "True");
}

/** Which labels of a selector match no pod, and what values the pods carry instead. */
function explainSelector(sel: Readonly<Record<string, string>>, pods: readonly Pod[]): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel)) {
    if (pods.some((p) => p.metadata.labels[k] === v)) continue;
    const others = [
      ...new Set(pods.map((p) => p.metadata.labels[k]).filter((x): x is string => x !== undefined)),
    ];
    parts.push(
      others.length > 0
        ? `label ${k}=${v} matches no pod (pods have ${k}=${others.slice(0, 3).join(", ")})`
        : `label ${k}=${v} matches no pod (no pod has label ${k})`,
    );
  }
  return parts.length > 0
    ? parts.join("; ")
    : `each label matches some pod, but no pod has all of ${Object.entries(sel)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}`;
}

function serviceDrafts(ctx: Ctx, svc: Service): Draft[] {
  const sel = svc.spec.selector;
  if (svc.spec.type === "ExternalName" || sel === undefined || Object.keys(sel).length === 0) return [];
  const ns = svc.metadata.namespace;
  const object = refOf("Service", svc.metadata);
  const pods = livePods(ctx, ns);
  const matched = pods.filter((p) => mapSelects(sel, p.metadata.labels));
  const selText = Object.entries(sel)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  if (matched.length === 0) {
    const why = explainSelector(sel, pods);
    return [
      {
        analyzer: "Service",
        code: "NoEndpoints",
        severity: "high",
        object,
        ownerChain: [object],
        reason: `Service ${svc.metadata.name} has no endpoints: ${why}`,
        evidence: [
          {
            object,
            source: "spec",
            message: `selector ${selText}; ${plural(pods.length, "live pod")} in ${ns}`,
          },
          ...ctx
            .eventsFor("Service", ns, svc.metadata.name)
            .filter((e) => e.type === "Warning")
            .map((e) => ctx.eventEvidence(e)),
        ],
        fix: manualFix(
          object,
          `make the selector ${selText} match the pods' labels (or deploy the pods it expects)`,
        ),
        docs: DOCS.service,
      },
    ];
  }
  const notReady = matched.filter((p) => !podReady(p));
  if (notReady.length === 0) return [];
  const roots = [
    ...new Map(
      notReady.map((p) => {
        const r = ctx.chain(refOf("Pod", p.metadata), p.metadata).at(-1) ?? refOf("Pod", p.metadata);
        return [`${r.kind}/${r.name}`, r] as const;
      }),
    ).values(),
  ];
  const none = notReady.length === matched.length;
  const evidence: Evidence[] = [
    {
      object,
      source: "status",
      message: `Service ${svc.metadata.name}: ${matched.length - notReady.length}/${matched.length} selected pods ready (not ready: ${notReady
        .slice(0, 5)
        .map((p) => p.metadata.name)
        .join(", ")}${notReady.length > 5 ? ", …" : ""})`,
    },
  ];
  return [
    {
      analyzer: "Service",
      code: none ? "NoReadyEndpoints" : "EndpointsNotReady",
      severity: none ? "high" : "medium",
      object,
      ownerChain: [object],
      reason: `Service ${svc.metadata.name}: ${matched.length - notReady.length}/${matched.length} endpoints ready (pods of ${roots.map((r) => `${r.kind} ${r.name}`).join(", ")} are not Ready)`,
      evidence,
      fix: manualFix(object, "fix the pods behind the Service (see their findings)"),
      docs: DOCS.service,
      symptom: true,
      foldInto: roots,
    },
  ];
}

function ingressDrafts(ctx: Ctx, ing: (typeof ctx.snap.ingresses)[number]): Draft[] {
  const out: Draft[] = [];
  const ns = ing.metadata.namespace;
  const object = refOf("Ingress", ing.metadata);
  const cls = ing.spec.ingressClassName ?? ing.metadata.annotations["kubernetes.io/ingress.class"];
  if (ctx.has("ingressClasses")) {
    const classes = ctx.snap.ingressClasses;
    const hasDefault = classes.some(
      (c) => c.metadata.annotations["ingressclass.kubernetes.io/is-default-class"] === "true",
    );
    if (cls !== undefined && !classes.some((c) => c.metadata.name === cls)) {
      out.push({
        analyzer: "Ingress",
        code: "IngressClassMissing",
        severity: "high",
        object,
        ownerChain: [object],
        reason: `Ingress ${ing.metadata.name}: IngressClass ${cls} does not exist, so no controller serves it`,
        evidence: [{ object, source: "spec", message: `ingressClassName=${cls}` }],
        fix: manualFix(
          object,
          `use an existing IngressClass (${classes.map((c) => c.metadata.name).join(", ") || "none installed"})`,
        ),
        docs: DOCS.ingress,
      });
    } else if (cls === undefined && !hasDefault) {
      out.push({
        analyzer: "Ingress",
        code: "NoIngressClass",
        severity: "medium",
        object,
        ownerChain: [object],
        reason: `Ingress ${ing.metadata.name} names no IngressClass and the cluster has no default one`,
        evidence: [{ object, source: "spec", message: "spec.ingressClassName unset" }],
        fix: manualFix(object, "set spec.ingressClassName"),
        docs: DOCS.ingress,
      });
    }
  }
  if (ctx.has("services")) {
    const backends = [
      ...(ing.spec.defaultBackend?.service !== undefined ? [ing.spec.defaultBackend.service.name] : []),
      ...ing.spec.rules.flatMap((r) =>
        (r.http?.paths ?? []).flatMap((p) =>
          p.backend.service !== undefined ? [p.backend.service.name] : [],
        ),
      ),
    ];
    const missing = [...new Set(backends)].filter(
      (b) => !ctx.snap.services.some((s) => s.metadata.namespace === ns && s.metadata.name === b),
    );
    if (missing.length > 0) {
      out.push({
        analyzer: "Ingress",
        code: "BackendServiceMissing",
        severity: "high",
        object,
        ownerChain: [object],
        reason: `Ingress ${ing.metadata.name}: backend Service ${missing.join(", ")} does not exist`,
        evidence: missing.map((m): Evidence => ({
          object: ref("Service", ns, m),
          source: "spec",
          message: `backend service ${m} not found`,
        })),
        fix: manualFix(
          object,
          `create Service ${missing.join(", ")} or point the Ingress at an existing one`,
        ),
        docs: DOCS.ingress,
      });
    }
  }
  if (ctx.has("secrets")) {
    const missing = ing.spec.tls
      .map((t) => t.secretName)
      .filter((s): s is string => s !== undefined && s !== "")
      .filter((s) => !ctx.snap.secrets.some((x) => x.metadata.namespace === ns && x.metadata.name === s));
    if (missing.length > 0) {
      out.push({
        analyzer: "Ingress",
        code: "TLSSecretMissing",
        severity: "high",
        object,
        ownerChain: [object],
        reason: `Ingress ${ing.metadata.name}: TLS Secret ${missing.join(", ")} does not exist`,
        evidence: missing.map((m): Evidence => ({
          object: ref("Secret", ns, m),
          source: "spec",
          message: `tls secretName ${m} not found`,
        })),
        fix: manualFix(
          object,
          `create the TLS Secret ${missing.join(", ")} (kubernetes.io/tls) or fix the name`,
        ),
        docs: DOCS.ingress,
      });
    }
  }
  return out;
}

function networkPolicyDrafts(ctx: Ctx, np: (typeof ctx.snap.networkPolicies)[number]): Draft[] {
  const sel = np.spec.podSelector;
  if (Object.keys(sel.matchLabels).length === 0 && sel.matchExpressions.length === 0) return []; // namespace-wide: deliberate
  const pods = livePods(ctx, np.metadata.namespace);
  if (pods.some((p) => selectorMatches(sel, p.metadata.labels))) return [];
  const object = refOf("NetworkPolicy", np.metadata);
  return [
    {
      analyzer: "NetworkPolicy",
      code: "SelectsNothing",
      severity: "low",
      object,
      ownerChain: [object],
      reason: `NetworkPolicy ${np.metadata.name} selects no pod (${Object.entries(sel.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")})`,
      evidence: [
        { object, source: "spec", message: `podSelector matches none of ${plural(pods.length, "pod")}` },
      ],
      fix: manualFix(object, "fix the podSelector or delete the unused policy"),
      docs: DOCS.networkPolicy,
    },
  ];
}

function webhookDrafts(ctx: Ctx, wc: (typeof ctx.snap.webhookConfigurations)[number]): Draft[] {
  const out: Draft[] = [];
  const object = ref(wc.kind, "", wc.metadata.name);
  for (const w of wc.webhooks) {
    const svc = w.clientConfig.service;
    if (svc === undefined || !ctx.inScope(svc.namespace) || !ctx.has("services")) continue;
    const failClosed = (w.failurePolicy ?? "Fail") === "Fail";
    const s = ctx.snap.services.find(
      (x) => x.metadata.namespace === svc.namespace && x.metadata.name === svc.name,
    );
    const svcRef = ref("Service", svc.namespace, svc.name);
    if (s === undefined) {
      out.push({
        analyzer: "Webhook",
        code: "WebhookServiceMissing",
        severity: failClosed ? "critical" : "medium",
        object,
        ownerChain: [object],
        reason: `${wc.kind} ${wc.metadata.name}: webhook ${w.name} calls Service ${svc.namespace}/${svc.name}, which does not exist${failClosed ? " (failurePolicy Fail: matching requests are rejected)" : ""}`,
        evidence: [
          {
            object: svcRef,
            source: "spec",
            message: `clientConfig.service ${svc.namespace}/${svc.name} not found`,
          },
        ],
        fix: manualFix(object, `restore the webhook's backend or delete the ${wc.kind}`),
        docs: DOCS.webhooks,
      });
      continue;
    }
    const sel = s.spec.selector;
    if (sel === undefined || Object.keys(sel).length === 0) continue;
    const backends = livePods(ctx, svc.namespace).filter((p) => mapSelects(sel, p.metadata.labels));
    if (backends.some(podReady)) continue;
    out.push({
      analyzer: "Webhook",
      code: "WebhookNoEndpoints",
      severity: failClosed ? "critical" : "medium",
      object,
      ownerChain: [object],
      reason: `${wc.kind} ${wc.metadata.name}: webhook ${w.name}'s Service ${svc.namespace}/${svc.name} has no ready pod${failClosed ? " (failurePolicy Fail: matching requests are rejected)" : ""}`,
      evidence: [
        { object: svcRef, source: "status", message: `${backends.length} selected pods, none Ready` },
      ],
      fix: manualFix(object, "bring the webhook's pods back, or set failurePolicy: Ignore while it is down"),
      docs: DOCS.webhooks,
    });
  }
  return out;
}

export function networkDrafts(ctx: Ctx): Draft[] {
  const out: Draft[] = [];
  const s = ctx.snap;
  if (ctx.has("pods")) {
    for (const x of s.services) if (ctx.inScope(x.metadata.namespace)) out.push(...serviceDrafts(ctx, x));
    for (const x of s.networkPolicies)
      if (ctx.inScope(x.metadata.namespace)) out.push(...networkPolicyDrafts(ctx, x));
    for (const x of s.webhookConfigurations) out.push(...webhookDrafts(ctx, x));
  }
  for (const x of s.ingresses) if (ctx.inScope(x.metadata.namespace)) out.push(...ingressDrafts(ctx, x));
  return out;
}
