import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SHARED_DATA } from "../../../test/data.js";
import * as logmine from "../../logmine/index.js";
import { VigilError } from "../../model/index.js";
import { analyzeSource, fileSource, openSource, parseDuration } from "./logs.js";

const HDFS = `${SHARED_DATA}/loghub/HDFS/HDFS_2k.log`;
const never = new AbortController().signal;
const opts = { baselineLines: 1000, top: 50, miner: logmine.defaultMinerConfig };

describe("parseDuration", () => {
  it.each([
    ["30s", 30],
    ["15m", 900],
    ["1h30m", 5400],
    ["2d", 172_800],
    ["1h0m5s", 3605],
  ])("%s is %i s", (s, n) => {
    expect(parseDuration(s)).toBe(n);
  });
  it.each(["", "0s", "1x", "h", "-1h", "1.5h"])("%j is not a duration", (s) => {
    expect(parseDuration(s)).toBeUndefined();
  });
});

describe.skipIf(!existsSync(HDFS))("analyzeSource: thread or worker", () => {
  it("moves to a worker past the threshold and reports exactly what the thread reports", async () => {
    const here = await analyzeSource(fileSource(HDFS, 1 << 30), { ...opts, mining: "thread" }, never);
    const auto = await analyzeSource(
      fileSource(HDFS, 1 << 30),
      { ...opts, mining: "auto", workerMinBytes: 64 * 1024 },
      never,
    );
    expect(here.mining).toBe("thread");
    expect(auto.mining).toBe("worker");
    expect(auto.report).toEqual(here.report);
    expect(here.report.lines).toBe(2000);
  }, 30_000);

  it("stays on this thread below the threshold", async () => {
    const r = await analyzeSource(fileSource(HDFS, 1 << 30), { ...opts, mining: "auto" }, never);
    expect(r.mining).toBe("thread");
  });

  it("stops at the byte budget and says so", async () => {
    const src = fileSource(HDFS, 10_000);
    const r = await analyzeSource(src, opts, never);
    expect(src.truncated).toBe(true);
    expect(r.report.lines).toBeLessThan(100);
  });
});

describe("openSource: usage errors", () => {
  const base = {
    output: "table",
    baselineLines: 0,
    top: 30,
    maxBytes: 1000,
    maxClusters: 100,
    mining: "auto",
  } as const;
  const now = new Date("2026-11-26T09:00:00Z");
  const usage = async (source: string | undefined, f: object) => {
    const err: unknown = await openSource(source, { ...base, ...f }, now).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VigilError);
    return (err as VigilError).message;
  };
  it.each([
    [undefined, {}, /exactly one source/],
    ["-", { file: "x.log" }, /exactly one source/],
    ["pod/a", { loki: "http://127.0.0.1:1" }, /exactly one source/],
    ["svc/a", {}, /unknown source "svc\/a"/],
    [undefined, { loki: "http://127.0.0.1:1" }, /--loki and --query go together/],
    ["-", { namespace: "x" }, /-n applies only to pod\/NAME and deployment\/NAME/],
    [undefined, { file: "x.log", previous: true }, /--previous applies only/],
    [undefined, { loki: "http://x", query: '{a="b"}', tail: 5 }, /--tail applies only/],
    ["pod/a", { since: "yesterday" }, /not a duration/],
    [undefined, { file: "x.log", since: "1h" }, /--since applies to pods/],
  ])("%s %j", async (source, f, re) => {
    expect(await usage(source, f)).toMatch(re);
  });

  it("a Loki source covers --since back from now", async () => {
    const src = await openSource(undefined, { ...base, loki: "http://127.0.0.1:1", query: '{app="x"}' }, now);
    expect(src.name).toBe('loki:{app="x"}');
  });
});
