import { InvalidFieldError } from '../core/errors';
import { bareHost, isPublicAddress, resolveAll } from './public-address';

/** The longest a registration waits for the URL's host to resolve. */
const LOOKUP_TIMEOUT_MS = 5_000;

/**
 * Checks a URL an endpoint is registered with (or moved to): http or https, and, unless private
 * addresses are allowed, a host that resolves only to public addresses. Every delivery checks the
 * addresses again as it connects (a name can change what it resolves to); this check tells the
 * integrator at once. A 400 naming `url` otherwise.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw InvalidFieldError.of('url', 'url must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw InvalidFieldError.of('url', 'url must be an http:// or https:// URL');
  if (url.hash) throw InvalidFieldError.of('url', 'url must not have a fragment (#…)');
  if (allowPrivate) return url.toString();
  const host = bareHost(url);
  let addresses: string[];
  try {
    addresses = await Promise.race([
      resolveAll(host),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), LOOKUP_TIMEOUT_MS).unref()),
    ]);
  } catch {
    throw InvalidFieldError.of('url', `url's host ${host} does not resolve`);
  }
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) {
    throw InvalidFieldError.of('url', 'url must reach a public address: loopback, private, link-local and similar addresses are refused');
  }
  return url.toString();
}
