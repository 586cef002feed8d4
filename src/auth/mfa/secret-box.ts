import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts the TOTP secrets at rest (AES-256-GCM), so a copy of the database alone does not give
 * anybody an account's codes. The key is derived from MFA_ENCRYPTION_KEY by HKDF; the account's id
 * is authenticated with each secret, so a ciphertext copied onto another account does not open.
 * Stored as `v1.<iv>.<tag>.<ciphertext>` (base64url), the version naming the scheme for a later one.
 */
export class SecretBox {
  private readonly key: Buffer;

  /**
   * `purpose` names what is sealed: its key is derived for it alone (another purpose's box opens
   * nothing of this one's), and `record` names the kind of record whose id is bound to each secret.
   */
  constructor(
    setting: string,
    private readonly purpose: { info: string; record: string } = { info: 'healthcare-backend mfa totp secret', record: 'user' },
  ) {
    this.key = Buffer.from(hkdfSync('sha256', setting, '', purpose.info, 32));
  }

  seal(secret: string, userId: number): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad(userId));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The secret, or null when the stored value does not open with this key for this account (a changed key, a tampered row). */
  open(sealed: string, userId: number): string | null {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(this.aad(userId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  private aad(id: number): Buffer {
    return Buffer.from(`${this.purpose.record}:${id}`, 'utf8');
  }
}
