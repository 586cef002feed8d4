import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DjangoImport } from './django-import.entity';

/**
 * The import table's entity, so that the application's schema (and the migration check) knows it;
 * the import itself runs outside the application (scripts/import-django.ts).
 */
@Module({ imports: [TypeOrmModule.forFeature([DjangoImport])] })
export class ImportsModule {}
