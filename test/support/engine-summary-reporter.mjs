// A node:test reporter that counts passed, failed and skipped tests per storage engine.
// Engine suites are named "... [sqlite]" or "... [postgres]" by forEachEngine(); a test
// belongs to the engine of its nearest such ancestor. Prints one line per engine at the end.
const enginePattern = /\[(sqlite|postgres)\]$/;

export default async function* engineSummary(source) {
  const counts = new Map();
  // node:test reports each file's events contiguously and in order, so one stack of suite
  // names by nesting level is enough (the `file` field names where describe() was called).
  const stack = [];
  for await (const event of source) {
    const data = event.data ?? {};
    if (event.type === 'test:start') {
      stack.length = data.nesting;
      stack.push(data.name);
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (data.details?.type === 'suite') continue;
    const path = [...stack.slice(0, data.nesting), data.name];
    const engineName = path.map((n) => enginePattern.exec(n)?.[1]).findLast(Boolean) ?? 'none';
    const c = counts.get(engineName) ?? { pass: 0, fail: 0, skip: 0 };
    if (data.skip || data.todo) c.skip++;
    else if (event.type === 'test:pass') c.pass++;
    else c.fail++;
    counts.set(engineName, c);
  }
  const label = { sqlite: 'SQLite', postgres: 'PostgreSQL', none: 'engine-independent' };
  yield '\nTests by storage engine:\n';
  for (const key of ['sqlite', 'postgres', 'none']) {
    const c = counts.get(key) ?? { pass: 0, fail: 0, skip: 0 };
    yield `  ${label[key].padEnd(19)} ${c.pass} passed, ${c.fail} failed, ${c.skip} skipped\n`;
  }
}
