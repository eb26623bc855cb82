/**
 * Incident notifications for `vigil run`, IO only: collects the operator's signals (finding events from the
 * observer, Kubernetes Events and owner edges from the informers, the healer's actions, Alertmanager alerts
 * from an optional webhook receiver) into a bounded window, and every few seconds asks the pure
 * `incident.liveStep` what to send, then sends it through `src/alert`'s notifiers. Correlation, grouping,
 * intervals, silences and resolve notifications are decided in src/incident; a delivery that failed on every
 * target is handed back to the policy (`incident.unsend`) and retried with backoff. The notify state is kept
 * in memory: a restart announces the incidents that are still open again.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";
import {
  type AlertReceiver,
  type AlertingConfig,
  type Delivery,
  type Notifier,
  createNotifier,
  startAlertReceiver,
} from "../alert/index.js";
import * as incident from "../incident/index.js";
import type { Clock, ObjectRef } from "../model/index.js";
import type { HealEvent } from "./healer.js";
import type { FindingEvent } from "./observer.js";

export interface NotificationsOptions {
  readonly clock: Clock;
  readonly config: AlertingConfig;
  readonly log: Logger;
  /** Default: `createNotifier(config)`. */
  readonly notifier?: Notifier;
  /** How often the policy steps (waits and intervals elapse between steps). Default 5 s. */
  readonly tickMs?: number;
  /** Signals kept in the window (the oldest events go first past it). Default 20,000. */
  readonly maxSignals?: number;
  /** Registers `vigil_notifications_total` and `vigil_incidents_open` here. */
  readonly registry?: Registry | undefined;
}

export interface NotificationsStats {
  /** Notifications with at least one delivered target. */
  sent: number;
  /** Notifications that failed on every target (retried). */
  failed: number;
  ticks: number;
  signals: number;
  dropped: number;
}

/** Bounded map: the oldest insertion goes first once `max` is reached. */
class Capped<V> extends Map<string, V> {
  readonly #max: number;
  constructor(max: number) {
    super();
    this.#max = max;
  }
  override set(k: string, v: V): this {
    if (!this.has(k) && this.size >= this.#max) {
      const first = this.keys().next();
      if (first.done !== true) this.delete(first.value);
    }
    return super.set(k, v);
  }
}

interface Meta {
  readonly name?: string;
  readonly namespace?: string;
  readonly ownerReferences?: readonly {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly controller?: boolean;
  }[];
}

interface EventJson {
  readonly metadata?: Meta;
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
  readonly firstTimestamp?: string;
  readonly series?: { readonly count?: number; readonly lastObservedTime?: string };
  readonly source?: { readonly host?: string };
  readonly involvedObject?: {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly namespace?: string;
    readonly name?: string;
  };
}

const OWNED: Readonly<Record<string, readonly [string, string]>> = {
  pods: ["Pod", "v1"],
  replicaSets: ["ReplicaSet", "apps/v1"],
  jobs: ["Job", "batch/v1"],
};

const refKey = (r: { kind: string; namespace: string; name: string }) => `${r.kind}/${r.namespace}/${r.name}`;

