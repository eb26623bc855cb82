/**
 * @module
 * Worker-thread side of the operator's analysis: keeps its own slim copy of every watched object, fed by
 * deltas from the main thread, and runs the health analyzers on request. The main thread's event loop (watches,
 * Lease renewals, probes) never waits for a full analysis.
 */
import { parentPort } from "node:worker_threads";
import * as health from "../health/index.js";
import type { AnalysisRequest, AnalysisResponse } from "./analysis.js";

const caches = new Map<health.KindKey, Map<string, unknown>>();
let podMetrics: unknown[] = [];

function cache(kind: health.KindKey): Map<string, unknown> {
  let c = caches.get(kind);
  if (c === undefined) {
    c = new Map();
    caches.set(kind, c);
  }
  return c;
}

parentPort?.on("message", (m: AnalysisRequest) => {
  switch (m.type) {
    case "set": {
      const r = health.ingestOne(m.kind, m.obj);
      if (r.ok) cache(m.kind).set(m.id, r.value);
      else cache(m.kind).delete(m.id);
      break;
    }
    case "delete":
      cache(m.kind).delete(m.id);
      break;
    case "metrics":
      podMetrics = m.items
        .map((o) => health.ingestOne("podMetrics", o))
        .flatMap((r) => (r.ok ? [r.value] : []));
      break;
    case "analyze": {
      const t0 = performance.now();
      const items: Partial<Record<health.KindKey, unknown[]>> = {};
      for (const [kind, c] of caches) items[kind] = [...c.values()];
      items.podMetrics = podMetrics;
      const snapshot = health.assembleSnapshot(items, { namespaces: m.namespaces });
      const findings = health.analyze(new Date(m.now), snapshot, health.HealthConfig.parse(m.config));
      const res: AnalysisResponse = { seq: m.seq, findings, tookMs: performance.now() - t0 };
      parentPort?.postMessage(res);
      break;
    }
  }
});
