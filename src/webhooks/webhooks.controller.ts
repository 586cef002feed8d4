import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../core/auth/auth-user';
import { CurrentUser } from '../core/auth/decorators';
import { ParseBigIdPipe, ParseIdPipe } from '../core/http/id';
import { CreatedLocation } from '../core/http/location';
import { ApiIdParam } from '../core/openapi/decorators';
import { ApiProblems, ChangesRecord, CreatesRecord, DeletesRecord, ReadsRecord } from '../core/openapi/routes';
import { Page, PageQueryDto, Paginated } from '../core/pagination/pagination';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { ListWebhookDeliveriesQuery, ReplayResultDto, ReplayWebhookDto, WebhookDeliveryDto } from './dto/delivery.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { WebhookDto, WebhookWithSecretDto } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

const NOT_VISIBLE = "No such webhook among those the caller manages (admins: all; a clinic's managers: the clinic's).";
const NOT_ACTIVE = 'The webhook is not active.';
const BAD_URL =
  'Invalid fields: a `url` that is not http(s) or does not reach a public address (unless WEBHOOK_ALLOW_PRIVATE), unknown `events`.';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /**
   * Register a webhook endpoint.
   * @remarks Admins (with or without `clinic`; without, the endpoint gets every event) and a clinic's managers (`clinic` required). The answer shows the signing `secret` this once. Audited.
   */
  @Post()
  @CreatesRecord(WebhookWithSecretDto, {
    description: 'The new endpoint, with its secret.',
    badRequest: `${BAD_URL} A \`clinic\` the caller does not manage.`,
  })
  @CreatedLocation('/api/webhooks/{id}/')
  createWebhook(@Body() dto: CreateWebhookDto, @CurrentUser() user: AuthUser): Promise<WebhookWithSecretDto> {
    return this.webhooks.create(dto, user);
  }

  /**
   * List webhook endpoints.
   * @remarks Those the caller manages: admins all, a clinic's managers the clinic's; anyone else none.
   */
  @Get()
  @Paginated(WebhookDto)
  listWebhooks(@Query() query: PageQueryDto, @CurrentUser() user: AuthUser): Promise<Page<WebhookDto>> {
    return this.webhooks.list(query, user);
  }

  /**
   * Get one webhook endpoint.
   * @remarks For admins and the managers of its clinic; anyone else gets 404, as for a missing id. Never shows the secret.
   */
  @Get(':id')
  @ReadsRecord(WebhookDto, { id: 'Webhook id.', description: 'The endpoint (never its secret).', notFound: NOT_VISIBLE })
  getWebhook(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<WebhookDto> {
    return this.webhooks.get(id, user);
  }

  /**
   * Change a webhook endpoint.
   * @remarks `url`, `events`, `description` and `active`. Send the `ETag` last read as `If-Match` to refuse the write (412) when someone changed it since. Audited.
   */
  @Patch(':id')
  @ChangesRecord(WebhookDto, { id: 'Webhook id.', description: 'The endpoint as changed.', notFound: NOT_VISIBLE, badRequest: BAD_URL })
  updateWebhook(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateWebhookDto,
    @CurrentUser() user: AuthUser,
    @Headers('If-Match') ifMatch?: string,
  ): Promise<WebhookDto> {
    return this.webhooks.update(id, dto, user, ifMatch);
  }

  /**
   * Delete a webhook endpoint.
   * @remarks No more deliveries are made; its delivery log is kept on record (no longer readable through the API). Audited.
   */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @DeletesRecord({ id: 'Webhook id.', description: 'The endpoint is deleted.', notFound: NOT_VISIBLE })
  deleteWebhook(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<void> {
    return this.webhooks.remove(id, user);
  }

  /**
   * Rotate a webhook's signing secret.
   * @remarks The answer shows the new secret this once. The previous one keeps signing beside it (both signatures in `webhook-signature`) for WEBHOOK_SECRET_OVERLAP, so the receiver can switch without losing a delivery. Audited.
   */
  @Post(':id/secret/rotate')
  @HttpCode(HttpStatus.OK)
  @ApiIdParam('id', 'Webhook id.')
  @ApiOkResponse({ type: WebhookWithSecretDto, description: 'The endpoint, with its new secret.' })
  @ApiProblems({ notFound: NOT_VISIBLE })
  rotateWebhookSecret(@Param('id', ParseIdPipe) id: number, @CurrentUser() user: AuthUser): Promise<WebhookWithSecretDto> {
    return this.webhooks.rotate(id, user);
  }

  /**
   * List a webhook's deliveries.
   * @remarks Newest first: each with its status, attempts, the last answer's status code and time, and the payload.
   */
  @Get(':id/deliveries')
  @Paginated(WebhookDeliveryDto)
  @ApiIdParam('id', 'Webhook id.')
  @ApiProblems({ notFound: NOT_VISIBLE })
  listWebhookDeliveries(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: ListWebhookDeliveriesQuery,
    @CurrentUser() user: AuthUser,
  ): Promise<Page<WebhookDeliveryDto>> {
    return this.webhooks.deliveries(id, query, user);
  }

  /**
   * Send a delivery again.
   * @remarks With the same `webhook-id` (a receiver that dedupes may drop it) and a fresh retry window, whatever its status.
   */
  @Post(':id/deliveries/:delivery_id/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiIdParam('id', 'Webhook id.')
  @ApiParam({ name: 'delivery_id', description: 'Delivery id.', required: true, schema: { type: 'integer', minimum: 1 }, example: 1 })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto, description: 'The delivery, pending again; a worker sends it shortly.' })
  @ApiProblems({ notFound: `${NOT_VISIBLE} Or no such delivery of it.`, conflict: NOT_ACTIVE })
  retryWebhookDelivery(
    @Param('id', ParseIdPipe) id: number,
    @Param('delivery_id', ParseBigIdPipe) deliveryId: string,
    @CurrentUser() user: AuthUser,
  ): Promise<WebhookDeliveryDto> {
    return this.webhooks.retry(id, deliveryId, user);
  }

  /**
   * Replay past events to a webhook.
   * @remarks New deliveries (new `webhook-id`s) of the events in [`from`, `to`) the endpoint takes, oldest first; at most 10,000 (400 beyond: split the window).
   */
  @Post(':id/replay')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiIdParam('id', 'Webhook id.')
  @ApiAcceptedResponse({ type: ReplayResultDto, description: 'How many deliveries were made; workers send them shortly.' })
  @ApiProblems({
    badRequest: 'Invalid `from` or `to`, `to` not later than `from`, or more than 10,000 events in the window.',
    notFound: NOT_VISIBLE,
    conflict: NOT_ACTIVE,
  })
  replayWebhook(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: ReplayWebhookDto,
    @CurrentUser() user: AuthUser,
  ): Promise<ReplayResultDto> {
    return this.webhooks.replay(id, dto, user);
  }
}
