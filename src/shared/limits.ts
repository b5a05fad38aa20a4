// Limits on everything, in one place. Units last.

/** Largest JSON request body. */
export const requestBodyBytesMax = 1024 * 1024;
/** Largest file accepted by the HTTP import route. */
export const importUploadBytesMax = 50 * 1024 * 1024;
/** Most rows returned in one page. */
export const pageSizeMax = 200;
/** Default page size. */
export const pageSizeDefault = 50;
/**
 * Longest name a card prints and signs, in characters (Unicode code points after NFC, as
 * the card counts them): the given names, and the surnames joined by a space, each at most
 * this. Enrolment, corrections and name changes refuse longer names (registry/person-input.ts),
 * so that every person enrolled can be carded. 64 because a card with the longest names,
 * 64 + 64 characters, needs QR version 13 at error correction level M (a typical card
 * version 10), which still scans from the printed card (credentials/render-card.test.ts).
 */
export const nameCharsMax = 64;
/** Longest free-text field (address line, reason). */
export const textCharsMax = 500;
/** Most custom attributes on one person. */
export const attributesPerPersonMax = 100;
/** Rows written per import transaction. */
export const importBatchRows = 20_000;
/** Rejected rows kept in an import report. */
export const importReportRejectsMax = 1000;
/** Longest CSV line accepted by an import. */
export const importLineCharsMax = 64 * 1024;
/**
 * Persons one staff member may be shown in a sliding hour, by default (TESSERA_READ_LIMIT_PER_HOUR;
 * privacy/read-volume.ts). A registration office never comes near it; copying a region does.
 */
export const readLimitPerHourDefault = 2000;

/** The time zone dates are shown in when TESSERA_TIME_ZONE is not set (the demo's). */
export const defaultTimeZone = 'America/Caracas';
