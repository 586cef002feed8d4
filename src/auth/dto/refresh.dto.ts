import { StringField } from '../../core/validation/fields';

export class RefreshDto {
  @StringField({
    min: 1,
    max: 4096,
    description: 'A refresh token from login, register or a previous refresh.',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwidHlwZSI6InJlZnJlc2gifQ.c2lnbmF0dXJl',
  })
  refresh!: string;
}
