/**
 * What each numbered per-metal question of a declaration asks. The numbers differ between the
 * templates (the CMRT has a Dodd-Frank "covered countries" question that the EMRT does not), and
 * the consistency checks need the meaning, not the number.
 *
 * CMRT 6.01 – 6.5 (checked on every blank template in test/fixtures/cmrt):
 *   1 intentionally added or used · 2 remains in the product · 3 smelters source from the covered
 *   countries (SEC) · 4 smelters source from CAHRAs · 5 100 % recycled or scrap · 6 share of
 *   suppliers that answered · 7 all smelters identified · 8 all smelter information reported.
 * EMRT 2.x: the same without the covered-countries question (1, 2, then CAHRA as 3, …, 7).
 */
import type { TemplateKind } from './cmrt-document.js';

export const DECLARATION_TOPICS = [
  'intentionally_added',
  'remains_in_product',
  'covered_countries',
  'cahra',
  'all_recycled_or_scrap',
  'suppliers_responded',
  'all_smelters_identified',
  'all_smelter_information_reported',
] as const;
export type DeclarationTopic = (typeof DECLARATION_TOPICS)[number];

const CMRT_TOPICS: readonly DeclarationTopic[] = DECLARATION_TOPICS;
const EMRT_TOPICS: readonly DeclarationTopic[] = DECLARATION_TOPICS.filter((t) => t !== 'covered_countries');

/** The topic of per-metal question `question` (1-based), or undefined when the template has no such question. */
export function declarationTopic(kind: TemplateKind, question: number): DeclarationTopic | undefined {
  const topics = kind === 'CMRT' ? CMRT_TOPICS : EMRT_TOPICS;
  return topics[question - 1];
}
