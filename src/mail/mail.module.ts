import { Global, Module } from '@nestjs/common';
import { Mailer } from './mailer';

/** The one mail sender, for every feature that mails its users. */
@Global()
@Module({ providers: [Mailer], exports: [Mailer] })
export class MailModule {}
