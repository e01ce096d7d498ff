/**
 * The body of an analysis worker thread (see analysis-pool.ts): keeps the latest snapshot and
 * answers tasks with the same catalogue the main thread would use.
 */
import { parentPort } from 'node:worker_threads';
import type { Snapshot } from '../../graph/snapshot.js';
import { answerJson, runAnalysis } from './analysis-catalog.js';
import { serializeError, WORKER_SNAPSHOTS_KEPT, type WorkerMessage, type WorkerReply } from './analysis-pool.js';

const snapshots = new Map<number, Snapshot>();

parentPort!.on('message', (message: WorkerMessage) => {
  if (message.type === 'snapshot') {
    snapshots.set(message.snapshot.version, message.snapshot);
    const versions = [...snapshots.keys()].sort((a, b) => b - a);
    for (const old of versions.slice(WORKER_SNAPSHOTS_KEPT)) snapshots.delete(old);
    return;
  }
  let reply: WorkerReply;
  try {
    const snapshot = snapshots.get(message.version);
    if (!snapshot) throw new Error(`the worker does not hold snapshot ${message.version}`);
    const result = message.json
      ? answerJson(message.name, snapshot, message.params as never, message.json.stale)
      : runAnalysis(message.name, snapshot, message.params as never);
    reply = { type: 'result', id: message.id, result };
  } catch (err) {
    reply = { type: 'error', id: message.id, error: serializeError(err) };
  }
  parentPort!.postMessage(reply);
});
