/** A header value with a line break would split the request: refused before anything is sent. */
export class InvalidHeaderError extends Error {
  readonly code = 'INVALID_UPSTREAM_HEADER';
}

/**
 * The request line and header block of an upstream request, `headers` flat as [name, value, ...]
 * in the order given. Adds Host when absent, and the framing of the body: Content-Length for a
 * buffer (replacing any given), Transfer-Encoding: chunked for a stream of unknown length.
 */
export function requestHead(method: string, path: string, headers: readonly string[], host: string, body: 'none' | number | 'stream'): { head: string; chunked: boolean } {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let hasHost = false;
  let hasLength = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    if (value.includes('\n') || value.includes('\r') || name.includes('\n') || name.includes('\r')) {
      throw new InvalidHeaderError(`header '${name.slice(0, 40)}' holds a line break`);
    }
    if (name.length === 4 && name.toLowerCase() === 'host') hasHost = true;
    else if (name.length === 14 && name.toLowerCase() === 'content-length') {
      if (typeof body === 'number') continue;
      hasLength = true;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') continue;
    head += `${name}: ${value}\r\n`;
  }
  if (!hasHost) head += `host: ${host}\r\n`;
  let chunked = false;
  if (typeof body === 'number') head += `content-length: ${body}\r\n`;
  else if (body === 'stream' && !hasLength) {
    head += 'transfer-encoding: chunked\r\n';
    chunked = true;
  }
  return { head: head + '\r\n', chunked };
}
