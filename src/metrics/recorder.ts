/**
 * @module
 * Keeps per-workload CPU history from metrics.k8s.io for the workloads it is told to track: polls every
 * 15 s (the workload's pods, found through its scale subresource's selector), adds the sum in millicores
 * to a bounded `TieredSeries`, and checkpoints each series to a ConfigMap every few minutes and on stop.
 * A tracked workload's checkpoint is read back once, so a restart keeps its history. At most `maxSeries`
 * workloads are held; tracking one more evicts the least recently used.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { applyObjects, expectOk, KubeError, rawRequest } from "../kube/index.js";
import type * as fc from "../forecast/index.js";
import {
  checkpointName,
  checkpointObject,
  parseCheckpoint,
  workloadKey,
  type WorkloadRef,
} from "./checkpoint.js";
import { TieredSeries } from "./ring.js";

/** One poll of a workload: its pods' summed CPU and what the scale subresource reports. */
export interface WorkloadSample {
  readonly t: number;
  readonly millicores: number;
  /** Pods that reported a sample. */
  readonly pods: number;
  readonly specReplicas: number;
  readonly statusReplicas: number;
  readonly selector: string;
}

export interface RecorderOptions {
  readonly pollMs?: number;
  readonly checkpointMs?: number;
  readonly maxSeries?: number;
  /** False while another replica leads: samples are kept, checkpoints are not written. */
  readonly active?: () => boolean;
  /** Unix seconds; the real clock unless a test passes one. */
  readonly now?: () => number;
  readonly log?: (level: "debug" | "warn", fields: Record<string, unknown>, msg: string) => void;
}

interface Entry {
  readonly ref: WorkloadRef;
  readonly series: TieredSeries;
  restored: boolean;
  lastCheckpoint: number;
  lastUsed: number;
  latest: WorkloadSample | undefined;
}

const APPS = "/apis/apps/v1";

function plural(kind: string): string {
  if (kind === "Deployment") return "deployments";
  if (kind === "StatefulSet") return "statefulsets";
  if (kind === "ReplicaSet") return "replicasets";
  throw new KubeError("Invalid", `cannot scale a ${kind}: use a Deployment, StatefulSet or ReplicaSet`, 422);
}

export function scalePath(w: WorkloadRef): string {
  return `${APPS}/namespaces/${encodeURIComponent(w.namespace)}/${plural(w.kind)}/${encodeURIComponent(w.name)}/scale`;
}

/** Parses a Kubernetes CPU quantity ("250m", "1", "123456789n", "1500u") into millicores. */
export function cpuMillis(q: string): number | undefined {
  const m = /^([0-9.]+)(n|u|m|k)?$/.exec(q.trim());
  if (m === null) return undefined;
  const v = Number(m[1]);
  if (!Number.isFinite(v)) return undefined;
  const scale = { n: 1e-6, u: 1e-3, m: 1, k: 1e6 } as const;
  const unit = m[2] as keyof typeof scale | undefined;
  return unit === undefined ? v * 1000 : v * scale[unit];
}

