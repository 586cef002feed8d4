import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  it("works out helmet's headers for the given options once", () => {
    const headers = securityHeaders({ contentSecurityPolicy: false, xFrameOptions: { action: 'deny' } });
    expect(headers).toMatchObject({
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Strict-Transport-Security': expect.stringContaining('max-age=') as string,
      'Referrer-Policy': 'no-referrer',
    });
    expect(Object.keys(headers)).not.toContain('Content-Security-Policy');
  });

  it('follows the options', () => {
    expect(securityHeaders({ contentSecurityPolicy: false, xFrameOptions: { action: 'sameorigin' } })['X-Frame-Options']).toBe(
      'SAMEORIGIN',
    );
  });
});
