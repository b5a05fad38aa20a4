// The shape of the code, checked: domains import one another only in the order of the module
// list (so there is no import circle between them), the layers beneath every domain import
// none, and the ESLint rule that guards each domain's surface really refuses what it should.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import tessera from '../scripts/eslint/domain-boundaries.js';
import { modules } from '../src/modules';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');
const infrastructure = new Set(['db', 'http', 'cli', 'shared']);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Domain → the domains its non-test files import (type-only imports count too). */
function domainGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(src)) {
    if (file.endsWith('.test.ts')) continue;
    const [from, ...rest] = relative(src, file).split('/');
    if (!from || rest.length === 0 || infrastructure.has(from)) continue;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = relative(src, normalize(join(dirname(file), m[1]!)));
      const to = target.split('/')[0]!;
      if (target.startsWith('..') || to === from || infrastructure.has(to)) continue;
      if (to.includes('.')) continue; // app.ts, module.ts, modules.ts
      edges.add(to);
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('architecture', () => {
  const graph = domainGraph();

  it('lists every domain folder in the module list, each once', () => {
    const listed = modules.map((m) => m.name);
    assert.deepEqual([...listed].sort(), [...graph.keys()].sort());
    assert.equal(new Set(listed).size, listed.length);
  });

  it('has no import circle between domains', () => {
    assert.equal(findCycle(graph), null);
    // The check itself finds a planted circle.
    const planted = new Map(graph);
    planted.set('privacy', new Set([...(graph.get('privacy') ?? []), 'registry']));
    assert.ok(findCycle(planted), 'a planted circle is found');
  });

  it('has each domain import only domains listed before it', () => {
    const order = modules.map((m) => m.name as string);
    for (const [from, edges] of graph) {
      for (const to of edges) {
        assert.ok(
          order.indexOf(to) < order.indexOf(from),
          `${from} imports ${to}, which the module list puts after it`,
        );
      }
    }
  });

  it('keeps src/db, src/http, src/cli and src/shared free of domain imports', () => {
    for (const file of sourceFiles(src)) {
      const rel = relative(src, file);
      if (!infrastructure.has(rel.split('/')[0]!) || rel.endsWith('.test.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
        const target = relative(src, normalize(join(dirname(file), m[1]!))).split('/')[0]!;
        assert.ok(infrastructure.has(target) || target.startsWith('..'), `${rel} imports ${m[1]}`);
      }
    }
  });

  it('has an ESLint rule that refuses a reach into another domain and a domain import from shared', async () => {
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: {
        files: ['**/*.ts'],
        languageOptions: { parser: (await import('typescript-eslint')).parser },
        plugins: { tessera },
        rules: { 'tessera/domain-boundaries': ['error', { root }] },
      },
    });
    const lint = async (file: string, text: string) =>
      (await eslint.lintText(text, { filePath: join(root, file) }))[0]!.messages.map(
        (m) => m.message,
      );
    const reach = await lint(
      'src/dedup/probe.ts',
      "import { loadPersonInRegion } from '../registry/read-person';\n",
    );
    assert.match(reach.join('\n'), /through its index\.ts/);
    const layer = await lint(
      'src/shared/probe.ts',
      "import { registryModule } from '../registry';\n",
    );
    assert.match(layer.join('\n'), /must not import the domain 'registry'/);
    assert.deepEqual(
      await lint(
        'src/dedup/probe.ts',
        "import { enrolPerson } from '../registry';\nimport { x } from './store';\n",
      ),
      [],
    );
  });
});
