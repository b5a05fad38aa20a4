// The browser bundle for the offline card check: the same verifier the server and the
// `tessera verify` command run, plus jsQR to read a QR code from a photo. Bundled by the
// server at start (src/http/routes/web.ts); nothing here may need Node.
export { readRevocationList, readTrustList, verifyCard } from '../src/credentials/verifier';
export { default as jsQR } from 'jsqr';
