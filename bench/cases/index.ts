/**
 * Every case of the benchmark, in the order they run. To add one: write a module exporting a
 * BenchCase (see lib/types.ts and the modules here) and list it below.
 */
import type { BenchCase } from '../lib/types.js';
import { bfsUpstream } from './bfs-upstream.js';
import { dominatorTreeCase, singlePointsOfFailureCase, vertexConnectivityCase } from './dominators.js';
import { impactCase } from './impact.js';
import { originMixCase, originSharesAllCase } from './origin-shares.js';
import { riskPathsCase } from './risk-paths.js';
import { riskPropagation } from './risk-propagation.js';
import { snapshotCompile } from './snapshot-compile.js';

export const CASES: readonly BenchCase[] = [
  snapshotCompile,
  bfsUpstream,
  originSharesAllCase,
  originMixCase,
  riskPropagation,
  dominatorTreeCase,
  vertexConnectivityCase,
  singlePointsOfFailureCase,
  riskPathsCase,
  impactCase,
];
