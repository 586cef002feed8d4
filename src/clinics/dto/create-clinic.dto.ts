import { PhoneField, StringField } from '../../core/validation/fields';

export class CreateClinicDto {
  @StringField({ min: 1, max: 200, trim: true, example: 'Riverside Clinic' })
  name!: string;

  @StringField({ min: 1, max: 64, example: 'Europe/Berlin', description: "The clinic's IANA time zone." })
  timezone!: string;

  @StringField({ max: 2000, nullable: true, example: '1 River Road, Springfield' })
  address?: string | null;

  @PhoneField({ nullable: true, example: '+1 555 0100' })
  phone?: string | null;
}
