/**
 * A strict parser for `ts,value` series CSV (Crane's `ts,value` and NAB's `timestamp,value`). Takes a
 * string, returns samples or the first error with its 1-based line number; never throws.
 */
import type { Sample } from "./series.js";

export type CsvResult =
  | { readonly kind: "ok"; readonly samples: readonly Sample[] }
  | { readonly kind: "error"; readonly line: number; readonly message: string };

const TIME_COLUMNS = new Set(["ts", "timestamp", "time", "t"]);
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]00:?00)?$/;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Splits one CSV record (RFC 4180 quoting, no embedded newlines). */
function splitRecord(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = "";
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        const c = line[i];
        if (c === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += c ?? "";
        i++;
      }
      if (i < line.length && line[i] !== ",") return undefined;
      out.push(v);
      i++;
    } else {
      const j = line.indexOf(",", i);
      const end = j < 0 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

/** Unix seconds from a number or from `YYYY-MM-DD HH:MM:SS[.fff]` (UTC when no zone is given). */
export function parseTimestamp(raw: string): number | undefined {
  const s = raw.trim();
  if (NUMBER_RE.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  const m = DATE_RE.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => Number(x ?? "0"));
  if (mo === undefined || d === undefined || h === undefined || mi === undefined || se === undefined)
    return undefined;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return undefined;
  const frac = m[7] === undefined ? 0 : Number(m[7]);
  return Date.UTC(y ?? 1970, mo - 1, d, h, mi, se) / 1000 + frac;
}

export function parseSeriesCsv(text: string): CsvResult {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const header = lines[0];
  if (header === undefined || header.trim() === "") return { kind: "error", line: 1, message: "empty file" };
  const cols = splitRecord(header.replace(/^\uFEFF/, ""))?.map((c) => c.trim().toLowerCase());
  if (cols === undefined || cols.length < 2) {
    return { kind: "error", line: 1, message: "the header needs two columns: ts,value" };
  }
  const ti = cols.findIndex((c) => TIME_COLUMNS.has(c));
  const vi = cols.findIndex((c) => c === "value" || c === "v");
  if (ti < 0 || vi < 0) {
    return {
      kind: "error",
      line: 1,
      message: `the header must name a time column (ts) and a value column, got "${header}"`,
    };
  }
  const samples: Sample[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const rec = splitRecord(line);
    if (rec === undefined) return { kind: "error", line: i + 1, message: "unbalanced quotes" };
    if (rec.length !== cols.length) {
      return { kind: "error", line: i + 1, message: `expected ${cols.length} fields, got ${rec.length}` };
    }
    const t = parseTimestamp(rec[ti] ?? "");
    if (t === undefined) return { kind: "error", line: i + 1, message: `bad timestamp "${rec[ti] ?? ""}"` };
    const vs = (rec[vi] ?? "").trim();
    const v = NUMBER_RE.test(vs) ? Number(vs) : Number.NaN;
    if (!Number.isFinite(v))
      return { kind: "error", line: i + 1, message: `bad value "${vs}" (need a finite number)` };
    samples.push({ t, v });
  }
  if (samples.length === 0) return { kind: "error", line: lines.length, message: "no data rows" };
  return { kind: "ok", samples };
}
