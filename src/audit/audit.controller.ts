import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../core/auth/decorators';
import { Page, Paginated } from '../core/pagination/pagination';
import { Role } from '../core/auth/role';
import { AuditService } from './audit.service';
import { AuditEventDto } from './dto/audit-event.dto';
import { ListAuditEventsQuery } from './dto/list-audit-events.query';

@ApiTags('audit')
@Roles(Role.Admin)
@Controller('audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /**
   * List audit events.
   * @remarks Admins only; newest first. Who, what (the names of changed fields, never their values), when, the request id, the client address and the outcome of: creations, changes and deletions of patient records; assignments and their ends; bookings, changes and cancellations of appointments; schedules; doctor-profile account links; registrations and admins' changes to accounts. Each of these is written in the transaction of the change itself: a change that was saved has its event, and a change whose event cannot be written fails. Reads and lists of patient records, refused attempts, logins (success and failure), logouts and detected refresh-token reuse are written in batches within about 50 ms (a graceful shutdown writes them first). Events can never be changed or deleted. Filter with `actor`, `entity`, `entity_id`, `action`, `from` and `to`.
   */
  @Get()
  @Paginated(AuditEventDto)
  listAuditEvents(@Query() query: ListAuditEventsQuery): Promise<Page<AuditEventDto>> {
    return this.audit.list(query);
  }
}
