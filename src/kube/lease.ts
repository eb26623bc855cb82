/**
 * @module
 * Leader election on a coordination.k8s.io/v1 Lease (client-node has none): a 15 s lease, renewed every
 * 2 s, given up when a renewal has not succeeded for 10 s. Every update carries the resourceVersion it
 * read, so two candidates can never both believe they hold the lease. A leader that loses the lease
 * learns it through the AbortSignal it was given and must stop acting.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeError } from "./errors.js";
import { expectOk, rawRequest } from "./raw.js";

export interface LeaseOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryMs?: number;
  readonly onEvent?: (e: { type: "acquired" | "lost" | "released"; holder?: string | undefined }) => void;
}

interface LeaseJson {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

function microTime(d: Date): string {
  return d.toISOString().replace("Z", "000Z");
}

export class LeaderElector {
  readonly #kc: KubeConfig;
  readonly #o: Required<Omit<LeaseOptions, "onEvent">> & Pick<LeaseOptions, "onEvent">;

  constructor(kc: KubeConfig, opts: LeaseOptions) {
    this.#kc = kc;
    this.#o = { leaseSeconds: 15, renewDeadlineMs: 10_000, retryMs: 2_000, ...opts };
  }

  get #path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.#o.namespace}/leases`;
  }

  /** One attempt to take or renew the lease. True when this candidate holds it afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const got = await rawRequest(this.#kc, "GET", `${this.#path}/${this.#o.name}`, { timeoutMs: 5_000 });
    if (got.status === 404) {
      const body: LeaseJson = {
        metadata: { name: this.#o.name, namespace: this.#o.namespace },
        spec: {
          holderIdentity: this.#o.identity,
          leaseDurationSeconds: this.#o.leaseSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      };
      const res = await rawRequest(this.#kc, "POST", this.#path, {
        body: JSON.stringify({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", ...body }),
        timeoutMs: 5_000,
      });
      if (res.status === 409) return false; // someone created it first
      expectOk(res, "create", `lease ${this.#o.namespace}/${this.#o.name}`);
      return true;
    }
    const lease = expectOk(got, "read", `lease ${this.#o.namespace}/${this.#o.name}`) as LeaseJson;
    const holder = lease.spec.holderIdentity;
    const renewed = lease.spec.renewTime !== undefined ? Date.parse(lease.spec.renewTime) : 0;
    const duration = (lease.spec.leaseDurationSeconds ?? this.#o.leaseSeconds) * 1000;
    const mine = holder === this.#o.identity;
    const free = holder === undefined || holder === "" || renewed + duration < now.getTime();
    if (!mine && !free) return false;
    const next: LeaseJson = {
      metadata: lease.metadata,
      spec: {
        ...lease.spec,
        holderIdentity: this.#o.identity,
        leaseDurationSeconds: this.#o.leaseSeconds,
        renewTime: microTime(now),
        ...(mine
          ? {}
          : { acquireTime: microTime(now), leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1 }),
      },
    };
    const res = await rawRequest(this.#kc, "PUT", `${this.#path}/${this.#o.name}`, {
      body: JSON.stringify({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", ...next }),
      timeoutMs: 5_000,
    });
    if (res.status === 409) return false; // resourceVersion moved: another candidate won this round
    expectOk(res, "update", `lease ${this.#o.namespace}/${this.#o.name}`);
    return true;
  }

  /** Gives the lease up if held (so a successor need not wait for it to expire). */
  async release(): Promise<void> {
    const got = await rawRequest(this.#kc, "GET", `${this.#path}/${this.#o.name}`, { timeoutMs: 5_000 });
    if (got.status !== 200) return;
    const lease = got.body as LeaseJson;
    if (lease.spec.holderIdentity !== this.#o.identity) return;
    const next = { ...lease, spec: { ...lease.spec, holderIdentity: "", renewTime: undefined } };
    await rawRequest(this.#kc, "PUT", `${this.#path}/${this.#o.name}`, {
      body: JSON.stringify({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", ...next }),
      timeoutMs: 5_000,
    });
    this.#o.onEvent?.({ type: "released" });
  }

  /**
   * Campaigns until `signal` aborts. While leading, calls `lead(leaderSignal)`; the leader signal aborts
   * when the lease is lost or `signal` aborts. Returns after releasing the lease.
   */
  async run(signal: AbortSignal, lead: (leaderSignal: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      let held = false;
      try {
        held = await this.tryAcquireOrRenew();
      } catch (err) {
        if (!(err instanceof KubeError)) throw err;
      }
      if (!held) {
        await sleep(this.#o.retryMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      this.#o.onEvent?.({ type: "acquired", holder: this.#o.identity });
      const leader = new AbortController();
      const stop = () => {
        leader.abort();
      };
      signal.addEventListener("abort", stop, { once: true });
      const leading = lead(leader.signal);
      let lastRenew = performance.now();
      while (!leader.signal.aborted) {
        await sleep(this.#o.retryMs, undefined, { signal: leader.signal }).catch(() => undefined);
        if (isAborted(leader.signal)) break;
        try {
          if (await this.tryAcquireOrRenew()) lastRenew = performance.now();
          else {
            this.#o.onEvent?.({ type: "lost" });
            leader.abort();
          }
        } catch {
          if (performance.now() - lastRenew > this.#o.renewDeadlineMs) {
            this.#o.onEvent?.({ type: "lost" });
            leader.abort();
          }
        }
      }
      signal.removeEventListener("abort", stop);
      await leading;
      if (isAborted(signal)) {
        await this.release().catch(() => undefined);
        return;
      }
    }
  }
}

/** Read through a call so the type checker does not narrow an AbortSignal's state across awaits. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
