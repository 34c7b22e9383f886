/**
 * Built-in redaction patterns: e-mail addresses, phone numbers, IBANs (checksum verified), payment card
 * numbers (Luhn verified) and API-key-like strings. Each match becomes a bracketed marker such as `[EMAIL]`.
 */
import type { BuiltinRedaction } from "../config/types.ts";

/**
 * A global regex plus an optional check that must accept a match before it is replaced, or a hand scanner
 * (`scan`) that replaces in one pass where no regex can avoid backtracking over the same text again.
 */
export interface Pattern {
  regex: RegExp;
  replacement: string;
  accept?: (match: string) => boolean;
  /** Replaces every match itself (in time linear in the text); `regex` then only tests for a match. */
  scan?: (text: string, replacement: string) => string;
  /**
   * A cheap precondition that skips the regex on most text: `"@"` needs an at sign, `"run"` a run of at
   * least 32 key characters (`hasKeyRun`). Redaction cost is dominated by regexes scanning prose.
   */
  needs?: "@" | "run";
  /** Every match holds at least this many ASCII digits: text with fewer skips the regex. */
  minDigits?: number;
}

const DIGIT = /[0-9]/g;

/** The number of ASCII digits in `s`, counted up to `enough` (the regex engine skips the rest quickly). */
export function countDigits(s: string, enough = Infinity): number {
  DIGIT.lastIndex = 0;
  let n = 0;
  while (n < enough && DIGIT.exec(s) !== null) n++;
  return n;
}

const isKey = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 45 ||
  c === 47 || c === 61 || c === 95;

/**
 * Whether `s` has at least `min` consecutive characters of `[A-Za-z0-9+/_=-]` (what keys are made of).
 * Every such run covers one of the positions `min - 1`, `2 · min - 1`, …, so only the runs through those
 * are measured: prose, whose runs are words, is read about a third.
 */
export function hasKeyRun(s: string, min: number): boolean {
  for (let i = min - 1; i < s.length; i += min) {
    if (!isKey(s.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isKey(s.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < s.length && end - start < min && isKey(s.charCodeAt(end))) end++;
    if (end - start >= min) return true;
  }
  return false;
}

const isLocal = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 ||
  c === 37 || c === 43 || c === 45;
const isLabel = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Where the domain after an `@` at `at` ends, or -1 when there is none: labels of `[A-Za-z0-9-]`
 * separated by dots, ending in the leading letters (at least two) of the last label that starts with
 * them — the match of `[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`.
 */
function domainEnd(s: string, at: number): number {
  let i = at + 1;
  while (i < s.length && isLabel(s.charCodeAt(i))) i++;
  if (i === at + 1) return -1;
  let end = -1;
  while (i + 1 < s.length && s.charCodeAt(i) === 46 && isLabel(s.charCodeAt(i + 1))) {
    const label = i + 1;
    let letters = label;
    while (letters < s.length && isLetter(s.charCodeAt(letters))) letters++;
    if (letters - label >= 2) end = letters;
    i = label;
    while (i < s.length && isLabel(s.charCodeAt(i))) i++;
  }
  return end;
}

/**
 * Replaces e-mail addresses (`[A-Za-z0-9._%+-]+@` and a domain) in one pass: each `@` looks left over its
 * local part and right over its domain, and both runs stop at the next `@`, so no character is read by
 * more than two of them. The regex form re-reads a long local part from every start (quadratic).
 */
export function replaceEmails(s: string, replacement: string): string {
  let out = "";
  let copied = 0;
  let at = s.indexOf("@");
  while (at !== -1) {
    let start = at;
    while (start > copied && isLocal(s.charCodeAt(start - 1))) start--;
    const end = start < at ? domainEnd(s, at) : -1;
    if (end !== -1) {
      out += s.slice(copied, start) + replacement;
      copied = end;
    }
    at = s.indexOf("@", Math.max(at + 1, copied));
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/** Whether a digit string passes the Luhn check (payment card numbers). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Whether an IBAN (spaces allowed) has a valid ISO 13616 mod-97 checksum. */
export function ibanValid(iban: string): boolean {
  const s = iban.replaceAll(" ", "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const digit of value) rest = (rest * 10 + digit.charCodeAt(0) - 48) % 97;
  }
  return rest === 1;
}

const card = (m: string) => {
  const digits = m.replace(/[ -]/g, "");
  return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
};

/** Long random-looking tokens (base64 keys): mixed case and digits, and not a path. */
const keyLike = (m: string) =>
  /[A-Z]/.test(m) && /[a-z]/.test(m) && /\d/.test(m) && !m.startsWith("/") && !m.includes("//");

const API_KEYS: Pattern[] = [
  { regex: /\b[Bb]earer\s+[A-Za-z0-9._~+/-]{16,}=*/g, replacement: "Bearer [API_KEY]" },
  // Starts only where a run of token characters starts: `\beyJ` also starts after each `-` in a run, and
  // every start would scan the rest of it again (quadratic on `eyJ-eyJ-eyJ-…`).
  {
    regex: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replacement: "[API_KEY]",
  },
  {
    regex: new RegExp(
      [
        String.raw`\bsk-[A-Za-z0-9_-]{20,}`,
        String.raw`\bazmw_[A-Za-z0-9_-]{20,}`,
        String.raw`\bAKIA[0-9A-Z]{16}\b`,
        String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}\b`,
        String.raw`\bgithub_pat_[A-Za-z0-9_]{22,}`,
        String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
        String.raw`\bAIza[0-9A-Za-z_-]{35}\b`,
      ].join("|"),
      "g",
    ),
    replacement: "[API_KEY]",
  },
  { regex: /\b[0-9a-f]{32}\b/g, replacement: "[API_KEY]", needs: "run" },
  {
    regex: /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{40,128}={0,2}(?![A-Za-z0-9+/_=-])/g,
    replacement: "[API_KEY]",
    accept: keyLike,
    needs: "run",
  },
];

/** The patterns of each built-in rule, applied in the order of `BUILTIN_ORDER`. */
export const BUILTIN_PATTERNS: Record<BuiltinRedaction, Pattern[]> = {
  api_key: API_KEYS,
  email: [{ regex: /@/g, replacement: "[EMAIL]", needs: "@", scan: replaceEmails }],
  iban: [{
    regex: /\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b/g,
    replacement: "[IBAN]",
    accept: ibanValid,
    minDigits: 2,
  }],
  credit_card: [{ regex: /\b\d(?:[ -]?\d){12,18}\b/g, replacement: "[CARD]", accept: card, minDigits: 13 }],
  phone: [
    {
      regex:
        /(?<![\w+])(?:\+|\b00)[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}(?!\w)/g,
      replacement: "[PHONE]",
      minDigits: 5,
    },
    { regex: /(?<![\w(])\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}(?!\w)/g, replacement: "[PHONE]", minDigits: 10 },
    { regex: /(?<![\w.-])\d{3}[.-]\d{3}[.-]\d{4}(?![\w.-])/g, replacement: "[PHONE]", minDigits: 10 },
  ],
};

/** Keys first (they may contain digit runs), then addresses, then the number patterns. */
export const BUILTIN_ORDER: BuiltinRedaction[] = ["api_key", "email", "iban", "credit_card", "phone"];
