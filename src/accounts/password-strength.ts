// Is a new password guessable? zxcvbn-ts (a maintained port of Dropbox's zxcvbn) estimates the
// guesses an attacker needs from common-password lists, names, keyboard walks, repeats and
// dates, and what the user typed elsewhere (email, display name). Length alone let
// `aaaaaaaaaa`, `password12` and the email itself through. Score 3 ("safely unguessable:
// moderate protection from offline attacks", ~10^8 guesses or more) is the bar; a check takes
// 1–20 ms, on registration and password changes only, which the per-IP limit already bounds.
//
// The library and its word lists are loaded at the first check, not at start: they are 3 MiB
// of V8 heap in every serving process (issue 17's memory budget), and most processes never
// check a password. The first check pays for it: 56 ms to load, 56 ms to build the matcher.
import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

export const MIN_PASSWORD_SCORE = 3;

const require = createRequire(import.meta.url);
let factory: ZxcvbnFactory | undefined;

function newFactory(): ZxcvbnFactory {
  const core = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  return new core.ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });
}

/** Why `password` is too weak, in one sentence for the user, or null when it is strong enough. */
export function passwordWeakness(password: string, userInputs: readonly string[]): string | null {
  factory ??= newFactory();
  // Inputs split into words too, so "erin" from erin@example.com counts as known.
  const inputs = userInputs.flatMap((s) => [s, ...s.toLowerCase().split(/[^\p{L}\p{N}]+/u)]).filter((s) => s.length >= 3);
  const result = factory.check(password, inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const why = result.feedback.warning ? `${describe(result.feedback.warning)}. ` : '';
  return `${why}Choose a longer password of unrelated words, or a password manager's.`.trim();
}

// zxcvbn-ts reports translation keys; with no translations loaded these are their meanings.
const warnings: Record<string, string> = {
  straightRow: 'Straight rows of keys are easy to guess',
  keyPattern: 'Short keyboard patterns are easy to guess',
  simpleRepeat: 'Repeated characters like "aaa" are easy to guess',
  extendedRepeat: 'Repeated patterns like "abcabcabc" are easy to guess',
  sequences: 'Common sequences like "abc" are easy to guess',
  recentYears: 'Recent years are easy to guess',
  dates: 'Dates are easy to guess',
  topTen: 'This is one of the ten most used passwords',
  topHundred: 'This is one of the hundred most used passwords',
  common: 'This is a commonly used password',
  similarToCommon: 'This is similar to a commonly used password',
  wordByItself: 'Single words are easy to guess',
  namesByThemselves: 'Single names or surnames are easy to guess',
  commonNames: 'Common names and surnames are easy to guess',
  userInputs: 'It should not contain your email or name',
  pwned: 'This password appeared in a data breach',
};
const describe = (key: string) => warnings[key] ?? key;
