/**
 * Loghub scoring, pure: an RFC 4180 CSV reader, the ground-truth template normalisation of Loghub-2.0's
 * evaluator, and the four accuracy metrics GA, FGA, PA and FTA (definitions in docs/benchmarks.md).
 */

/** Splits text into lines on `\r?\n` and drops one trailing empty element (no final newline is fine). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Parses RFC 4180 CSV (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  const n = text.length;
  let quoted = false;
  while (i < n) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"') {
        if (text.charAt(i + 1) === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text.charAt(i + 1) === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else {
      field += c;
    }
    i++;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A structured Loghub CSV as columns by header name. */
export function csvColumns(text: string): Map<string, string[]> {
  const rows = parseCsv(text);
  const header = rows[0] ?? [];
  const cols = new Map<string, string[]>(header.map((h) => [h, []]));
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r] ?? [];
    header.forEach((h, k) => cols.get(h)?.push(row[k] ?? ""));
  }
  return cols;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Loghub-2.0's `align_with_null_values`: a `<*>` that matches the empty string in this line's content is
 * dropped from the template.
 */
export function alignWithNull(template: string, content: string): string {
  const parts = template.split("<*>");
  if (parts.length === 1) return template;
  let re: RegExp;
  try {
    re = new RegExp("^" + parts.map(escapeRegExp).join("(.*?)") + "$", "s");
  } catch {
    return template;
  }
  const m = re.exec(content);
  if (m === null) return template;
  let out = "";
  parts.forEach((p, k) => {
    out += p;
    if (k < parts.length - 1) out += m[k + 1] === "" ? "" : "<*>";
  });
  return out;
}

/** Loghub-2.0's `correct_template_general`: collapse `<*>.<*>`, then `<*><*>`, `<*>:<*>` and `<*> <*>`. */
export function correctTemplateGeneral(template: string): string {
  let t = template;
  for (;;) {
    const prev = t;
    t = t.replaceAll("<*>.<*>", "<*>");
    if (prev === t) break;
  }
  for (;;) {
    const prev = t;
    t = t.replaceAll("<*><*>", "<*>").replaceAll("<*>:<*>", "<*>").replaceAll("<*> <*>", "<*>");
    if (prev === t) break;
  }
  return t;
}

export interface Accuracy {
  readonly ga: number;
  readonly fga: number;
  readonly pa: number;
  readonly fta: number;
}

function countBy<K>(keys: readonly K[]): Map<K, number> {
  const m = new Map<K, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function f1(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

/**
 * Scores one data set. `truthGroup` and `truthTemplate` are per line (group key: EventId for the original
 * labels, the normalised template for Loghub-2.0); `parsedGroup` and `parsedTemplate` are the miner's.
 */
export function score(
  truthGroup: readonly string[],
  truthTemplate: readonly string[],
  parsedGroup: readonly number[],
  parsedTemplate: readonly string[],
): Accuracy {
  const n = truthGroup.length;
  // GA / FGA: a parsed group is correct iff it holds exactly all lines of one truth group.
  const truthCount = countBy(truthGroup);
  const members = new Map<number, number[]>();
  parsedGroup.forEach((g, i) => {
    let l = members.get(g);
    if (l === undefined) members.set(g, (l = []));
    l.push(i);
  });
  let goodLines = 0;
  let goodGroups = 0;
  for (const lines of members.values()) {
    const first = truthGroup[lines[0] ?? 0] ?? "";
    if (lines.every((i) => truthGroup[i] === first) && truthCount.get(first) === lines.length) {
      goodLines += lines.length;
      goodGroups++;
    }
  }
  const ga = n === 0 ? 0 : goodLines / n;
  const fga = f1(goodGroups / Math.max(1, members.size), goodGroups / Math.max(1, truthCount.size));
  // PA: exact template strings.
  let same = 0;
  for (let i = 0; i < n; i++) if (parsedTemplate[i] === truthTemplate[i]) same++;
  const pa = n === 0 ? 0 : same / n;
  // FTA: a parsed template is correct iff its lines' truth templates are exactly {itself}, all of them.
  const truthTplCount = countBy(truthTemplate);
  const byTpl = new Map<string, number[]>();
  parsedTemplate.forEach((t, i) => {
    let l = byTpl.get(t);
    if (l === undefined) byTpl.set(t, (l = []));
    l.push(i);
  });
  let goodTpl = 0;
  for (const [tpl, lines] of byTpl) {
    if (lines.every((i) => truthTemplate[i] === tpl) && truthTplCount.get(tpl) === lines.length) goodTpl++;
  }
  const fta = f1(goodTpl / Math.max(1, byTpl.size), goodTpl / Math.max(1, truthTplCount.size));
  return { ga, fga, pa, fta };
}

/** Mean of each metric. */
export function meanAccuracy(xs: readonly Accuracy[]): Accuracy {
  const k = Math.max(1, xs.length);
  const sum = (f: (a: Accuracy) => number) => xs.reduce((s, a) => s + f(a), 0) / k;
  return { ga: sum((a) => a.ga), fga: sum((a) => a.fga), pa: sum((a) => a.pa), fta: sum((a) => a.fta) };
}
