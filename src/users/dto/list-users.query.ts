import { Role, ROLES } from '../../core/auth/role';
import { orderingChoices, OrderingFilter } from '../../core/pagination/ordering';
import { PageQueryDto } from '../../core/pagination/pagination';
import { BooleanFilter, EnumField, StringField } from '../../core/validation/fields';

export const USER_ORDERING = orderingChoices(['id', 'username', 'email', 'date_joined', 'last_login']);

/** `GET /api/users/`: a page of accounts, filtered and ordered. */
export class ListUsersQuery extends PageQueryDto {
  @StringField({ min: 1, max: 100, optional: true, description: 'Matches part of the username, email, name or phone, ignoring case.' })
  search?: string;

  @EnumField(ROLES, { optional: true, enumName: 'Role', description: 'Only the accounts with this role.' })
  role?: Role;

  @BooleanFilter('true: active accounts only; false: deactivated ones only.')
  is_active?: boolean;

  @OrderingFilter(USER_ORDERING)
  ordering: string = 'id';
}
