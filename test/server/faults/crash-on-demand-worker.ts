/**
 * A test-only analysis worker entry (analysis-worker-crash.test.ts): the real worker body, except
 * that a task for one of these companies kills the thread in the middle of the analysis:
 *   "crash-in-analysis": an uncaught exception (the Worker's 'error' event, then its exit);
 *   "exit-in-analysis":  process.exit(7) inside the worker thread.
 * The real body's message listener is wrapped as it registers (a MessagePort has no
 * prependListener), so the real one never sees those tasks and no message is lost meanwhile.
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerMessage } from '../../../server/analytics/analysis-pool.js';

function crashIfAsked(message: WorkerMessage): void {
  if (message.type !== 'run') return;
  const company = (message.params as { company?: unknown }).company;
  if (company === 'crash-in-analysis') throw new Error('simulated fault inside an analysis');
  if (company === 'exit-in-analysis') process.exit(7);
}

const port = parentPort!;
const on = port.on.bind(port);
port.on = ((event: string, listener: (value: unknown) => void) =>
  on(
    event,
    event === 'message'
      ? (message: WorkerMessage) => {
          crashIfAsked(message);
          listener(message);
        }
      : listener,
  )) as typeof port.on;

await import('../../../server/analytics/analysis-worker.js');
