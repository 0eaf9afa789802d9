#!/usr/bin/env node
// Builds the web console into dist/console: one bundled script (preact and the page's own code,
// nothing loaded from elsewhere), the page, its style sheet and the message files.
const { buildSync } = require('esbuild');
const { copyFileSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const out = join(root, 'dist', 'console');
mkdirSync(out, { recursive: true });
buildSync({
  entryPoints: [join(root, 'console', 'src', 'app.tsx')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
  legalComments: 'none',
});
// Chunks of an earlier build (their names carry a content hash) would be served for nothing.
for (const f of readdirSync(out)) if (/^oversight-.*\.js$/.test(f)) rmSync(join(out, f));
// The oversight page (auditors, prosecutors; docs/console.md "Oversight") is a bundle of its own:
// its charts (uPlot) and graph (cytoscape) are not loaded by the investigators' page. An ES module
// split in chunks, so the graph (most of the code) loads only when the trail view is opened.
buildSync({
  entryPoints: [join(root, 'console', 'src', 'oversight.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  splitting: true,
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  entryNames: 'oversight',
  chunkNames: 'oversight-[name]-[hash]',
  logLevel: 'warning',
  legalComments: 'none',
});
copyFileSync(join(root, 'console', 'oversight.html'), join(out, 'oversight.html'));
copyFileSync(join(root, 'console', 'oversight.css'), join(out, 'oversight.css'));
copyFileSync(require.resolve('uplot/dist/uPlot.min.css'), join(out, 'uplot.css'));
copyFileSync(join(root, 'console', 'index.html'), join(out, 'index.html'));
copyFileSync(join(root, 'console', 'app.css'), join(out, 'app.css'));
for (const f of readdirSync(join(root, 'console', 'messages'))) copyFileSync(join(root, 'console', 'messages', f), join(out, `messages-${f}`));
