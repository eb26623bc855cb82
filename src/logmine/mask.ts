/**
 * Tokenizer and masker: splits a log message into whitespace words and replaces the variable parts of each
 * word (numbers, hex, IPs, UUIDs, paths, URLs, durations, sizes, Kubernetes generated names) with `<*>`,
 * remembering a type per word. One hand-written pass per line, no regular expressions. Words are interned:
 * the miner sees integer ids, and a word seen before (masked or not) allocates nothing.
 */

/** The placeholder for a variable part, as in Drain and Loghub. */
export const WILDCARD = "<*>";

/** What a masked variable looked like. `any` marks a position generalised by the miner, not by the masker. */
export type VarType =
  "num" | "hex" | "ip" | "uuid" | "path" | "url" | "duration" | "size" | "k8s" | "time" | "id" | "any";

/** Reusable output buffers: `words[0..count)` and `types[0..count)` are valid after `tokenize`. */
export interface Tokens {
  count: number;
  readonly words: string[];
  /** `undefined` for a constant word; otherwise the type of the word's first variable part. */
  readonly types: (VarType | undefined)[];
}

export function newTokens(): Tokens {
  return { count: 0, words: [], types: [] };
}

// Character classes, by char code (ASCII only; everything else counts as a letter).
const C_SPACE = 1;
const C_DIGIT = 2;
const C_LOWER_HEX = 4;
const C_UPPER_HEX = 8;
const C_LETTER = 16; // includes hex letters and "_"
/** Splits a word into atoms: `= , ; : ( ) [ ] { } " ' < > |`. */
const C_STRUCT = 32;
const CLS = new Uint8Array(128);
{
  for (const ch of " \t\r\n\v\f") CLS[ch.charCodeAt(0)] = C_SPACE;
  for (let c = 48; c <= 57; c++) CLS[c] = C_DIGIT;
  for (let c = 97; c <= 122; c++) CLS[c] = C_LETTER | (c <= 102 ? C_LOWER_HEX : 0);
  for (let c = 65; c <= 90; c++) CLS[c] = C_LETTER | (c <= 70 ? C_UPPER_HEX : 0);
  CLS[95] = C_LETTER; // "_"
  for (const ch of "=,;:()[]{}\"'<>|") CLS[ch.charCodeAt(0)] = C_STRUCT;
}
/**
 * The word scan's classes for every UTF-16 code unit: those of `CLS` for ASCII, plus `S_SPECIAL` for a
 * digit, slash or backslash (the word needs masking); 0 beyond ASCII. One load per character, no range test.
 */
const S_SPECIAL = 64;
const SCAN = new Uint8Array(65536);
{
  SCAN.set(CLS);
  for (let c = 48; c <= 57; c++) SCAN[c] = C_DIGIT | S_SPECIAL;
  SCAN[47] = S_SPECIAL;
  SCAN[92] = S_SPECIAL;
}
/** `CLS` for every UTF-16 code unit, the non-ASCII ones counting as letters. */
const CLS_ALL = new Uint8Array(65536).fill(C_LETTER);
CLS_ALL.set(CLS);
/** The class of a char code read from `CH` or `BUF` (0 to 65535). */
function cls(c: number): number {
  return CLS_ALL[c] ?? 0;
}
const SLASH = 47;
const BACKSLASH = 92;
const COLON = 58;
const DOT = 46;
const DASH = 45;
const PLUS = 43;
const TILDE = 126;

/** Characters Kubernetes uses for generated name suffixes (`k8s.io/apimachinery/pkg/util/rand`). */
function isK8sRandChar(c: number): boolean {
  // bcdfghjklmnpqrstvwxz2456789
  return (
    (c >= 98 && c <= 122 && c !== 101 && c !== 105 && c !== 111 && c !== 117 && c !== 121) ||
    c === 50 ||
    (c >= 52 && c <= 57)
  );
}

/** Weekday and month names, as written in logs. */
const DATE_WORDS = new Set(
  "mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september october november december"
    .split(" ")
    .flatMap((w) => [w, w.toUpperCase(), (w[0] ?? "").toUpperCase() + w.slice(1)]),
);

/**
 * Interned words: each distinct word gets a small integer id, so the miner keys and compares words as
 * numbers, and a word seen before costs a hash probe instead of an allocation. Open addressing over
 * FNV-1a hashes that the tokenizer computes while it scans.
 */
