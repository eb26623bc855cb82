/**
 * Alerting settings: the pure alert policy (routes, intervals, silences) plus where each receiver delivers.
 * Read from a YAML or JSON file by the CLI; receiver URLs may hold tokens (Slack's do), so they are never
 * logged or put in errors: errors name the receiver.
 */
import { z } from "zod";
import { AlertPolicy, IncidentConfig } from "../incident/index.js";

const Url = z
  .string()
  .max(4096)
  .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL");

export const ReceiverConfig = z
  .object({
    name: z.string().min(1).max(128),
    /** Generic JSON webhook: POSTs `webhookBody(notification)`. */
    webhook: z
      .object({ url: Url, headers: z.record(z.string().max(256), z.string().max(4096)).default({}) })
      .optional(),
    /** Slack incoming webhook: POSTs `{text, blocks}`. */
    slack: z.object({ url: Url }).optional(),
    /** Alertmanager: POSTs postable alerts to `<url>/api/v2/alerts`. */
    alertmanager: z
      .object({
        url: Url,
        /** How long a firing alert stays valid without a re-send (default: repeat interval + 1 h). */
        validSeconds: z.int().min(60).max(31_536_000).optional(),
      })
      .optional(),
  })
  .refine((r) => r.webhook !== undefined || r.slack !== undefined || r.alertmanager !== undefined, {
    message: "a receiver needs webhook, slack or alertmanager",
  });
export type ReceiverConfig = z.output<typeof ReceiverConfig>;

export const AlertingConfig = z.object({
  policy: AlertPolicy.prefault({}),
  receivers: z.array(ReceiverConfig).max(64).default([]),
  /** Per delivery. */
  timeoutSeconds: z.number().min(1).max(120).default(10),
  /** `vigil run` accepts Alertmanager webhooks here, so Prometheus alerts join its incidents. */
  alertmanagerWebhook: z
    .object({
      /** `HOST:PORT`, `:PORT` (all interfaces) or `[V6]:PORT`. */
      listen: z
        .string()
        .max(300)
        .regex(/^(?:\[[^\]]+\]|[^:]*):\d{1,5}$/, "must be HOST:PORT, :PORT or [V6]:PORT"),
      path: z.string().startsWith("/").max(256).default("/alertmanager"),
    })
    .optional(),
  /** Correlation settings (docs/incidents.md); the defaults are the ones the bench measures. */
  correlation: IncidentConfig.prefault({}),
});
export type AlertingConfig = z.output<typeof AlertingConfig>;
export type AlertingConfigInput = z.input<typeof AlertingConfig>;
