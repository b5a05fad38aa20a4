// The offline verifier must bundle for a browser: no file it imports, directly or not, may
// import a Node built-in or a package other than the two pure-JavaScript ones it needs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const allowedPackages = new Set(['cborg', 'fflate']);

function importsOf(file: string): string[] {
  const source = readFileSync(join(here, file), 'utf8');
  return [...source.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map(
    (m) => m[1] as string,
  );
}

for (const entry of [
  'verifier.ts',
  'verify-card.ts',
  'read-trust-list.ts',
  'read-revocation-list.ts',
  'import-public-key.ts',
]) {
  void test(`${entry} and everything it imports run in a browser`, () => {
    const seen = new Set<string>();
    const queue = [entry];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('./')) queue.push(`${spec.slice(2)}.ts`);
        else assert.ok(allowedPackages.has(spec), `${file} imports ${spec}`);
      }
    }
    assert.ok(seen.size > 2, 'the import graph was followed');
  });
}
