// `vigil run`'s alerting settings: the config file, the --notify-* flags on the `default` receiver, the
// Alertmanager webhook listen address, and errors that never echo a URL.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VigilError } from "../model/index.js";
import { readAlertingConfig } from "./config.js";

const dir = mkdtempSync(join(tmpdir(), "vigil-alerting-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("readAlertingConfig", () => {
  it("is off when nothing asks for notifications", () => {
    expect(readAlertingConfig({})).toBeUndefined();
  });

  it("flags make a `default` receiver the default route uses", () => {
    const c = readAlertingConfig({
      notifyWebhook: "http://127.0.0.1:8080/hook",
      notifySlack: "https://hooks.slack.com/services/T/B/X",
      alertReceiver: ":9095",
    });
    expect(c?.receivers).toEqual([
      {
        name: "default",
        webhook: { url: "http://127.0.0.1:8080/hook", headers: {} },
        slack: { url: "https://hooks.slack.com/services/T/B/X" },
      },
    ]);
    expect(c?.alertmanagerWebhook).toEqual({ listen: ":9095", path: "/alertmanager" });
    expect(c?.policy.routes.map((r) => r.receivers)).toEqual([["default"]]);
  });

  it("reads a YAML file; flags add their targets to its `default` receiver", () => {
    const p = file(
      "a.yaml",
      [
        "policy:",
        "  groupWaitSeconds: 10",
        "  routes:",
        "    - { name: pager, receivers: [pager], minSeverity: critical, continue: true }",
        "    - { name: all, receivers: [default] }",
        "receivers:",
        "  - name: pager",
        "    alertmanager: { url: 'http://am:9093' }",
        "  - name: default",
        "    webhook: { url: 'http://hooks/a' }",
        "alertmanagerWebhook: { listen: '127.0.0.1:9095', path: /am }",
        "correlation: { settleSeconds: 30 }",
      ].join("\n"),
    );
    const c = readAlertingConfig({ alertingConfig: p, notifySlack: "https://hooks.slack.com/x" });
    expect(c?.policy.groupWaitSeconds).toBe(10);
    expect(c?.receivers.find((r) => r.name === "default")).toMatchObject({
      webhook: { url: "http://hooks/a" },
      slack: { url: "https://hooks.slack.com/x" },
    });
    expect(c?.alertmanagerWebhook).toEqual({ listen: "127.0.0.1:9095", path: "/am" });
    expect(c?.correlation.settleSeconds).toBe(30);
    expect(readAlertingConfig({ alertingConfig: p, alertReceiver: ":9999" })?.alertmanagerWebhook).toEqual({
      listen: ":9999",
      path: "/am",
    });
  });

  it("rejects bad input without echoing URLs", () => {
    const bad = () => readAlertingConfig({ notifySlack: "ftp://secret-token-host/x" });
    expect(bad).toThrow(VigilError);
    expect(bad).not.toThrow(/secret-token/);
    expect(() => readAlertingConfig({ alertReceiver: ":9095" })).toThrow(/unknown receivers: default/);
    expect(() => readAlertingConfig({ alertingConfig: file("b.yaml", "- 1") })).toThrow(/mapping/);
    expect(() => readAlertingConfig({ alertingConfig: join(dir, "missing.yaml") })).toThrow(/cannot read/);
  });
});
