// The notifiers and the Alertmanager webhook receiver over real loopback HTTP (no mocks): a local server
// stands in for the webhook endpoint, Slack and Alertmanager's API and records what arrives.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as incident from "../incident/index.js";
import { AlertingConfig, NotifyError, createNotifier, startAlertReceiver } from "./index.js";

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}
const seen: Seen[] = [];
let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      seen.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: JSON.parse(text) as unknown,
      });
      res.writeHead(req.url === "/fail" ? 500 : 200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const T0 = Date.parse("2026-11-20T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const dep = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api" };

function sampleIncident(): incident.Incident {
  const signals = [
    {
      kind: "finding",
      at: at(0),
      state: "firing",
      id: "Pod/CrashLoopBackOff/Deployment/shop/api",
      code: "CrashLoopBackOff",
      severity: "high",
      object: dep,
      reason: "2/2 pods of Deployment shop/api crash on start (exit code 3)",
      fix: "read the previous container's logs; roll back the last change",
      action: "rollback",
    },
    {
      kind: "event",
      at: at(5),
      object: { apiVersion: "v1", kind: "Pod", namespace: "shop", name: "api-1" },
      type: "Warning",
      reason: "BackOff",
      message: "Back-off restarting failed container app",
    },
  ].map((s) => incident.Signal.parse(s));
  const found = incident.correlate(
    new Date(T0 + 60_000),
    signals,
    (r) => (r.kind === "Pod" ? dep : undefined),
    incident.defaultIncidentConfig,
  );
  const i = found[0];
  if (i === undefined) throw new Error("no incident");
  return i;
}

function notification(receiver: string): incident.Notification {
  return {
    receiver,
    route: "default",
    group: `${receiver}|default|id=x`,
    at: at(60),
    items: [{ change: "firing", incident: sampleIncident() }],
  };
}

describe("notifiers", () => {
  it("delivers the generic webhook, Slack and Alertmanager bodies with summary, root cause, timeline and action", async () => {
    seen.length = 0;
    const cfg = AlertingConfig.parse({
      receivers: [
        {
          name: "all",
          webhook: { url: `${base}/hook`, headers: { Authorization: "Bearer t" } },
          slack: { url: `${base}/slack` },
          alertmanager: { url: `${base}/am/` },
        },
      ],
    });
    const res = await createNotifier(cfg)(notification("all"), new AbortController().signal);
    expect(res.map((d) => [d.target, d.ok, d.status])).toEqual([
      ["webhook", true, 200],
      ["slack", true, 200],
      ["alertmanager", true, 200],
    ]);
    const byPath = new Map(seen.map((s) => [s.path, s]));
    const hook = byPath.get("/hook");
    expect(hook?.headers["authorization"]).toBe("Bearer t");
    const hb = hook?.body as ReturnType<typeof incident.webhookBody>;
    expect(hb.status).toBe("firing");
    const item = hb.incidents[0];
    expect(item?.summary).toContain("Deployment shop/api");
    expect(item?.rootCause?.code).toBe("CrashLoopBackOff");
    expect(item?.timeline.length).toBeGreaterThan(1);
    expect(item?.recommended?.action).toBe("rollback");

    const slack = byPath.get("/slack")?.body as { text: string; blocks: { text?: { text: string } }[] };
    expect(slack.text).toMatch(/^\[HIGH\] CrashLoopBackOff on Deployment shop\/api/);
    const mrkdwn = slack.blocks.map((b) => b.text?.text ?? "").join("\n");
    expect(mrkdwn).toContain("*Root cause:*");
    expect(mrkdwn).toContain("*Action:* recommended: read the previous container");
    expect(mrkdwn).toContain("*Timeline*");

    const am = byPath.get("/am/api/v2/alerts");
    expect(am?.method).toBe("POST");
    const alerts = am?.body as {
      labels: Record<string, string>;
      annotations: Record<string, string>;
      endsAt: string;
    }[];
    expect(alerts[0]?.labels).toMatchObject({
      alertname: "VigilIncident",
      severity: "high",
      namespace: "shop",
    });
    expect(alerts[0]?.annotations["root_cause"]).toContain("CrashLoopBackOff");
    expect(Date.parse(alerts[0]?.endsAt ?? "")).toBeGreaterThan(Date.parse(at(60)) + 4 * 3600_000);
  });

  it("reports a failed delivery with the receiver's name, never its URL", async () => {
    const cfg = AlertingConfig.parse({ receivers: [{ name: "bad", slack: { url: `${base}/fail` } }] });
    const [d] = await createNotifier(cfg)(notification("bad"), new AbortController().signal);
    expect(d?.ok).toBe(false);
    expect(d?.error).toBeInstanceOf(NotifyError);
    expect(d?.error?.status).toBe(500);
    expect(d?.error?.message).toBe("receiver bad: slack delivery failed (HTTP 500)");
  });

  it("reports an unreachable target and an unknown receiver as failed deliveries", async () => {
    const cfg = AlertingConfig.parse({
      receivers: [{ name: "down", webhook: { url: "http://127.0.0.1:1/x" } }],
    });
    const notify = createNotifier(cfg);
    const [d] = await notify(notification("down"), new AbortController().signal);
    expect(d?.ok).toBe(false);
    expect(d?.error?.message).toBe("receiver down: webhook delivery failed");
    const [u] = await notify(notification("nobody"), new AbortController().signal);
    expect(u?.ok).toBe(false);
  });

  it("rejects a receiver without a target", () => {
    expect(AlertingConfig.safeParse({ receivers: [{ name: "x" }] }).success).toBe(false);
  });
});

describe("Alertmanager webhook receiver", () => {
  it("accepts Alertmanager payloads as signals and rejects everything else with a status", async () => {
    const got: incident.AlertSignal[] = [];
    const stop = new AbortController();
    const rx = await startAlertReceiver(
      { port: 0, maxBytes: 4096, clock: { now: () => new Date(T0) }, onSignals: (s) => got.push(...s) },
      stop.signal,
    );
    try {
      const post = (body: string, path = "/alertmanager") =>
        fetch(rx.url.replace("/alertmanager", path), {
          method: "POST",
          body,
          headers: { "Content-Type": "application/json" },
        });
      const payload = {
        version: "4",
        status: "firing",
        alerts: [
          {
            status: "firing",
            labels: { alertname: "KubePodCrashLooping", namespace: "shop", pod: "api-1" },
            annotations: {},
            startsAt: at(-60),
          },
        ],
      };
      const ok = await post(JSON.stringify(payload));
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ accepted: 1 });
      expect(got.map((s) => s.object?.name)).toEqual(["api-1"]);
      expect((await post("{not json")).status).toBe(400);
      expect((await post(JSON.stringify({ alerts: "x" }))).status).toBe(400);
      expect((await post(JSON.stringify({ alerts: [], pad: "x".repeat(5000) }))).status).toBe(413);
      expect((await post("{}", "/other")).status).toBe(404);
      expect((await fetch(rx.url)).status).toBe(405);
      expect(rx.stats).toEqual({ accepted: 1, alerts: 1, rejected: 5 });
    } finally {
      await rx.close();
    }
  });
});
