/**
 * Typos for the smelter-name tests: a few edits (substitutions, insertions, deletions, swaps of
 * neighbours) drawn with fast-check and applied to a name, so that the edit ratio decides often.
 */
import fc from 'fast-check';

/** One edit: its kind, where (taken modulo the text's length) and the character it writes, one of `chars`. */
export const typoEdit = (...chars: string[]): fc.Arbitrary<[string, number, string]> =>
  fc.tuple(fc.constantFrom('sub', 'ins', 'del', 'swap'), fc.nat(), fc.constantFrom(...chars));

/** `text` with the edits applied in order. */
export const typoed = (text: string, edits: ReadonlyArray<readonly [string, number, string]>): string =>
  edits.reduce((t, [kind, at, c]) => {
    const i = t.length === 0 ? 0 : at % t.length;
    if (kind === 'sub') return t.slice(0, i) + c + t.slice(i + 1);
    if (kind === 'ins') return t.slice(0, i) + c + t.slice(i);
    if (kind === 'del') return t.slice(0, i) + t.slice(i + 1);
    return i + 1 < t.length ? t.slice(0, i) + t[i + 1] + t[i] + t.slice(i + 2) : t;
  }, text);
