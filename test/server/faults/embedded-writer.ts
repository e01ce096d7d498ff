/**
 * The child process of embedded-store-kill.test.ts: opens the embedded store in DATA_DIR (argv[2])
 * and writes big imports back to back until it is killed. Each write is announced on stdout before
 * it starts ("writing <version>") and confirmed once the store has answered ("committed
 * <version>"); on Linux writes to a pipe are synchronous, so what the parent reads after the kill
 * is exactly how far the child got.
 *
 * The graph after write v is a pure function of v (writerStateOf in embedded-writer-state.ts), so
 * the parent can check that the file holds one whole state, not a mix.
 */
import { EmbeddedGraphStore } from '../../../server/stores/embedded-store.js';
import { writerDocument } from './embedded-writer-state.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: embedded-writer.ts DATA_DIR');

const store = new EmbeddedGraphStore({ dataDir });
await store.init();
process.stdout.write(`open ${await store.version()}\n`);
for (;;) {
  const next = (await store.version()) + 1;
  process.stdout.write(`writing ${next}\n`);
  const result = await store.importGraph(writerDocument(next));
  if (result.version !== next) throw new Error(`expected version ${next}, the store says ${result.version}`);
  process.stdout.write(`committed ${next}\n`);
}
