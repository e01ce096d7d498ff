/**
 * Smelter matching in a worker thread, so that it never holds the service's event loop. Building
 * the resolver of a store version (the RMI look-up and every graph smelter, with their trigram
 * index) costs about a second for 2,000 names at the 200-character cap, and a worst-case query
 * half as much; on the main thread /health and every other request would wait that long.
 *
 * One matcher per store (`smelterMatcherOf`). The main thread reads the graph's smelters once per
 * store version (I/O, cheap) and keeps them for the CMRT import's own use; the thread holds the
 * resolver built from them and answers batches of claims. A batch names the version it was read
 * at, and carries the smelters whenever the thread was last given another version, so the
 * resolver is rebuilt in the thread, once, after each write. Answers are the resolver's own
 * (structured-cloned); a claim's domain error crosses back with its class, message and fields.
 *
 * The thread starts on first use and is unreferenced while idle, so that it never keeps a CLI
 * alive; the app closes it (`closeSmelterMatcher`) when it closes. Its heap is capped: a graph
 * whose resolver needs more fails the match (500) and the thread is replaced, not the service.
 */
import { Worker } from 'node:worker_threads';
import type { Smelter } from '../../graph/model.js';
import { deserializeDomainError, serializeDomainError, type SerializedDomainError } from '../errors.js';
import { listAllNodes, type GraphStore } from '../stores/graph-store.js';
import type { KnownSmelter, SmelterClaim, SmelterResolution } from './smelter-resolution.js';

/** Heap of the matcher thread: the resolver of 2,000 names of 200 characters takes a few tens of MB. */
export const MATCHER_HEAP_MB = 1024;

/** How a domain error crosses the thread boundary. */
export type SerializedMatchError = SerializedDomainError;

export interface MatchRequest {
  id: number;
  /** The store version the claims are matched against. */
  version: number;
  /** The graph's smelters at `version`, when the thread may not hold its resolver: build it first. */
  smelters?: KnownSmelter[];
  claims: SmelterClaim[];
}

export type ClaimAnswer = { resolution: SmelterResolution } | { error: SerializedMatchError };

export type MatchReply =
  | { id: number; answers: ClaimAnswer[]; built: boolean }
  /** The thread holds no resolver of this version (a build failed or it was replaced): send the smelters. */
  | { id: number; needsSmelters: true }
  /** Building the resolver failed: every claim of the batch fails with it. */
  | { id: number; error: SerializedMatchError };

export const serializeMatchError = serializeDomainError;

/** The error the resolver threw, as its own class (it throws ValidationError; the rest in case). */
export function deserializeMatchError(e: SerializedMatchError): Error {
  // Anything else is a bug, not the request's fault: a 500 whose message the error handler never shows.
  return deserializeDomainError(e) ?? new Error(`smelter matching failed: ${e.message}`);
}

/** Graph smelters as the resolver sees them: aliases are confirmed names, rejectedNames refused ones. */
export async function graphSmelters(store: GraphStore): Promise<Smelter[]> {
  return (await listAllNodes(store, 'Smelter')).filter((n): n is Smelter => n.label === 'Smelter');
}

export function knownSmelterOf(s: Smelter): KnownSmelter {
  return { id: s.id, name: s.name, aliases: s.aliases, metal: s.metal, country: s.country, rejectedNames: s.rejectedNames ?? [] };
}

/** The graph's smelters at one store version: what the resolver of that version is built from. */
export interface SmelterKnowledge {
  version: number;
  smelters: Smelter[];
}

/** What resolving one claim gave: its resolution, or the error the resolver threw for it. */
export type ClaimOutcome = { resolution: SmelterResolution } | { error: Error };

interface PendingBatch {
  request: MatchRequest;
  knowledge: SmelterKnowledge;
  resolve: (outcomes: ClaimOutcome[]) => void;
  reject: (err: Error) => void;
  /** Already resent with the smelters once. */
  resent: boolean;
}

export class SmelterMatcher {
  private thread: Worker | undefined;
  private readonly pending = new Map<number, PendingBatch>();
  private nextId = 1;
  /** The version whose smelters were last posted to the thread: what it holds once it reads them. */
  private postedVersion: number | undefined;
  private current: { version: number; read: Promise<SmelterKnowledge> } | undefined;
  private closed = false;
  private buildCount = 0;

  constructor(
    private readonly store: GraphStore,
    private readonly workerEntry: URL = new URL('./smelter-matcher-worker.ts', import.meta.url),
  ) {}

  /** Resolvers the thread has built (once per store version matched): tests count them. */
  get builds(): number {
    return this.buildCount;
  }

  /** Batches being matched in the thread now. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * The graph's smelters at the store's current version, read once per version. The version is
   * read first, so the smelters are never older than the version they are kept under.
   */
  async knowledge(): Promise<SmelterKnowledge> {
    const version = await this.store.version();
    if (this.current?.version === version) return this.current.read;
    const read = graphSmelters(this.store).then((smelters) => ({ version, smelters }));
    const current = { version, read };
    this.current = current;
    // A failed read (store down) is not kept: the next request reads again.
    read.catch(() => {
      if (this.current === current) this.current = undefined;
    });
    return read;
  }

