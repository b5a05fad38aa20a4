// The file gateway (the default): one JSON line per message appended to a file only its owner
// can read, `<TESSERA_DATA_DIR>/notices/sms.jsonl` unless TESSERA_SMS_FILE names another.
// Its fields are a contract — exactly {"id","to","personId","template","language","text","at"}
// in that order — that demos and browser tests read one-time codes from.
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OutgoingSms, SendResult, SmsGateway } from './gateway';

/** One line of the file gateway. */
export interface FileGatewayLine {
  id: string;
  to: string;
  personId: string;
  template: string;
  language: string;
  text: string;
  at: string;
}

/** A gateway that appends each message to `path`. */
export function fileGateway(path: string): SmsGateway {
  return {
    name: 'file',
    async send(sms: OutgoingSms): Promise<SendResult> {
      const line: FileGatewayLine = {
        id: sms.id,
        to: sms.to,
        personId: sms.personId,
        template: sms.template,
        language: sms.language,
        text: sms.text,
        at: sms.at,
      };
      if (!existsSync(path)) {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        appendFileSync(path, '', { mode: 0o600 });
      }
      // Made by someone else with a wider mode, or by an older release: one-time codes are
      // in it, so it is narrowed before anything is added.
      chmodSync(path, 0o600);
      appendFileSync(path, JSON.stringify(line) + '\n', { mode: 0o600 });
      return { messageIds: [sms.id] };
    },
    async close() {},
  };
}

/** The lines of a file gateway's file, oldest first ([] when it does not exist yet). */
export function readFileGateway(path: string): FileGatewayLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as FileGatewayLine;
      } catch {
        throw new Error(`${path}: line ${i + 1} is not JSON`);
      }
    });
}
