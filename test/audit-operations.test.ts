// Every audit operation is described for the person whose record it touches, in Spanish and
// English; the list is closed (appendAudit takes only declared names, checked at compile
// time in src/modules.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditOperations, modules } from '../src/modules';

describe('audit operations', () => {
  const entries = Object.entries(auditOperations);

  it('describes each one in both languages, in full sentences', () => {
    assert.ok(entries.length > 40);
    for (const [name, d] of entries) {
      assert.match(name, /^[a-z]+(\.[a-z_]+)+$/, name);
      for (const words of [d.en, d.es]) {
        assert.ok(words.length >= 10, `${name}: ${words}`);
        assert.match(words, /^[A-ZÁÉÍÓÚÑ¿¡].*[.)]$/, `${name}: "${words}" is a sentence`);
      }
      assert.notEqual(d.en, d.es, `${name} is translated`);
    }
  });

  it('has each operation declared by exactly one domain', () => {
    const seen = new Map<string, string>();
    for (const m of modules) {
      for (const name of Object.keys(m.auditOperations ?? {})) {
        assert.ok(!seen.has(name), `${name} is declared by ${seen.get(name)} and ${m.name}`);
        seen.set(name, m.name);
      }
    }
    assert.equal(seen.size, entries.length);
  });

  it('calls reading a card at a point of service a read of the person’s data', () => {
    assert.equal(auditOperations['card.verify'].kind, 'read');
    assert.match(auditOperations['card.verify'].en, /card was read/);
    assert.doesNotMatch(auditOperations['card.verify'].en, /other action/i);
  });

  it('marks every read operation as a read', () => {
    for (const [name, d] of entries) {
      if (/\.(read|search|history|list)$/.test(name)) assert.equal(d.kind, 'read', name);
    }
  });
});
