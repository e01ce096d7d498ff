// Worker threads do not inherit the TypeScript loader of the main thread: register tsx here, then
// load the TypeScript worker body (analysis-worker.ts). The analysis pool counts a task's deadline
// from the worker being ready, so that loading the module is not charged to the first task.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
if (workerData.announceReady) parentPort.postMessage({ type: 'ready' });
