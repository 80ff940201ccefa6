import type { IncomingMessage } from 'node:http';
import { SwitchyardError } from '../../protocol/errors.js';
import { GatewayErrorCode, methodNotAllowed } from '../errors.js';

/**
 * Changes need `content-type: application/json`: a browser cannot send that cross-site without a
 * CORS preflight, which this listener never grants, so a web page the operator has open cannot
 * move traffic through a token-less admin API on loopback.
 */
export function requireJson(req: IncomingMessage): void {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new SwitchyardError('UNSUPPORTED_MEDIA_TYPE', 415, `admin changes must be sent with content-type: application/json; received ${type === '' ? 'none' : `'${type}'`}`);
  }
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new SwitchyardError(GatewayErrorCode.INVALID_JSON, 400, `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function requireMethod(method: string, path: string, allowed: string): void {
  if (method !== allowed) throw methodNotAllowed(method, path, allowed);
}

/** A percent-decoded path segment (a route name or experiment id). */
export function decodeSegment(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new SwitchyardError(GatewayErrorCode.INVALID_REQUEST, 400, `the ${what} '${segment}' has a malformed percent-encoding`);
  }
}
