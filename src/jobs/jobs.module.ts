import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue';

/** Global: features enqueue their jobs in their own transactions and register their workers. */
@Global()
@Module({ providers: [JobQueue], exports: [JobQueue] })
export class JobsModule {}
