// The QR symbol of a card. Base45 uses exactly the QR alphanumeric alphabet, so the text is
// encoded in alphanumeric mode (5.5 bits a character) at error correction M (15% damage).
import QRCode from 'qrcode';

/** QR error correction levels, from least to most redundancy. */
export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';

/** A QR symbol: its version and its dark modules. */
export interface QrSymbol {
  version: number;
  size: number;
  isDark(row: number, col: number): boolean;
}

/** The QR symbol for card QR text (alphanumeric mode), at `level` (default M). */
export function encodeQr(qrText: string, level: QrErrorCorrection = 'M'): QrSymbol {
  const isAlphanumeric = /^[0-9A-Z $%*+\-./:]*$/.test(qrText);
  const qr = QRCode.create(isAlphanumeric ? [{ data: qrText, mode: 'alphanumeric' }] : qrText, {
    errorCorrectionLevel: level,
  });
  const size = qr.modules.size;
  return { version: qr.version, size, isDark: (row, col) => qr.modules.get(row, col) === 1 };
}
