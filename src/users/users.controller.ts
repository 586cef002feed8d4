import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser, Roles } from '../core/auth/decorators';
import { ParseIdPipe } from '../core/http/id';
import { ApiIdParam } from '../core/openapi/decorators';
import { Page, Paginated } from '../core/pagination/pagination';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserDto } from './dto/user.dto';
import { Role } from '../core/auth/role';
import { UsersService } from './users.service';

/** Account administration, for admins only. */
@ApiTags('users')
@Roles(Role.Admin)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /**
   * List accounts.
   * @remarks Admins only. Every account, active or not, in order of id unless `ordering` says otherwise. Filter with `search`, `role` and `is_active`; sort with `ordering` (by `last_login`, accounts that never logged in come last either way).
   */
  @Get()
  @Paginated(UserDto)
  listUsers(@Query() query: ListUsersQuery): Promise<Page<UserDto>> {
    return this.users.list(query);
  }

  /**
   * Get one account.
   * @remarks Admins only.
   */
  @Get(':id')
  @ApiIdParam('id', 'User id.')
  @ApiOkResponse({ type: UserDto, description: 'The account.' })
  @ApiNotFoundResponse({ description: 'No account with this id.' })
  getUser(@Param('id', ParseIdPipe) id: number): Promise<UserDto> {
    return this.users.get(id);
  }

  /**
   * Change an account's role or email, or deactivate or reactivate it.
   * @remarks Admins only. Deactivating an account ends its sessions at once: its refresh tokens are revoked and its access tokens refused. A new email must be free as at registration, and the account logs in with it at once. Audited.
   */
  @Patch(':id')
  @ApiIdParam('id', 'User id.')
  @ApiOkResponse({ type: UserDto, description: 'The account as changed.' })
  @ApiNotFoundResponse({ description: 'No account with this id.' })
  @ApiConflictResponse({
    description: 'The email is taken (`errors.email`), or an admin tried to deactivate their own account or remove their own admin role.',
  })
  updateUser(@Param('id', ParseIdPipe) id: number, @Body() changes: UpdateUserDto, @CurrentUser() admin: AuthUser): Promise<UserDto> {
    return this.users.update(id, changes, admin);
  }
}
