/**
 * The optimised tokenizer (interned ids, one read of each character into a typed array, masking into a
 * scratch buffer) must give exactly what the first, string-based implementation gave. That implementation
 * is kept below, unchanged, as the reference.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Tokens, type VarType, WILDCARD, newTokens, tokenize } from "./mask.js";

describe("tokenize matches the reference implementation", () => {
  const pieces = fc.constantFrom(
    ..."abcdefxyzABCFXZ_0123456789 .-+/\\:=,;()[]{}\"'<>|@#~*\t\u00e9\u00a0".split(""),
    "<*>",
    "://",
    "0x1f",
    "deadbeef",
    "ffffffffff",
    "blk_-",
    "blk_",
    "10.250.19.102",
    ":50010",
    "123e4567-e89b-12d3-a456-426614174000",
    "api-7d9f8c6b5-x2k9p",
    "job-x2k9p",
    "250ms",
    "1h30m",
    "512MiB",
    "15 sec",
    "Jul",
    "Fri",
    "September",
    " 07:57:30 ",
    "2005",
    "/var/log/a.log",
    "~/x",
    "../y",
    "C:\\Win\\x.dll",
    "https://h:1/p?q=1",
    "uid=0",
    "ssh2",
    "ipv6",
    "L3",
    "<*>.<*>",
  );
  const line = fc.oneof(
    fc.array(pieces, { maxLength: 40 }).map((ps) => ps.join("")),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
  );

  const run = (f: (l: string, o: Tokens) => Tokens, l: string) => {
    const t = f(l, newTokens());
    return { words: t.words.slice(0, t.count), types: t.types.slice(0, t.count) };
  };

  it("gives the same words and types on generated lines", () => {
    fc.assert(
      fc.property(line, (l) => {
        expect(run(tokenize, l)).toEqual(run(refTokenize, l));
      }),
      { numRuns: 5000 },
    );
  });

  it("gives the same words and types when buffers are reused across lines of any length", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (ls) => {
        const a = newTokens();
        const b = newTokens();
        for (const l of ls) {
          tokenize(l, a);
          refTokenize(l, b);
          expect(a.words.slice(0, a.count)).toEqual(b.words.slice(0, b.count));
          expect(a.types.slice(0, a.count)).toEqual(b.types.slice(0, b.count));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("gives the same words on a long word and a long line", () => {
    for (const l of ["x".repeat(100_000) + "1", "a1 ".repeat(20_000), "<*>".repeat(5000) + "9"]) {
      expect(run(tokenize, l)).toEqual(run(refTokenize, l));
    }
  });
});

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
function cls(c: number): number {
  return c < 128 ? (CLS[c] ?? 0) : C_LETTER;
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

/** The reference: the tokenizer as first written, over strings (slices and concatenation). */
function refTokenize(line: string, out: Tokens): Tokens {
  const n = line.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c < 128 && CLS[c] === C_SPACE) {
      i++;
      continue;
    }
    const start = i;
    let special = false;
    let hexRun = 0;
    while (i < n) {
      c = line.charCodeAt(i);
      const k = c < 128 ? (CLS[c] ?? 0) : 0;
      if (k === C_SPACE) break;
      if (k === C_DIGIT || c === SLASH || c === BACKSLASH) special = true;
      else if (k & (C_LOWER_HEX | C_UPPER_HEX)) {
        if (++hexRun >= 8) special = true;
      } else hexRun = 0;
      i++;
    }
    if (special) {
      maskWord(line, start, i, out, count);
    } else {
      out.words[count] = line.slice(start, i);
      out.types[count] = undefined;
    }
    count++;
  }
  out.count = count;
  if (count > 1) maskDateWords(out);
  return out;
}

const DATE_WORDS = new Set(
  "mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september october november december"
    .split(" ")
    .flatMap((w) => [w, w.toUpperCase(), (w[0] ?? "").toUpperCase() + w.slice(1)]),
);

function isNum(out: Tokens, k: number): boolean {
  return k >= 0 && k < out.count && (out.types[k] === "num" || out.words[k] === WILDCARD);
}

function isDateWord(out: Tokens, k: number): boolean {
  const w = k >= 0 && k < out.count ? out.words[k] : undefined;
  return w !== undefined && w.length >= 3 && w.length <= 9 && DATE_WORDS.has(w);
}

