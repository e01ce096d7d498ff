/**
 * A stand-in analysis worker for the pool's tests (analysis-pool.test.ts, analysis-budget.test.ts):
 * it answers like the real one, with its thread id, except for three companies: "crash" kills
 * the thread mid-analysis, "spin" never returns, "hog" allocates until the heap is full.
 */
import { parentPort, threadId } from 'node:worker_threads';
import type { WorkerMessage, WorkerReply } from '../../../server/analytics/analysis-pool.js';

function spinForever(): void {
  for (;;) {
    // Busy, as a runaway analysis is: no await, so only termination stops it.
  }
}

function allocateForever(): void {
  const hoard: number[][] = [];
  for (;;) hoard.push(Array.from({ length: 10_000 }, (_, i) => i * Math.random()));
}

parentPort!.on('message', (message: WorkerMessage) => {
  if (message.type !== 'run') return;
  const company = (message.params as { company?: string }).company;
  if (company === 'crash') process.exit(3);
  if (company === 'spin') spinForever();
  if (company === 'hog') allocateForever();
  parentPort!.postMessage({ type: 'result', id: message.id, result: { echoed: message.params, threadId } } satisfies WorkerReply);
});
