#!/usr/bin/env node
'use strict';
/**
 * Summarises V8 CPU profiles (node --cpu-prof; npm run bench -- --cpu-prof DIR) by what the time
 * is spent on: self time per category (by source file) and the top functions.
 * Usage: node scripts/cpuprofile-summary.js [--pairs N] file.cpuprofile...
 * With --pairs, also CPU milliseconds per request + sanction pair.
 */
const { readFileSync } = require('node:fs');

const CATEGORIES = [
  ['idle', (f) => f.functionName === '(idle)'],
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['Redis client (ioredis, BullMQ)', (f) => /node_modules\/(ioredis|bullmq|@ioredis|redis-parser|cluster-key-slot|msgpackr)|(src|dist)\/redis\//.test(f.url)],
  ['HTTP, TLS, Express', (f) => /node_modules\/(express|router|body-parser|raw-body|finalhandler|send|on-finished|qs|path-to-regexp|type-is|mime|content-type|accepts|negotiator|iconv-lite)|node:_tls|node:tls|node:_http|node:http|node:https|node:net|node:stream|node:internal\/streams|node:internal\/http|node:internal\/tls/.test(f.url) || /(src|dist)\/http\//.test(f.url)],
  ['logging, metrics (winston, prom-client)', (f) => /node_modules\/(winston|logform|prom-client|triple-beam|readable-stream)|src\/metrics\//.test(f.url)],
  ['JSON Schema, log entries, JSON', (f) => /node_modules\/(ajv|fast-uri|fast-deep-equal)|src\/documents\/(ajv|validators|duplicate-members|pointer)|src\/log\/(entry|sequencer|event-log)/.test(f.url) || /^JSON\.|^parse$|^stringify$/.test(f.functionName)],
  ['CMS: verify documents and paths, sign receipts (node:crypto, DER)', (f) => /(src|dist)\/(cms|pki|asn1)\/|node_modules\/(@peculiar|pvtsutils|asn1js|@noble)/.test(f.url) || /^(verify|Verify|X509Certificate|createPublicKey)/.test(f.functionName)],
  ['receipt bodies (canonical JSON)', (f) => /(src|dist)\/receipts\//.test(f.url)],
  ['domain (requests, delivery, store)', (f) => /(src|dist)\/(requests|delivery|store|participants|log|statements)\//.test(f.url)],
  ['runtime without a JavaScript caller (event loop, microtasks, program)', (f) => f.url === '' || f.url.startsWith('node:')],
  ['other', () => true],
];

function load(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  for (const n of p.nodes) for (const c of n.children ?? []) byId.get(c).parent = n.id;
  const self = new Map();
  const dts = p.timeDeltas;
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i];
    self.set(id, (self.get(id) ?? 0) + (dts[i] ?? 0));
  }
  return { byId, self };
}

/** The frame a sample is charged to: its own when it is GC, idle or JavaScript of a package or of the gateway, else the nearest such caller. */
function chargedFrame(byId, id) {
  const own = byId.get(id).callFrame;
  if (/^\((garbage collector|idle|program)\)$/.test(own.functionName)) return own;
  for (let n = byId.get(id); n; n = byId.get(n.parent)) {
    if (/node_modules|\/(src|dist)\//.test(n.callFrame.url)) return n.callFrame;
  }
  return own;
}

/** The nearest caller that is JavaScript of a package or of the gateway (not node: internals). */
function owner(byId, id) {
  for (let n = byId.get(id); n; n = byId.get(n.parent)) {
    const u = n.callFrame.url;
    if (/node_modules|\/(src|dist)\//.test(u)) return `${n.callFrame.functionName || '(anonymous)'} ${u.replace(/^.*\/(node_modules|src|dist)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
  }
  return '(none)';
}

function main(argv) {
  let pairs;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--pairs') pairs = Number(argv[++i]);
    else files.push(argv[i]);
  }
  const cat = new Map();
  const fn = new Map();
  const owners = new Map();
  let busy = 0;
  for (const file of files) {
    const { byId, self } = load(file);
    for (const [id, us] of self) {
      const f = byId.get(id).callFrame;
      // Native and node: internal time is charged to the nearest package or gateway frame that
      // called it (a socket write to the Redis client, a signature to the CMS code).
      const c = CATEGORIES.find(([, test]) => test(chargedFrame(byId, id)))[0];
      cat.set(c, (cat.get(c) ?? 0) + us);
      if (c !== 'idle') {
        busy += us;
        const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|src|dist)\//, '$1/')}:${f.lineNumber + 1}`;
        fn.set(key, (fn.get(key) ?? 0) + us);
        const o = owner(byId, id);
        owners.set(o, (owners.get(o) ?? 0) + us);
      }
    }
  }
  const ms = (us) => (us / 1000).toFixed(0).padStart(7);
  const pc = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  process.stdout.write(`busy CPU ${ms(busy)} ms${pairs ? `, ${(busy / 1000 / pairs).toFixed(2)} ms per pair (${pairs} pairs)` : ''}\n\n| share | CPU ms | what |\n|---|---|---|\n`);
  for (const [c, us] of [...cat].filter(([c]) => c !== 'idle').sort((a, b) => b[1] - a[1])) process.stdout.write(`| ${pc(us)} | ${ms(us)} | ${c} |\n`);
  process.stdout.write('\ntop functions (self time):\n');
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, 30)) process.stdout.write(`${pc(us)} ${ms(us)} ms  ${k}\n`);
  process.stdout.write('\nby nearest package or gateway function (native and node: time charged to its caller):\n');
  for (const [k, us] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, 30)) process.stdout.write(`${pc(us)} ${ms(us)} ms  ${k}\n`);
}

main(process.argv.slice(2));
