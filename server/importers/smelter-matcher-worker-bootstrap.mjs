// Worker threads do not inherit the TypeScript loader of the main thread: register tsx here, then
// load the TypeScript worker body (smelter-matcher-worker.ts), as the CMRT reader's bootstrap does.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
