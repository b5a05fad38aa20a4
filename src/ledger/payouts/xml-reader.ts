// A small, strict, bounded XML reader for the status reports providers send back (pain.002,
// camt.054). It reads UTF-8 only, refuses any document type declaration or entity
// definition (so no entity expansion, external or not), processing instructions and
// unbalanced markup, and bounds the input's size, the nesting depth, the text of an element
// and the size of each record it hands over. It never builds the whole tree: the elements
// named as records (one per payment line) are built one at a time and handed to the caller,
// and outside them only leaf values are kept, by path. Every error names its line and element.
import { DomainError } from '../../shared/errors';

/** An element of a record, with its text and children. */
export interface XmlNode {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlNode[];
  text: string;
  line: number;
}

/** What the reader accepts and hands over. */
export interface XmlReadOptions {
  /** Namespaces the root `Document` may declare. */
  namespaces: readonly string[];
  /** Local names of the elements handed over whole, one at a time. */
  records: ReadonlySet<string>;
  /** Called for each record, with the leaf values seen outside records so far, by local name. */
  onRecord: (node: XmlNode, context: ReadonlyMap<string, string>) => void;
  bytesMax: number;
}

/** What the reader found outside the records. */
export interface XmlReadResult {
  namespace: string;
  /** The first leaf value at each path outside records (`Document/GrpHdr/MsgId`). */
  header: ReadonlyMap<string, string>;
  records: number;
}

const depthMax = 32;
const attributesMax = 16;
const textCharsMax = 10_000;
const recordNodesMax = 50_000;
const headerPathsMax = 1_000;
const nameRe = /[A-Za-z_][A-Za-z0-9_.:-]{0,127}/y;
const attributeRe = /\s+([A-Za-z_][A-Za-z0-9_.:-]{0,127})\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;

interface Frame {
  name: string;
  line: number;
  node: XmlNode | null;
  text: string;
  hasChildren: boolean;
}

function fail(line: number, message: string): never {
  throw new DomainError('MALFORMED_XML', `Line ${line}: ${message}`, `line ${line}`);
}

