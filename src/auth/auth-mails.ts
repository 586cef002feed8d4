import { composeMail, type Mail } from '../mail/mail';

/** Minutes, as a mail says them. */
const minutes = (seconds: number) => `${Math.round(seconds / 60)} minutes`;
/** Days, as a mail says them. */
const days = (seconds: number) => `${Math.round(seconds / 86_400)} days`;

/** The reset link, with nothing about the account but that someone asked. */
export function passwordResetMail(to: string, link: string, ttlSeconds: number): Mail {
  return composeMail({
    to,
    subject: 'Reset your password',
    paragraphs: ['Someone, probably you, asked to reset the password of your account.'],
    action: { label: 'Choose a new password', url: link },
    closing: [
      `The link works once, for ${minutes(ttlSeconds)}. If you did not ask for it, ignore this mail: your password stays as it is.`,
    ],
  });
}

/** Told after the password changed, so an owner who did not change it learns of it. */
export function passwordChangedMail(to: string): Mail {
  return composeMail({
    to,
    subject: 'Your password was changed',
    paragraphs: [
      'The password of your account was just changed, and every other session of the account was ended.',
      'If you did not do this, reset your password at once and tell your administrator.',
    ],
  });
}

/** Told when too many wrong passwords locked the account, with the way back in. */
export function accountLockedMail(to: string, until: Date, link: string): Mail {
  return composeMail({
    to,
    subject: 'Your account is locked for a while',
    paragraphs: [
      `After too many wrong passwords in a row, logging in to your account is blocked until ${until.toISOString().replace(/\.\d+Z$/, 'Z')} (UTC).`,
      'If that was not you, someone may be guessing your password: choosing a new one also unlocks the account.',
    ],
    action: { label: 'Choose a new password', url: link },
  });
}

/** The link that proves the address is the account owner's. */
export function verifyEmailMail(to: string, link: string, ttlSeconds: number): Mail {
  return composeMail({
    to,
    subject: 'Confirm your e-mail address',
    paragraphs: ['Please confirm that this address belongs to your account.'],
    action: { label: 'Confirm the address', url: link },
    closing: [`The link works once, for ${Math.round(ttlSeconds / 3600)} hours. If you did not ask for an account, ignore this mail.`],
  });
}

/** To the owner of an account an admin made: its username and a link to choose its first password. */
export function accountCreatedMail(to: string, username: string, link: string, ttlSeconds: number): Mail {
  return composeMail({
    to,
    subject: 'An account was made for you',
    paragraphs: [
      'An administrator made an account for you.',
      `Your username is ${username}; you can also log in with this email address once you have chosen a password.`,
    ],
    action: { label: 'Choose your password', url: link },
    closing: [`The link works once, for ${days(ttlSeconds)}. If it has expired, ask for a password reset or ask your administrator.`],
  });
}
