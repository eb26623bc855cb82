/**
 * Delivers notifications: generic JSON webhook, Slack incoming webhook, Alertmanager v2 (`POST
 * /api/v2/alerts`). One POST per target with a timeout and the caller's abort signal; a delivery that fails
 * is reported, never retried here (the next policy step re-plans). Errors name the receiver, never its URL.
 */
import { type Notification, alertmanagerAlerts, slackBody, webhookBody } from "../incident/index.js";
import { VigilError } from "../model/index.js";
import type { AlertingConfig, ReceiverConfig } from "./config.js";

export class NotifyError extends VigilError {
  readonly receiver: string;
  readonly target: "webhook" | "slack" | "alertmanager";
  readonly status: number | undefined;
  constructor(
    receiver: string,
    target: "webhook" | "slack" | "alertmanager",
    status: number | undefined,
    options?: ErrorOptions,
  ) {
    super(
      "NotifyFailed",
      `receiver ${receiver}: ${target} delivery failed${status !== undefined ? ` (HTTP ${String(status)})` : ""}`,
      options,
    );
    this.receiver = receiver;
    this.target = target;
    this.status = status;
  }
}

export interface Delivery {
  readonly receiver: string;
  readonly target: "webhook" | "slack" | "alertmanager";
  readonly ok: boolean;
  readonly status?: number | undefined;
  readonly error?: NotifyError | undefined;
}

const MAX_RESPONSE = 64 * 1024;

async function post(
  receiver: string,
  target: Delivery["target"],
  url: string,
  body: unknown,
  opts: { headers?: Readonly<Record<string, string>>; timeoutMs: number; signal: AbortSignal },
): Promise<Delivery> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...opts.headers, "Content-Type": "application/json", "User-Agent": "vigil" },
      body: JSON.stringify(body),
      signal: AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]),
    });
    // Read a bounded amount so the connection is released.
    const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array> | undefined;
    let read = 0;
    while (reader !== undefined && read < MAX_RESPONSE) {
      const chunk = await reader.read();
      if (chunk.done) break;
      read += chunk.value.byteLength;
    }
    await reader?.cancel();
    if (res.ok) return { receiver, target, ok: true, status: res.status };
    return {
      receiver,
      target,
      ok: false,
      status: res.status,
      error: new NotifyError(receiver, target, res.status),
    };
  } catch (err) {
    return {
      receiver,
      target,
      ok: false,
      error: new NotifyError(receiver, target, undefined, { cause: err }),
    };
  }
}

/** The Alertmanager v2 alerts endpoint under a base URL (`http://am:9093` or with a route prefix). */
export function alertmanagerAlertsUrl(base: string): string {
  return `${base.replace(/\/+$/, "")}/api/v2/alerts`;
}

export type Notifier = (n: Notification, signal: AbortSignal) => Promise<readonly Delivery[]>;

/** Sends each notification to every target of its receiver; an unknown receiver is a failed delivery. */
export function createNotifier(cfg: AlertingConfig): Notifier {
  const byName = new Map<string, ReceiverConfig>(cfg.receivers.map((r) => [r.name, r]));
  const timeoutMs = cfg.timeoutSeconds * 1000;
  const validSeconds = cfg.policy.repeatIntervalSeconds + 3600;
  return async (n, signal) => {
    const r = byName.get(n.receiver);
    if (r === undefined)
      return [
        {
          receiver: n.receiver,
          target: "webhook",
          ok: false,
          error: new NotifyError(n.receiver, "webhook", undefined, {
            cause: new VigilError("UnknownReceiver", "no receiver with this name is configured"),
          }),
        },
      ];
    const jobs: Promise<Delivery>[] = [];
    if (r.webhook !== undefined)
      jobs.push(
        post(r.name, "webhook", r.webhook.url, webhookBody(n), {
          headers: r.webhook.headers,
          timeoutMs,
          signal,
        }),
      );
    if (r.slack !== undefined)
      jobs.push(post(r.name, "slack", r.slack.url, slackBody(n), { timeoutMs, signal }));
    if (r.alertmanager !== undefined)
      jobs.push(
        post(
          r.name,
          "alertmanager",
          alertmanagerAlertsUrl(r.alertmanager.url),
          alertmanagerAlerts(n, r.alertmanager.validSeconds ?? validSeconds),
          { timeoutMs, signal },
        ),
      );
    return Promise.all(jobs);
  };
}
