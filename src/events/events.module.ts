import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DomainEventRecord } from './event.entity';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';

/** Global: every module that changes records emits its events into the one outbox. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([DomainEventRecord])],
  providers: [EventsService, EventsRepository],
  exports: [EventsService],
})
export class EventsModule {}
