// One place that turns every failure into `{ "error": { "code", "message", "field" } }`.
// No stack traces, SQL or internal messages ever leave the server.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionLoss } from '../db';
import { DomainError } from '../shared/errors';

/** The JSON body of an error response. */
export function errorBody(
  code: string,
  message: string,
  field?: string,
  details?: Record<string, unknown>,
) {
  return { error: { code, message, ...(field ? { field } : {}), ...(details ? { details } : {}) } };
}

/** Fastify's own errors (body parsing, size, content type) in our words. */
function fromFastify(error: FastifyError): DomainError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError(
        'MALFORMED_JSON',
        `The request body is not valid JSON: ${error.message.replace(/^.*?:\s*/, '')}`,
        'body',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError(
        'PAYLOAD_TOO_LARGE',
        'The request body is larger than this route accepts.',
        'body',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        'This route does not accept that content type.',
        'content-type',
      );
    default:
      break;
  }
  if (error.statusCode === 429)
    return new DomainError('RATE_LIMITED', 'Too many requests; slow down and try again shortly.');
  if (error.statusCode === 413)
    return new DomainError(
      'PAYLOAD_TOO_LARGE',
      'The request body is larger than this route accepts.',
      'body',
    );
  if (error.statusCode === 415)
    return new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      'This route does not accept that content type.',
      'content-type',
    );
  if (error instanceof SyntaxError)
    return new DomainError(
      'MALFORMED_JSON',
      `The request body is not valid JSON: ${error.message}`,
      'body',
    );
  if (error.statusCode === 400) return new DomainError('BAD_REQUEST', 'The request is malformed.');
  // A plugin's refusal (the documentation's static files): not a fault of ours.
  if (error.statusCode === 403 || error.statusCode === 404)
    return new DomainError('NOT_FOUND', 'There is nothing here.');
  return null;
}

/** A domain's own error type turned into a response; null when the error is not its type. */
export type ErrorTranslator = (
  error: unknown,
) => { status: number; code: string; message: string } | null;

/** The Fastify error handler, trying each domain's translator first. */
export function errorHandler(translators: readonly ErrorTranslator[]) {
  return function handleError(
    error: FastifyError | DomainError | Error,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    for (const translate of translators) {
      const translated = translate(error);
      if (translated) {
        void reply.status(translated.status).send(errorBody(translated.code, translated.message));
        return;
      }
    }
    handleGenericError(error, request, reply);
  };
}

function handleGenericError(
  error: FastifyError | DomainError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const domain = error instanceof DomainError ? error : fromFastify(error as FastifyError);
  if (domain) {
    void reply
      .status(domain.status)
      .send(errorBody(domain.code, domain.message, domain.field, domain.details));
    return;
  }
  if (isConnectionLoss(error)) {
    // A failover or restart cut the connection under this request: not a bug, and the client
    // can do something about it — send it again, with the same Idempotency-Key.
    request.log.warn({ err: { message: error.message } }, 'database connection lost');
    void reply
      .status(503)
      .header('retry-after', '1')
      .send(
        errorBody(
          'DATABASE_UNAVAILABLE',
          'The database did not answer for a moment (a failover or a restart). Send the request again, with the same Idempotency-Key: it is applied at most once.',
        ),
      );
    return;
  }
  request.log.error({ err: { message: error.message, stack: error.stack } }, 'unhandled error');
  void reply
    .status(500)
    .send(
      errorBody(
        'INTERNAL',
        'Something went wrong on our side. It has been logged; please try again.',
      ),
    );
}
