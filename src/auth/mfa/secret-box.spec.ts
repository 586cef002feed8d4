import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';

const KEY = 'k'.repeat(40);
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('SecretBox', () => {
  it('opens what it sealed, for the same account, and seals the same secret differently each time', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal(SECRET, 7);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(SECRET);
    expect(box.open(sealed, 7)).toBe(SECRET);
    expect(box.seal(SECRET, 7)).not.toBe(sealed);
  });

  it('opens nothing for another account, under another key, or tampered with', () => {
    const sealed = new SecretBox(KEY).seal(SECRET, 7);
    expect(new SecretBox(KEY).open(sealed, 8)).toBeNull();
    expect(new SecretBox('o'.repeat(40)).open(sealed, 7)).toBeNull();
    const [version, iv, tag, ciphertext] = sealed.split('.');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(new SecretBox(KEY).open([version, iv, tag, flipped.toString('base64url')].join('.'), 7)).toBeNull();
    expect(new SecretBox(KEY).open('v2.' + sealed.slice(3), 7)).toBeNull();
    expect(new SecretBox(KEY).open('garbage', 7)).toBeNull();
  });
});