/** `host:port`, `:port` or `[v6]:port`. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  if (m === null || !(port >= 0 && port <= 65535))
    throw new RangeError("listen address must be HOST:PORT, :PORT or [V6]:PORT");
  const host = m[1] ?? m[2] ?? "";
  return { host: host === "" ? "0.0.0.0" : host, port };
}

export class Notifications {
  readonly #o: NotificationsOptions;
  readonly #notify: Notifier;
  readonly #owners = new Capped<ObjectRef>(100_000);
  readonly #podNode = new Capped<string>(100_000);
  /** Event id → count last seen: a MODIFIED without a new occurrence is not a new observation. */
  readonly #eventCount = new Capped<number>(100_000);
  /** Alert fingerprint → status and time last seen: Alertmanager re-sends what is still firing. */
  readonly #alertSeen = new Capped<string>(50_000);
  /** Healer incident name → the action's target (for escalations, which name only the incident). */
  readonly #healTarget = new Capped<ObjectRef>(10_000);
  /** Group → earliest next attempt after a failed delivery, and the failures in a row. */
  readonly #retry = new Map<string, { at: number; failures: number }>();
  #pending: incident.Signal[] = [];
  #state: incident.LiveState = incident.emptyLiveState;
  #incidents: readonly incident.Incident[] = [];
  #receiver: AlertReceiver | undefined;
  readonly stats: NotificationsStats = { sent: 0, failed: 0, ticks: 0, signals: 0, dropped: 0 };
  readonly #sentCounter: Counter | undefined;
  readonly #openGauge: Gauge | undefined;

  constructor(opts: NotificationsOptions) {
    this.#o = opts;
    this.#notify = opts.notifier ?? createNotifier(opts.config);
    if (opts.registry !== undefined) {
      this.#sentCounter = new Counter({
        name: "vigil_notifications_total",
        help: "Incident notifications by receiver and result (sent: at least one target delivered).",
        labelNames: ["receiver", "result"],
        registers: [opts.registry],
      });
      this.#openGauge = new Gauge({
        name: "vigil_incidents_open",
        help: "Open correlated incidents.",
        registers: [opts.registry],
      });
    }
  }

  /** The incidents of the last step. */
  get incidents(): readonly incident.Incident[] {
    return this.#incidents;
  }

  /** The Alertmanager webhook URL when the receiver runs. */
  get receiverUrl(): string | undefined {
    return this.#receiver?.url;
  }

  #push(s: incident.Signal): void {
    if (!incident.relevant(s)) return;
    this.#pending.push(s);
    this.stats.signals++;
    // The window caps what is correlated; this only bounds a burst between two ticks.
    const max = this.#o.maxSignals ?? 20_000;
    if (this.#pending.length > max) {
      this.#pending.splice(0, this.#pending.length - max);
      this.stats.dropped++;
    }
  }

  readonly #ownerLookup: incident.OwnerLookup = (ref) => this.#owners.get(refKey(ref));

  /** A finding detected, changed or resolved (the observer's `onEvent`). */
  finding(e: FindingEvent): void {
    const f = e.finding;
    const first = f.ownerChain[0];
    const node =
      first?.kind === "Pod"
        ? this.#podNode.get(`${first.namespace}/${first.name}`)
        : f.object.kind === "Node"
          ? f.object.name
          : undefined;
    this.#push({
      kind: "finding",
      at: this.#o.clock.now().toISOString(),
      state: e.type === "resolved" ? "resolved" : "firing",
      id: f.id,
      code: f.code,
      severity: f.severity,
      object: f.object,
      ownerChain: [...f.ownerChain],
      reason: f.reason,
      fix: f.fix.summary,
      action: f.fix.action.kind,
      ...(node !== undefined ? { node } : {}),
    });
  }

  /** A metric anomaly from the live detectors (`Anomalies`); correlated like any other signal. */
  anomaly(s: incident.AnomalySignal): void {
    this.#push(s);
  }

  /** What the healer did (its `onEvent`): actions, their verification, escalations. */
  heal(e: HealEvent): void {
    const at = this.#o.clock.now().toISOString();
    const act = (
      action: string,
      target: ObjectRef,
      result: incident.ActionSignal["result"],
      reason: string,
    ): void => {
      this.#push({ kind: "action", at, action, target, result, reason: reason.slice(0, 4096) });
    };
    switch (e.type) {
      case "acted":
        this.#healTarget.set(e.incident, e.action.target);
        act(e.action.kind, e.action.target, "succeeded", `applied: ${e.action.reason.message}`);
        return;
      case "planned":
        this.#healTarget.set(e.incident, e.action.target);
        act(e.action.kind, e.action.target, "planned", `recommended: ${e.action.reason.message}`);
        return;
      case "dryRun":
        act(e.action.kind, e.action.target, "dryRun", `dry run: ${e.action.reason.message}`);
        return;
      case "verified":
        act(e.action.kind, e.action.target, "succeeded", e.detail); // "verified: …"
        return;
      case "undone":
        act(e.action.kind, e.action.target, "failed", `undone, ${e.detail}`);
        return;
      case "timedOut":
        act(e.action.kind, e.action.target, "failed", `timed out, ${e.detail}`);
        return;
      case "failed":
        act(e.action.kind, e.action.target, "failed", `request failed: ${e.detail}`);
        return;
      case "escalated": {
        const target = this.#healTarget.get(e.incident);
        if (target !== undefined) act("escalate", target, "refused", e.message);
        return;
      }
      case "resolved": // the observer reports the finding resolving
      case "skipped":
        return;
    }
  }

  /** Every informer change (the WatchSet's `onObject`): Events become signals, owner edges and pod nodes are kept. */
  object(kind: string, id: string, obj: unknown): void {
    if (kind === "events") {
      if (obj === undefined) this.#eventCount.delete(id);
      else this.#event(id, obj as EventJson);
      return;
    }
    const owned = OWNED[kind];
    if (owned === undefined || obj === undefined) return; // deleted objects keep their edges (capped)
    const m = (obj as { metadata?: Meta }).metadata;
    if (m?.name === undefined) return;
    const ns = m.namespace ?? "";
    const o = m.ownerReferences?.find((x) => x.controller === true);
    if (o !== undefined)
      this.#owners.set(`${owned[0]}/${ns}/${m.name}`, {
        apiVersion: o.apiVersion,
        kind: o.kind,
        namespace: ns,
        name: o.name,
      });
    if (kind === "pods") {
      const node = (obj as { spec?: { nodeName?: string } }).spec?.nodeName;
      if (node !== undefined && node !== "") this.#podNode.set(`${ns}/${m.name}`, node);
    }
  }

  #event(id: string, e: EventJson): void {
    const count = e.series?.count ?? e.count ?? 1;
    if (this.#eventCount.get(id) === count) return;
    this.#eventCount.set(id, count);
    const io = e.involvedObject;
    if (io?.kind === undefined || io.name === undefined) return;
    const ns = io.namespace ?? "";
    const node =
      io.kind === "Pod" ? this.#podNode.get(`${ns}/${io.name}`) : io.kind === "Node" ? io.name : undefined;
    const host = node ?? e.source?.host;
    this.#push({
      kind: "event",
      at:
        e.series?.lastObservedTime ??
        e.lastTimestamp ??
        e.eventTime ??
        e.firstTimestamp ??
        this.#o.clock.now().toISOString(),
      object: { apiVersion: io.apiVersion ?? "", kind: io.kind, namespace: ns, name: io.name },
      type: e.type === "Warning" ? "Warning" : "Normal",
      reason: (e.reason ?? "").slice(0, 256),
      message: (e.message ?? "").slice(0, 4096),
      count: Math.max(1, Math.min(count, 1_000_000_000)),
      ...(host !== undefined && host !== "" ? { node: host } : {}),
    });
  }

  /** Alerts from the Alertmanager webhook receiver. */
  alerts(signals: readonly incident.AlertSignal[]): void {
    for (const s of signals) {
      const seen = `${s.status}|${s.at}`;
      if (this.#alertSeen.get(s.fingerprint) === seen) continue;
      this.#alertSeen.set(s.fingerprint, seen);
      this.#push(s);
    }
  }

  /** One policy step now: correlate, plan, send. Exposed for tests; `run` calls it every tick. */
  async step(signal: AbortSignal): Promise<void> {
    const now = this.#o.clock.now();
    const added = this.#pending;
    this.#pending = [];
    this.stats.ticks++;
    if (
      added.length === 0 &&
      this.#state.signals.length === 0 &&
      Object.keys(this.#state.notify.groups).length === 0
    )
      return;
    const before = this.#state.notify;
    const started = performance.now();
    const r = incident.liveStep(now, this.#state, added, this.#ownerLookup, {
      cfg: this.#o.config.correlation,
      policy: this.#o.config.policy,
      maxSignals: this.#o.maxSignals ?? 20_000,
    });
    this.#incidents = r.incidents;
    this.#o.log.debug(
      {
        signals: r.state.signals.length,
        incidents: r.incidents.length,
        tookMs: Math.round(performance.now() - started),
      },
      "notification step",
    );
    this.#openGauge?.set(r.incidents.filter((i) => i.status === "open").length);
    if (r.state.dropped > this.#state.dropped)
      this.#o.log.warn({ dropped: r.state.dropped - this.#state.dropped }, "incident signal window full");
    this.stats.dropped += r.state.dropped - this.#state.dropped;
    const failed: string[] = [];
    await Promise.all(
      r.notifications.map(async (n) => {
        const retry = this.#retry.get(n.group);
        if (retry !== undefined && now.getTime() < retry.at) {
          failed.push(n.group); // still backing off: plan it again later, send nothing now
          return;
        }
        const deliveries = await this.#notify(n, signal);
        this.#logDeliveries(n, deliveries);
        if (deliveries.some((d) => d.ok)) {
          this.#retry.delete(n.group);
          this.stats.sent++;
          this.#sentCounter?.inc({ receiver: n.receiver, result: "sent" });
          return;
        }
        failed.push(n.group);
        this.stats.failed++;
        this.#sentCounter?.inc({ receiver: n.receiver, result: "failed" });
        const failures = (retry?.failures ?? 0) + 1;
        const delay = Math.min(300_000, 5_000 * 2 ** Math.min(failures - 1, 6));
        this.#retry.set(n.group, { at: now.getTime() + delay, failures });
      }),
    );
    this.#state = {
      ...r.state,
      notify: failed.length > 0 ? incident.unsend(before, r.state.notify, failed) : r.state.notify,
    };
    for (const g of this.#retry.keys()) if (this.#state.notify.groups[g] === undefined) this.#retry.delete(g);
  }

  #logDeliveries(n: incident.Notification, deliveries: readonly Delivery[]): void {
    const items = n.items.map((x) => `${x.change}:${x.incident.id}`);
    for (const d of deliveries) {
      const fields = { receiver: d.receiver, target: d.target, route: n.route, status: d.status, items };
      if (d.ok) this.#o.log.info(fields, "notification sent");
      else this.#o.log.warn({ ...fields, code: d.error?.code }, "notification failed");
    }
  }

  /**
   * Starts the Alertmanager receiver when configured, then steps every tick until `signal` aborts. While
   * `active` is false (another replica leads) signals are only collected (bounded), nothing is sent.
   */
  async run(signal: AbortSignal, active: () => boolean = () => true): Promise<void> {
    const hook = this.#o.config.alertmanagerWebhook;
    if (hook !== undefined) {
      const { host, port } = parseListen(hook.listen);
      this.#receiver = await startAlertReceiver(
        {
          host,
          port,
          path: hook.path,
          clock: this.#o.clock,
          onSignals: (s) => {
            this.alerts(s);
          },
          onReject: (fields) => {
            this.#o.log.warn(fields, "alertmanager webhook rejected");
          },
        },
        signal,
      );
      this.#o.log.info({ url: this.#receiver.url }, "alertmanager webhook receiver listening");
    }
    const tick = this.#o.tickMs ?? 5_000;
    while (!signal.aborted) {
      try {
        if (active()) await this.step(signal);
      } catch (err) {
        this.#o.log.error({ err: err instanceof Error ? err.name : "unknown" }, "notification step failed");
      }
      await sleep(tick, undefined, { signal }).catch(() => undefined);
    }
    await this.#receiver?.close();
  }
}
