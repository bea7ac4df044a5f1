/**
 * Builds the web inspector (ui/) into dist/ui/: minified ES modules with preact, cytoscape and
 * dagre in them (no CDN: the page works offline), beside index.html and app.css. The topology
 * (cytoscape, dagre) is a chunk loaded when it is first opened, so the first screen is small.
 *   tsx scripts/build-ui.ts [outdir]
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildUi(outdir = path.join(root, 'dist', 'ui')): Promise<{ outdir: string; bytes: number }> {
  // chunks of an earlier build would linger under their old hashes
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: [path.join(root, 'ui', 'main.tsx')],
    outdir,
    entryNames: 'app',
    chunkNames: 'chunk-[hash]',
    // the topology's graph library is a chunk of its own, fetched when the topology opens
    splitting: true,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'app.css']) await copyFile(path.join(root, 'ui', f), path.join(outdir, f));
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outdir, bytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outdir, bytes } = await buildUi(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`inspector built in ${path.relative(process.cwd(), outdir) || '.'} (${(bytes / 1024).toFixed(0)} KiB of script)`);
}
