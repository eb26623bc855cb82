// The live step (bounded window, incremental signals) sends exactly what a replay of the whole stream sends,
// on every recorded fault stream; the window shrinks once incidents are over; failed sends come back.
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  Recording,
  defaultAlertPolicy,
  defaultIncidentConfig,
  emptyLiveState,
  liveStep,
  ownerMap,
  planNotifications,
  relevant,
  replay,
  replayTail,
  unsend,
  type Incident,
  type Notification,
} from "./index.js";

const dir = new URL("./testdata/", import.meta.url);
const recordings = readdirSync(dir)
  .filter((f) => f.endsWith(".recording.json"))
  .sort()
  .map((f) => Recording.parse(JSON.parse(readFileSync(new URL(f, dir), "utf8"))));

const brief = (ns: readonly Notification[]) =>
  ns.flatMap((n) => n.items.map((x) => `${n.at} ${n.group} ${x.change} ${x.incident.id}`));

describe("liveStep", () => {
  for (const rec of recordings)
    it(`${rec.scenario}: sends what the replay sends, from a bounded window`, () => {
      const step = 5;
      const cfg = defaultIncidentConfig;
      const policy = defaultAlertPolicy;
      const owners = ownerMap(rec.owners);
      const signals = [...rec.signals].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      const start = Math.min(Date.parse(rec.startedAt), ...signals.map((s) => Date.parse(s.at)));
      const end = Math.max(Date.parse(rec.endedAt), ...signals.map((s) => Date.parse(s.at)));
      const stop = end + replayTail(cfg, policy) * 1000;
      let state = emptyLiveState;
      let next = 0;
      const sent: Notification[] = [];
      let widest = 0;
      for (let t = start; t <= stop; t += step * 1000) {
        const added = [];
        while (next < signals.length && Date.parse(signals[next]?.at ?? "") <= t) added.push(signals[next++]);
        const r = liveStep(
          new Date(t),
          state,
          added.filter((s) => s !== undefined),
          owners,
          {
            cfg,
            policy,
            maxSignals: 20_000,
          },
        );
        state = r.state;
        sent.push(...r.notifications);
        widest = Math.max(widest, state.signals.length);
      }
      const full = replay(rec, cfg, policy, step);
      expect(brief(sent)).toEqual(brief(full.notifications));
      expect(state.dropped).toBe(0);
      expect(widest).toBeLessThanOrEqual(rec.signals.length);
      // Once everything is over and announced, the window empties (after the quiet/context windows pass).
      const open = full.incidents.some((i) => i.status === "open");
      const later = liveStep(new Date(stop + 1_800_000), state, [], owners, {
        cfg,
        policy,
        maxSignals: 20_000,
      });
      expect(later.notifications).toEqual([]);
      expect(later.state.signals.length === 0).toBe(!open);
    });

  it("caps the window: events go first, stateful signals stay", () => {
    const rec = recordings.find((r) => r.scenario === "imagepull");
    expect(rec).toBeDefined();
    if (rec === undefined) return;
    const at = new Date(rec.endedAt);
    const r = liveStep(at, emptyLiveState, rec.signals, ownerMap(rec.owners), {
      cfg: defaultIncidentConfig,
      policy: defaultAlertPolicy,
      maxSignals: 20,
    });
    const findings = rec.signals.filter((s) => s.kind === "finding").length;
    expect(r.state.dropped).toBe(rec.signals.length - 20);
    expect(r.state.signals.filter((s) => s.kind === "finding").length).toBe(Math.min(20, findings));
  });

  it("unsend gives a failed group back to the policy, which plans it again", () => {
    const rec = recordings[0];
    if (rec === undefined) throw new Error("no recordings");
    const owners = ownerMap(rec.owners);
    // First notification of the stream.
    let state = emptyLiveState;
    let first: { at: Date; incidents: readonly Incident[] } | undefined;
    for (let t = Date.parse(rec.startedAt); first === undefined; t += 5000) {
      const r = liveStep(new Date(t), state, t === Date.parse(rec.startedAt) ? rec.signals : [], owners, {
        cfg: defaultIncidentConfig,
        policy: defaultAlertPolicy,
        maxSignals: 20_000,
      });
      if (r.notifications.length > 0) {
        const groups = r.notifications.map((n) => n.group);
        const back = unsend(state.notify, r.state.notify, groups);
        for (const g of groups) {
          expect(back.groups[g]?.firstSeenAt).toBe(r.state.notify.groups[g]?.firstSeenAt);
          expect(back.groups[g]?.lastSentAt).toBeUndefined();
        }
        const again = planNotifications(new Date(t + 5000), r.incidents, back, defaultAlertPolicy);
        expect(brief(again.notifications).map((x) => x.split(" ").slice(1).join(" "))).toEqual(
          brief(r.notifications).map((x) => x.split(" ").slice(1).join(" ")),
        );
        first = { at: new Date(t), incidents: r.incidents };
      }
      state = r.state;
    }
  });

  it("keeps Warning events and the Normal events correlation reads", () => {
    const ev = (type: "Warning" | "Normal", reason: string) => ({
      kind: "event" as const,
      at: "2026-01-01T00:00:00Z",
      object: { apiVersion: "v1", kind: "Pod", namespace: "a", name: "p" },
      type,
      reason,
      message: "",
      count: 1,
    });
    expect(relevant(ev("Warning", "BackOff"))).toBe(true);
    expect(relevant(ev("Normal", "ScalingReplicaSet"))).toBe(true);
    expect(relevant(ev("Normal", "Pulled"))).toBe(false);
  });
});