function decodeText(raw: string, line: number, where: string): string {
  if (!raw.includes('&')) return raw;
  let out = '';
  let at = 0;
  for (;;) {
    const amp = raw.indexOf('&', at);
    if (amp < 0) return out + raw.slice(at);
    out += raw.slice(at, amp);
    const semi = raw.indexOf(';', amp);
    const ref = semi > amp && semi - amp <= 10 ? raw.slice(amp + 1, semi) : null;
    let char: string | null = null;
    if (ref === 'lt') char = '<';
    else if (ref === 'gt') char = '>';
    else if (ref === 'amp') char = '&';
    else if (ref === 'quot') char = '"';
    else if (ref === 'apos') char = "'";
    else if (ref !== null && /^#[0-9]{1,7}$/.test(ref)) char = codePoint(ref.slice(1), 10);
    else if (ref !== null && /^#x[0-9A-Fa-f]{1,6}$/.test(ref)) char = codePoint(ref.slice(2), 16);
    if (char === null)
      fail(
        line,
        `in ${where}: only the five predefined entities and character references are read`,
      );
    out += char;
    at = semi + 1;
  }
}

function codePoint(digits: string, radix: 10 | 16): string | null {
  const value = parseCodePoint(digits, radix);
  const allowed =
    value === 0x9 ||
    value === 0xa ||
    value === 0xd ||
    (value >= 0x20 && value <= 0xd7ff) ||
    (value >= 0xe000 && value <= 0xfffd) ||
    (value >= 0x10000 && value <= 0x10ffff);
  return allowed ? String.fromCodePoint(value) : null;
}

function parseCodePoint(digits: string, radix: 10 | 16): number {
  let value = 0;
  for (const d of digits) {
    value = value * radix + '0123456789abcdef'.indexOf(d.toLowerCase());
    if (value > 0x10ffff) return -1;
  }
  return value;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Reads a document, handing each record to `onRecord`; throws MALFORMED_XML at the first fault. */
export function readXmlRecords(bytes: Uint8Array, options: XmlReadOptions): XmlReadResult {
  if (bytes.length > options.bytesMax)
    throw new DomainError(
      'PAYLOAD_TOO_LARGE',
      `The file has ${bytes.length} bytes; at most ${options.bytesMax} are read.`,
      'file',
    );
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new DomainError('MALFORMED_XML', 'The file is not UTF-8 text.', 'line 1');
  }
  let i = 0;
  let line = 1;
  let counted = 0;
  const lineAt = (pos: number): number => {
    for (let k = counted; k < pos; k += 1) if (s.charCodeAt(k) === 10) line += 1;
    if (pos > counted) counted = pos;
    return line;
  };
  if (s.startsWith('<?xml')) {
    const close = s.indexOf('?>');
    if (close < 0) fail(1, 'the XML declaration is not closed');
    const decl = s.slice(5, close);
    const encoding = /encoding\s*=\s*["']([^"']+)["']/.exec(decl)?.[1];
    if (encoding && encoding.toUpperCase() !== 'UTF-8')
      fail(1, `encoding ${encoding} is not read: send UTF-8`);
    if (!/version\s*=\s*["']1\.[01]["']/.test(decl))
      fail(1, 'the XML declaration has no version 1.0');
    i = close + 2;
  }
  const stack: Frame[] = [];
  const header = new Map<string, string>();
  const context = new Map<string, string>();
  let namespace = '';
  let rootSeen = false;
  let recordNodes = 0;
  let records = 0;

  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const textEnd = lt < 0 ? s.length : lt;
    if (textEnd > i) {
      const raw = s.slice(i, textEnd);
      const top = stack.at(-1);
      if (!top) {
        if (raw.trim() !== '') fail(lineAt(i), 'text outside the root element');
      } else {
        if (raw.includes(']]>')) fail(lineAt(i), `in ${top.name}: "]]>" in text`);
        top.text += decodeText(raw, lineAt(i), top.name);
        if (top.text.length > textCharsMax)
          fail(lineAt(i), `${top.name} holds more than ${textCharsMax} characters`);
      }
    }
    if (lt < 0) break;
    const at = lineAt(lt);
    if (s.startsWith('<!--', lt)) {
      const close = s.indexOf('-->', lt + 4);
      if (close < 0) fail(at, 'a comment is not closed');
      if (s.slice(lt + 4, close).includes('--')) fail(at, '"--" inside a comment');
      i = close + 3;
      continue;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      const top = stack.at(-1);
      if (!top) fail(at, 'CDATA outside the root element');
      const close = s.indexOf(']]>', lt + 9);
      if (close < 0) fail(at, `in ${top.name}: CDATA is not closed`);
      top.text += s.slice(lt + 9, close);
      if (top.text.length > textCharsMax)
        fail(at, `${top.name} holds more than ${textCharsMax} characters`);
      i = close + 3;
      continue;
    }
    if (s.startsWith('<!', lt))
      fail(at, 'declarations (<!DOCTYPE, <!ENTITY) are refused: no document type is read');
    if (s.startsWith('<?', lt)) fail(at, 'processing instructions are refused');
    if (s.startsWith('</', lt)) {
      nameRe.lastIndex = lt + 2;
      const m = nameRe.exec(s);
      if (!m) fail(at, 'a closing tag without a name');
      let j = lt + 2 + m[0].length;
      while (j < s.length && /\s/.test(s[j]!)) j += 1;
      if (s[j] !== '>') fail(at, `the closing tag of ${m[0]} is not closed`);
      const top = stack.pop();
      if (!top) fail(at, `</${m[0]}> closes nothing`);
      if (localName(m[0]) !== top.name)
        fail(at, `</${m[0]}> closes ${top.name} (opened on line ${top.line})`);
      closeFrame(top, stack);
      i = j + 1;
      continue;
    }
    nameRe.lastIndex = lt + 1;
    const m = nameRe.exec(s);
    if (!m) fail(at, 'a "<" that starts no element (write it as &lt;)');
    const name = localName(m[0]);
    let j = lt + 1 + m[0].length;
    const attributes: Record<string, string> = {};
    let count = 0;
    for (;;) {
      attributeRe.lastIndex = j;
      const a = attributeRe.exec(s);
      if (!a) break;
      count += 1;
      if (count > attributesMax) fail(at, `${name} has more than ${attributesMax} attributes`);
      if (Object.hasOwn(attributes, a[1]!)) fail(at, `${name} repeats the attribute ${a[1]}`);
      attributes[a[1]!] = decodeText(a[2] ?? a[3] ?? '', at, `${name}/@${a[1]}`);
      j = attributeRe.lastIndex;
    }
    while (j < s.length && /\s/.test(s[j]!)) j += 1;
    const selfClosing = s.startsWith('/>', j);
    if (!selfClosing && s[j] !== '>') fail(at, `the tag of ${name} is not closed properly`);
    i = j + (selfClosing ? 2 : 1);
    if (stack.length === 0) {
      if (rootSeen) fail(at, `a second root element ${name}`);
      rootSeen = true;
      if (name !== 'Document') fail(at, `the root element is ${name}, not Document`);
      const prefix = m[0].includes(':') ? m[0].slice(0, m[0].indexOf(':')) : null;
      namespace = (prefix ? attributes[`xmlns:${prefix}`] : attributes.xmlns) ?? '';
      if (!options.namespaces.includes(namespace))
        fail(
          at,
          `Document is in namespace "${namespace}", not one read here (${options.namespaces.join(', ')})`,
        );
    }
    if (stack.length >= depthMax) fail(at, `elements nest deeper than ${depthMax}`);
    const parent = stack.at(-1);
    if (parent) parent.hasChildren = true;
    let node: XmlNode | null = null;
    if (parent?.node || options.records.has(name)) {
      recordNodes = parent?.node ? recordNodes + 1 : 1;
      if (recordNodes > recordNodesMax)
        fail(at, `a ${name} record holds more than ${recordNodesMax} elements`);
      node = { name, attributes, children: [], text: '', line: at };
      parent?.node?.children.push(node);
    }
    const frame: Frame = { name, line: at, node, text: '', hasChildren: false };
    stack.push(frame);
    if (selfClosing) closeFrame(stack.pop()!, stack);
  }
  if (!rootSeen) fail(lineAt(s.length), 'no root element');
  if (stack.length > 0) fail(lineAt(s.length), `${stack.at(-1)!.name} is not closed`);
  return { namespace, header, records };

  function closeFrame(frame: Frame, rest: Frame[]): void {
    if (frame.node) {
      frame.node.text = frame.text.trim();
      if (!rest.at(-1)?.node) {
        records += 1;
        options.onRecord(frame.node, context);
      }
      return;
    }
    if (frame.hasChildren) {
      if (frame.text.trim() !== '') fail(frame.line, `${frame.name} mixes text and elements`);
      return;
    }
    const value = frame.text.trim();
    context.set(frame.name, value);
    const key = [...rest.map((f) => f.name), frame.name].join('/');
    if (!header.has(key) && header.size < headerPathsMax) header.set(key, value);
  }
}

/** The first descendant at a path of local names (`PmtId/EndToEndId`), or undefined. */
export function child(node: XmlNode, path: string): XmlNode | undefined {
  let at: XmlNode | undefined = node;
  for (const name of path.split('/')) {
    at = at?.children.find((c) => c.name === name);
    if (!at) return undefined;
  }
  return at;
}

/** Every child of a node with a local name. */
export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((c) => c.name === name);
}
