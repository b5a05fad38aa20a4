import { DomainError } from './errors';

/**
 * Decodes a stream of byte chunks as UTF-8, carrying a character split across two chunks
 * over to the next (a plain Buffer#toString per chunk would turn "í" at a boundary into two
 * replacement characters). Bytes that are not UTF-8 are refused with `code`, naming the line.
 */
export function utf8Chunks(code: 'MALFORMED_CSV' | 'MALFORMED_JSON') {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk: string | Buffer | undefined, line: () => number): string => {
    if (typeof chunk === 'string') return chunk;
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch {
      throw new DomainError(
        code,
        `line ${line()}: the file is not valid UTF-8 text (save it as UTF-8)`,
        `line ${line()}`,
      );
    }
  };
  return decode;
}
