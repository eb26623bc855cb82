/**
 * @module
 * Process settings: read once from the environment here, then passed down frozen; and the alerting config
 * file of `vigil run`.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { AlertingConfig } from "../alert/index.js";
import { VigilError } from "../model/index.js";

export interface ProcessConfig {
  /** Vigil's state home (sandboxes live under it). */
  readonly home: string;
  /** The package root: bin/, dist/, deploy/. */
  readonly root: string;
  /** Testbed binaries, when set explicitly. */
  readonly testbedBin: string | undefined;
  readonly kubeconfigEnv: string | undefined;
}

export function readProcessConfig(env: NodeJS.ProcessEnv): ProcessConfig {
  // dist/cli/config.js and src/cli/config.ts are both two levels below the root.
  const root = resolve(fileURLToPath(new URL("../../", import.meta.url)));
  return Object.freeze({
    home: env["VIGIL_HOME"] ?? join(homedir(), ".vigil"),
    root,
    testbedBin: env["VIGIL_TESTBED_BIN"],
    kubeconfigEnv: env["KUBECONFIG"],
  });
}

/** Where `vigil run` sends incident notifications: `--alerting-config FILE` and the `--notify-*` flags. */
export interface AlertingFlags {
  readonly alertingConfig?: string | undefined;
  readonly notifyWebhook?: string | undefined;
  readonly notifySlack?: string | undefined;
  readonly notifyAlertmanager?: string | undefined;
  readonly alertReceiver?: string | undefined;
}

/**
 * The alerting settings of `vigil run`, or undefined when nothing asks for notifications. The file (YAML or
 * JSON, `AlertingConfig`) is read first; the `--notify-*` flags add their targets to the receiver named
 * `default` (created when the file has none; the default route sends everything there) and
 * `--alert-receiver` sets the Alertmanager webhook listen address. Errors never echo a URL (Slack's hold a
 * token).
 */
export function readAlertingConfig(f: AlertingFlags): AlertingConfig | undefined {
  const flagged =
    f.notifyWebhook !== undefined || f.notifySlack !== undefined || f.notifyAlertmanager !== undefined;
  if (f.alertingConfig === undefined && !flagged && f.alertReceiver === undefined) return undefined;
  let file: Record<string, unknown> = {};
  if (f.alertingConfig !== undefined) {
    let text: string;
    try {
      text = readFileSync(f.alertingConfig, "utf8");
    } catch (err) {
      throw new VigilError("InvalidInput", `cannot read the alerting config ${f.alertingConfig}`, {
        cause: err,
      });
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (err) {
      throw new VigilError("InvalidInput", `${f.alertingConfig}: not YAML or JSON`, { cause: err });
    }
    if (parsed !== null && parsed !== undefined && (typeof parsed !== "object" || Array.isArray(parsed)))
      throw new VigilError("InvalidInput", `${f.alertingConfig}: must be a mapping`);
    file = (parsed ?? {}) as Record<string, unknown>;
  }
  const receivers = Array.isArray(file["receivers"]) ? [...(file["receivers"] as unknown[])] : [];
  if (flagged) {
    const at = receivers.findIndex(
      (r) => typeof r === "object" && r !== null && (r as { name?: unknown }).name === "default",
    );
    const base = at >= 0 ? (receivers[at] as Record<string, unknown>) : { name: "default" };
    const merged = {
      ...base,
      ...(f.notifyWebhook !== undefined ? { webhook: { url: f.notifyWebhook } } : {}),
      ...(f.notifySlack !== undefined ? { slack: { url: f.notifySlack } } : {}),
      ...(f.notifyAlertmanager !== undefined ? { alertmanager: { url: f.notifyAlertmanager } } : {}),
    };
    if (at >= 0) receivers[at] = merged;
    else receivers.push(merged);
  }
  const input = {
    ...file,
    receivers,
    ...(f.alertReceiver !== undefined
      ? {
          alertmanagerWebhook: {
            ...(typeof file["alertmanagerWebhook"] === "object" ? file["alertmanagerWebhook"] : {}),
            listen: f.alertReceiver,
          },
        }
      : {}),
  };
  const r = AlertingConfig.safeParse(input);
  if (!r.success)
    throw new VigilError(
      "InvalidInput",
      // Issue paths and messages only: a failed URL check must not print the URL.
      `alerting config: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      { hint: "see docs/incidents.md#notifications-from-vigil-run" },
    );
  const routes = r.data.policy.routes.flatMap((x) => x.receivers);
  const names = new Set(r.data.receivers.map((x) => x.name));
  const unknown = [...new Set(routes)].filter((n) => !names.has(n));
  if (unknown.length > 0)
    throw new VigilError(
      "InvalidInput",
      `alerting config: routes name unknown receivers: ${unknown.join(", ")}`,
      {
        hint: "define them under receivers, or pass --notify-webhook/--notify-slack/--notify-alertmanager for `default`",
      },
    );
  return Object.freeze(r.data);
}
