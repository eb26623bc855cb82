import { describe, expect, it } from "vitest";
import { MinerConfig, createMiner, generalize } from "./index.js";

function mine(lines: readonly string[], cfg: Partial<MinerConfig> = {}) {
  const m = createMiner(MinerConfig.parse(cfg));
  const ids = lines.map((l) => m.add(l)?.id ?? 0);
  const groups = ids.map((id) => m.root(id)?.id ?? 0);
  return {
    m,
    groups,
    templates: groups.map((g) => {
      const c = m.root(g);
      return c === undefined ? "" : m.template(c);
    }),
  };
}

describe("generalize", () => {
  const cases: [string, string, string][] = [
    ["user=root", "user=test", "user=<*>"],
    ["(root)", "(admin)", "(<*>)"],
    ["alpha", "beta", "<*>"],
    ["uid=<*>", "uid=abc", "uid=<*>"],
    ["<*>", "anything", "<*>"],
    ["foo.bar", "foo.baz", "foo.<*>"],
  ];
  for (const [a, b, want] of cases)
    it(`${a} + ${b} -> ${want}`, () => {
      expect(generalize(a, b)).toBe(want);
    });
});

describe("miner", () => {
  it("groups lines that differ only in masked variables", () => {
    const r = mine([
      "Received block blk_38865049064139660 of size 67108864 from /10.0.0.1",
      "Received block blk_-1608999687919862906 of size 3 from /10.0.0.2",
    ]);
    expect(r.groups[0]).toBe(r.groups[1]);
    expect(r.templates[0]).toBe("Received block <*> of size <*> from <*>");
  });

  it("keeps a constant position until it shows minDistinct values", () => {
    const base = (who: string) => `Session started by client ${who} now`;
    const r = mine([base("SPP"), base("SPP"), base("WUA"), base("SPP")]);
    expect(r.groups[0]).not.toBe(r.groups[2]);
    const r2 = mine([base("a"), base("b"), base("c"), base("d"), base("e")]);
    expect(new Set(r2.groups).size).toBe(1);
    expect(r2.templates[4]).toBe("Session started by client <*> now");
  });

  it("plain Drain (minDistinct 2) generalises at the second value", () => {
    const r = mine(["open file a ok", "open file b ok"], { minDistinct: 2, similarity: 0.5 });
    expect(r.groups[0]).toBe(r.groups[1]);
  });

  it("merges clusters whose canonical templates become equal", () => {
    // One variable spans one word in the first line and two in the second.
    const r = mine(["took 12 ms total", "took 1 2 ms total"]);
    expect(r.templates[0]).toBe("took <*> ms total");
    expect(r.groups[0]).toBe(r.groups[1]);
  });

  it("ignores blank lines", () => {
    const m = createMiner();
    expect(m.add("   ")).toBeUndefined();
    expect(m.lines).toBe(0);
  });

  it("reports created, updated and unchanged templates", () => {
    const m = createMiner(MinerConfig.parse({ minDistinct: 2, similarity: 0.5 }));
    m.add("disk sda1 is full now");
    expect(m.lastChange).toBe("created");
    m.add("disk sdb2 is full now");
    expect(m.lastChange).toBe("updated");
    m.add("disk sdc3 is full now");
    expect(m.lastChange).toBe("none");
  });

  it("bounds memory: evicts least recently used clusters past maxClusters", () => {
    const m = createMiner(MinerConfig.parse({ maxClusters: 20, lineCache: 0 }));
    for (let i = 0; i < 500; i++)
      m.add(
        `event${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))} happened here ${"x".repeat(i % 7)}`,
      );
    expect(m.size).toBeLessThanOrEqual(20);
    expect(m.evicted).toBeGreaterThan(0);
  });

  it("snapshot and restore continue exactly where the miner left off", () => {
    const lines = Array.from(
      { length: 300 },
      (_, i) =>
        `worker ${i % 7} finished job ${i} in ${i % 13}ms status ${["ok", "failed", "retry", "skipped"][i % 4]}`,
    );
    const a = createMiner();
    lines.slice(0, 150).forEach((l) => a.add(l));
    const snap = JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<typeof a.snapshot>;
    const b = createMiner(undefined, snap);
    for (const l of lines.slice(150)) {
      const x = a.add(l);
      const y = b.add(l);
      expect(y?.id).toBe(x?.id);
      expect(y && b.template(y)).toBe(x && a.template(x));
    }
    expect(b.snapshot()).toEqual(a.snapshot());
  });

  it("keeps routing and matching the same when its word table is rebuilt (bounded memory)", () => {
    // More distinct words than the table's cap (65,536): the table is rebuilt from the live clusters.
    let seed = 7;
    const word = () => {
      let w = "";
      for (let i = 0; i < 8; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) | 0;
        w += "ghijklmnopqrstuvwxyz"[(seed >>> 16) % 20] ?? "";
      }
      return w;
    };
    const verbs = ["open", "close", "read"];
    const m = createMiner(MinerConfig.parse({ lineCache: 0 }));
    const noise = (k: number) => {
      for (let i = 0; i < k; i++) m.add(`${verbs[i % 3]} user ${word()} from host ${word()}`);
    };
    // The fixed line's words are interned after 2,000 words that no template keeps, so the rebuilt table
    // gives them other ids: stale ids in the tree or the templates would lose it.
    noise(1000);
    const fixed = "close session of user root on tty console";
    const first = m.add(fixed)?.id;
    noise(35_000);
    const t = ["open", "close", "read"].map((v) => m.template(m.match(`${v} user someone from host x`)!));
    expect(t).toEqual([
      "open user <*> from host <*>",
      "close user <*> from host <*>",
      "read user <*> from host <*>",
    ]);
    expect(m.add(fixed)?.id).toBe(first);
    expect(m.lastChange).toBe("none");
    expect(m.size).toBeLessThan(20);
  });

  it("typed templates name the variable kinds", () => {
    const m = createMiner();
    const c = m.add("connect to 10.0.0.1 took 15ms")!;
    expect(m.typedTemplate(c)).toBe("connect to <ip> took <duration>");
  });
});