export interface Interner {
  /** Word text by id; id 0 is `<*>`. */
  readonly words: string[];
  /** Per id: the word's hash. */
  hashes: Int32Array;
  /** Per id: 1 for a weekday or month name (see `maskDateWords`). */
  dateWord: Uint8Array;
  /** Hash slots holding `id + 1`, 0 when empty; the length is a power of two. */
  slots: Int32Array;
}

/** The id of `<*>` in every interner. */
export const WILDCARD_ID = 0;

export function newInterner(): Interner {
  const t: Interner = {
    words: [],
    hashes: new Int32Array(1024),
    dateWord: new Uint8Array(1024),
    slots: new Int32Array(2048),
  };
  internString(t, WILDCARD);
  return t;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** The id of `s`, interning it if new. */
export function internString(t: Interner, s: string): number {
  let h = FNV_OFFSET;
  const len = s.length;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  const mask = t.slots.length - 1;
  let k = h & mask;
  for (;;) {
    const v = t.slots[k] ?? 0;
    if (v === 0) break;
    if (t.hashes[v - 1] === h && t.words[v - 1] === s) return v - 1;
    k = (k + 1) & mask;
  }
  return add(t, k, s, h);
}

/**
 * The char codes of the line being tokenized, followed by four zeros (reads past the end see 0, as the
 * string scan saw `NaN`: neither equals a character the masker looks for). Reading a typed array is several
 * times cheaper than `charCodeAt` on the sliced strings lines usually are, and each character is read
 * more than once (scan, mask, look-up). Hot functions read it through a local `const ch = CH`, which
 * the compiler keeps in a register; `at` serves the rest.
 */
let CH = new Uint16Array(1024);

function at(i: number): number {
  return CH[i] ?? 0;
}

/** The text of `CH[s, e)` (or of `BUF`), as a flat string that keeps no larger string alive. */
function text(buf: Uint16Array, s: number, e: number): string {
  let out = "";
  for (let i = s; i < e; i += 4096) {
    // `apply` takes the typed array as it is; a spread would iterate it.
    out += String(Reflect.apply(String.fromCharCode, undefined, buf.subarray(i, Math.min(e, i + 4096))));
  }
  return out;
}

/** The id of `CH[s, e)`, whose hash is `h`. */
function internSlice(t: Interner, s: number, e: number, h: number): number {
  const ch = CH;
  const len = e - s;
  const mask = t.slots.length - 1;
  let k = h & mask;
  for (;;) {
    const v = t.slots[k] ?? 0;
    if (v === 0) break;
    if (t.hashes[v - 1] === h) {
      const w = t.words[v - 1] ?? "";
      if (w.length === len) {
        let i = 0;
        while (i < len && w.charCodeAt(i) === (ch[s + i] ?? 0)) i++;
        if (i === len) return v - 1;
      }
    }
    k = (k + 1) & mask;
  }
  return add(t, k, text(CH, s, e), h);
}

/** The id of `BUF[0, len)`, whose hash is `h`. */
function internBuf(t: Interner, len: number, h: number): number {
  const mask = t.slots.length - 1;
  let k = h & mask;
  for (;;) {
    const v = t.slots[k] ?? 0;
    if (v === 0) break;
    if (t.hashes[v - 1] === h) {
      const w = t.words[v - 1] ?? "";
      if (w.length === len) {
        let i = 0;
        while (i < len && w.charCodeAt(i) === BUF[i]) i++;
        if (i === len) return v - 1;
      }
    }
    k = (k + 1) & mask;
  }
  return add(t, k, text(BUF, 0, len), h);
}

function add(t: Interner, slot: number, w: string, h: number): number {
  const id = t.words.length;
  t.words.push(w);
  if (id >= t.hashes.length) {
    const hashes = new Int32Array(t.hashes.length * 2);
    hashes.set(t.hashes);
    t.hashes = hashes;
    const dateWord = new Uint8Array(t.hashes.length);
    dateWord.set(t.dateWord);
    t.dateWord = dateWord;
  }
  t.hashes[id] = h;
  t.dateWord[id] = w.length >= 3 && w.length <= 9 && DATE_WORDS.has(w) ? 1 : 0;
  t.slots[slot] = id + 1;
  if (2 * t.words.length > t.slots.length) rehash(t);
  return id;
}

function rehash(t: Interner): void {
  const slots = new Int32Array(t.slots.length * 2);
  const mask = slots.length - 1;
  for (let id = 0; id < t.words.length; id++) {
    let k = (t.hashes[id] ?? 0) & mask;
    while (slots[k] !== 0) k = (k + 1) & mask;
    slots[k] = id + 1;
  }
  t.slots = slots;
}

/** Reusable output buffers of `tokenizeIds`: `ids[0..count)` and `types[0..count)` are valid. */
export interface WordIds {
  count: number;
  readonly ids: number[];
  readonly types: (VarType | undefined)[];
}

export function newWordIds(): WordIds {
  return { count: 0, ids: [], types: [] };
}

/** Scratch output of `maskWord`: the masked word is `BUF[0, blen)`. Single-threaded, not re-entrant. */
let BUF = new Uint16Array(256);
let blen = 0;
/** The hash of `BUF[0, blen)` once `maskWord` returns true. */
let bhash = 0;

/**
 * Splits `line` into masked words, as interned ids. Whitespace of any kind separates words; empty input
 * gives 0 words. One pass over the characters: the scan classifies and hashes each word, a word without a
 * digit, slash, backslash or run of 8 hex letters is looked up as it stands, any other word is masked into
 * a scratch buffer and looked up from there. A word seen before allocates nothing.
 */
export function tokenizeIds(line: string, t: Interner, out: WordIds): WordIds {
  const n = line.length;
  if (CH.length < n + 4) CH = new Uint16Array(2 * n + 4);
  const ch = CH;
  ch[n] = ch[n + 1] = ch[n + 2] = ch[n + 3] = 0;
  const ids = out.ids;
  const types = out.types;
  let count = 0;
  /** Whether a constant word is a weekday or month name (else the date pass is skipped). */
  let dates = 0;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (SCAN[c] === C_SPACE) {
      i++;
      continue;
    }
    const start = i;
    let special = false;
    let hexRun = 0;
    let h = FNV_OFFSET;
    // The word's characters go to CH as they are scanned, and the one that ends it (the masker may look at it).
    while (i < n) {
      c = line.charCodeAt(i);
      ch[i] = c;
      const k = SCAN[c] ?? 0;
      if (k === C_SPACE) break;
      h = Math.imul(h ^ c, FNV_PRIME);
      if (k & S_SPECIAL) special = true;
      else if (k & (C_LOWER_HEX | C_UPPER_HEX)) {
        if (++hexRun >= 8) special = true;
      } else hexRun = 0;
      i++;
    }
    if (special && maskWord(start, i)) {
      ids[count] = internBuf(t, blen, bhash);
      types[count] = firstType;
    } else {
      const id = internSlice(t, start, i, h);
      ids[count] = id;
      dates |= t.dateWord[id] ?? 0;
      types[count] = undefined;
    }
    count++;
  }
  out.count = count;
  if (dates !== 0 && count > 1) maskDateWords(t, out);
  return out;
}

