/**
 * The reference data's readers live beside the data, in seeds/reference/reference-data.ts (the
 * generators in seeds/ read it without importing server/).
 */
export * from '../../seeds/reference/reference-data.js';
