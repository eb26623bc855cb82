/**
 * From raw lines to log events: header splitting (Kubernetes timestamps, klog, JSON and common
 * `date time LEVEL` prefixes), severity detection, and folding multi-line stack traces (Java, Python, Go,
 * Node) into the event that raised them.
 */

export type Severity = "error" | "warn" | "info";

/** One line with its header taken off. */
export interface SplitLine {
  /** The message the miner sees. */
  readonly message: string;
  /** The level the header or a JSON field declared, if any. */
  readonly level: Severity | undefined;
}

/** A log event: one line, or a line and the stack-trace lines that belong to it. */
export interface LogEvent {
  readonly message: string;
  readonly severity: Severity;
  /** Full text (first line and continuation lines), cut at `maxEventChars`. */
  readonly text: string;
  readonly lines: number;
  readonly stack: boolean;
  /** Caller's label, e.g. the workload the line came from. */
  readonly source: string;
}

const LEVELS: Readonly<Record<string, Severity>> = {
  error: "error",
  err: "error",
  fatal: "error",
  critical: "error",
  crit: "error",
  panic: "error",
  severe: "error",
  emerg: "error",
  alert: "error",
  warn: "warn",
  warning: "warn",
  info: "info",
  notice: "info",
  debug: "info",
  trace: "info",
  fine: "info",
};