let shared = newInterner();
const sharedIds = newWordIds();

/**
 * Splits `line` into masked words (the strings of `tokenizeIds`). Returns `out` for chaining.
 */
export function tokenize(line: string, out: Tokens): Tokens {
  if (shared.words.length > 1 << 16) shared = newInterner();
  tokenizeIds(line, shared, sharedIds);
  const n = sharedIds.count;
  for (let k = 0; k < n; k++) {
    out.words[k] = shared.words[sharedIds.ids[k] ?? 0] ?? "";
    out.types[k] = sharedIds.types[k];
  }
  out.count = n;
  return out;
}

function isNum(out: WordIds, k: number): boolean {
  return k >= 0 && k < out.count && (out.types[k] === "num" || out.ids[k] === WILDCARD_ID);
}

function isDateWord(t: Interner, out: WordIds, k: number): boolean {
  return k >= 0 && k < out.count && t.dateWord[out.ids[k] ?? 0] === 1;
}

/** Weekday and month names next to a masked number or time are part of a date: `Fri Jul  1 07:57:30 2005`. */
function maskDateWords(t: Interner, out: WordIds): void {
  const { ids, types, count } = out;
  for (let i = 0; i < count; i++) {
    if (types[i] !== undefined || t.dateWord[ids[i] ?? 0] !== 1) continue;
    if (isNum(out, i + 1) || isNum(out, i - 1) || (isDateWord(t, out, i + 1) && isNum(out, i + 2))) {
      ids[i] = WILDCARD_ID;
      types[i] = "time";
    }
  }
}

