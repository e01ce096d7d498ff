/**
 * The `oretrace` command line (README's "Command line"): `npx oretrace …` or `npm run cli -- …`.
 * Each command is a thin shell over the same modules the server uses.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { MetalSchema } from '../../graph/model.js';
import { ApiKeyEntrySchema, createApiKey, ROLES, type Role } from '../access/api-keys.js';
import { METAL_IDS } from '../../graph/metals.js';
import { analyze, render, type AnalyzeCommand } from './analyze.js';
import { exportCommand, renderExport } from './export.js';
import { importCmrtCommand, renderCmrtImport } from './import-cmrt.js';
import { importGraphCommand, renderGraphImport } from './import-graph.js';
import { loadLookupCommand, loadRmapStatusCommand } from './reference.js';
import { ConfigError, loadConfig } from '../config.js';
import { EXPORT_FORMATS, type ExportFormat } from '../exporters/graph-export.js';
import { loadDemo, loadReference } from '../seeding/seed-loader.js';
import { writeSyntheticGraph } from '../seeding/synthetic-loader.js';
import { startServer } from '../server.js';
import { createGraphStore } from '../stores/open-store.js';

/** A command's result on standard output: as JSON with --json, else as the text `text` makes (one newline added). */
function printResult(json: boolean | undefined, result: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${text()}\n`);
}

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
          process.stdout.write(
            `demo supply chain: ${demo.nodesUpserted} nodes, ${demo.relationshipsUpserted} relationships (store version ${demo.version})\n`,
          );
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
  const parseShare = (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError(`"${value}" is not a share from 0 to 1`);
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
      const { answer, nameOf } = await analyze(store, command, params);
      printResult(json, answer, () => render(command, answer, nameOf));
    } finally {
      await store.close();
    }
  };
  companyAnalysis('origins', 'Origin mix and smelter mix').action((o) =>
    runAnalyze('origins', { company: o.company, metal: o.metal } as never, o.json),
  );
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
    .addOption(
      new Option(
        '--giant-component <share>',
        'share of companies (0..1) joined into one strongly connected component, as real networks are',
      )
        .default(0)
        .argParser(parseShare),
    )
    .addOption(
      new Option('--shares <mode>', 'mixed: some shares declared; none: no SUPPLIES has a share')
        .choices(['mixed', 'none'])
        .default('mixed'),
    )
    .action(async (o: { companies: number; seed: number; giantComponent: number; shares: 'mixed' | 'none' }) => {
      const store = createGraphStore(loadConfig());
      try {
        await store.init();
        let lastPercent = -1;
        const options = { companies: o.companies, seed: o.seed, giantComponent: o.giantComponent, shares: o.shares };
        const result = await writeSyntheticGraph(store, options, (p) => {
          const percent = p.total === 0 ? 100 : Math.floor((100 * p.done) / p.total);
          if (percent !== lastPercent || p.phase === 'generated') {
            lastPercent = percent;
            process.stderr.write(`\r${p.phase.padEnd(13)} ${String(percent).padStart(3)}%  (${p.done}/${p.total})`);
          }
        });
        process.stderr.write('\n');
        process.stdout.write(
          `synthetic network: ${result.nodesUpserted} nodes, ${result.relationshipsUpserted} relationships ` +
            `(store version ${result.version}); focal companies: ${result.focal.join(', ')}\n`,
        );
      } finally {
        await store.close();
      }
    });

  const withStore = async <T>(work: (store: ReturnType<typeof createGraphStore>) => Promise<T>): Promise<T> => {
    const store = createGraphStore(loadConfig());
    try {
      await store.init();
      return await work(store);
    } finally {
      await store.close();
    }
  };
  const importCmd = cli.command('import').description('Import into the configured store, all or nothing');
  importCmd
    .command('graph')
    .description('Import graph documents (.json, as `export --format json` writes) and/or nodes.csv + relationships.csv, in one write')
    .argument('[files...]', '.json documents; .csv files named …nodes.csv / …relationships.csv')
    .option('--nodes <file>', 'the nodes CSV, whatever its name')
    .option('--relationships <file>', 'the relationships CSV, whatever its name')
    .option('--json', 'print the API answer (WriteResult) as JSON')
    .action(async (files: string[], o: { nodes?: string; relationships?: string; json?: boolean }) => {
      const outcome = await withStore((store) => importGraphCommand(store, files, { nodes: o.nodes, relationships: o.relationships }));
      printResult(o.json, outcome.result, () => renderGraphImport(outcome));
    });

  importCmd
    .command('cmrt')
    .description('Import CMRT/EMRT declarations (.xlsx) of one company: smelters matched to RMI ids, checked, written in one write')
    .argument('<files...>', 'CMRT or EMRT workbooks')
    .requiredOption('--company <id>', 'the declaring company (created when --country is given and it does not exist)')
    .option('--country <code>', 'ISO alpha-2 country for a company the graph does not hold yet')
    .option('--name <name>', "name for a new company (default: the declaration's company name)")
    .option('--dry-run', 'read, match and check, but write nothing')
    .option('--json', 'print the API answer (the import report) as JSON')
    .action(async (files: string[], o: { company: string; country?: string; name?: string; dryRun?: boolean; json?: boolean }) => {
      const draw = process.stderr.isTTY
        ? (line: string) => process.stderr.write(`\r${line}\x1b[K`)
        : (line: string) => process.stderr.write(`${line}\n`);
      const result = await withStore((store) => importCmrtCommand(store, files, o, draw));
      if (process.stderr.isTTY) process.stderr.write('\n');
      printResult(o.json, result, () => renderCmrtImport(result));
    });

  const reference = cli.command('reference').description('Refresh reference data in the configured store from files you bring');
  reference
    .command('load')
    .description('Load the Smelter Look-up of a (newer) CMRT/EMRT template: adds smelters, keeps aliases, decisions and RMAP status')
    .argument('<template>', 'a CMRT or EMRT template .xlsx')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const result = await withStore((store) => loadLookupCommand(store, file));
      printResult(
        o.json,
        result,
        () =>
          `Smelter Look-up of template ${result.templateVersion}: ${result.lookupRows} rows; ` +
          `${result.smeltersAdded} smelters added, ${result.smeltersUpdated} updated (store version ${result.version}).`,
      );
    });
  reference
    .command('rmap-status')
    .description("Set smelters' RMAP status from a facility list obtained from RMI (CSV with an id and a status column)")
    .argument('<file>', 'the CSV file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const result = await withStore((store) => loadRmapStatusCommand(store, file));
      printResult(
        o.json,
        result,
        () =>
          `${result.rowsRead} rows read: ${result.smeltersUpdated} smelters updated, ${result.unchanged} unchanged, ` +
          `${result.notInGraph} ids not in the graph, ${result.skippedRows.length} rows skipped (store version ${result.version}).`,
      );
    });

  cli
    .command('export')
    .description('Export the whole graph: JSON (re-importable), CSV (nodes.csv + relationships.csv) or GraphML')
    .addOption(new Option('--format <format>', 'json, csv or graphml').choices(EXPORT_FORMATS).default('json'))
    .requiredOption('--out <path>', 'file or folder (csv: folder for nodes.csv and relationships.csv); - for standard output')
    .action(async (o: { format: ExportFormat; out: string }) => {
      const summary = await withStore((store) => exportCommand(store, { format: o.format, out: o.out }));
      (o.out === '-' ? process.stderr : process.stdout).write(`${renderExport(summary)}\n`);
    });

  const keysCmd = cli.command('keys').description('API keys for the service (see SECURITY.md)');
  keysCmd
    .command('create')
    .description('Make a new random API key; prints the key once and the entry to configure (only its hash is stored)')
    .requiredOption('--name <name>', 'a name for the key, e.g. the client using it')
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).default('reader'))
    .option('--json', 'print {key, entry} as JSON')
    .action((o: { name: string; role: Role; json?: boolean }) => {
      const parsed = ApiKeyEntrySchema.shape.name.safeParse(o.name);
      if (!parsed.success) throw new Error(`--name ${parsed.error.issues[0]!.message}`);
      const { key, entry } = createApiKey(o.name, o.role);
      printResult(o.json, { key, entry }, () =>
        [
          `API key (shown once; give it to the client): ${key}`,
          `Add to API_KEYS (comma-separated):             ${entry.name}:${entry.role}:${entry.sha256}`,
          `or to the "keys" array of API_KEYS_FILE:       ${JSON.stringify(entry)}`,
        ].join('\n'),
      );
    });

  cli
    .command('neo4j')
    .description("Run the project's own local Neo4j: start | stop | status | env")
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      // The one place the service reaches into dev tooling (tools/, not the service): the same
      // command as `npm run neo4j`, loaded only when this command runs, so no other command and
      // no server start loads tools/.
      const { runNeo4jCommand } = await import('../../tools/local-neo4j/cli.js');
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
