import { composeMail, Mail } from '../mail/mail';
import type { ClinicRole } from './clinic-member.entity';

/** Tells an account it was invited to a clinic, and how to answer. */
export function clinicInvitationMail(to: string, clinic: { id: number; name: string }, role: ClinicRole): Mail {
  return composeMail({
    to,
    subject: `You are invited to join ${clinic.name}`,
    paragraphs: [
      `A manager of the clinic "${clinic.name}" invited your account to join it as ${role}.`,
      `Accept with POST /api/clinics/${clinic.id}/membership/accept/, or decline with POST /api/clinics/${clinic.id}/membership/decline/.`,
    ],
  });
}
