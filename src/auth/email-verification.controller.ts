import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../core/auth/decorators';
import { Origin, RequestOrigin } from '../core/http/request-origin';
import { StrictThrottle } from '../core/throttling/throttling';
import { ResendVerificationDto, VerifyEmailDto } from './dto/passwords.dto';
import { EmailVerificationService } from './email-verification.service';

/** Proving that an account's email address is its owner's. */
@ApiTags('auth')
@Controller('auth/email/verify')
export class EmailVerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  /**
   * Verify an e-mail address with the token of a verification link.
   * @remarks The link's address becomes the account's email, verified (`email_verified: true`): the address given at registration, or a new one the owner asked to move to. Single use; valid for `EMAIL_VERIFICATION_TTL` (24 hours). Rate limited by the strict per-address budget.
   */
  @Public()
  @StrictThrottle()
  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The address is verified.' })
  @ApiBadRequestResponse({ description: 'The token is invalid, used or expired (`errors.token`).' })
  @ApiConflictResponse({ description: 'The new address was taken by another account meanwhile.' })
  verify(@Body() dto: VerifyEmailDto, @Origin() origin: RequestOrigin): Promise<void> {
    return this.verification.verify(dto.token, origin);
  }

  /**
   * Ask for a new verification link.
   * @remarks Answers 202 at once whether or not such an account exists; an active account whose address is not verified yet gets a new link, and its older links stop working. Rate limited by the strict per-address budget.
   */
  @Public()
  @StrictThrottle()
  @Post('resend')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ description: 'If the account exists and is not verified, a link is on its way.' })
  @ApiBadRequestResponse({ description: 'Neither a valid email nor a username.' })
  resend(@Body() dto: ResendVerificationDto): void {
    this.verification.resend(dto);
  }
}
