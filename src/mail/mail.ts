/** One mail as the service sends it: short, in plain text and HTML, never with a password or PHI. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The one link the mail is about, written to the log instead when no SMTP server is set up. */
  link?: string;
  /** Files sent along, such as a calendar entry. */
  attachments?: MailAttachment[];
}

/** A file a mail carries: its name, its media type and its content. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: string;
}

/** What a mail says: a few sentences and, at most, one link to follow. */
export interface MailContent {
  to: string;
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Said after the link, e.g. how long it stays valid. */
  closing?: string[];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

/**
 * The plain text and HTML of a mail from the same sentences, so the two never say different
 * things. Everything is escaped: a name or an address a user chose cannot add markup.
 */
export function composeMail({ to, subject, paragraphs, action, closing = [] }: MailContent): Mail {
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), ...closing].join('\n\n');
  const html = [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(action ? [`<p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>`] : []),
    ...closing.map((p) => `<p>${escapeHtml(p)}</p>`),
  ].join('\n');
  return { to, subject, text: `${text}\n`, html: `<!doctype html>\n<html><body>\n${html}\n</body></html>\n`, link: action?.url };
}
