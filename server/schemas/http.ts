/** Moved to contract/; remove once routes/analyses.ts and plugins/problem-details.ts import contract/. */
export * from '../../contract/http.js';
