/**
 * Dependency awareness: a crash loop whose messages name a Service that has no ready endpoints is the
 * dependency's problem. Restarting the dependents would not help, so Vigil alerts about the dependency.
 */
import type { Finding } from "../health/index.js";
import type { ObjectRef } from "../model/index.js";
import { live, podReady, podsOf, ref, sameRef } from "./cluster.js";
import type { Ctx } from "./proposal.js";

const CONNECT_FAILURE =
  /connection refused|ECONNREFUSED|no such host|i\/o timeout|connect: |could not connect|unreachable|timed out/i;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The host names a Service answers to, seen from `fromNs`. */
function hostNames(name: string, ns: string, fromNs: string): string[] {
  const full = [`${name}.${ns}.svc.cluster.local`, `${name}.${ns}.svc`, `${name}.${ns}`];
  return fromNs === ns ? [...full, name] : full;
}

/** Messages the crashing pods left: finding evidence, termination messages, waiting messages. */
function crashMessages(ctx: Ctx, f: Finding): string[] {
  const out = f.evidence.map((e) => e.message);
  for (const p of podsOf(ctx.snap, f.object)) {
    for (const cs of p.status.containerStatuses) {
      for (const m of [
        cs.lastState.terminated?.message,
        cs.state.terminated?.message,
        cs.state.waiting?.message,
      ])
        if (m !== undefined) out.push(m);
    }
  }
  return out.filter((m) => CONNECT_FAILURE.test(m));
}

export function dependencyDown(ctx: Ctx, f: Finding): { service: ObjectRef; evidence: string } | undefined {
  const messages = crashMessages(ctx, f);
  if (messages.length === 0) return undefined;
  const fromNs = f.object.namespace;
  const services = [...ctx.snap.services].sort(
    (a, b) =>
      a.metadata.namespace.localeCompare(b.metadata.namespace) ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
  for (const s of services) {
    const sel = s.spec.selector;
    if (sel === undefined || Object.keys(sel).length === 0) continue;
    const ns = s.metadata.namespace;
    const names = hostNames(s.metadata.name, ns, fromNs).map(escape).join("|");
    const re = new RegExp(`(^|[^A-Za-z0-9.-])(${names})(?=$|[^A-Za-z0-9.-]|\\.(?![A-Za-z0-9]))`);
    const hit = messages.find((m) => re.test(m));
    if (hit === undefined) continue;
    const backends = ctx.snap.pods.filter(
      (p) =>
        p.metadata.namespace === ns &&
        live(p) &&
        Object.entries(sel).every(([k, v]) => p.metadata.labels[k] === v),
    );
    // The crashing workload's own Service is not a dependency.
    const own = new Set(podsOf(ctx.snap, f.object).map((q) => `${q.metadata.namespace}/${q.metadata.name}`));
    if (backends.some((p) => own.has(`${p.metadata.namespace}/${p.metadata.name}`))) continue;
    if (backends.some(podReady)) continue;
    const service = ref("Service", ns, s.metadata.name);
    if (sameRef(service, f.object)) continue;
    return { service, evidence: hit.length > 160 ? `${hit.slice(0, 157)}...` : hit };
  }
  return undefined;
}
