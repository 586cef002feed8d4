import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CallerCache } from './caller-cache';
import { UserSkeletonsSubscriber } from './user-skeletons.subscriber';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  controllers: [UsersController],
  providers: [UsersService, UsersRepository, CallerCache],
  exports: [UsersService],
})
export class UsersModule {
  constructor(dataSource: DataSource) {
    // The application's data source loads entities per feature; its subscribers come from here.
    dataSource.subscribers.push(new UserSkeletonsSubscriber());
  }
}
