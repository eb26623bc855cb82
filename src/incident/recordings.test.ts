// Golden tests over the real signal streams recorded on the sandbox (record.int.test.ts): the incidents
// at the end of each recording, as `vigil incidents show` prints them, and the notifications the default
// policy sends when the stream is replayed with a fake clock. `npm run golden` rewrites the goldens.
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  Recording,
  correlate,
  defaultAlertPolicy,
  defaultIncidentConfig,
  incidentText,
  ownerMap,
  replay,
} from "./index.js";

const dir = new URL("./testdata/", import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".recording.json"))
  .sort();

function load(file: string): Recording {
  return Recording.parse(JSON.parse(readFileSync(new URL(file, dir), "utf8")));
}

describe("recorded fault streams", () => {
  it("has recordings", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file, async () => {
      const rec = load(file);
      const incidents = correlate(
        new Date(rec.endedAt),
        rec.signals,
        ownerMap(rec.owners),
        defaultIncidentConfig,
      );
      const r = replay(rec, defaultIncidentConfig, defaultAlertPolicy);
      const t0 = Date.parse(rec.startedAt);
      const rel = (iso: string) => `+${String(Math.round((Date.parse(iso) - t0) / 1000))}s`;
      const out = [
        `# ${rec.scenario}: ${rec.description}`,
        `# ${String(rec.signals.length)} signals (${String(r.rawWarningEvents)} Warning events) from ${rec.startedAt} to ${rec.endedAt}`,
        `# incidents at the end of the recording: ${String(incidents.length)}`,
        "",
        ...incidents.map(incidentText),
        `# replay with the default policy: ${String(r.notifications.length)} notifications, ${String(r.incidents.length)} incidents, ${String(r.tallies.filter((t) => t.notifiedOnce).length)} notified once`,
        ...r.notifications.map(
          (n) =>
            `${rel(n.at)} ${n.receiver} ${n.items.map((x) => `${x.change} ${x.incident.id} ${x.incident.title} [${x.incident.severity}]`).join("; ")}`,
        ),
        ...(r.orphans.length > 0 ? [`orphans: ${r.orphans.join(", ")}`] : []),
        "",
      ].join("\n");
      await expect(out).toMatchFileSnapshot(`./testdata/${file.replace(".recording.json", ".golden.txt")}`);
    });
  }
});
