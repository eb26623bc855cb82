/**
 * @module
 * Parses per-container usage CSV: `ts,cpu,mem[,cpu_request,mem_request]` (Unix seconds, cores, bytes).
 * An optional header line starts with `ts`; blank lines and CRLF are accepted; timestamps must increase.
 * A bad row is reported as data, with its 1-based line number and text.
 */
import type { UsageSample } from "./types.js";

export type UsageCsvResult =
  | { readonly kind: "ok"; readonly samples: readonly UsageSample[]; readonly hasRequests: boolean }
  | { readonly kind: "error"; readonly line: number; readonly message: string };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function num(raw: string): number | undefined {
  const s = raw.trim();
  return NUMBER.test(s) ? Number(s) : undefined;
}

export function parseUsageCsv(text: string): UsageCsvResult {
  const lines = text.split(/\r?\n/);
  const samples: UsageSample[] = [];
  let hasRequests = false;
  let prev = Number.NEGATIVE_INFINITY;
  const err = (i: number, why: string, row: string) =>
    ({
      kind: "error",
      line: i + 1,
      message: `${why}: "${row.length > 80 ? row.slice(0, 77) + "..." : row}"`,
    }) as const;
  for (let i = 0; i < lines.length; i++) {
    const row = lines[i] ?? "";
    if (row.trim() === "") continue;
    const cells = row.split(",");
    if (
      samples.length === 0 &&
      prev === Number.NEGATIVE_INFINITY &&
      cells[0]?.trim().toLowerCase() === "ts"
    ) {
      if (cells.length !== 3 && cells.length !== 5)
        return err(i, "the header must be ts,cpu,mem[,cpu_request,mem_request]", row);
      prev = Number.NEGATIVE_INFINITY;
      continue;
    }
    if (cells.length !== 3 && cells.length !== 5)
      return err(
        i,
        `expected 3 or 5 columns (ts,cpu,mem[,cpu_request,mem_request]), got ${cells.length}`,
        row,
      );
    const [t, cpu, mem] = [num(cells[0] ?? ""), num(cells[1] ?? ""), num(cells[2] ?? "")];
    if (t === undefined || !Number.isFinite(t)) return err(i, "ts is not a number of Unix seconds", row);
    if (cpu === undefined || !Number.isFinite(cpu) || cpu < 0)
      return err(i, "cpu is not a non-negative number of cores", row);
    if (mem === undefined || !Number.isFinite(mem) || mem < 0)
      return err(i, "mem is not a non-negative number of bytes", row);
    if (t <= prev) return err(i, `ts ${t} is not after the previous row's ${prev}`, row);
    prev = t;
    if (cells.length === 5) {
      const rawCr = (cells[3] ?? "").trim();
      const rawMr = (cells[4] ?? "").trim();
      const cr = rawCr === "" ? undefined : num(rawCr);
      const mr = rawMr === "" ? undefined : num(rawMr);
      if (rawCr !== "" && (cr === undefined || !Number.isFinite(cr) || cr <= 0))
        return err(i, "cpu_request is not a positive number of cores", row);
      if (rawMr !== "" && (mr === undefined || !Number.isFinite(mr) || mr <= 0))
        return err(i, "mem_request is not a positive number of bytes", row);
      if (cr !== undefined || mr !== undefined) hasRequests = true;
      samples.push({ t, cpu, mem, cpuRequest: cr, memRequest: mr });
    } else {
      samples.push({ t, cpu, mem });
    }
  }
  if (samples.length === 0) return { kind: "error", line: 1, message: "no data rows" };
  return { kind: "ok", samples, hasRequests };
}

/** Writes samples back as CSV (the request columns only when some sample has them). */
export function formatUsageCsv(samples: readonly UsageSample[]): string {
  const withReq = samples.some((s) => s.cpuRequest !== undefined || s.memRequest !== undefined);
  const head = withReq ? "ts,cpu,mem,cpu_request,mem_request" : "ts,cpu,mem";
  const rows = samples.map((s) =>
    withReq
      ? `${s.t},${s.cpu},${Math.round(s.mem)},${s.cpuRequest ?? ""},${s.memRequest === undefined ? "" : Math.round(s.memRequest)}`
      : `${s.t},${s.cpu},${Math.round(s.mem)}`,
  );
  return [head, ...rows].join("\n") + "\n";
}