// Scratch state for maskWord (the module is single-threaded and maskWord is not re-entrant).
let firstType: VarType | undefined;
/** Start of the word's text not yet copied to `BUF`. */
let pending = 0;

/** Appends `CH[s, e)` to `BUF`. */
function copy(s: number, e: number): void {
  const ch = CH;
  for (let i = s; i < e; i++) BUF[blen++] = ch[i] ?? 0;
}

function putWildcard(): void {
  BUF[blen++] = 60;
  BUF[blen++] = 42;
  BUF[blen++] = 62;
}

/**
 * Masks one word `CH[start, end)` that holds a digit or a slash into `BUF[0, blen)`, its variables
 * collapsed. Returns false, and leaves the word to its caller, when nothing in it is variable.
 */
function maskWord(start: number, end: number): boolean {
  const ch = CH;
  firstType = undefined;
  blen = 0;
  // Every variable part is at least one character and becomes three.
  if (BUF.length < 3 * (end - start) + 8) BUF = new Uint16Array(3 * (end - start) + 64);
  pending = start;
  let i = start;
  while (i < end) {
    const c = ch[i] ?? 0;
    if (cls(c) === C_STRUCT && !isPlaceholder(i)) {
      i++;
      continue;
    }
    // An atom: up to the next structural character (a URL also takes ":" and "=").
    let j = i;
    let url = -1;
    while (j < end) {
      const d = ch[j] ?? 0;
      if (d === COLON && url < 0 && j + 2 < end && (ch[j + 1] ?? 0) === SLASH) {
        if ((ch[j + 2] ?? 0) === SLASH) {
          url = j + 3;
          j += 3;
          continue;
        }
      }
      if (d === 60 && isPlaceholder(j)) {
        j += 3;
        continue;
      }
      if (cls(d) === C_STRUCT && !(url >= 0 && (d === COLON || d === 61))) break;
      j++;
    }
    if (maskAtom(i, j, url)) pending = j;
    i = j;
  }
  if (pending === start) return false;
  copy(pending, end);
  blen = collapseBuf(blen);
  return true;
}

/** An already masked `<*>` (masking a template again must not change it). */
function isPlaceholder(i: number): boolean {
  const ch = CH;
  return (ch[i] ?? 0) === 60 && (ch[i + 1] ?? 0) === 42 && (ch[i + 2] ?? 0) === 62;
}

function note(t: VarType): void {
  firstType ??= t;
}

/**
 * Masks one atom `CH[s, e)` (no structural characters inside, except in a URL): when any of it is
 * variable, appends the word's text from `pending` up to the atom's end, masked, to `BUF` and returns true.
 * Returns false, appending nothing, when the atom is constant.
 */
