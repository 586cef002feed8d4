import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { SecretBox } from '../auth/mfa/secret-box';

/** `whsec_` and 32 random bytes in base64: the form Standard Webhooks libraries take as is. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Seals the endpoints' secrets under MFA_ENCRYPTION_KEY, with a key of their own, each bound to its endpoint's id. */
export function webhookSecretBox(encryptionKey: string): SecretBox {
  return new SecretBox(encryptionKey, { info: 'healthcare-backend webhook signing secret', record: 'webhook_endpoint' });
}

/**
 * The `webhook-signature` header of a Standard Webhooks delivery: `v1,<base64 HMAC-SHA256>` over
 * `<id>.<timestamp>.<body>` for each secret, space-separated (during a rotation's overlap, the old
 * and the new secret both sign, so a receiver that has either accepts it).
 */
export function signatureOf(secrets: string[], id: string, at: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' ');
}
