// ESLint rule: a domain's index.ts is its only surface. Refuses
//   - an import from another domain's inner files (src/registry/read-person from src/dedup);
//   - any import of a domain from the layers beneath every domain (src/db, src/http, src/cli,
//     src/shared), which the module list (src/modules.ts) wires instead.
// Tests may reach inside their own domain; tests of the HTTP layer may use domains' surfaces.
import { dirname, join, normalize, relative } from 'node:path';

/** The domains: every folder of src/ that is not an adapter or shared infrastructure. */
const infrastructure = new Set(['db', 'http', 'cli', 'shared']);
/** Extra public entries besides index.ts: the browser bundle of the card verifier. */
const extraEntries = new Set(['credentials/verifier']);

function domainOf(srcRelative) {
  const [top, ...rest] = srcRelative.split('/');
  if (rest.length === 0 || infrastructure.has(top)) return null;
  return top;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'import another domain only through its index.ts' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } } }],
    messages: {
      inner:
        "Import '{{domain}}' through its index.ts ('{{suggest}}'), not its inner file '{{path}}'.",
      layer:
        "src/{{layer}} must not import the domain '{{domain}}': let the module list (src/modules.ts) wire it.",
    },
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const src = join(root, 'src');
    const file = context.filename;
    const fromSrc = relative(src, file);
    const inSrc = !fromSrc.startsWith('..');
    const fromTop = inSrc ? fromSrc.split('/')[0] : null;
    const fromDomain = inSrc ? domainOf(fromSrc) : null;
    const isTest = /\.test\.ts$/.test(file);
    function check(node) {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = relative(src, normalize(join(dirname(file), spec)));
      if (target.startsWith('..')) return;
      const parts = target.split('/');
      const domain =
        domainOf(target) ??
        (parts.length === 1 && !infrastructure.has(parts[0]) && !parts[0].includes('.')
          ? parts[0]
          : null);
      if (!domain || domain === fromDomain) return;
      if (fromTop && infrastructure.has(fromTop) && !isTest) {
        context.report({ node: node.source, messageId: 'layer', data: { layer: fromTop, domain } });
        return;
      }
      const inner = parts.slice(1).join('/');
      if (inner === '' || inner === 'index' || extraEntries.has(target)) return;
      const suggest = spec.slice(0, spec.length - inner.length - 1);
      context.report({
        node: node.source,
        messageId: 'inner',
        data: { domain, path: target, suggest },
      });
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) => check({ source: node.source }),
    };
  },
};

export default { rules: { 'domain-boundaries': rule } };