function maskAtom(s: number, e: number, url: number): boolean {
  const ch = CH;
  if (url >= 0) {
    if (url >= e) return false;
    note("url");
    copy(pending, url);
    putWildcard();
    return true;
  }
  const len = e - s;
  const c0 = ch[s] ?? 0;
  // Paths: /a/b, ~/a, ./a, ../a, a\b.
  if (
    (c0 === SLASH && len > 1) ||
    (c0 === TILDE && len > 1 && (ch[s + 1] ?? 0) === SLASH) ||
    (c0 === DOT && len > 2 && ((ch[s + 1] ?? 0) === SLASH || (ch[s + 1] ?? 0) === DOT))
  ) {
    note("path");
    copy(pending, s);
    putWildcard();
    return true;
  }
  if (len === 36 && isUuid(s)) {
    note("uuid");
    copy(pending, s);
    putWildcard();
    return true;
  }
  const k8s = k8sSuffix(s, e);
  if (k8s > s) {
    note("k8s");
    copy(pending, k8s);
    putWildcard();
    return true;
  }
  // Runs of [A-Za-z0-9_] separated by other characters ( . - / @ # + $ % & * ! ? … ).
  const mark = blen;
  let masked = false;
  let last = pending;
  let i = s;
  let dots = 0;
  let nums = 0;
  let runs = 0;
  while (i < e) {
    let c = ch[i] ?? 0;
    let k = cls(c);
    if ((k & (C_DIGIT | C_LETTER)) === 0) {
      if (isPlaceholder(i)) {
        i += 3;
        continue;
      }
      if (c === DOT) dots++;
      else if (c === BACKSLASH) {
        note("path");
        blen = mark;
        copy(pending, s);
        putWildcard();
        return true;
      }
      i++;
      continue;
    }
    let rs = i;
    // A sign right before a number belongs to it when it opens the atom or follows "_" (blk_-123).
    if (
      rs > s &&
      ((ch[rs - 1] ?? 0) === DASH || (ch[rs - 1] ?? 0) === PLUS) &&
      k === C_DIGIT &&
      (rs - 1 === s || (ch[rs - 2] ?? 0) === 95)
    ) {
      rs--;
    }
    let digits = 0;
    let letters = 0;
    let hexLetters = 0;
    let firstDigit = -1;
    let lastLetter = -1;
    let underscore = false;
    while (i < e) {
      c = ch[i] ?? 0;
      k = cls(c);
      if (k === C_DIGIT) {
        digits++;
        if (firstDigit < 0) firstDigit = i;
      } else if (k & C_LETTER) {
        letters++;
        lastLetter = i;
        if (k & (C_LOWER_HEX | C_UPPER_HEX)) hexLetters++;
        else if (c === 95) underscore = true;
      } else break;
      i++;
    }
    // "blk_" followed by "-123": one identifier.
    if (
      underscore &&
      digits === 0 &&
      (ch[i - 1] ?? 0) === 95 &&
      i + 1 < e &&
      (ch[i] ?? 0) === DASH &&
      cls(ch[i + 1] ?? 0) === C_DIGIT
    ) {
      i++;
      while (i < e && cls(ch[i] ?? 0) === C_DIGIT) i++;
      digits = 1;
      letters = 2;
    }
    runs++;
    if (digits === 0) {
      // Eight or more hex letters and nothing else (ffffffff, deadbeef) is a hex value, not a word.
      if (i - rs >= 8 && hexLetters === letters) {
        note("hex");
        copy(last, rs);
        putWildcard();
        masked = true;
        last = i;
      }
      continue;
    }
    const t = runType(rs, i, digits, letters, hexLetters, firstDigit, lastLetter);
    if (t === undefined) continue;
    if (t === "num") nums++;
    note(t);
    copy(last, rs);
    putWildcard();
    masked = true;
    last = i;
  }
  if (!masked) return false;
  if (nums === 4 && dots === 3 && runs === 4) firstType = firstType === "num" ? "ip" : firstType;
  copy(last, e);
  return true;
}

/** Classifies a run of [A-Za-z0-9_] with at least one digit; `undefined` keeps it constant (ssh2, ipv4, L3). */
function runType(
  s: number,
  e: number,
  digits: number,
  letters: number,
  hexLetters: number,
  firstDigit: number,
  lastLetter: number,
): VarType | undefined {
  const ch = CH;
  if (letters === 0) return "num";
  const len = e - s;
  const c0 = ch[s] ?? 0;
  if (len > 2 && c0 === 48 && ((ch[s + 1] ?? 0) | 32) === 120) return "hex";
  if (hexLetters === letters && len >= 8) return "hex";
  if (lastLetter < firstDigit) {
    // Letters then digits. A word with a short version-like tail stays constant: ssh2, ipv6, md5, log4, L3.
    if (digits <= 2 && letters >= 1 && hexLetters < letters) return undefined;
    if (digits <= 1) return undefined;
    return "id";
  }
  if (firstDigit === s) {
    // Digits then a unit: 15ms, 1h30m, 512MB.
    const unit = unitType(s, e);
    if (unit !== undefined) return unit;
  }
  if (hexLetters === letters && len >= 4) return "hex";
  return "id";
}

function unitType(s: number, e: number): VarType | undefined {
  let i = s;
  let sawUnit = false;
  let size = false;
  while (i < e) {
    while (i < e && cls(at(i)) === C_DIGIT) i++;
    const u = i;
    while (i < e && cls(at(i)) !== C_DIGIT) i++;
    const unit = text(CH, u, i).toLowerCase();
    if (unit === "") return sawUnit ? (size ? "size" : "duration") : undefined;
    if (DURATION_UNITS.has(unit)) sawUnit = true;
    else if (SIZE_UNITS.has(unit)) {
      sawUnit = true;
      size = true;
    } else return undefined;
  }
  return sawUnit ? (size ? "size" : "duration") : undefined;
}
const DURATION_UNITS = new Set(["ns", "us", "µs", "ms", "s", "m", "h", "d", "sec", "secs", "min", "mins"]);
const SIZE_UNITS = new Set([
  "b",
  "k",
  "kb",
  "kib",
  "mb",
  "mib",
  "gb",
  "gib",
  "tb",
  "tib",
  "ki",
  "mi",
  "gi",
  "ti",
]);

