// A small streaming XML writer: elements go out as they are written, buffered into chunks of
// 64 KiB and handed to a stream that is waited on when full, so that a file of a million
// payments is written in flat memory. It writes only what pain.001 needs: elements, one level
// of attributes, escaped text; names are the caller's constants, never input.
import type { Writable } from 'node:stream';
import { once } from 'node:events';

const chunkChars = 64 * 1024;

/** Text escaped for an element or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

/** Writes XML to a stream, a chunk at a time. */
export class XmlStreamWriter {
  private buffer = '';
  private readonly open: string[] = [];

  constructor(private readonly out: Writable) {}

  /** The XML declaration. */
  declaration(): void {
    this.buffer += '<?xml version="1.0" encoding="UTF-8"?>\n';
  }

  /** Opens an element (with attributes). */
  start(name: string, attributes: Readonly<Record<string, string>> = {}): void {
    let tag = `<${name}`;
    for (const [k, v] of Object.entries(attributes)) tag += ` ${k}="${escapeXml(v)}"`;
    this.buffer += `${tag}>`;
    this.open.push(name);
  }

  /** Closes the innermost open element. */
  end(): void {
    const name = this.open.pop();
    if (name === undefined) throw new Error('invariant violated: no open XML element to close');
    this.buffer += `</${name}>`;
  }

  /** An element holding text (with attributes). */
  leaf(name: string, text: string, attributes: Readonly<Record<string, string>> = {}): void {
    let tag = `<${name}`;
    for (const [k, v] of Object.entries(attributes)) tag += ` ${k}="${escapeXml(v)}"`;
    this.buffer += `${tag}>${escapeXml(text)}</${name}>`;
  }

  /** Hands what is buffered to the stream once it is large, waiting while the stream is full. */
  async flushIfFull(): Promise<void> {
    if (this.buffer.length >= chunkChars) await this.flush();
  }

  /** Hands everything buffered to the stream. */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.out.write(chunk, 'utf8')) await once(this.out, 'drain');
  }

  /** Checks every element was closed, and writes the rest. */
  async finish(): Promise<void> {
    if (this.open.length > 0)
      throw new Error(`invariant violated: XML element ${this.open.at(-1)} left open`);
    this.buffer += '\n';
    await this.flush();
  }
}
