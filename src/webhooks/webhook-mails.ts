import { composeMail, type Mail } from '../mail/mail';

/** Told to an endpoint's creator when failed deliveries disabled it, with what to do about it. */
export function webhookDisabledMail(to: string, endpointId: number, failures: number, publicUrl: string): Mail {
  return composeMail({
    to,
    subject: 'A webhook was disabled after failed deliveries',
    paragraphs: [
      `Webhook ${endpointId} did not accept ${failures} deliveries in a row, each retried until it gave up, so no more events are sent to it.`,
      `Once the receiver works again, turn the webhook on (PATCH /api/webhooks/${endpointId}/ with "active": true) and replay what it missed (POST /api/webhooks/${endpointId}/replay/).`,
    ],
    action: { label: 'See its deliveries', url: `${publicUrl}/api/webhooks/${endpointId}/deliveries/` },
  });
}
