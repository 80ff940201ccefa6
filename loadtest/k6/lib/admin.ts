import { ADMIN_TOKEN } from './env.ts';

/**
 * Headers for a JSON call to the admin listener. Off loopback (Compose, Kubernetes) the gateway
 * answers 401 without its bearer token, so ADMIN_TOKEN carries the gateway's SWITCHYARD_ADMIN_TOKEN.
 */
export function adminHeaders(): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (ADMIN_TOKEN !== '') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  return headers;
}
