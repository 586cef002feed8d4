import { SMTPServer } from 'smtp-server';

/**
 * An SMTP server on loopback that takes every mail and keeps none: production insists on
 * SMTP_URL, and the mails the runs cause (a registration's, later) must neither fail nor leave.
 * Resolves to its smtp:// URL and a close function.
 */
export async function startSmtpSink() {
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${server.server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}
