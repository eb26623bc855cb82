/**
 * Incidents and notifications as text and as the bodies the notifiers send: a generic JSON webhook, a Slack
 * incoming-webhook message and Alertmanager v2 postable alerts. Pure formatting; every body carries the
 * summary, the root cause, the timeline and the action taken or recommended.
 */
import type { Incident } from "./incident.js";
import type { Notification } from "./policy.js";

function hms(iso: string): string {
  return iso.length >= 19 ? iso.slice(11, 19) : iso;
}

/** `HH:MM:SS[–HH:MM:SS] text` lines, oldest first. */
export function timelineLines(i: Incident): string[] {
  const lines = i.timeline.map(
    (e) =>
      `${hms(e.at)}${e.until !== undefined && hms(e.until) !== hms(e.at) ? `–${hms(e.until)}` : ""} ${e.text}`,
  );
  if (i.timelineOmitted > 0) {
    const half = Math.ceil(lines.length / 2);
    lines.splice(half, 0, `… ${String(i.timelineOmitted)} more entries …`);
  }
  return lines;
}

export function rootCauseText(i: Incident): string {
  const c = i.rootCauses[0];
  return c === undefined
    ? "unknown"
    : `${c.summary} [${c.kind} ${c.code}, confidence ${c.confidence.toFixed(2)}]`;
}

export function actionText(i: Incident): string {
  const taken = i.actionsTaken.map((a) => `${a.action} ${a.target.kind} ${a.target.name}: ${a.result}`);
  if (taken.length > 0) return `taken: ${taken.join("; ")}`;
  return i.recommended !== undefined ? `recommended: ${i.recommended.summary}` : "none recommended";
}

/** The incident for a person: what `vigil incidents show` prints and what notifications carry. */
export function incidentText(i: Incident): string {
  const out = [
    `${i.id}  ${i.severity.toUpperCase()}  ${i.status}  ${i.title}`,
    `summary:     ${i.summary}`,
    `started:     ${i.startedAt}${i.resolvedAt !== undefined ? `   resolved: ${i.resolvedAt}` : ""}`,
    `root cause:  ${rootCauseText(i)}`,
  ];
  for (const c of i.rootCauses.slice(1))
    out.push(`  also:      ${c.summary} [${c.kind} ${c.code}, ${c.confidence.toFixed(2)}]`);
  out.push(
    `impact:      ${String(i.impact.pods)} pod(s)` +
      (i.impact.workloads.length > 0 ? `, ${i.impact.workloads.join(", ")}` : "") +
      (i.impact.nodes.length > 0 ? `, node(s) ${i.impact.nodes.join(", ")}` : "") +
      (i.impact.servicesWithoutEndpoints.length > 0
        ? `, no endpoints: ${i.impact.servicesWithoutEndpoints.join(", ")}`
        : "") +
      `, ${String(i.impact.warningEvents)} warning event(s)`,
    `action:      ${actionText(i)}`,
  );
  if (i.fixedBy !== undefined) out.push(`fixed by:    ${i.fixedBy}`);
  if (i.recurrence !== undefined) out.push(`recurring:   ${i.recurrence.text}`);
  out.push("timeline:");
  for (const l of timelineLines(i)) out.push(`  ${l}`);
  return out.join("\n") + "\n";
}

function itemBody(change: string, i: Incident) {
  return {
    change,
    id: i.id,
    title: i.title,
    severity: i.severity,
    status: i.status,
    summary: i.summary,
    subject: i.subject,
    startedAt: i.startedAt,
    ...(i.resolvedAt !== undefined ? { resolvedAt: i.resolvedAt } : {}),
    ...(i.rootCauses[0] !== undefined ? { rootCause: i.rootCauses[0] } : {}),
    rootCauses: i.rootCauses.map((c) => ({
      kind: c.kind,
      code: c.code,
      summary: c.summary,
      confidence: c.confidence,
    })),
    timeline: i.timeline.map((e) => ({
      at: e.at,
      ...(e.until !== undefined ? { until: e.until } : {}),
      kind: e.kind,
      text: e.text,
    })),
    actionsTaken: i.actionsTaken,
    ...(i.recommended !== undefined ? { recommended: i.recommended } : {}),
    ...(i.fixedBy !== undefined ? { fixedBy: i.fixedBy } : {}),
    ...(i.recurrence !== undefined ? { recurrence: i.recurrence.text } : {}),
    labels: i.labels,
  };
}