/** Weekday and month names next to a masked number or time are part of a date: `Fri Jul  1 07:57:30 2005`. */
function maskDateWords(out: Tokens): void {
  const { words, types, count } = out;
  for (let i = 0; i < count; i++) {
    if (types[i] !== undefined) continue;
    const w = words[i] ?? "";
    if (w.length < 3 || w.length > 9) continue;
    if (!(isNum(out, i + 1) || isNum(out, i - 1) || (isDateWord(out, i + 1) && isNum(out, i + 2)))) continue;
    if (isDateWord(out, i)) {
      words[i] = WILDCARD;
      types[i] = "time";
    }
  }
}

// Scratch state for maskWord (the module is single-threaded and maskWord is not re-entrant).
let firstType: VarType | undefined;

/** Masks one word `line[start, end)` that holds a digit or a slash and writes it to `out` at `at`. */
function maskWord(line: string, start: number, end: number, out: Tokens, at: number): void {
  firstType = undefined;
  let res = "";
  let i = start;
  let last = start; // line[last, i) not yet copied to res
  while (i < end) {
    const c = line.charCodeAt(i);
    if (cls(c) === C_STRUCT && !isPlaceholder(line, i)) {
      i++;
      continue;
    }
    // An atom: up to the next structural character (a URL also takes ":" and "=").
    let j = i;
    let url = -1;
    while (j < end) {
      const d = line.charCodeAt(j);
      if (d === COLON && url < 0 && j + 2 < end && line.charCodeAt(j + 1) === SLASH) {
        if (line.charCodeAt(j + 2) === SLASH) {
          url = j + 3;
          j += 3;
          continue;
        }
      }
      if (isPlaceholder(line, j)) {
        j += 3;
        continue;
      }
      if (cls(d) === C_STRUCT && !(url >= 0 && (d === COLON || d === 61))) break;
      j++;
    }
    const masked = maskAtom(line, i, j, url);
    if (masked !== undefined) {
      res += line.slice(last, i) + masked;
      last = j;
    }
    i = j;
  }
  if (last === start) {
    out.words[at] = line.slice(start, end);
    out.types[at] = undefined;
    return;
  }
  res += line.slice(last, end);
  out.words[at] = collapse(res);
  out.types[at] = firstType;
}

/** An already masked `<*>` (masking a template again must not change it). */
function isPlaceholder(line: string, i: number): boolean {
  return line.charCodeAt(i) === 60 && line.charCodeAt(i + 1) === 42 && line.charCodeAt(i + 2) === 62;
}

function note(t: VarType): void {
  firstType ??= t;
}

/**
 * Masks one atom `line[s, e)` (no structural characters inside, except in a URL). Returns the masked text,
 * or `undefined` when the atom is constant.
 */
function maskAtom(line: string, s: number, e: number, url: number): string | undefined {
  if (url >= 0) {
    if (url >= e) return undefined;
    note("url");
    return line.slice(s, url) + WILDCARD;
  }
  const len = e - s;
  const c0 = line.charCodeAt(s);
  // Paths: /a/b, ~/a, ./a, ../a, a\b.
  if (
    (c0 === SLASH && len > 1) ||
    (c0 === TILDE && len > 1 && line.charCodeAt(s + 1) === SLASH) ||
    (c0 === DOT && len > 2 && (line.charCodeAt(s + 1) === SLASH || line.charCodeAt(s + 1) === DOT))
  ) {
    note("path");
    return WILDCARD;
  }
  if (len === 36 && isUuid(line, s)) {
    note("uuid");
    return WILDCARD;
  }
  const k8s = k8sSuffix(line, s, e);
  if (k8s > s) {
    note("k8s");
    return line.slice(s, k8s) + WILDCARD;
  }
  // Runs of [A-Za-z0-9_] separated by other characters ( . - / @ # + $ % & * ! ? … ).
  let res: string | undefined;
  let last = s;
  let i = s;
  let dots = 0;
  let nums = 0;
  let runs = 0;
  while (i < e) {
    let c = line.charCodeAt(i);
    let k = cls(c);
    if ((k & (C_DIGIT | C_LETTER)) === 0) {
      if (isPlaceholder(line, i)) {
        i += 3;
        continue;
      }
      if (c === DOT) dots++;
      else if (c === BACKSLASH) {
        note("path");
        return WILDCARD;
      }
      i++;
      continue;
    }
    let rs = i;
    // A sign right before a number belongs to it when it opens the atom or follows "_" (blk_-123).
    if (
      rs > s &&
      (line.charCodeAt(rs - 1) === DASH || line.charCodeAt(rs - 1) === PLUS) &&
      k === C_DIGIT &&
      (rs - 1 === s || line.charCodeAt(rs - 2) === 95)
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
      c = line.charCodeAt(i);
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
      line.charCodeAt(i - 1) === 95 &&
      i + 1 < e &&
      line.charCodeAt(i) === DASH &&
      cls(line.charCodeAt(i + 1)) === C_DIGIT
    ) {
      i++;
      while (i < e && cls(line.charCodeAt(i)) === C_DIGIT) i++;
      digits = 1;
      letters = 2;
    }
    runs++;
    if (digits === 0) {
      // Eight or more hex letters and nothing else (ffffffff, deadbeef) is a hex value, not a word.
      if (i - rs >= 8 && hexLetters === letters) {
        note("hex");
        res = (res ?? "") + line.slice(last, rs) + WILDCARD;
        last = i;
      }
      continue;
    }
    const t = runType(line, rs, i, digits, letters, hexLetters, firstDigit, lastLetter);
    if (t === undefined) continue;
    if (t === "num") nums++;
    note(t);
    res = (res ?? "") + line.slice(last, rs) + WILDCARD;
    last = i;
  }
  if (res === undefined) return undefined;
  if (nums === 4 && dots === 3 && runs === 4) firstType = firstType === "num" ? "ip" : firstType;
  return res + line.slice(last, e);
}

