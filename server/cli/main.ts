/**
 * The `oretrace` command line (SPEC §4): `npx oretrace …` or `npm run cli -- …`.
 * Each command is a thin shell over the same modules the server uses.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { MetalSchema } from '../../graph/model.js';
import { METAL_IDS } from '../../graph/metals.js';
import { analyze, render, type AnalyzeCommand } from './analyze.js';
import { ConfigError, loadConfig } from '../config.js';
import { runNeo4jCommand } from '../local-neo4j/cli.js';
import { loadDemo, loadReference } from '../seeding/seed-loader.js';
import { writeSyntheticGraph } from '../seeding/synthetic-loader.js';
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

  const parseMetal = (value: string) => {
    const parsed = MetalSchema.safeParse(value.toLowerCase());
    if (!parsed.success) throw new InvalidArgumentError(`"${value}" is not a metal; one of ${METAL_IDS.join(', ')}`);
    return parsed.data;
  };
  const parsePositive = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
    return n;
  };
  const analyzeCmd = cli.command('analyze').description('Run an analysis on the configured store; a table, or the API answer with --json');
  const companyAnalysis = (name: Exclude<AnalyzeCommand, 'impact'>, description: string) =>
    analyzeCmd
      .command(name)
      .description(description)
      .requiredOption('--company <id>', 'company id')
      .requiredOption('--metal <metal>', `one of ${METAL_IDS.join(', ')}`, parseMetal)
      .option('--json', 'print the API answer as JSON');
  const runAnalyze = async (command: AnalyzeCommand, params: never, json: boolean | undefined) => {
    const store = createGraphStore(loadConfig());
    try {
      await store.init();
      const answer = await analyze(store, command, params);
      process.stdout.write(json ? `${JSON.stringify(answer, null, 2)}\n` : `${render(command, answer)}\n`);
    } finally {
      await store.close();
    }
  };
  companyAnalysis('origins', 'Origin mix and smelter mix').action((o) => runAnalyze('origins', { company: o.company, metal: o.metal } as never, o.json));
  companyAnalysis('risk', 'Propagated risk and its contributors')
    .addOption(new Option('--limit <n>', 'contributors to list').default(10).argParser(parsePositive))
    .action((o) => runAnalyze('risk', { company: o.company, metal: o.metal, limit: o.limit } as never, o.json));
  companyAnalysis('paths', 'Top-k paths to high-risk sources')
    .addOption(new Option('--limit <n>', 'paths').default(10).argParser(parsePositive))
    .addOption(new Option('--max-depth <n>', 'most hops').default(8).argParser(parsePositive))
    .action((o) => runAnalyze('paths', { company: o.company, metal: o.metal, limit: o.limit, maxDepth: o.maxDepth } as never, o.json));
  companyAnalysis('spof', 'Single points of failure, redundancy and a minimum cut').action((o) =>
    runAnalyze('spof', { company: o.company, metal: o.metal } as never, o.json),
  );
  analyzeCmd
    .command('impact')
    .description('What if these nodes fail')
    .requiredOption('--remove <ids...>', 'ids of the failing nodes')
    .option('--metal <metal...>', 'only these metals')
    .option('--json', 'print the API answer as JSON')
    .action((o: { remove: string[]; metal?: string[]; json?: boolean }) =>
      runAnalyze('impact', { remove: o.remove, ...(o.metal ? { metals: o.metal.map(parseMetal) } : {}) } as never, o.json),
    );

  seed
    .command('synthetic')
    .description('Generate a synthetic supply network of realistic shape (deterministic per seed) and load it')
    .requiredOption('--companies <n>', 'number of companies', parsePositive)
    .addOption(new Option('--seed <n>', 'random seed').default(1).argParser(parsePositive))
    .action(async (o: { companies: number; seed: number }) => {
      const store = createGraphStore(loadConfig());
      try {
        await store.init();
        let lastPercent = -1;
        const result = await writeSyntheticGraph(store, { companies: o.companies, seed: o.seed }, (p) => {
          const percent = p.total === 0 ? 100 : Math.floor((100 * p.done) / p.total);
          if (percent !== lastPercent || p.phase === 'generated') {
            lastPercent = percent;
            process.stderr.write(`\r${p.phase.padEnd(13)} ${String(percent).padStart(3)}%  (${p.done}/${p.total})`);
          }
        });
        process.stderr.write('\n');
        process.stdout.write(
          `synthetic network: ${result.nodesUpserted} nodes, ${result.relationshipsUpserted} relationships (store version ${result.version}); focal companies: ${result.focal.join(', ')}\n`,
        );
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
