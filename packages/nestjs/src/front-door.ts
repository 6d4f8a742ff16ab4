import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '@aap-guard/core';
import { nodeFlow, serveResourceMetadata } from '@aap-guard/core/node';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NestAdapter } from './options.js';
import { AAP_ADAPTER } from './tokens.js';

type Next = (error?: unknown) => void;
interface ExpressLike {
  use(handler: (req: IncomingMessage, res: ServerResponse, next: Next) => void): unknown;
}
type OnRequest = (
  request: { raw: IncomingMessage; originalUrl?: string },
  reply: { raw: ServerResponse; hijack(): unknown },
  done: Next,
) => void;
interface FastifyLike {
  addHook(name: 'onRequest', hook: OnRequest): unknown;
}
/** What the module reads of Nest's HTTP adapter. */
interface PlatformAdapter {
  getType(): string;
  getInstance(): unknown;
}

/**
 * What runs first for every request, ahead of Nest's body parser, its middleware and its guards — put on
 * the platform (Express or Fastify) as soon as Nest has one (`HttpAdapterHost.init$`: before the app's
 * `init()` registers the body parser, under `NestFactory.create` and `Test.createTestingModule` alike):
 * - the body is watched from its first byte (`watchBody`): a hold binds the bytes the client sent, size
 *   limits count them, a form body's token is seen — Nest's parser consumes the stream before any guard;
 * - the resource's RFC 9728 metadata is answered, public, like every adapter does.
 * Closes the guard on shutdown when the module created it.
 *
 * On another platform, or an app that parsed bodies before Nest (its own Express instance with a parser
 * already mounted), the body is not seen: a held action with a body is refused (403 `hold_body_unavailable`,
 * logged once), never bound to method and path alone.
 */
@Injectable()
export class AapFrontDoor implements OnApplicationShutdown {
  private readonly logger = new Logger('AapModule');

  constructor(
    @Inject(AAP_ADAPTER) private readonly adapter: NestAdapter,
    @Inject(HttpAdapterHost) host: HttpAdapterHost,
  ) {
    host.init$.subscribe(() => this.install(host.httpAdapter as unknown as PlatformAdapter | undefined | null));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.adapter.owned) await this.adapter.guard.close();
  }

  private install(platform: PlatformAdapter | undefined | null): void {
    if (!platform) return; // an application context without HTTP
    const { guard } = this.adapter;
    const type = platform.getType();
    if (type === 'express') (platform.getInstance() as ExpressLike).use(expressFrontDoor(guard));
    else if (type === 'fastify') (platform.getInstance() as FastifyLike).addHook('onRequest', fastifyFrontDoor(guard));
    else {
      const problem = 'request bodies are not watched: held actions with a body are refused';
      this.logger.warn(`the ${type} platform is not known to @aap-guard/nestjs: ${problem}`);
    }
  }
}

/** Express: the first middleware of the app. */
function expressFrontDoor(guard: Guard): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const flow = nodeFlow(guard);
  return function aapFrontDoor(req, res, next) {
    flow.watchBody(req);
    if (serveResourceMetadata(guard, req, res)) return;
    next();
  };
}

/** Fastify: an `onRequest` hook, before Fastify reads the body. */
function fastifyFrontDoor(guard: Guard): OnRequest {
  const flow = nodeFlow(guard);
  return function aapFrontDoor(request, reply, done) {
    flow.watchBody(request.raw);
    if (serveResourceMetadata(guard, request.raw, reply.raw, request.originalUrl)) reply.hijack();
    done();
  };
}