/** `resolved` when every item is a resolution, else `firing`. */
export function notificationStatus(n: Notification): "firing" | "resolved" {
  return n.items.every((x) => x.change === "resolved") ? "resolved" : "firing";
}

/** The generic JSON webhook body. */
export function webhookBody(n: Notification) {
  return {
    version: "vigil.dev/v1",
    receiver: n.receiver,
    route: n.route,
    group: n.group,
    at: n.at,
    status: notificationStatus(n),
    incidents: n.items.map((x) => itemBody(x.change, x.incident)),
  };
}

const SLACK_EMOJI: Readonly<Record<string, string>> = {
  critical: ":red_circle:",
  high: ":large_orange_circle:",
  medium: ":large_yellow_circle:",
  low: ":white_circle:",
};

/** Slack's mrkdwn needs `&`, `<` and `>` escaped. */
function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A Slack incoming-webhook message: `text` (fallback and notifications) plus blocks per incident. */
export function slackBody(n: Notification, maxTimeline = 10) {
  const blocks: unknown[] = [];
  for (const { change, incident: i } of n.items) {
    const head =
      change === "resolved"
        ? `:white_check_mark: *Resolved* ${esc(i.title)}`
        : `${SLACK_EMOJI[i.severity] ?? ""} *${change === "firing" ? "New incident" : change === "escalated" ? "Escalated" : "Still open"}* (${i.severity}) ${esc(i.title)}`;
    const tl = timelineLines(i);
    const shown =
      tl.length > maxTimeline
        ? [...tl.slice(0, maxTimeline - 1), `… ${String(tl.length - maxTimeline + 1)} more`]
        : tl;
    blocks.push(
      { type: "header", text: { type: "plain_text", text: `${i.id}: ${i.title}`.slice(0, 150) } },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: [
            head,
            esc(i.summary),
            `*Root cause:* ${esc(rootCauseText(i))}`,
            `*Action:* ${esc(actionText(i))}`,
            ...(i.recurrence !== undefined ? [`*Recurring:* ${esc(i.recurrence.text)}`] : []),
          ]
            .join("\n")
            .slice(0, 3000),
        },
      },
      {
        type: "section",
        text: { type: "mrkdwn", text: `*Timeline*\n\`\`\`${esc(shown.join("\n"))}\`\`\``.slice(0, 3000) },
      },
    );
  }
  const first = n.items[0];
  const text =
    n.items.length === 1 && first !== undefined
      ? `[${notificationStatus(n) === "resolved" ? "RESOLVED" : first.incident.severity.toUpperCase()}] ${first.incident.title}: ${first.incident.summary}`
      : `${String(n.items.length)} incident updates`;
  return { text: text.slice(0, 3000), blocks: blocks.slice(0, 50) };
}

/** Labels Alertmanager groups and routes on: the incident's, named so that they do not clash with Prometheus'. */
function amLabels(i: Incident): Record<string, string> {
  const out: Record<string, string> = {
    alertname: "VigilIncident",
    incident: i.id,
    severity: i.severity,
    cause: i.labels["cause"] ?? "",
    kind: i.subject.kind,
    name: i.subject.name,
  };
  const ns = i.labels["namespace"];
  if (ns !== undefined) out["namespace"] = ns;
  const node = i.labels["node"];
  if (node !== undefined) out["node"] = node;
  return out;
}

/**
 * Alertmanager v2 postable alerts (`POST /api/v2/alerts`). A firing alert stays valid for `validSeconds`
 * (longer than the repeat interval, so Alertmanager does not resolve it on its own); a resolved one ends at
 * the incident's resolution.
 */
export function alertmanagerAlerts(n: Notification, validSeconds: number, generatorURL?: string) {
  return n.items.map(({ change, incident: i }) => {
    const ends =
      change === "resolved"
        ? (i.resolvedAt ?? n.at)
        : new Date(Date.parse(n.at) + validSeconds * 1000).toISOString();
    return {
      labels: amLabels(i),
      annotations: {
        summary: i.summary.slice(0, 1024),
        root_cause: rootCauseText(i).slice(0, 1024),
        action: actionText(i).slice(0, 1024),
        timeline: timelineLines(i).join("\n").slice(0, 8192),
        ...(i.recurrence !== undefined ? { recurring: i.recurrence.text } : {}),
      },
      startsAt: i.startedAt,
      endsAt: ends,
      ...(generatorURL !== undefined ? { generatorURL } : {}),
    };
  });
}