/** Reads the workload's scale and its pods' CPU from metrics.k8s.io (one request each). */
export async function sampleWorkload(
  kc: KubeConfig,
  w: WorkloadRef,
  t: number,
  signal?: AbortSignal,
): Promise<WorkloadSample> {
  const opts = { timeoutMs: 10_000, ...(signal !== undefined ? { signal } : {}) };
  const scale = expectOk(
    await rawRequest(kc, "GET", scalePath(w), opts),
    "get",
    `${w.kind} ${w.namespace}/${w.name} scale`,
  ) as {
    spec?: { replicas?: number };
    status?: { replicas?: number; selector?: string };
  };
  const selector = scale.status?.selector ?? "";
  const q = new URLSearchParams(selector !== "" ? { labelSelector: selector } : {});
  const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(w.namespace)}/pods?${q.toString()}`;
  const body = expectOk(await rawRequest(kc, "GET", path, opts), "list", "pod metrics") as {
    items?: { containers?: { usage?: { cpu?: string } }[] }[];
  };
  let millicores = 0;
  let pods = 0;
  for (const p of body.items ?? []) {
    pods++;
    for (const c of p.containers ?? []) millicores += cpuMillis(c.usage?.cpu ?? "0") ?? 0;
  }
  return {
    t,
    millicores,
    pods,
    specReplicas: scale.spec?.replicas ?? 0,
    statusReplicas: scale.status?.replicas ?? 0,
    selector,
  };
}

export class HistoryRecorder {
  readonly #kc: KubeConfig;
  readonly #opts: RecorderOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(kc: KubeConfig, opts: RecorderOptions = {}) {
    this.#kc = kc;
    this.#opts = opts;
    this.#now = opts.now ?? (() => Date.now() / 1000);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Starts (or keeps) recording a workload. Cheap; the checkpoint is read on the next poll. */
  track(w: WorkloadRef): void {
    const key = workloadKey(w);
    const e = this.#entries.get(key);
    if (e !== undefined) {
      e.lastUsed = this.#now();
      return;
    }
    const max = this.#opts.maxSeries ?? 500;
    if (this.#entries.size >= max) {
      let oldest: [string, Entry] | undefined;
      for (const x of this.#entries)
        if (oldest === undefined || x[1].lastUsed < oldest[1].lastUsed) oldest = x;
      if (oldest !== undefined) this.#entries.delete(oldest[0]);
    }
    this.#entries.set(key, {
      ref: w,
      series: new TieredSeries(),
      restored: false,
      lastCheckpoint: this.#now(),
      lastUsed: this.#now(),
      latest: undefined,
    });
  }

  /** Stops recording (its checkpoint stays in the cluster). */
  untrack(w: WorkloadRef): void {
    this.#entries.delete(workloadKey(w));
  }

  tracked(): WorkloadRef[] {
    return [...this.#entries.values()].map((e) => e.ref);
  }

  /** The history held for a workload, oldest first; empty when untracked. */
  samples(w: WorkloadRef, since = 0): fc.Sample[] {
    return this.#entries.get(workloadKey(w))?.series.samples(since) ?? [];
  }

  latest(w: WorkloadRef): WorkloadSample | undefined {
    return this.#entries.get(workloadKey(w))?.latest;
  }

  async #restore(e: Entry, signal: AbortSignal): Promise<void> {
    const path = `/api/v1/namespaces/${encodeURIComponent(e.ref.namespace)}/configmaps/${checkpointName(e.ref)}`;
    const res = await rawRequest(this.#kc, "GET", path, { signal, timeoutMs: 10_000 });
    e.restored = true;
    if (res.status === 404) return;
    const p = parseCheckpoint(expectOk(res, "get", `ConfigMap ${e.ref.namespace}/${checkpointName(e.ref)}`));
    if (p.kind !== "ok") {
      this.#opts.log?.(
        "warn",
        { target: workloadKey(e.ref), reason: p.message },
        "history checkpoint ignored",
      );
      return;
    }
    const r = e.series.restore(p.checkpoint);
    this.#opts.log?.("debug", { target: workloadKey(e.ref), ...r }, "history restored");
  }

  /** Writes one workload's checkpoint now. */
  async checkpoint(w: WorkloadRef): Promise<void> {
    const e = this.#entries.get(workloadKey(w));
    if (e === undefined || e.series.size === 0 || this.#opts.active?.() === false) return;
    await applyObjects(this.#kc, [checkpointObject(e.ref, "cpu", e.series.checkpoint())], {
      force: true, // the ConfigMap is Vigil's own object
    });
    e.lastCheckpoint = this.#now();
  }

  /** One round: restore new entries, sample every tracked workload, checkpoint the ones due. */
  async pollOnce(signal: AbortSignal): Promise<void> {
    const every = (this.#opts.checkpointMs ?? 300_000) / 1000;
    for (const e of [...this.#entries.values()]) {
      if (signal.aborted) return;
      try {
        if (!e.restored) await this.#restore(e, signal);
        const s = await sampleWorkload(this.#kc, e.ref, this.#now(), signal);
        e.latest = s;
        // No pod reported yet (metrics lag a new pod by a scrape): no sample rather than a false zero.
        if (s.pods > 0 || s.specReplicas === 0) e.series.add(s.t, s.millicores);
        if (this.#now() - e.lastCheckpoint >= every) await this.checkpoint(e.ref);
      } catch (err) {
        this.#opts.log?.(
          "warn",
          { target: workloadKey(e.ref), reason: err instanceof KubeError ? err.reason : "Unknown" },
          "history poll failed",
        );
      }
    }
  }

  /** Polls until `signal` aborts, then writes every checkpoint once more. */
  async run(signal: AbortSignal): Promise<void> {
    const pollMs = this.#opts.pollMs ?? 15_000;
    while (!signal.aborted) {
      await this.pollOnce(signal);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        signal.addEventListener(
          "abort",
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
    }
    for (const e of this.#entries.values()) {
      try {
        await this.checkpoint(e.ref);
      } catch {
        // best effort on the way out; the periodic checkpoint is at most a few minutes old
      }
    }
  }
}
