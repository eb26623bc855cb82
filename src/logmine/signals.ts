/**
 * Log anomaly signals over mined events: templates new for a workload, templates whose rate surges against
 * the baseline, error events (stack traces included), and the log signature: the top new or surging
 * error templates with example lines and their share of the current lines. Incremental and bounded.
 */
import { type MinerConfig, type SignalConfig, defaultMinerConfig, defaultSignalConfig } from "./config.js";
import { type EventAssembler, type LogEvent, type Severity, createEventAssembler } from "./events.js";
import { type Miner, createMiner } from "./miner.js";

/** Per template, over the baseline and the current phase. */
export interface TemplateStat {
  readonly id: number;
  readonly template: string;
  /** With typed placeholders (`<ip>`, `<num>`, `<k8s>` …). */
  readonly typed: string;
  readonly count: number;
  readonly baseline: number;
  readonly current: number;
  /** Share of the current phase's events (of all events when there is no baseline). */
  readonly share: number;
  readonly severity: Severity;
  /** Not seen in the baseline for at least one source that produced it in the current phase. */
  readonly isNew: boolean;
  /** Current rate over baseline rate, when the template surges. */
  readonly surge: number | undefined;
  readonly examples: readonly string[];
  readonly sources: readonly string[];
}

export interface SignatureEntry {
  readonly template: string;
  readonly reason: "new" | "surging" | "error";
  readonly count: number;
  readonly share: number;
  readonly examples: readonly string[];
}

/** What the logs of one finding or incident say, in a few templates. */
export interface LogSignature {
  /** e.g. `97% of the current lines match "connection refused to <*>:5432" (new)`; empty when nothing stands out. */
  readonly summary: string;
  readonly entries: readonly SignatureEntry[];
}

export interface LogReport {
  readonly lines: number;
  readonly events: number;
  readonly baselineEvents: number;
  readonly currentEvents: number;
  readonly templates: readonly TemplateStat[];
  readonly newTemplates: readonly TemplateStat[];
  readonly surging: readonly TemplateStat[];
  readonly errors: readonly TemplateStat[];
  readonly signature: LogSignature;
  readonly clusters: number;
  readonly evicted: number;
}

interface Stat {
  baseline: number;
  current: number;
  severity: Severity;
  examples: string[];
  /** Sources seen in the baseline / in the current phase (bounded). */
  baseSources: Set<string>;
  curSources: Set<string>;
}

const MAX_SOURCES = 64;

export interface LogAnalyzer {
  /** Feeds one raw line (header included) from `source` (a workload key, "" when there is one source). */
  push(line: string, source?: string): void;
  /** From now on lines count as the current phase; before, they are the baseline. */
  markCurrent(): void;
  readonly miner: Miner;
  /** Flushes the last event and reports. `top` bounds the template list. */
  report(top?: number): LogReport;
}

const SEV_RANK: Readonly<Record<Severity, number>> = { info: 0, warn: 1, error: 2 };

