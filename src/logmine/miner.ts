/**
 * The online template miner: a Drain-style fixed-depth parse tree (token count, then leading words, then a
 * leaf of clusters) over masked words, with three changes. Words are generalised by their common prefix
 * (`user=root` and `user=test` give `user=<*>`); clusters whose canonical templates become equal are merged;
 * and the number of live clusters is capped, evicting the least recently used. State snapshots are plain JSON.
 */
import { type MinerConfig, defaultMinerConfig } from "./config.js";
import {
  type Interner,
  type VarType,
  WILDCARD,
  WILDCARD_ID,
  type WordIds,
  collapse,
  internString,
  newInterner,
  newWordIds,
  tokenizeIds,
} from "./mask.js";

/** A template cluster. Mutable inside the miner; read it, do not change it. */
export interface Cluster {
  readonly id: number;
  /** Template words; a variable word is `<*>` or holds `<*>` (`uid=<*>`). */
  readonly words: string[];
  /** Per word: the variable's type, `undefined` for a constant word. */
  readonly types: (VarType | undefined)[];
  /** Lines matched, this cluster only (see `Miner.groupCount` for a merged group). */
  count: number;
  /** Sequence number (1-based line count of the miner) of the first and the last line. */
  readonly firstSeen: number;
  lastSeen: number;
  /** The group this cluster was merged into; its own id while it is a root. */
  parent: number;
  /** The tree path that routes to it (token-count key first). */
  readonly path: readonly string[];
  /** Canonical template text, cached. */
  text: string | undefined;
  /** Per constant position, other words seen there (bounded by `minDistinct`). */
  alts?: (string[] | undefined)[];
}

/** A cluster as the miner keeps it: its words also as interned ids, for the tree and the comparisons. */
interface Inner extends Cluster {
  /** `words` as ids of the miner's interner. */
  ids: number[];
  /** Positions of the constant words (`types[i] === undefined`), ascending. */
  consts: number[];
}

function constPositions(types: readonly (VarType | undefined)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < types.length; i++) if (types[i] === undefined) out.push(i);
  return out;
}

/**
 * Equal constant words between a template and the line's word ids, or -1 as soon as fewer than `need`
 * are still possible.
 */
function countSame(c: Inner, ids: readonly number[], need: number): number {
  const consts = c.consts;
  const ci = c.ids;
  const m = consts.length;
  if (m < need) return -1;
  let same = 0;
  for (let k = 0; k < m; k++) {
    const i = consts[k] ?? 0;
    if (ci[i] === ids[i]) same++;
    else if (same + m - 1 - k < need) return -1;
  }
  return same;
}

/** What `add` did with a line. */
export type Change = "created" | "updated" | "none";

interface Node {
  /** Keyed by interned word id (`WILDCARD_ID` for the `<*>` child). */
  readonly children: Map<number, Node>;
  readonly clusters: Inner[];
  /** The cluster this leaf matched last: scored first, it usually sets a high bar for the others. */
  hint: Inner | undefined;
}

function newNode(): Node {
  return { children: new Map(), clusters: [], hint: undefined };
}

/** The serialisable state: config, counters and clusters. */
export interface MinerSnapshot {
  readonly version: 1;
  readonly config: MinerConfig;
  readonly seq: number;
  readonly nextId: number;
  readonly evicted: number;
  readonly clusters: readonly {
    readonly id: number;
    readonly words: readonly string[];
    readonly types: readonly (VarType | null)[];
    readonly count: number;
    readonly firstSeen: number;
    readonly lastSeen: number;
    readonly parent: number;
    readonly path: readonly string[];
  }[];
}

export interface Miner {
  readonly config: MinerConfig;
  /**
   * Mines one message (the part after any header). Returns the root cluster of the line's group, or
   * `undefined` for a blank line. `lastChange` then says whether the line created or changed a template.
   */
  add(message: string): Cluster | undefined;
  /** Finds the group a message would join, without learning from it. */
  match(message: string): Cluster | undefined;
  readonly lastChange: Change;
  /** The group's root (follows merges). */
  root(id: number): Cluster | undefined;
  /** The canonical template text of a cluster (`<*>` for variables). */
  template(c: Cluster): string;
  /** The template with typed placeholders (`<ip>`, `<num>`, …) where the type is known. */
  typedTemplate(c: Cluster): string;
  /** Lines matched by a group: the root and every cluster merged into it. */
  groupCount(root: Cluster): number;
  /** Live root clusters. */
  groups(): Cluster[];
  readonly lines: number;
  readonly evicted: number;
  readonly size: number;
  snapshot(): MinerSnapshot;
}

