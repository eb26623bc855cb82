/**
 * The indexes every analyzer shares, built once per analysis: objects by key and uid, owner chains,
 * events per involved object, pods per namespace.
 */
import type { ObjectRef } from "../model/index.js";
import type { HealthConfig } from "./config.js";
import type { Evidence } from "./finding.js";
import type { Event, KindKey, Meta, Pod, Snapshot } from "./snapshot.js";
import { ageSeconds, ref } from "./util.js";

export interface Ctx {
  readonly now: Date;
  readonly snap: Snapshot;
  readonly cfg: HealthConfig;
  /** Was this kind listed? Analyzers that reason about absence stay quiet when it was not. */
  has(kind: KindKey): boolean;
  /** Owner chain from `ref` (inclusive) up to the top-most controller found. */
  chain(start: ObjectRef, meta: Meta): readonly ObjectRef[];
  /** Events about one object, newest last. */
  eventsFor(kind: string, namespace: string, name: string): readonly Event[];
  podsIn(namespace: string): readonly Pod[];
  /** Is this namespace in scope? */
  inScope(namespace: string): boolean;
  metaOf(kind: string, namespace: string, name: string): Meta | undefined;
  /** Evidence for an event, with its count and last timestamp. */
  eventEvidence(e: Event): Evidence;
  recentEvent(e: Event): boolean;
}

const OWNER_KINDS: readonly (readonly [KindKey, string])[] = [
  ["replicaSets", "ReplicaSet"],
  ["deployments", "Deployment"],
  ["statefulSets", "StatefulSet"],
  ["daemonSets", "DaemonSet"],
  ["jobs", "Job"],
  ["cronJobs", "CronJob"],
];

function objKey(kind: string, namespace: string, name: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

export function buildCtx(now: Date, snap: Snapshot, cfg: HealthConfig): Ctx {
  const skipped = new Set(snap.skipped.map((s) => s.kind));
  const metas = new Map<string, Meta>();
  for (const [key, kind] of OWNER_KINDS) {
    for (const o of snap[key] as readonly { metadata: Meta }[]) {
      metas.set(objKey(kind, o.metadata.namespace, o.metadata.name), o.metadata);
    }
  }
  for (const p of snap.pods) metas.set(objKey("Pod", p.metadata.namespace, p.metadata.name), p.metadata);

  const events = new Map<string, Event[]>();
  for (const e of snap.events) {
    const k = objKey(e.involved.kind, e.involved.namespace, e.involved.name);
    const list = events.get(k);
    if (list === undefined) events.set(k, [e]);
    else list.push(e);
  }
  for (const list of events.values()) list.sort((a, b) => (a.last ?? "").localeCompare(b.last ?? ""));

  const pods = new Map<string, Pod[]>();
  for (const p of snap.pods) {
    const list = pods.get(p.metadata.namespace);
    if (list === undefined) pods.set(p.metadata.namespace, [p]);
    else list.push(p);
  }
  const scope = snap.namespaces === undefined ? undefined : new Set(snap.namespaces);
  const chains = new Map<string, readonly ObjectRef[]>();

  const ctx: Ctx = {
    now,
    snap,
    cfg,
    has: (kind) => !skipped.has(kind),
    chain(start, meta) {
      const key = objKey(start.kind, start.namespace, start.name);
      const cached = chains.get(key);
      if (cached !== undefined) return cached;
      const out: ObjectRef[] = [start];
      let m: Meta | undefined = meta;
      for (let depth = 0; m !== undefined && depth < 5; depth++) {
        const owner = m.ownerReferences.find((o) => o.controller === true) ?? m.ownerReferences[0];
        if (owner === undefined) break;
        const r = ref(owner.kind, start.namespace, owner.name);
        out.push(r);
        m = metas.get(objKey(owner.kind, start.namespace, owner.name));
      }
      chains.set(key, out);
      return out;
    },
    eventsFor: (kind, namespace, name) => events.get(objKey(kind, namespace, name)) ?? [],
    podsIn: (namespace) => pods.get(namespace) ?? [],
    inScope: (namespace) => scope === undefined || namespace === "" || scope.has(namespace),
    metaOf: (kind, namespace, name) => metas.get(objKey(kind, namespace, name)),
    eventEvidence: (e) => ({
      object: ref(e.involved.kind, e.involved.namespace, e.involved.name),
      source: "event",
      message: `${e.type} ${e.reason}: ${e.message}`,
      at: e.last,
      count: e.count,
    }),
    recentEvent: (e) => (ageSeconds(now, e.last) ?? 0) <= cfg.eventWindowSeconds,
  };
  return ctx;
}
