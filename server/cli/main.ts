/**
 * The `oretrace` command line (SPEC §4): `npx oretrace …` or `npm run cli -- …`.
 * Each command is a thin shell over the same modules the server uses.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { runNeo4jCommand } from '../local-neo4j/cli.js';
import { loadDemo, loadReference } from '../seeding/seed-loader.js';
import { startServer } from '../server.js';
import { createGraphStore } from '../stores/open-store.js';

function program(): Command {
  const cli = new Command('oretrace')
    .description('Supply-chain graph analytics: mineral origins, CAHRA exposure, single points of failure.')
    .showHelpAfterError()
    .exitOverride();

  cli
    .command('serve')
    .description('Serve the API, its docs and the web page (configured from the environment, see README)')
    .action(async () => {
      await startServer(loadConfig());
    });

  const seed = cli.command('seed').description('Load data into the configured store');
  seed
    .command('demo')
    .description('Load the reference data (countries, CAHRA lists, RMI smelter look-up) and the fictional demo supply chain')
    .option('--reference-only', 'only the reference data')
    .action(async (options: { referenceOnly?: boolean }) => {
      const store = createGraphStore(loadConfig());
      try {
        await store.init();
        const reference = await loadReference(store);
        process.stdout.write(`reference data: ${reference.nodesUpserted} nodes, ${reference.relationshipsUpserted} relationships\n`);
        if (!options.referenceOnly) {
          const demo = await loadDemo(store);
          process.stdout.write(`demo supply chain: ${demo.nodesUpserted} nodes, ${demo.relationshipsUpserted} relationships (store version ${demo.version})\n`);
        }
      } finally {
        await store.close();
      }
    });

  cli
    .command('neo4j')
    .description('Run the project\'s own local Neo4j: start | stop | status | env')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      process.exitCode = await runNeo4jCommand(args);
    });

  return cli;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`oretrace: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`oretrace: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

await main();
