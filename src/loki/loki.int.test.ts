/**
 * The Loki source against a real Grafana Loki: started here on free loopback ports with filesystem
 * storage and no auth, fed two Loghub samples through its push API, then read back through `lokiReader`
 * and `vigil logs analyze --loki`. The binary is `$VIGIL_LOKI_BIN` or `loki` on PATH; the test skips,
 * saying why, when there is none or when `loki` is another program (Debian's `loki` package is a
 * genetics tool, not Grafana Loki).
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARED_DATA } from "../../test/data.js";
import { ROOT, eventually } from "../../test/harness.js";
import * as logmine from "../logmine/index.js";
import { lokiReader } from "./index.js";

const run = promisify(execFile);
const LOGHUB = `${SHARED_DATA}/loghub`;
const BIN = process.env["VIGIL_LOKI_BIN"] ?? "loki";

/** Grafana Loki's major and minor version, or why there is no usable Loki. */
function probe(): { major: number; minor: number } | string {
  let out: string;
  try {
    out = execFileSync(BIN, ["-version"], {
      encoding: "utf8",
      timeout: 10_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as { code?: string; stdout?: string; stderr?: string };
    if (e.code === "ENOENT") return `no ${BIN} binary (set VIGIL_LOKI_BIN to a Grafana Loki binary)`;
    out = `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
  const m = /loki, version v?(\d+)\.(\d+)/.exec(out);
  if (m === null) return `${BIN} is not Grafana Loki (Debian's "loki" package is a genetics program)`;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

const found = probe();
const skip = typeof found === "string" ? found : undefined;
if (skip !== undefined) console.warn(`loki.int.test.ts: skipped: ${skip}`);

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => {
    srv.listen(0, "127.0.0.1", r);
  });
  const addr = srv.address();
  await new Promise((r) => {
    srv.close(r);
  });
  return typeof addr === "object" && addr !== null ? addr.port : 0;
}

function config(dir: string, http: number, grpc: number, v: { major: number; minor: number }): string {
  const v3 = v.major >= 3;
  return `auth_enabled: false
server:
  http_listen_address: 127.0.0.1
  http_listen_port: ${http}
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: ${grpc}
  log_level: warn
common:
  path_prefix: ${dir}
  storage:
    filesystem:
      chunks_directory: ${dir}/chunks
      rules_directory: ${dir}/rules
  replication_factor: 1
  ring:
    instance_addr: 127.0.0.1
    kvstore:
      store: inmemory
schema_config:
  configs:
    - from: 2020-10-24
      store: ${v3 ? "tsdb" : "boltdb-shipper"}
      object_store: filesystem
      schema: ${v3 ? "v13" : "v11"}
      index:
        prefix: index_
        period: 24h
${v.major > 2 || v.minor >= 5 ? "analytics:\n  reporting_enabled: false\n" : ""}`;
}

const lines = (system: string) =>
  logmine.splitLines(readFileSync(`${LOGHUB}/${system}/${system}_2k.log`, "utf8"));

let loki: ChildProcess | undefined;
let tmp = "";
let url: string;
const now = Date.now();

describe.skipIf(skip !== undefined)(
  `Loki source against a real Loki${skip ? ` [skipped: ${skip}]` : ""}`,
  () => {
    beforeAll(async () => {
      if (typeof found === "string") return;
      tmp = mkdtempSync(join(tmpdir(), "vigil-loki-"));
      const [http, grpc] = [await freePort(), await freePort()];
      writeFileSync(join(tmp, "loki.yaml"), config(tmp, http, grpc, found));
      const log = openSync(join(tmp, "loki.log"), "a");
      loki = spawn(BIN, [`-config.file=${join(tmp, "loki.yaml")}`], { stdio: ["ignore", log, log] });
      url = `http://127.0.0.1:${http}`;
      await eventually("Loki /ready", 90_000, async () => {
        if (loki?.exitCode !== null)
          throw new Error(readFileSync(join(tmp, "loki.log"), "utf8").slice(-2000));
        const r = await fetch(`${url}/ready`);
        return r.status === 200 ? true : undefined;
      });
      // Ten minutes ago, one millisecond apart, in two streams.
      const streams = [
        { stream: { app: "sshd", host: "h1" }, lines: lines("OpenSSH") },
        { stream: { app: "zk", host: "h2" }, lines: lines("Zookeeper") },
      ].map((s) => ({
        stream: s.stream,
        values: s.lines.map((l, i) => [String(BigInt(now - 600_000 + i) * 1_000_000n), l]),
      }));
      const res = await fetch(`${url}/loki/api/v1/push`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ streams }),
      });
      expect(res.status).toBe(204);
    }, 180_000);

    afterAll(async () => {
      const p = loki;
      const alive = () => p !== undefined && p.exitCode === null && p.signalCode === null;
      if (alive()) {
        p?.kill("SIGTERM");
        for (let i = 0; i < 50 && alive(); i++) await sleep(100);
        if (alive()) p?.kill("SIGKILL");
      }
      if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
    });

    it("reads one stream back in order, across pages, and mines it like the file", async () => {
      const want = lines("OpenSSH");
      const got = await eventually("2000 sshd lines", 60_000, async () => {
        const r = lokiReader({
          url,
          query: '{app="sshd"}',
          start: new Date(now - 3600_000),
          end: new Date(),
          maxBytes: 1 << 26,
          pageLimit: 300,
        });
        const out: string[] = [];
        for await (const l of r.lines(new AbortController().signal)) out.push(l.text);
        return out.length === want.length ? { out, pages: r.pages } : undefined;
      });
      expect(got.out).toEqual(want);
      expect(got.pages).toBeGreaterThanOrEqual(7);
    });

    it("vigil logs analyze --loki --query --since reads and mines through the built CLI", async () => {
      const { stdout } = await run(
        process.execPath,
        [
          join(ROOT, "dist/cli/main.js"),
          "logs",
          "analyze",
          "--loki",
          url,
          "--query",
          '{host=~"h.*", app="zk"}',
          "--since",
          "1h",
          "-o",
          "json",
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const out = JSON.parse(stdout) as logmine.LogReport & { source: string };
      const direct = logmine.createLogAnalyzer();
      for (const l of lines("Zookeeper")) direct.push(l, "x");
      const expected = direct.report(30);
      expect(out.lines).toBe(2000);
      expect(out.templates.map((t) => [t.template, t.count])).toEqual(
        expected.templates.map((t) => [t.template, t.count]),
      );
      expect(out.templates[0]?.sources).toEqual(['{app="zk",host="h2"}']);
    });
  },
);
