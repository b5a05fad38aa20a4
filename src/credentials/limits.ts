// Every input a verifier reads is bounded before it is read. The numbers come from the QR
// standard (the largest QR holds 4,296 alphanumeric characters) and from the card format
// (a card is a few hundred bytes); they leave room for other Claim 169 issuers' QRs with a
// small photo or template, and nothing more.

/** The most characters a QR code can hold in alphanumeric mode (version 40, level L). */
export const qrTextCharsMax = 4296;

/** Base45 turns 2 bytes into 3 characters, so this is the most a QR can carry compressed. */
export const compressedBytesMax = Math.floor((qrTextCharsMax / 3) * 2);

/** Decompressed COSE message size; a zlib bomb is stopped while streaming at this size. */
export const coseBytesMax = 16 * 1024;

/** Nesting depth of any CBOR item a card may contain (card claims need 4). */
export const cborDepthMax = 16;

/** CBOR data items (including map keys) in one decoded structure. */
export const cborItemsMax = 1024;

/** Entries in the CWT claims map or the Claim 169 map. */
export const claimsMax = 64;

/** UTF-8 bytes of any text string inside a card. */
export const textBytesMax = 1024;

/** Bytes of any byte string inside a card (a small photo or template at most). */
export const byteStringBytesMax = 12 * 1024;

/** Longest issuer URI written to a card's `iss`, in characters (every one costs QR space). */
export const issuerCharsMax = 128;

/** Longest registry number, in characters. */
export const registryNumberCharsMax = 32;

/** Largest photo Tessera will put in a card when a deployment turns photos on. */
export const photoBytesMax = 2048;

/** Keys in one trust list. */
export const trustListKeysMax = 64;

/** Size of a signed trust-list or revocation-list document, in bytes of JSON. */
export const signedDocumentBytesMax = 4 * 1024 * 1024;

/** Bits in one revocation status list (card serials from 0 to this minus one). */
export const revocationListBitsMax = 64 * 1024 * 1024;

/**
 * Smallest revocation list, in bits: the W3C Bitstring Status List's 16 KiB minimum, so that
 * a list never reveals how few cards were issued and every verifier downloads the same list.
 */
export const revocationListBitsMin = 16 * 1024 * 8;

/** Keys a verifier tries when a card names no key id. */
export const candidateKeysMax = 8;

/** Clock difference tolerated between issuer and verifier for not-before and issued-at. */
export const clockSkewSecondsDefault = 300;