/** Distinct words the miner's interner may hold before it is rebuilt from the live clusters. */
const INTERN_MIN = 1 << 16;

export function createMiner(config: MinerConfig = defaultMinerConfig, from?: MinerSnapshot): Miner {
  const cfg = from?.config ?? config;
  const tokenLayers = cfg.depth - 3;
  const root = new Map<number, Node>();
  const byId = new Map<number, Inner>();
  const leafOf = new Map<number, Node>();
  const byText = new Map<string, number>();
  const toks: WordIds = newWordIds();
  /**
   * Words by id. It grows with the distinct words seen; past `internCap` it is rebuilt from the live
   * clusters and the tree (bounded memory).
   */
  let interner: Interner = newInterner();
  let internCap = INTERN_MIN;
  let seq = from?.seq ?? 0;
  let nextId = from?.nextId ?? 1;
  let evicted = from?.evicted ?? 0;
  let lastChange: Change = "none";
  /** The cluster (not its root) the last learned line went to. */
  let lastCluster: Inner | undefined;
  const cache = new Map<string, Inner>();
  /** Per word count n: the fewest equal constant words with `same / n >= similarity`. */
  const minSame: number[] = [];
  /** The leaf `createPath` walked to. */
  let placed: Node = newNode();

  function find(id: number): Inner | undefined {
    let c = byId.get(id);
    while (c !== undefined && c.parent !== c.id) {
      const p = byId.get(c.parent);
      if (p === undefined) {
        c.parent = c.id;
        break;
      }
      c = p;
    }
    return c;
  }

  function text(c: Cluster): string {
    c.text ??= collapseSpaces(c.words.join(" "));
    return c.text;
  }

  function leafFor(path: readonly string[]): Node {
    const n = Number(path[0]);
    let node: Node | undefined = root.get(n);
    if (node === undefined) {
      node = newNode();
      root.set(n, node);
    }
    for (let d = 1; d < path.length; d++) {
      const key = internString(interner, path[d] ?? WILDCARD);
      let next: Node | undefined = node.children.get(key);
      if (next === undefined) {
        next = newNode();
        node.children.set(key, next);
      }
      node = next;
    }
    return node;
  }

  /** Drain's tree search: the word's own child, else the `<*>` child. */
  function searchLeaf(): Node | undefined {
    const n = toks.count;
    let node: Node | undefined = root.get(n);
    if (node === undefined) return undefined;
    const layers = n < tokenLayers ? n : tokenLayers;
    for (let d = 0; d < layers; d++) {
      const key = toks.types[d] === undefined ? (toks.ids[d] ?? WILDCARD_ID) : WILDCARD_ID;
      const next: Node | undefined = node.children.get(key) ?? node.children.get(WILDCARD_ID);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  /**
   * The path a new cluster for the current tokens goes to: its words while a node has room, else `<*>`.
   * The nodes on the way are created, and the leaf is left in `placed`.
   */
  function createPath(): string[] {
    const n = toks.count;
    const path = [String(n)];
    let node = root.get(n);
    if (node === undefined) {
      node = newNode();
      root.set(n, node);
    }
    const layers = n < tokenLayers ? n : tokenLayers;
    for (let d = 0; d < layers; d++) {
      const key = toks.types[d] === undefined ? (toks.ids[d] ?? WILDCARD_ID) : WILDCARD_ID;
      const fits = node.children.has(key) || node.children.size < cfg.maxChildren;
      const use = fits ? key : WILDCARD_ID;
      path.push(interner.words[use] ?? WILDCARD);
      let next = node.children.get(use);
      if (next === undefined) {
        next = newNode();
        node.children.set(use, next);
      }
      node = next;
    }
    placed = node;
    return path;
  }

  /**
   * Drain similarity: equal constant words over all words; ties go to the template with more variables,
   * then to the older cluster (the first in the leaf). Scoring stops for a template as soon as it can no
   * longer reach the similarity threshold or the best so far, and the leaf's last match is scored first;
   * the result is the same as scoring every template in full, in leaf order.
   */
  function best(leaf: Node): Inner | undefined {
    const n = toks.count;
    const ids = toks.ids;
    let need = minSame[n] ?? leastSame(n);
    let bestC: Inner | undefined;
    let bestSame = -1;
    let bestVars = -1;
    const hint = leaf.hint;
    if (hint !== undefined) {
      const same = countSame(hint, ids, need);
      if (same >= 0) {
        bestC = hint;
        bestSame = same;
        bestVars = n - hint.consts.length;
        need = same;
      }
    }
    const cs = leaf.clusters;
    for (let k = 0; k < cs.length; k++) {
      const c = cs[k];
      if (c === undefined || c === hint) continue;
      const same = countSame(c, ids, need);
      if (same < 0) continue;
      const vars = n - c.consts.length;
      if (
        bestC === undefined ||
        same > bestSame ||
        (same === bestSame && (vars > bestVars || (vars === bestVars && c.id < bestC.id)))
      ) {
        bestSame = same;
        bestVars = vars;
        bestC = c;
        need = same;
      }
    }
    if (bestC !== undefined) leaf.hint = bestC;
    return bestC;
  }

  function leastSame(n: number): number {
    let m = Math.max(0, Math.ceil(cfg.similarity * n) - 1);
    while (m > 0 && (m - 1) / n >= cfg.similarity) m--;
    while (m < n && m / n < cfg.similarity) m++;
    minSame[n] = m;
    return m;
  }

  function register(c: Cluster): void {
    if (!cfg.mergeEqualTemplates) return;
    const t = text(c);
    const other = byText.get(t);
    if (other === undefined || byId.get(other) === undefined) {
      byText.set(t, c.id);
      return;
    }
    const a = find(other);
    const b = find(c.id);
    if (a === undefined || b === undefined || a === b) return;
    // The older group absorbs the newer one.
    if (a.id < b.id) b.parent = a.id;
    else a.parent = b.id;
  }

  function unregister(c: Cluster): void {
    if (c.text !== undefined && byText.get(c.text) === c.id) byText.delete(c.text);
  }

  function evict(): void {
    const all = [...byId.values()];
    all.sort((x, y) => x.lastSeen - y.lastSeen || x.count - y.count);
    const drop = Math.max(1, Math.floor(cfg.maxClusters / 10));
    for (let i = 0; i < drop && i < all.length; i++) {
      const c = all[i];
      if (c === undefined) break;
      remove(c);
      evicted++;
    }
  }

  function remove(c: Inner): void {
    byId.delete(c.id);
    unregister(c);
    const leaf = leafOf.get(c.id);
    leafOf.delete(c.id);
    if (leaf !== undefined) {
      const k = leaf.clusters.indexOf(c);
      if (k >= 0) leaf.clusters.splice(k, 1);
      if (leaf.hint === c) leaf.hint = undefined;
    }
  }

  function insert(c: Inner, leaf: Node = leafFor(c.path)): void {
    byId.set(c.id, c);
    leaf.clusters.push(c);
    leafOf.set(c.id, leaf);
  }

  function createCluster(): Inner | undefined {
    const n = toks.count;
    const path = createPath();
    const leaf = placed;
    const ids: number[] = [];
    const words: string[] = [];
    const types: (VarType | undefined)[] = [];
    const consts: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = toks.ids[i] ?? WILDCARD_ID;
      const t = toks.types[i];
      ids.push(id);
      words.push(interner.words[id] ?? WILDCARD);
      types.push(t);
      if (t === undefined) consts.push(i);
    }
    const created: Inner = {
      id: nextId++,
      words,
      ids,
      consts,
      types,
      count: 1,
      firstSeen: seq,
      lastSeen: seq,
      parent: 0,
      path,
      text: undefined,
    };
    created.parent = created.id;
    lastCluster = created;
    insert(created, leaf);
    register(created);
    lastChange = "created";
    if (byId.size > cfg.maxClusters) evict();
    return find(created.id);
  }

  /**
   * Records the line's words at the template's differing constant positions; true once every such position
   * has shown `minDistinct` values (the template's own included), so that it may become a variable.
   */
  function differsEnough(c: Inner): boolean {
    let ready = true;
    for (const i of c.consts) {
      const wid = toks.ids[i] ?? WILDCARD_ID;
      if (c.ids[i] === wid) continue;
      const w = interner.words[wid] ?? WILDCARD;
      c.alts ??= [];
      let a = c.alts[i];
      if (a === undefined) c.alts[i] = a = [];
      if (!a.includes(w) && a.length < cfg.minDistinct) a.push(w);
      if (a.length + 1 < cfg.minDistinct) ready = false;
    }
    return ready;
  }

  /** After `c` generalised, clusters of its leaf that its template now covers join its group. */
  function absorbCovered(c: Inner): void {
    const r = find(c.id);
    const leaf = leafOf.get(c.id);
    if (r === undefined || leaf === undefined) return;
    for (const o of leaf.clusters) {
      if (o === c || o.words.length !== c.words.length) continue;
      let covered = true;
      for (let i = 0; i < c.ids.length && covered; i++) {
        if (c.types[i] === undefined && c.ids[i] !== o.ids[i]) covered = false;
      }
      if (!covered) continue;
      const ro = find(o.id);
      if (ro !== undefined && ro !== r) {
        if (ro.id < r.id) r.parent = ro.id;
        else ro.parent = r.id;
      }
    }
  }

  function add(message: string): Cluster | undefined {
    // Exact repeats are common (half of Loghub's lines): they skip tokenizing and the tree.
    const hit = cfg.lineCache > 0 ? cache.get(message) : undefined;
    if (hit !== undefined && byId.get(hit.id) === hit) {
      seq++;
      hit.count++;
      hit.lastSeen = seq;
      lastChange = "none";
      const r = find(hit.id) ?? hit;
      if (r !== hit) r.lastSeen = seq;
      return r;
    }
    const c = learn(message);
    if (c !== undefined && cfg.lineCache > 0) {
      if (cache.size >= cfg.lineCache) cache.clear();
      cache.set(message, lastCluster ?? c);
    }
    return c;
  }

  function learn(message: string): Inner | undefined {
    if (interner.words.length > internCap) reintern();
    tokenizeIds(message, interner, toks);
    const n = toks.count;
    if (n === 0) {
      lastChange = "none";
      return undefined;
    }
    seq++;
    const leaf = searchLeaf();
    const c = leaf === undefined ? undefined : best(leaf);
    if (c === undefined) return createCluster();
    const tw = c.words;
    const ti = c.ids;
    const tt = c.types;
    if (cfg.minDistinct > 2 && !differsEnough(c)) return createCluster();
    c.count++;
    c.lastSeen = seq;
    lastCluster = c;
    let changed = false;
    for (let i = 0; i < n; i++) {
      const wid = toks.ids[i] ?? WILDCARD_ID;
      const tid = ti[i] ?? WILDCARD_ID;
      if (tid === wid || tid === WILDCARD_ID) continue;
      const t = tw[i] ?? "";
      const g = generalize(t, interner.words[wid] ?? WILDCARD);
      if (g === t) continue;
      if (!changed) unregister(c);
      changed = true;
      tw[i] = g;
      ti[i] = internString(interner, g);
      const lt = toks.types[i];
      tt[i] = tt[i] === undefined ? (lt ?? "any") : tt[i] === lt ? lt : lt === undefined ? tt[i] : "any";
    }
    if (changed) {
      c.consts = constPositions(tt);
      c.text = undefined;
      register(c);
      absorbCovered(c);
      lastChange = "updated";
    } else {
      lastChange = "none";
    }
    if (c.parent === c.id) return c;
    const r = find(c.id) ?? c;
    if (r !== c) r.lastSeen = seq;
    return r;
  }

  function match(message: string): Cluster | undefined {
    if (interner.words.length > internCap) reintern();
    tokenizeIds(message, interner, toks);
    if (toks.count === 0) return undefined;
    const leaf = searchLeaf();
    if (leaf === undefined) return undefined;
    const c = best(leaf);
    return c === undefined ? undefined : find(c.id);
  }

  /**
   * A fresh interner holding only the words of live clusters and tree keys (the tree keeps its shape,
   * empty nodes included, so that routing does not change).
   */
  function reintern(): void {
    const old = interner;
    interner = newInterner();
    const remap = (node: Node): void => {
      const entries = [...node.children];
      node.children.clear();
      for (const [k, child] of entries) {
        node.children.set(internString(interner, old.words[k] ?? WILDCARD), child);
        remap(child);
      }
    };
    for (const node of root.values()) remap(node);
    for (const c of byId.values()) c.ids = c.words.map((w) => internString(interner, w));
    internCap = Math.max(INTERN_MIN, 2 * interner.words.length);
  }

  function groupCount(r: Cluster): number {
    let total = 0;
    for (const c of byId.values()) if (find(c.id) === r) total += c.count;
    return total;
  }

  if (from !== undefined) {
    for (const s of from.clusters) {
      insert({
        id: s.id,
        words: [...s.words],
        ids: s.words.map((w) => internString(interner, w)),
        consts: constPositions(s.types.map((t) => t ?? undefined)),
        types: s.types.map((t) => t ?? undefined),
        count: s.count,
        firstSeen: s.firstSeen,
        lastSeen: s.lastSeen,
        parent: s.parent,
        path: [...s.path],
        text: undefined,
      });
    }
    for (const c of byId.values()) {
      const t = text(c);
      if (c.parent === c.id && !byText.has(t)) byText.set(t, c.id);
    }
  }

  return {
    config: cfg,
    add,
    match,
    get lastChange() {
      return lastChange;
    },
    root: find,
    template: text,
    typedTemplate(c: Cluster): string {
      return collapseSpaces(
        c.words.map((w, i) => (w === WILDCARD ? `<${c.types[i] ?? "any"}>` : w)).join(" "),
      ).replaceAll("<any>", WILDCARD);
    },
    groupCount,
    groups() {
      return [...byId.values()].filter((c) => c.parent === c.id);
    },
    get lines() {
      return seq;
    },
    get evicted() {
      return evicted;
    },
    get size() {
      return byId.size;
    },
    snapshot(): MinerSnapshot {
      return {
        version: 1,
        config: cfg,
        seq,
        nextId,
        evicted,
        clusters: [...byId.values()].map((c) => ({
          id: c.id,
          words: [...c.words],
          types: c.types.map((t) => t ?? null),
          count: c.count,
          firstSeen: c.firstSeen,
          lastSeen: c.lastSeen,
          parent: c.parent,
          path: [...c.path],
        })),
      };
    },
  };
}

/**
 * Generalises template word `t` to also cover line word `w`: keeps their common prefix up to its last
 * non-alphanumeric character (`user=`), the common suffix from a closing character (`)` `]` `,` …), and puts
 * `<*>` in between.
 */
export function generalize(t: string, w: string): string {
  if (t === WILDCARD) return t;
  const tl = t.length;
  const wl = w.length;
  let p = 0;
  while (p < tl && p < wl && t.charCodeAt(p) === w.charCodeAt(p)) p++;
  // Cut the prefix back to just after a separator, and never into a placeholder.
  while (p > 0 && isAlnum(t.charCodeAt(p - 1))) p--;
  let pre = t.slice(0, p);
  if (pre.endsWith("<") || pre.endsWith("<*")) pre = pre.slice(0, pre.lastIndexOf("<"));
  let s = 0;
  while (s < tl - p && s < wl - p && t.charCodeAt(tl - 1 - s) === w.charCodeAt(wl - 1 - s)) s++;
  while (s > 0 && !isCloser(t.charCodeAt(tl - s))) s--;
  let suf = t.slice(tl - s);
  if (suf.startsWith(">") || suf.startsWith("*>")) suf = suf.slice(suf.indexOf(">") + 1);
  if (pre === "" && suf === "") return WILDCARD;
  return collapse(pre + WILDCARD + suf);
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isCloser(c: number): boolean {
  // ) ] } , ; : " ' >
  return c === 41 || c === 93 || c === 125 || c === 44 || c === 59 || c === 58 || c === 34 || c === 39;
}

/** Joins adjacent variables across spaces (`<*> <*>` becomes `<*>`), as Loghub-2.0's evaluator does. */
function collapseSpaces(s: string): string {
  if (!s.includes("<*> <*>")) return s;
  let prev = "";
  let cur = s;
  while (prev !== cur) {
    prev = cur;
    cur = cur.replaceAll("<*> <*>", WILDCARD);
  }
  return cur;
}
