import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { ParseIdPipe } from '../core/http/id';
import { DeletesRecord } from '../core/openapi/routes';
import { Page, PageQueryDto, Paginated } from '../core/pagination/pagination';
import { SessionDto } from './dto/session.dto';
import { AuthService } from './auth.service';

/** The caller's own sessions: each login, listed and ended. */
@ApiTags('auth')
@Controller('auth')
export class SessionsController {
  constructor(private readonly auth: AuthService) {}

  /**
   * List the caller's sessions.
   * @remarks Every login that has neither ended nor expired, the most recently used first, with the client and address it came from; `current` marks the one asking.
   */
  @Get('sessions')
  @Paginated(SessionDto)
  listSessions(@CurrentUser() caller: AuthUser, @Query() query: PageQueryDto): Promise<Page<SessionDto>> {
    return this.auth.sessions(caller, query);
  }

  /**
   * End one of the caller's sessions.
   * @remarks Its refresh tokens stop working at once; an access token it already issued stays valid until it expires (`JWT_ACCESS_TTL`). To end those too, log out everywhere.
   */
  @Delete('sessions/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @DeletesRecord({ id: 'Session id.', description: 'The session is over.', notFound: 'No live session of the caller has this id.' })
  endSession(@CurrentUser() caller: AuthUser, @Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.auth.endSession(caller, id);
  }

  /**
   * Log out everywhere.
   * @remarks Ends every session of the caller's account, this one included, and every access token issued until now.
   */
  @Post('logout/all')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Every session is over.' })
  logoutAll(@CurrentUser() caller: AuthUser): Promise<void> {
    return this.auth.logoutAll(caller);
  }
}
