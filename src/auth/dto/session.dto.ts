import { ApiProperty } from '@nestjs/swagger';
import type { Session } from '../session.entity';

/** One of the caller's sessions: a login, and the refreshes that kept it going. */
export class SessionDto {
  @ApiProperty({ example: 12 })
  id!: number;

  @ApiProperty({ description: 'When the login happened.' })
  created_at!: Date;

  @ApiProperty({ description: 'The last refresh, or the login.' })
  last_used_at!: Date;

  @ApiProperty({ description: 'When it ends unless refreshed again.' })
  expires_at!: Date;

  @ApiProperty({ type: String, nullable: true, description: "The client's User-Agent at login." })
  user_agent!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The address the login came from.' })
  client_address!: string | null;

  @ApiProperty({ description: 'Whether the request asking is made in this session.' })
  current!: boolean;
}

export const toSessionDto = (session: Session, currentId?: number): SessionDto => ({
  id: session.id,
  created_at: session.createdAt,
  last_used_at: session.lastUsedAt,
  expires_at: session.expiresAt,
  user_agent: session.userAgent,
  client_address: session.clientAddress,
  current: session.id === currentId,
});
