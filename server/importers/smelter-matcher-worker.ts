/**
 * The body of the smelter matcher thread (smelter-matcher-thread.ts): holds the resolver of one
 * store version, rebuilt when a batch brings the smelters of another, and answers each batch of
 * claims with the resolver's resolutions, or the domain error it threw for a claim.
 */
import { parentPort } from 'node:worker_threads';
import { loadSmelterLookup } from '../seeding/reference-data.js';
import {
  serializeMatchError,
  type ClaimAnswer,
  type MatchReply,
  type MatchRequest,
  type SerializedMatchError,
} from './smelter-matcher-thread.js';
import { createSmelterResolver, type SmelterResolver } from './smelter-resolution.js';

const port = parentPort;
if (!port) throw new Error('smelter-matcher-worker.ts runs as a worker thread');

/** The resolver of `version`, or the error building it gave (kept so that later batches of that version get it too). */
let held: { version: number; resolver: SmelterResolver } | { version: number; error: SerializedMatchError } | undefined;

function answer(request: MatchRequest): MatchReply {
  let built = false;
  if (request.smelters) {
    try {
      held = {
        version: request.version,
        resolver: createSmelterResolver({ lookup: loadSmelterLookup(), graphSmelters: request.smelters }),
      };
    } catch (err) {
      held = { version: request.version, error: serializeMatchError(err) };
    }
    built = true;
  }
  if (!held || held.version !== request.version) return { id: request.id, needsSmelters: true };
  if ('error' in held) return { id: request.id, error: held.error };
  const { resolver } = held;
  const answers = request.claims.map((claim): ClaimAnswer => {
    try {
      return { resolution: resolver.resolve(claim) };
    } catch (err) {
      return { error: serializeMatchError(err) };
    }
  });
  return { id: request.id, answers, built };
}

port.on('message', (request: MatchRequest) => port.postMessage(answer(request)));
