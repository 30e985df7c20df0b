// run.mjs: the integration suite, against the stack tests/run started.
// Each t_*.mjs file registers its tests; they run in file order.
import { readdirSync } from 'node:fs';
import { runAll } from './lib.mjs';

const dir = new URL('.', import.meta.url);
const only = process.argv[2];
for (const f of readdirSync(dir).filter((f) => /^t_.*\.mjs$/.test(f)).sort()) {
  if (only && !f.includes(only)) continue;
  await import(new URL(f, dir));
}
process.exit((await runAll('integration')) ? 0 : 1);
