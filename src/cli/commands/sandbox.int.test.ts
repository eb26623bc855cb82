// Integration: `vigil sandbox` as a user runs it — the built CLI, real binaries, failure paths.
import { spawn } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN_DIR, ROOT } from "../../../test/harness.js";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const homes: string[] = [];

function newHome(): string {
  const h = mkdtempSync(join(tmpdir(), "vigil-cli-"));
  homes.push(h);
  return h;
}

function vigil(
  args: string[],
  home: string,
  onStderr?: (chunk: string, kill: (sig: NodeJS.Signals) => void) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, "bin", "vigil"), args, {
      env: { ...process.env, VIGIL_HOME: home, VIGIL_TESTBED_BIN: BIN_DIR },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      onStderr?.(stderr, (sig) => child.kill(sig));
    });
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Processes whose command line mentions `dir` (the sandbox's state lives there). */
function processesUnder(dir: string): string[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, "utf8").includes(dir);
      } catch {
        return false;
      }
    });
}

afterEach(async () => {
  for (const h of homes.splice(0)) {
    await vigil(["sandbox", "down", "--name", "t"], h);
    rmSync(h, { recursive: true, force: true });
  }
});

describe("vigil sandbox (CLI)", () => {
  it("status of a sandbox that does not exist says how to start one", async () => {
    const r = await vigil(["sandbox", "status", "--name", "t"], newHome());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sandbox "t" does not exist');
    expect(r.stdout).toContain("vigil sandbox up --name t");
  });

  it("rejects bad flags with a usage error, not a stack trace", async () => {
    const r = await vigil(["sandbox", "up", "--name", "Bad_Name"], newHome());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toContain("    at ");
  });

  it("up prints export KUBECONFIG last; status, a second up and down behave", async () => {
    const home = newHome();
    const up = await vigil(["sandbox", "up", "--name", "t", "--nodes", "1"], home);
    expect(up.code).toBe(0);
    const lines = up.stdout.trim().split("\n");
    expect(lines.at(-1)).toBe(`export KUBECONFIG=${join(home, "sandboxes", "t", "kubeconfig")}`);
    const st = await vigil(["sandbox", "status", "--name", "t", "-o", "json"], home);
    expect(st.code).toBe(0);
    const parsed = JSON.parse(st.stdout) as { components: { name: string; running: boolean }[] };
    expect(parsed.components.map((c) => c.name)).toContain("kube-controller-manager");
    expect(parsed.components.every((c) => c.running)).toBe(true);
    const again = await vigil(["sandbox", "up", "--name", "t"], home);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('sandbox "t" is already running');
    const down = await vigil(["sandbox", "down", "--name", "t"], home);
    expect(down.code).toBe(0);
    expect(processesUnder(home)).toEqual([]);
  });

  it("a component that dies during start-up is reported with its log tail, and nothing is left running", async () => {
    const home = newHome();
    const bin = join(home, "bin");
    mkdirSync(bin);
    for (const f of readdirSync(BIN_DIR))
      if (f !== "kube-scheduler") symlinkSync(join(BIN_DIR, f), join(bin, f));
    writeFileSync(
      join(bin, "kube-scheduler"),
      '#!/bin/sh\necho "E1126 failed to listen: address already in use" >&2\nexit 3\n',
    );
    chmodSync(join(bin, "kube-scheduler"), 0o755);
    const r = await vigil(["sandbox", "up", "--name", "t", "--bin-dir", bin], home);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("kube-scheduler exited (exit code 3) during start-up");
    expect(r.stderr).toContain("address already in use");
    expect(processesUnder(join(home, "sandboxes"))).toEqual([]);
  });

  it("Ctrl-C during up stops everything started so far", async () => {
    const home = newHome();
    let sent = false;
    const r = await vigil(["sandbox", "up", "--name", "t"], home, (err, kill) => {
      if (!sent && err.includes("starting kube-controller-manager")) {
        sent = true;
        kill("SIGINT");
      }
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("stopping what was started");
    expect(processesUnder(join(home, "sandboxes"))).toEqual([]);
  });
});
