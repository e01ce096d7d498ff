/** Moved to contract/; remove once analysis-catalog.ts and routes/analyses.ts import contract/. */
export * from '../../contract/analyses.js';
