/** The worker of layer-builder.ts: builds the layers it is sent and hands their arrays back. */
import { parentPort } from 'node:worker_threads';
import { buildLayers } from '../../graph/snapshot.js';
import { buffersOf, type LayerBuilderReply, type LayerBuilderRequest } from './layer-builder.js';

parentPort!.on('message', ({ id, jobs }: LayerBuilderRequest) => {
  let reply: LayerBuilderReply;
  try {
    const built = buildLayers(jobs);
    parentPort!.postMessage({ id, built } satisfies LayerBuilderReply, buffersOf(built.layers));
    return;
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
