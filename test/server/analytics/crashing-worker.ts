/**
 * A stand-in analysis worker for analysis-pool.test.ts: it answers like the real one, except that a
 * task for company "crash" kills the thread mid-analysis.
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerMessage, WorkerReply } from '../../../server/analytics/analysis-pool.js';

parentPort!.on('message', (message: WorkerMessage) => {
  if (message.type !== 'run') return;
  if ((message.params as { company?: string }).company === 'crash') process.exit(3);
  parentPort!.postMessage({ type: 'result', id: message.id, result: { echoed: message.params } } satisfies WorkerReply);
});
