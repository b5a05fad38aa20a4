// Reading the card's QR from the camera: the browser's own BarcodeDetector where it has one
// that reads QR codes, else the ZXing (WebAssembly) detector of `barcode-detector`. The wasm
// is bundled by our build and served by our server — never fetched from a CDN, which is the
// library's default — so that scanning works with no network once the app is kept offline.
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

/** What a detector gives back (the part we use). */
interface Detector {
  detect(source: HTMLVideoElement): Promise<Array<{ rawValue: string }>>;
}

interface NativeDetectorClass {
  new (options: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
}

let made: Promise<Detector> | undefined;

/** The detector to use on this browser (made once). */
export function qrDetector(): Promise<Detector> {
  made ??= (async () => {
    const native = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
    if (native) {
      const formats = await native.getSupportedFormats().catch(() => [] as string[]);
      if (formats.includes('qr_code')) return new native({ formats: ['qr_code'] });
    }
    const zxing = await import('barcode-detector/ponyfill');
    zxing.prepareZXingModule({
      overrides: {
        locateFile: (path: string, prefix: string) =>
          path.endsWith('.wasm') ? new URL(wasmUrl, location.href).href : prefix + path,
      },
    });
    return new zxing.BarcodeDetector({ formats: ['qr_code'] });
  })();
  return made;
}

/** A running scan: stop it to release the camera. */
export interface Scan {
  stop(): void;
}

/**
 * Opens the back camera into `video` and reads frames until a QR code is found (then stops and
 * calls `found`), `stop` is called, or `limitMs` passes (then calls `failed`).
 */
export async function startScan(
  video: HTMLVideoElement,
  found: (text: string) => void,
  failed: (error: Error) => void,
  limitMs = 120_000,
): Promise<Scan> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 } },
    audio: false,
  });
  let running = true;
  const stop = () => {
    running = false;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  const detector = await qrDetector();
  const until = Date.now() + limitMs;
  const tick = async () => {
    if (!running) return;
    if (Date.now() > until) {
      stop();
      failed(new Error('timeout'));
      return;
    }
    try {
      if (video.readyState >= 2) {
        const codes = await detector.detect(video);
        const text = codes.find((c) => c.rawValue)?.rawValue;
        if (text && running) {
          stop();
          found(text);
          return;
        }
      }
    } catch (e) {
      stop();
      failed(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    setTimeout(() => void tick(), 200);
  };
  void tick();
  return { stop };
}
