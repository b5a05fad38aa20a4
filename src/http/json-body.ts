import { DomainError } from '../shared/errors';

/** Parses a JSON body; a syntax error names the line and column, and is never partly applied. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '')
    throw new DomainError(
      'MALFORMED_JSON',
      'The request body is empty; send a JSON object.',
      'body',
    );
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /position (\d+)/.exec(message);
    let where = 'body';
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      where = `body line ${line} column ${column}`;
    }
    throw new DomainError(
      'MALFORMED_JSON',
      `The request body is not valid JSON (${where}): ${message.replace(/ in JSON at position \d+.*$/, '')}.`,
      where,
    );
  }
}