/** Classifies a run of [A-Za-z0-9_] with at least one digit; `undefined` keeps it constant (ssh2, ipv4, L3). */
function runType(
  line: string,
  s: number,
  e: number,
  digits: number,
  letters: number,
  hexLetters: number,
  firstDigit: number,
  lastLetter: number,
): VarType | undefined {
  if (letters === 0) return "num";
  const len = e - s;
  const c0 = line.charCodeAt(s);
  if (len > 2 && c0 === 48 && (line.charCodeAt(s + 1) | 32) === 120) return "hex";
  if (hexLetters === letters && len >= 8) return "hex";
  if (lastLetter < firstDigit) {
    // Letters then digits. A word with a short version-like tail stays constant: ssh2, ipv6, md5, log4, L3.
    if (digits <= 2 && letters >= 1 && hexLetters < letters) return undefined;
    if (digits <= 1) return undefined;
    return "id";
  }
  if (firstDigit === s) {
    // Digits then a unit: 15ms, 1h30m, 512MB.
    const unit = unitType(line, s, e);
    if (unit !== undefined) return unit;
  }
  if (hexLetters === letters && len >= 4) return "hex";
  return "id";
}

function unitType(line: string, s: number, e: number): VarType | undefined {
  let i = s;
  let sawUnit = false;
  let size = false;
  while (i < e) {
    while (i < e && cls(line.charCodeAt(i)) === C_DIGIT) i++;
    const u = i;
    while (i < e && cls(line.charCodeAt(i)) !== C_DIGIT) i++;
    const unit = line.slice(u, i).toLowerCase();
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

function isUuid(line: string, s: number): boolean {
  for (let k = 0; k < 36; k++) {
    const c = line.charCodeAt(s + k);
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
function k8sSuffix(line: string, s: number, e: number): number {
  if (e - s < 7) return s;
  const d1 = e - 6;
  if (line.charCodeAt(d1) !== DASH) return s;
  let digit = false;
  for (let k = d1 + 1; k < e; k++) {
    const c = line.charCodeAt(k);
    if (!isK8sRandChar(c)) return s;
    if (c < 58) digit = true;
  }
  // Optional pod-template-hash segment of 6 to 10 rand chars before it.
  let d2 = d1 - 1;
  while (d2 > s && line.charCodeAt(d2) !== DASH) d2--;
  let hashDigit = false;
  let hashOk = d2 > s && d1 - d2 - 1 >= 6 && d1 - d2 - 1 <= 10;
  if (hashOk) {
    for (let k = d2 + 1; k < d1; k++) {
      const c = line.charCodeAt(k);
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
  return cls(line.charCodeAt(s)) & C_LETTER ? d1 + 1 : s;
}

/**
 * Collapses adjacent variables inside one word, as Loghub-2.0's evaluator does for templates:
 * `<*>.<*>`, `<*>:<*>` and `<*><*>` become `<*>` (to a fixed point, in one scan).
 */
function collapse(s: string): string {
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