  /** One claim against the store's current version: the resolution, or the resolver's error thrown. */
  async resolve(claim: SmelterClaim): Promise<SmelterResolution> {
    const [outcome] = await this.resolveAll([claim]);
    if ('error' in outcome!) throw outcome.error;
    return outcome!.resolution;
  }

  /**
   * Every claim against the resolver of `knowledge` (default: the store's current version), in
   * the thread; each outcome in the claims' order. Throws only what fails the whole batch: the
   * resolver could not be built, or the thread died.
   */
  async resolveAll(claims: readonly SmelterClaim[], knowledge?: SmelterKnowledge): Promise<ClaimOutcome[]> {
    if (claims.length === 0) return [];
    return this.match(claims, knowledge);
  }

  /**
   * Starts the thread and builds the resolver of the store's current version, so that the first
   * match does not wait for them (starting tsx in a thread costs a few hundred ms).
   */
  async warmUp(): Promise<void> {
    await this.match([]);
  }

  private async match(claims: readonly SmelterClaim[], knowledge?: SmelterKnowledge): Promise<ClaimOutcome[]> {
    if (this.closed) throw new Error('the smelter matcher is closed');
    const known = knowledge ?? (await this.knowledge());
    return new Promise<ClaimOutcome[]>((resolve, reject) => {
      const request: MatchRequest = { id: this.nextId++, version: known.version, claims: [...claims] };
      this.post({ request, knowledge: known, resolve, reject, resent: false });
    });
  }

  /** Stops the thread; batches still being matched fail. */
  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    this.failPending(new Error('the smelter matcher was closed'));
    await thread?.terminate();
  }

  private post(batch: PendingBatch): void {
    // Closed while the batch read its version: no new thread after close.
    if (this.closed) {
      batch.reject(new Error('the smelter matcher was closed'));
      return;
    }
    const thread = (this.thread ??= this.spawn());
    const { request, knowledge } = batch;
    // Messages are handled in the order posted: after a post with the smelters of version v, the
    // thread holds v's resolver until smelters of another version are posted.
    if (this.postedVersion !== knowledge.version) {
      request.smelters = knowledge.smelters.map(knownSmelterOf);
      this.postedVersion = knowledge.version;
    } else {
      delete request.smelters;
    }
    this.pending.set(request.id, batch);
    // Referenced while it works, so that a CLI waiting for nothing else does not exit.
    thread.ref();
    thread.postMessage(request);
  }

  private onReply(thread: Worker, reply: MatchReply): void {
    const batch = this.pending.get(reply.id);
    if (!batch) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) thread.unref();
    if ('needsSmelters' in reply) {
      if (this.postedVersion === batch.knowledge.version) this.postedVersion = undefined;
      if (batch.resent) batch.reject(new Error('the smelter matcher thread lost the resolver it was just given'));
      else this.post({ ...batch, resent: true });
      return;
    }
    if ('error' in reply) {
      // The thread keeps no resolver after a failed build: the next batch brings the smelters again.
      this.postedVersion = undefined;
      batch.reject(deserializeMatchError(reply.error));
      return;
    }
    if (reply.built) this.buildCount += 1;
    batch.resolve(reply.answers.map((a) => ('error' in a ? { error: deserializeMatchError(a.error) } : a)));
  }

  private spawn(): Worker {
    const thread = new Worker(new URL('./smelter-matcher-worker-bootstrap.mjs', import.meta.url), {
      workerData: { entry: this.workerEntry.href },
      resourceLimits: { maxOldGenerationSizeMb: MATCHER_HEAP_MB },
    });
    thread.on('message', (reply: MatchReply) => this.onReply(thread, reply));
    const fail = (err: Error | undefined, code?: number): void => {
      if (this.thread !== thread) return; // closed or already replaced
      this.thread = undefined;
      this.postedVersion = undefined;
      const outOfMemory = (err as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.failPending(
        new Error(
          outOfMemory
            ? `smelter matching needs more than the ${MATCHER_HEAP_MB} MB of memory its thread may use`
            : `the smelter matcher thread ${err ? `crashed: ${err.message}` : `exited with code ${code}`}`,
        ),
      );
    };
    thread.on('error', (err) => fail(err));
    thread.on('exit', (code) => fail(undefined, code));
    thread.unref();
    return thread;
  }

  private failPending(err: Error): void {
    const batches = [...this.pending.values()];
    this.pending.clear();
    for (const batch of batches) batch.reject(err);
  }
}

const matchers = new WeakMap<GraphStore, SmelterMatcher>();

/** The matcher of a store: every route and import over one store shares its thread and resolver. */
export function smelterMatcherOf(store: GraphStore): SmelterMatcher {
  let matcher = matchers.get(store);
  if (!matcher) matchers.set(store, (matcher = new SmelterMatcher(store)));
  return matcher;
}

/** Stops the matcher of a store, if it has one (the app's onClose); a later use starts a new one. */
export async function closeSmelterMatcher(store: GraphStore): Promise<void> {
  const matcher = matchers.get(store);
  matchers.delete(store);
  await matcher?.close();
}
