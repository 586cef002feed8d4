import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ParseIdPipe } from '../core/http/id';
import { ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser, Roles } from '../core/auth/decorators';
import { Page, PageQueryDto, Paginated } from '../core/pagination/pagination';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserDto } from './dto/user.dto';
import { Role } from './role';
import { UsersService } from './users.service';

/** Account administration, for admins only. */
@ApiTags('users')
@Roles(Role.Admin)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** List all accounts. */
  @Get()
  @Paginated(UserDto)
  listUsers(@Query() query: PageQueryDto): Promise<Page<UserDto>> {
    return this.users.list(query);
  }

  /** Get one account. */
  @Get(':id')
  @ApiNotFoundResponse()
  getUser(@Param('id', ParseIdPipe) id: number): Promise<UserDto> {
    return this.users.get(id);
  }

  /** Change an account's role or deactivate it; deactivation ends its sessions. */
  @Patch(':id')
  @ApiNotFoundResponse()
  updateUser(@Param('id', ParseIdPipe) id: number, @Body() changes: UpdateUserDto, @CurrentUser() admin: AuthUser): Promise<UserDto> {
    return this.users.update(id, changes, admin);
  }
}
