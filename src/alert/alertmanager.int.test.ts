// Integration with a real Alertmanager (Debian's prometheus-alertmanager, see scripts/ci-apt.sh), started
// here on free loopback ports with a temporary config and storage directory (no systemd service):
// Vigil's notifier pushes incidents to its v2 API, the test reads them back through that API, and
// Alertmanager's webhook delivers them (and a Prometheus-style alert) to Vigil's receiver, where the
// alert joins the incident of the Deployment it names.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../test/harness.js";
import * as incident from "../incident/index.js";
import { type AlertReceiver, AlertingConfig, createNotifier, startAlertReceiver } from "./index.js";

const BIN =
  process.env["VIGIL_ALERTMANAGER_BIN"] ??
  ["/usr/bin/prometheus-alertmanager", "/usr/local/bin/alertmanager"].find((p) => existsSync(p));

const stop = new AbortController();
let dir = "";
let am: ChildProcess | undefined;
let amUrl = "";
let rx: AlertReceiver;
let amLog = "";
const received: incident.AlertSignal[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

const T0 = Date.now() - 120_000;
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const dep = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api" };
const pod = { apiVersion: "v1", kind: "Pod", namespace: "shop", name: "api-7d9f8c6b5-aaaaa" };
const owners: incident.OwnerLookup = (r) => (r.kind === "Pod" ? dep : undefined);

const findingSignal = incident.Signal.parse({
  kind: "finding",
  at: at(0),
  state: "firing",
  id: "Pod/CrashLoopBackOff/Deployment/shop/api",
  code: "CrashLoopBackOff",
  severity: "high",
  object: dep,
  ownerChain: [pod, dep],
  reason: "1/1 pods of Deployment shop/api crash on start (exit code 3)",
  fix: "roll back the last change",
  action: "rollback",
});

beforeAll(async () => {
  if (BIN === undefined) return;
  dir = mkdtempSync(join(tmpdir(), "vigil-am-"));
  rx = await startAlertReceiver(
    { port: 0, clock: { now: () => new Date() }, onSignals: (s) => received.push(...s) },
    stop.signal,
  );
  const port = await freePort();
  amUrl = `http://127.0.0.1:${String(port)}`;
  writeFileSync(
    join(dir, "alertmanager.yml"),
    [
      "route:",
      "  receiver: vigil",
      "  group_by: ['alertname', 'incident']",
      "  group_wait: 1s",
      "  group_interval: 1s",
      "  repeat_interval: 1h",
      "receivers:",
      "  - name: vigil",
      "    webhook_configs:",
      `      - url: ${rx.url}`,
      "        send_resolved: true",
      "",
    ].join("\n"),
  );
  am = spawn(
    BIN,
    [
      `--config.file=${join(dir, "alertmanager.yml")}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${String(port)}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const keep = (c: Buffer) => {
    amLog = (amLog + c.toString("utf8")).slice(-4000);
  };
  am.stdout?.on("data", keep);
  am.stderr?.on("data", keep);
  await eventually("alertmanager ready", 60_000, async () => {
    if (am?.exitCode !== null) throw new Error(`alertmanager exited: ${amLog}`);
    const r = await fetch(`${amUrl}/-/ready`);
    return r.ok ? true : undefined;
  });
}, 90_000);

afterAll(async () => {
  stop.abort();
  if (am !== undefined && am.exitCode === null) {
    const exited = new Promise((r) => am?.once("exit", r));
    am.kill("SIGTERM");
    const t = setTimeout(() => am?.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(t);
  }
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe.skipIf(BIN === undefined)("real Alertmanager", () => {
  it("takes Vigil's incidents on its v2 API, reads them back, and delivers them and their resolution to Vigil's webhook", async () => {
    const cfg = AlertingConfig.parse({ receivers: [{ name: "am", alertmanager: { url: amUrl } }] });
    const notify = createNotifier(cfg);
    const policy = incident.defaultAlertPolicy;
    const open = incident.correlate(
      new Date(T0 + 60_000),
      [findingSignal],
      owners,
      incident.defaultIncidentConfig,
    );
    const inc = open[0];
    expect(inc?.status).toBe("open");
    if (inc === undefined) return;
    const n: incident.Notification = {
      receiver: "am",
      route: "default",
      group: "am|default|id",
      at: new Date().toISOString(),
      items: [{ change: "firing", incident: inc }],
    };
    const d = await notify(n, stop.signal);
    expect(d.map((x) => [x.target, x.ok, x.status])).toEqual([["alertmanager", true, 200]]);

    // Read back through Alertmanager's own API.
    const listed = await eventually("the incident in GET /api/v2/alerts", 30_000, async () => {
      const r = await fetch(`${amUrl}/api/v2/alerts?filter=${encodeURIComponent(`incident="${inc.id}"`)}`);
      const body = (await r.json()) as {
        labels: Record<string, string>;
        annotations: Record<string, string>;
        status: { state: string };
      }[];
      return body.length === 1 ? body[0] : undefined;
    });
    expect(listed.labels).toMatchObject({
      alertname: "VigilIncident",
      incident: inc.id,
      severity: inc.severity,
    });
    expect(listed.annotations["root_cause"]).toContain("CrashLoopBackOff");
    expect(listed.annotations["timeline"]).toContain("CrashLoopBackOff (high) on Deployment shop/api");
    expect(listed.annotations["action"]).toBe("recommended: roll back the last change");
    expect(listed.status.state).toBe("active");

    // Alertmanager's webhook reaches Vigil's receiver.
    await eventually("a firing webhook for the incident", 30_000, () =>
      Promise.resolve(
        received.some((s) => s.labels["incident"] === inc.id && s.status === "firing") ? true : undefined,
      ),
    );

    // Resolution: the alert ends, Alertmanager drops it from the active list and sends the resolution.
    const resolvedAt = new Date().toISOString();
    const done = { ...inc, status: "resolved" as const, resolvedAt };
    const r2 = await notify(
      { ...n, at: resolvedAt, items: [{ change: "resolved", incident: done }] },
      stop.signal,
    );
    expect(r2[0]?.ok).toBe(true);
    await eventually("a resolved webhook for the incident", 30_000, () =>
      Promise.resolve(
        received.some((s) => s.labels["incident"] === inc.id && s.status === "resolved") ? true : undefined,
      ),
    );
    const active = (await (
      await fetch(`${amUrl}/api/v2/alerts?active=true&filter=${encodeURIComponent(`incident="${inc.id}"`)}`)
    ).json()) as unknown[];
    expect(active).toEqual([]);
    expect(policy.sendResolved).toBe(true);
  });

  it("turns a Prometheus alert routed through Alertmanager into a signal that joins the Deployment's incident", async () => {
    const post = await fetch(`${amUrl}/api/v2/alerts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify([
        {
          labels: {
            alertname: "KubePodCrashLooping",
            namespace: "shop",
            pod: pod.name,
            severity: "warning",
          },
          annotations: { summary: "Pod is crash looping." },
          startsAt: at(30),
        },
      ]),
    });
    expect(post.status).toBe(200);
    const alert = await eventually("KubePodCrashLooping at Vigil's receiver", 30_000, () =>
      Promise.resolve(received.find((s) => s.name === "KubePodCrashLooping")),
    );
    expect(alert.object).toEqual(pod);
    const incidents = incident.correlate(
      new Date(),
      [findingSignal, alert],
      owners,
      incident.defaultIncidentConfig,
    );
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.signals.alerts).toBe(1);
    expect(incidents[0]?.labels["alertname"]).toBe("KubePodCrashLooping");
    expect(incidents[0]?.rootCauses.map((c) => c.code)).toEqual(["CrashLoopBackOff", "KubePodCrashLooping"]);
    expect(rx.stats.rejected).toBe(0);
  });
});
