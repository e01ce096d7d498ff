/**
 * Vite build of the web front end (web/ → web/dist), served by the API server at / (see
 * server/routes/home-page.ts). The build records the files it was made from, with a hash of each,
 * so that `npm start` can tell whether web/dist is stale (web/build-inputs.ts, web/build-web.ts).
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { BUILD_INPUTS_FILE, distDir, FIXED_BUILD_INPUTS, fileHash, projectDir } from './build-inputs.js';
import { countryCodeTable } from './country-code-table.js';

const webDir = resolve(projectDir, 'web');

/** Writes dist/.build-inputs.json: every project file in the bundle with its content hash. */
function recordBuildInputs(): Plugin {
  const inputs = new Set<string>();
  return {
    name: 'oretrace-record-build-inputs',
    apply: 'build',
    buildStart() {
      inputs.clear();
    },
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        for (const id of output.moduleIds) {
          const path = id.split('?')[0]!;
          if (!path.startsWith(projectDir) || path.includes('/node_modules/')) continue;
          inputs.add(relative(projectDir, path));
        }
      }
    },
    closeBundle() {
      const files = [...new Set([...FIXED_BUILD_INPUTS, ...inputs])].sort();
      const record = Object.fromEntries(files.map((f) => [f, fileHash(resolve(projectDir, f))]));
      writeFileSync(resolve(distDir, BUILD_INPUTS_FILE), `${JSON.stringify({ files: record }, null, 2)}\n`);
    },
  };
}

export default defineConfig({
  root: webDir,
  base: '/',
  // Assets referenced by URL only (the world map) are emitted by import.
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: distDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  plugins: [countryCodeTable(), recordBuildInputs()],
});