function isUuid(s: number): boolean {
  const ch = CH;
  for (let k = 0; k < 36; k++) {
    const c = ch[s + k] ?? 0;
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (c !== DASH) return false;
    } else if ((cls(c) & (C_DIGIT | C_LOWER_HEX | C_UPPER_HEX)) === 0) return false;
  }
  return true;
}

/**
 * A Kubernetes generated name: `<name>-<hash>-<5 rand>` (ReplicaSet pods) or `<name>-<5 rand>` (Jobs,
 * DaemonSets, generateName). Returns the index just after the stable `<name>-` prefix, or `s` when the atom
 * is not one. The random part must hold a digit so that ordinary words ("my-proxy") are not masked.
 */
function k8sSuffix(s: number, e: number): number {
  const ch = CH;
  if (e - s < 7) return s;
  const d1 = e - 6;
  if ((ch[d1] ?? 0) !== DASH) return s;
  let digit = false;
  for (let k = d1 + 1; k < e; k++) {
    const c = ch[k] ?? 0;
    if (!isK8sRandChar(c)) return s;
    if (c < 58) digit = true;
  }
  // Optional pod-template-hash segment of 6 to 10 rand chars before it.
  let d2 = d1 - 1;
  while (d2 > s && (ch[d2] ?? 0) !== DASH) d2--;
  let hashDigit = false;
  let hashOk = d2 > s && d1 - d2 - 1 >= 6 && d1 - d2 - 1 <= 10;
  if (hashOk) {
    for (let k = d2 + 1; k < d1; k++) {
      const c = ch[k] ?? 0;
      if (!isK8sRandChar(c)) {
        hashOk = false;
        break;
      }
      if (c < 58) hashDigit = true;
    }
  }
  if (hashOk && (digit || hashDigit)) return d2 + 1;
  if (!digit) return s;
  // The stable prefix must start with a letter.
  return cls(ch[s] ?? 0) & C_LETTER ? d1 + 1 : s;
}

function wildAt(i: number, n: number): boolean {
  return i + 2 < n && BUF[i] === 60 && BUF[i + 1] === 42 && BUF[i + 2] === 62;
}

/** `collapse` over `BUF[0, n)`, in place; returns the new length and leaves its hash in `bhash`. */
function collapseBuf(n: number): number {
  let h = FNV_OFFSET;
  let w = 0;
  let i = 0;
  while (i < n) {
    const c = BUF[i] ?? 0;
    if (c !== 60 || !wildAt(i, n)) {
      BUF[w++] = c;
      h = Math.imul(h ^ c, FNV_PRIME);
      i++;
      continue;
    }
    let j = i + 3;
    for (;;) {
      if (wildAt(j, n)) {
        j += 3;
        continue;
      }
      const d = BUF[j];
      if (j < n && (d === DOT || d === COLON) && wildAt(j + 1, n)) {
        j += 4;
        continue;
      }
      break;
    }
    putAt(w);
    w += 3;
    h = Math.imul(Math.imul(Math.imul(h ^ 60, FNV_PRIME) ^ 42, FNV_PRIME) ^ 62, FNV_PRIME);
    i = j;
  }
  bhash = h;
  return w;
}

function putAt(w: number): void {
  BUF[w] = 60;
  BUF[w + 1] = 42;
  BUF[w + 2] = 62;
}

/**
 * Collapses adjacent variables inside one word, as Loghub-2.0's evaluator does for templates:
 * `<*>.<*>`, `<*>:<*>` and `<*><*>` become `<*>` (to a fixed point, in one scan).
 */
export function collapse(s: string): string {
  let i = s.indexOf(WILDCARD);
  if (i < 0) return s;
  let out = "";
  let last = 0;
  while (i >= 0) {
    let j = i + 3;
    for (;;) {
      if (s.startsWith(WILDCARD, j)) {
        j += 3;
        continue;
      }
      const c = s.charCodeAt(j);
      if ((c === DOT || c === COLON) && s.startsWith(WILDCARD, j + 1)) {
        j += 4;
        continue;
      }
      break;
    }
    if (j > i + 3) {
      out += s.slice(last, i) + WILDCARD;
      last = j;
    }
    i = s.indexOf(WILDCARD, j);
  }
  return last === 0 ? s : out + s.slice(last);
}
