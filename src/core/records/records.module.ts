import { Global, Module } from '@nestjs/common';
import { RecordRemoval } from './record-removal';

@Global()
@Module({ providers: [RecordRemoval], exports: [RecordRemoval] })
export class RecordsModule {}