function levelOf(word: string): Severity | undefined {
  let w = word;
  if (w.startsWith("[") || w.startsWith("<")) w = w.slice(1);
  if (w.endsWith("]") || w.endsWith(">") || w.endsWith(":")) w = w.slice(0, -1);
  if (w.length < 3 || w.length > 8) return undefined;
  return LEVELS[w.toLowerCase()];
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A date or time word: 2024-01-02, 2024-01-02T03:04:05Z, 03:04:05,123, 2024/01/02, [2024-… */
function isStampWord(w: string): boolean {
  let s = w;
  if (s.startsWith("[")) s = s.slice(1);
  if (s.endsWith("]") || s.endsWith(",")) s = s.slice(0, -1);
  if (s.length < 5 || !isDigit(s.charCodeAt(0))) return false;
  let digits = 0;
  let seps = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (c === 45 || c === 58 || c === 47 || c === 46 || c === 44 || c === 84 || c === 90 || c === 43)
      seps++;
    else return false;
  }
  return digits >= 4 && seps >= 1;
}

function jsonString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * Takes the header off a line: leading timestamps, a level word, klog's `I0102 15:04:05.000000 1 f.go:1]`,
 * or a JSON object's `msg`/`message`/`log` and `level`/`severity`. Anything else is kept as the message.
 */
export function splitHeader(line: string): SplitLine {
  const t = line.trimEnd();
  if (t.startsWith("{") && t.endsWith("}")) {
    try {
      const o: unknown = JSON.parse(t);
      if (typeof o === "object" && o !== null) {
        const r = o as Record<string, unknown>;
        const msg = jsonString(r["msg"]) ?? jsonString(r["message"]) ?? jsonString(r["log"]);
        const lvl = jsonString(r["level"]) ?? jsonString(r["severity"]) ?? jsonString(r["lvl"]);
        if (msg !== undefined) {
          const err = jsonString(r["error"]) ?? jsonString(r["err"]);
          return {
            message: err === undefined ? msg.trimEnd() : `${msg.trimEnd()} error=${err}`,
            level: lvl === undefined ? undefined : levelOf(lvl),
          };
        }
      }
    } catch {
      // not JSON after all: mine it as text
    }
  }
  // klog: Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg
  if (t.length > 22 && "IWEF".includes(t[0] ?? "") && isDigit(t.charCodeAt(1)) && t[5] === " ") {
    const close = t.indexOf("] ");
    if (close > 0 && close < 80) {
      const c = t[0];
      return { message: t.slice(close + 2), level: c === "I" ? "info" : c === "W" ? "warn" : "error" };
    }
  }
  let i = 0;
  let level: Severity | undefined;
  for (let k = 0; k < 4; k++) {
    while (i < t.length && t.charCodeAt(i) <= 32) i++;
    let j = i;
    while (j < t.length && t.charCodeAt(j) > 32) j++;
    if (j === i) break;
    const w = t.slice(i, j);
    if (isStampWord(w)) {
      i = j;
      continue;
    }
    const l = level === undefined ? levelOf(w) : undefined;
    if (l !== undefined) {
      level = l;
      i = j;
      continue;
    }
    if (w.startsWith("level=")) {
      level = levelOf(w.slice(6).replaceAll('"', ""));
      i = j;
      continue;
    }
    break;
  }
  while (i < t.length && t.charCodeAt(i) <= 32) i++;
  return { message: t.slice(i), level };
}

const ERROR_WORDS = ["exception", "error", "panic", "fatal", "traceback", "failed", "failure", "refused"];
const WARN_WORDS = ["warn", "deprecated", "retrying", "timeout", "timed out"];

/** The severity of a message: its declared level, else error/warning words in it. */
export function severityOf(message: string, level: Severity | undefined): Severity {
  if (level !== undefined) return level;
  const m = message.toLowerCase();
  if (ERROR_WORDS.some((w) => m.includes(w))) return "error";
  if (WARN_WORDS.some((w) => m.includes(w))) return "warn";
  return "info";
}

const JAVA_EXCEPTION = /^([a-z][\w$]*\.)+[A-Z][\w$]*(Exception|Error|Throwable)(: |$)/;
const EXCEPTION_LINE = /^[\w.$]+(Error|Exception|Exit|Interrupt|Warning)\b/;

/** True for lines that continue the event before them: stack frames, `Caused by:`, Python traceback lines. */
export function isContinuation(line: string, inTrace: boolean): boolean {
  if (line.length === 0) return inTrace;
  const c = line.charCodeAt(0);
  if (c === 32 || c === 9) return true;
  if (line.startsWith("Caused by:") || line.startsWith("... ") || line.startsWith("at ")) return true;
  if (JAVA_EXCEPTION.test(line)) return true;
  if (!inTrace) return false;
  // Inside a Python traceback or a Go panic, unindented lines still belong until a new header appears.
  if (line.startsWith("goroutine ") || line.startsWith("created by ") || line.startsWith("[signal "))
    return true;
  if (EXCEPTION_LINE.test(line)) return true;
  if (/^[\w./*()$]+\(.*\)$/.test(line)) return true; // Go frame: main.main() / pkg.(*T).m(0x1)
  return false;
}

function startsTrace(message: string): boolean {
  return (
    message.startsWith("Traceback (most recent call last)") ||
    message.startsWith("panic: ") ||
    message.startsWith("fatal error: ") ||
    message.startsWith("goroutine ")
  );
}

/**
 * Folds lines into events. Feed lines with `push`; an event is returned once the next event starts
 * (or at `flush`). Bounded: an event keeps at most `maxLines` lines and `maxChars` characters of text.
 */
export interface EventAssembler {
  push(line: string, source?: string): LogEvent | undefined;
  flush(): LogEvent | undefined;
}

export function createEventAssembler(maxLines: number, maxChars: number): EventAssembler {
  let head: SplitLine | undefined;
  let source = "";
  let text = "";
  let lines = 0;
  let inTrace = false;
  let stack = false;
  /** The exception line of a Python traceback, which names the error better than "Traceback (…)". */
  let exception: string | undefined;

  function done(): LogEvent | undefined {
    if (head === undefined) return undefined;
    const message = exception ?? head.message;
    const sev = severityOf(message, head.level);
    const ev: LogEvent = {
      message,
      severity: stack && sev === "info" ? "error" : sev,
      text,
      lines,
      stack,
      source,
    };
    head = undefined;
    return ev;
  }

  return {
    push(line: string, src = "") {
      const raw = line.trimEnd();
      if (head !== undefined && src === source && lines < maxLines && isContinuation(raw, inTrace)) {
        lines++;
        if (raw.length > 0) stack = true;
        if (text.length < maxChars) text = (text + "\n" + raw).slice(0, maxChars);
        if (raw.startsWith("goroutine ") || raw.startsWith("Traceback")) inTrace = true;
        if (head.message.startsWith("Traceback") && EXCEPTION_LINE.test(raw)) exception = raw;
        return undefined;
      }
      if (raw.length === 0) return undefined;
      const prev = done();
      // A Go panic's first line is its own header: keep "panic: " in the message.
      head = startsTrace(raw) ? { message: raw, level: "error" } : splitHeader(raw);
      source = src;
      text = raw.slice(0, maxChars);
      lines = 1;
      stack = false;
      exception = undefined;
      inTrace = startsTrace(head.message);
      return prev;
    },
    flush: done,
  };
}
