/**
 * A real Nest app for the tests: `AapModule` over a test issuer, a controller with declared, public and
 * undeclared handlers, on the Express or the Fastify platform, listening on a free loopback port; Nest's
 * log lines are captured.
 */
import type { AuditEvent, Guard, GuardOptions } from '@aap-guard/core';
import type { TestIssuer } from '@aap-guard/testing';
import {
  Body,
  Controller,
  Get,
  Module,
  Post,
  Req,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type Provider,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AuthorizedPrincipal } from '@aap-guard/core';
import {
  AAP_GUARD,
  AapAction,
  AapDeclarations,
  AapModule,
  AapPrincipal,
  AapPublic,
  type AapHttpRequest,
  type AapRouteReport,
} from '@aap-guard/nestjs';

@Controller('v1')
export class ApiController {
  @Get('search')
  @AapAction('search.web', { target: (req) => req.query.url })
  search(@AapPrincipal() principal: AuthorizedPrincipal) {
    return { agent: principal.claims.agent.id, action: principal.action };
  }

  @Post('publish')
  @AapAction('cms.publish')
  publish(@Body() body: { title?: string }) {
    return { published: body.title };
  }

  @Post('upload')
  @AapAction('files.upload')
  upload(@Body() body: unknown) {
    return { received: JSON.stringify(body).length };
  }

  @Get('whoami')
  whoami(@Req() req: AapHttpRequest) {
    return { agent: req.aap?.claims.agent.id ?? null, action: req.aap?.action ?? null };
  }

  @Get('health')
  @AapPublic()
  health() {
    return { status: 'ok' };
  }
}

@AapPublic()
@Controller('public')
class PublicController {
  @Get()
  open() {
    return { open: true };
  }

  @Get('search')
  @AapAction('search.web')
  search() {
    return { searched: true };
  }
}

/** Nest's log lines, by level (the message and the trace or context Nest passes). */
export interface Captured {
  readonly lines: { level: string; message: string; extra: unknown[] }[];
}

function captureLogger(captured: Captured): LoggerService {
  const at =
    (level: string) =>
    (message: unknown, ...extra: unknown[]) =>
      void captured.lines.push({ level, message: String(message), extra });
  return {
    log: at('log'),
    error: at('error'),
    warn: at('warn'),
    debug: at('debug'),
    verbose: at('verbose'),
    fatal: at('fatal'),
  };
}

export type Platform = 'express' | 'fastify';

/** A running Nest app and what the tests read of it. */
export interface NestRunning {
  readonly url: string;
  readonly guard: Guard;
  /** The route report (`AapDeclarations.routes()`). */
  readonly routes: () => readonly AapRouteReport[];
  readonly events: AuditEvent[];
  readonly logs: Captured;
  close(): Promise<void>;
}

/** The `AapModule` of the test app: `forRoot`, or given (`forRootAsync`). */
export type AapImport = (options: Partial<GuardOptions> & Record<string, unknown>) => DynamicModule;

/** Guard options over `as`, audited into `events`, merged with `extra`. */
export function guardOptions(
  as: TestIssuer,
  events: AuditEvent[],
  extra: Record<string, unknown> = {},
): Partial<GuardOptions> & Record<string, unknown> {
  return {
    issuer: as.issuer,
    audience: as.audience,
    jwks: as.jwks,
    audit: (event: AuditEvent) => void events.push(event),
    logger: false,
    ...extra,
  };
}

/** What a test adds to the app: providers of the app module (an `APP_FILTER`), and a step before `listen`. */
export interface AppExtras {
  readonly providers?: Provider[];
  readonly before?: (app: INestApplication) => void;
}

/** Start the test app on `platform` with `AapModule` made by `aap` (default: `forRoot`). */
export async function startNest(
  as: TestIssuer,
  platform: Platform,
  extra: Record<string, unknown> = {},
  aap: AapImport = (o) => AapModule.forRoot(o),
  more: AppExtras = {},
): Promise<NestRunning> {
  const events: AuditEvent[] = [];
  const logs: Captured = { lines: [] };
  @Module({
    imports: [aap(guardOptions(as, events, extra))],
    controllers: [ApiController, PublicController],
    providers: more.providers ?? [],
  })
  class AppModule {}
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(AppModule, adapter, { logger: captureLogger(logs), abortOnError: false });
  more.before?.(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    guard: app.get<Guard>(AAP_GUARD),
    routes: () => app.get(AapDeclarations).routes(),
    events,
    logs,
    close: () => app.close(),
  };
}
