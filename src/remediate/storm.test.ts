import { describe, expect, it } from "vitest";
import * as health from "../health/index.js";
import { stormState } from "./nodes.js";

const now = new Date("2026-11-26T10:00:00Z");

function node(
  name: string,
  ready: "True" | "False" | "Unknown",
  changedAt: string,
  createdAt = "2026-11-20T00:00:00Z",
) {
  const r = health.ingestOne("nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, creationTimestamp: createdAt },
    spec: {},
    status: { conditions: [{ type: "Ready", status: ready, lastTransitionTime: changedAt }] },
  });
  if (!r.ok) throw new Error(r.problem);
  return r.value;
}

function snap(nodes: unknown[]) {
  return health.assembleSnapshot({ nodes });
}

describe("stormState", () => {
  const cases: [string, unknown[], number][] = [
    [
      "all healthy for long",
      [
        node("a", "True", "2026-11-25T00:00:00Z"),
        node("b", "True", "2026-11-25T00:00:00Z"),
        node("c", "True", "2026-11-25T00:00:00Z"),
      ],
      0,
    ],
    [
      "one down",
      [
        node("a", "Unknown", "2026-11-26T09:59:00Z"),
        node("b", "True", "2026-11-25T00:00:00Z"),
        node("c", "True", "2026-11-25T00:00:00Z"),
      ],
      1,
    ],
    [
      "a partition healing node by node: the recovered one still counts",
      [
        node("a", "Unknown", "2026-11-26T09:58:00Z"),
        node("b", "True", "2026-11-26T09:59:30Z"),
        node("c", "True", "2026-11-25T00:00:00Z"),
      ],
      2,
    ],
    [
      "recovered long ago does not count",
      [
        node("a", "Unknown", "2026-11-26T09:58:00Z"),
        node("b", "True", "2026-11-26T09:40:00Z"),
        node("c", "True", "2026-11-25T00:00:00Z"),
      ],
      1,
    ],
    [
      "a new node that just became Ready does not count",
      [
        node("a", "True", "2026-11-26T09:59:50Z", "2026-11-26T09:59:40Z"),
        node("b", "True", "2026-11-25T00:00:00Z"),
        node("c", "True", "2026-11-25T00:00:00Z"),
      ],
      0,
    ],
  ];
  for (const [name, nodes, want] of cases) {
    it(name, () => {
      const s = stormState(snap(nodes), 30, now);
      expect(s.notReady).toBe(want);
      expect(s.allowed).toBe(1);
    });
  }
});
