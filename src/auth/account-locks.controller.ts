import { Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser, Roles } from '../core/auth/decorators';
import { Role } from '../core/auth/role';
import { ParseIdPipe } from '../core/http/id';
import { ApiIdParam } from '../core/openapi/decorators';
import { ApiProblems } from '../core/openapi/routes';
import { LockoutService } from './lockout.service';

/** An admin's hand on the lockout: the users routes that belong to the auth feature. */
@ApiTags('users')
@Controller('users')
export class AccountLocksController {
  constructor(private readonly lockout: LockoutService) {}

  /**
   * Unlock an account.
   * @remarks Lifts a lock that failed logins put on the account (its `locked_until`) and starts their count again. Admins only.
   */
  @Roles(Role.Admin)
  @Post(':id/unlock')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiIdParam('id', 'User id.')
  @ApiNoContentResponse({ description: 'The account can log in again.' })
  @ApiProblems({ notFound: 'No account has this id.', forbidden: 'Only admins unlock accounts.' })
  unlock(@Param('id', ParseIdPipe) id: number, @CurrentUser() admin: AuthUser): Promise<void> {
    return this.lockout.unlock(id, admin);
  }
}
