import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DoctorsModule } from '../doctors/doctors.module';
import { PatientsModule } from '../patients/patients.module';
import { Mapping } from './mapping.entity';
import { MappingsController, PatientDoctorsController } from './mappings.controller';
import { MappingsRepository } from './mappings.repository';
import { MappingsService } from './mappings.service';

@Module({
  imports: [TypeOrmModule.forFeature([Mapping]), PatientsModule, DoctorsModule],
  controllers: [MappingsController, PatientDoctorsController],
  providers: [MappingsService, MappingsRepository],
  exports: [MappingsService],
})
export class MappingsModule {}