export function createLogAnalyzer(
  minerCfg: MinerConfig = defaultMinerConfig,
  cfg: SignalConfig = defaultSignalConfig,
): LogAnalyzer {
  const miner = createMiner(minerCfg);
  const asm: EventAssembler = createEventAssembler(cfg.maxEventLines, cfg.maxEventChars);
  const stats = new Map<number, Stat>();
  let current = false;
  let lines = 0;
  let baselineEvents = 0;
  let currentEvents = 0;

  function onEvent(ev: LogEvent): void {
    const c = miner.add(ev.message);
    if (c === undefined) return;
    if (current) currentEvents++;
    else baselineEvents++;
    let s = stats.get(c.id);
    if (s === undefined) {
      s = {
        baseline: 0,
        current: 0,
        severity: "info",
        examples: [],
        baseSources: new Set(),
        curSources: new Set(),
      };
      stats.set(c.id, s);
      if (stats.size > 2 * minerCfg.maxClusters) prune();
    }
    if (current) s.current++;
    else s.baseline++;
    const set = current ? s.curSources : s.baseSources;
    if (set.size < MAX_SOURCES) set.add(ev.source);
    if (SEV_RANK[ev.severity] > SEV_RANK[s.severity]) {
      s.severity = ev.severity;
      // Keep an example of the worst kind first.
      if (s.examples.length >= cfg.examples) s.examples.shift();
    }
    if (s.examples.length < cfg.examples) s.examples.push(ev.text);
  }

  /** Stats of clusters that were evicted, or merged away, are folded into their live group or dropped. */
  function prune(): void {
    for (const id of [...stats.keys()]) {
      const r = miner.root(id);
      if (r === undefined) stats.delete(id);
    }
  }

  function grouped(): Map<number, Stat> {
    const out = new Map<number, Stat>();
    for (const [id, s] of stats) {
      const r = miner.root(id);
      if (r === undefined) continue;
      const g = out.get(r.id);
      if (g === undefined) {
        out.set(r.id, {
          ...s,
          examples: [...s.examples],
          baseSources: new Set(s.baseSources),
          curSources: new Set(s.curSources),
        });
        continue;
      }
      g.baseline += s.baseline;
      g.current += s.current;
      if (SEV_RANK[s.severity] > SEV_RANK[g.severity]) g.severity = s.severity;
      for (const e of s.examples) if (g.examples.length < cfg.examples) g.examples.push(e);
      for (const x of s.baseSources) if (g.baseSources.size < MAX_SOURCES) g.baseSources.add(x);
      for (const x of s.curSources) if (g.curSources.size < MAX_SOURCES) g.curSources.add(x);
    }
    return out;
  }

  return {
    miner,
    push(line: string, source = "") {
      lines++;
      const ev = asm.push(line, source);
      if (ev !== undefined) onEvent(ev);
    },
    markCurrent() {
      const ev = asm.flush();
      if (ev !== undefined) onEvent(ev);
      current = true;
    },
    report(top = 50): LogReport {
      const ev = asm.flush();
      if (ev !== undefined) onEvent(ev);
      const hasBase = baselineEvents > 0 && current;
      const denom = hasBase ? Math.max(1, currentEvents) : Math.max(1, baselineEvents + currentEvents);
      const all: TemplateStat[] = [];
      for (const [id, s] of grouped()) {
        const c = miner.root(id);
        if (c === undefined) continue;
        const isNew = hasBase && s.current > 0 && [...s.curSources].some((x) => !s.baseSources.has(x));
        const curRate = s.current / Math.max(1, currentEvents);
        const baseRate = s.baseline / Math.max(1, baselineEvents);
        const ratio = baseRate > 0 ? curRate / baseRate : undefined;
        const surge =
          hasBase &&
          !isNew &&
          ratio !== undefined &&
          ratio >= cfg.surgeRatio &&
          s.current >= cfg.surgeMinCount
            ? ratio
            : undefined;
        all.push({
          id,
          template: miner.template(c),
          typed: miner.typedTemplate(c),
          count: s.baseline + s.current,
          baseline: s.baseline,
          current: s.current,
          share: (hasBase ? s.current : s.baseline + s.current) / denom,
          severity: s.severity,
          isNew,
          surge,
          examples: s.examples,
          sources: [...new Set([...s.baseSources, ...s.curSources])].filter((x) => x !== "").sort(),
        });
      }
      all.sort((a, b) => b.count - a.count || a.id - b.id);
      const newT = all.filter((t) => t.isNew).sort((a, b) => b.current - a.current);
      const surging = all
        .filter((t) => t.surge !== undefined)
        .sort((a, b) => (b.surge ?? 0) - (a.surge ?? 0));
      const errors = all.filter((t) => t.severity === "error");
      return {
        lines,
        events: baselineEvents + currentEvents,
        baselineEvents,
        currentEvents,
        templates: all.slice(0, top),
        newTemplates: newT.slice(0, top),
        surging: surging.slice(0, top),
        errors: errors.slice(0, top),
        signature: signatureOf(all, cfg.signatureTop),
        clusters: miner.size,
        evicted: miner.evicted,
      };
    },
  };
}

/**
 * The log signature: error and warning templates that are new or surging, biggest current share first; when
 * none are, the biggest error templates. A summary sentence names the first.
 */
export function signatureOf(templates: readonly TemplateStat[], top: number): LogSignature {
  const bad = templates.filter((t) => t.severity !== "info");
  const changed = bad
    .filter((t) => t.isNew || t.surge !== undefined)
    .sort((a, b) => b.share - a.share || b.count - a.count);
  const picked: SignatureEntry[] = (
    changed.length > 0 ? changed : bad.filter((t) => t.severity === "error").sort((a, b) => b.count - a.count)
  )
    .slice(0, top)
    .map((t) => ({
      template: t.template,
      reason: t.isNew ? "new" : t.surge !== undefined ? "surging" : "error",
      count: t.isNew || t.surge !== undefined ? t.current : t.count,
      share: t.share,
      examples: t.examples,
    }));
  const first = picked[0];
  const summary =
    first === undefined
      ? ""
      : `${formatShare(first.share)} of the ${first.reason === "error" ? "" : "current "}lines match "${first.template}" (${first.reason})`;
  return { summary, entries: picked };
}

function formatShare(x: number): string {
  const p = x * 100;
  return p >= 10 || p === 0 ? `${Math.round(p)}%` : `${p.toFixed(1)}%`;
}
