import { RefreshToken } from '../../auth/refresh-token.entity';
import { User } from '../../users/user.entity';

/** Every TypeORM entity of the service. */
export const ENTITIES = [User, RefreshToken];
