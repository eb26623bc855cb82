/**
 * @module
 * Child processes of a sandbox: each component runs detached in its own process group with its
 * output in a log file, so `sandbox down` can stop the whole group and nothing is orphaned.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface Started {
  readonly pid: number;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<string>;
}

export function startComponent(
  bin: string,
  args: readonly string[],
  logPath: string,
  env?: NodeJS.ProcessEnv,
): Started {
  const fd = openSync(logPath, "a");
  try {
    const child = spawn(bin, args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: env ?? { PATH: "/usr/bin:/bin" },
    });
    const exited = new Promise<string>((resolve) => {
      child.once("exit", (code, sig) => {
        resolve(sig ?? `exit code ${String(code)}`);
      });
      child.once("error", (err) => {
        resolve(`failed to start: ${err.message}`);
      });
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${bin}`);
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state === "Z" || state === "X";
  } catch {
    return false;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole process group, then SIGKILL after `graceMs`. Resolves when the group is gone. */
export async function stopGroup(pgid: number, graceMs: number): Promise<"stopped" | "killed" | "absent"> {
  if (!groupAlive(pgid)) return "absent";
  try {
    process.kill(-pgid, "SIGTERM");
  } catch {
    return "absent";
  }
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline) {
    if (!groupAlive(pgid)) return "stopped";
    await sleep(100);
  }
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    return "stopped";
  }
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
  return "killed";
}

/** The last `lines` lines of a log file, or "" when it cannot be read. Reads at most 64 KiB. */
export function tailFile(path: string, lines: number): string {
  try {
    const size = statSync(path).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    const fd = openSync(path, "r");
    try {
      readSync(fd, buf, 0, len, size - len);
    } finally {
      closeSync(fd);
    }
    return buf
      .toString("utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .slice(-lines)
      .join("\n");
  } catch {
    return "";
  }
}

/** Reserves `n` distinct free loopback TCP ports. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => {
      return new Promise<Server>((resolve, reject) => {
        const s = createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
          resolve(s);
        });
      });
    }),
  );
  const ports = servers.map((s) => {
    const addr = s.address();
    if (addr === null || typeof addr === "string") throw new Error("no port");
    return addr.port;
  });
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((r) =>
          s.close(() => {
            r();
          }),
        ),
    ),
  );
  return ports;
}
