import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../core/auth/decorators';
import { Page, Paginated } from '../core/pagination/pagination';
import { Role } from '../users/role';
import { AuditService } from './audit.service';
import { AuditEventDto } from './dto/audit-event.dto';
import { ListAuditEventsQuery } from './dto/list-audit-events.query';

@ApiTags('audit')
@Roles(Role.Admin)
@Controller('audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail, newest first; admins only. */
  @Get()
  @Paginated(AuditEventDto)
  listAuditEvents(@Query() query: ListAuditEventsQuery): Promise<Page<AuditEventDto>> {
    return this.audit.list(query);
  }
}
