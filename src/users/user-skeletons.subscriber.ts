import { EntitySubscriberInterface, EventSubscriber, InsertEvent } from 'typeorm';
import { accountNameSkeleton } from './account-names';
import { User } from './user.entity';

/**
 * Gives every new account the skeletons of its username and email, whichever way it is inserted
 * (the services, the scripts, a test's factory), so their unique indexes refuse a look-alike of
 * an existing account even when two registrations race.
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
