import { EntitySubscriberInterface, EventSubscriber, InsertEvent } from 'typeorm';
import { accountNameSkeleton } from './account-names';
import { User } from './user.entity';

/**
 * Gives an account inserted through TypeORM (a test's factory) the skeletons of its username and
 * email, as UsersRepository and the importer set them on their hand-written INSERTs, so that every
 * account has them and their unique indexes refuse a look-alike of an existing one.
 */
@EventSubscriber()
export class UserSkeletonsSubscriber implements EntitySubscriberInterface<User> {
  listenTo(): typeof User {
    return User;
  }

  beforeInsert(event: InsertEvent<User>): void {
    const user = event.entity;
    user.usernameSkeleton = accountNameSkeleton(user.username);
    user.emailSkeleton = accountNameSkeleton(user.email);
  }
}
