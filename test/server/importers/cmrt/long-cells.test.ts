/**
 * Cells of hostile length in the columns the CMRT import normalises: the smelter name (legal forms
 * stripped at both ends) must cost the length of the name, not its square.
 */
import { describe, expect, it } from 'vitest';
import { normalizeSmelterName, smelterNameKey } from '../../../../server/importers/smelter-names.js';

describe('normalizeSmelterName on names made of thousands of legal forms', () => {
  it('strips 40,000 legal forms at the end or the start in one pass', () => {
    // Stripping one form at a time and copying the rest each time was quadratic: 14 s here.
    expect(normalizeSmelterName(`Yunnan Tin ${'Co. '.repeat(40_000)}`)).toBe('yunnan tin');
    expect(normalizeSmelterName(`${'Ltd '.repeat(20_000)}${'PT '.repeat(20_000)}Timah`)).toBe('timah');
    expect(smelterNameKey(`${'Co '.repeat(20_000)}Thaisarco${' Limited'.repeat(20_000)}`)).toBe('thaisarco');
  });
});
