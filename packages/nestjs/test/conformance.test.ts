/**
 * The conformance table (test/conformance) through a real Nest app on the Express platform: `AapModule`
 * with the case's guard options, one controller whose handler is declared with the case's route (or left
 * undeclared). Nest's own body parser stays on, ahead of the guard as in every Nest app; `rawBody: true`
 * lets the handler count the bytes it consumed (`received`), and a body no parser took is counted from
 * the stream. (The Fastify platform answers media types it has no parser for with its own 415 before any
 * guard runs — the table's octet-stream bodies — so it is covered by nestjs.test.ts instead.)
 */
import type { IncomingMessage } from 'node:http';
import type { Guard, GuardOptions, Principal, RouteSpec } from '@aap-guard/core';
import { All, Controller, Module, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { AAP_GUARD, AapAction, AapModule } from '@aap-guard/nestjs';
import {
  ROUTE_PATHS,
  TARGET_PARAM,
  allowedBody,
  countBody,
  describeConformance,
  type Driver,
} from '../../../test/conformance/harness.js';

type Parsed = IncomingMessage & { rawBody?: Buffer; aap?: Principal; query: Record<string, unknown> };

/** A decorator that declares nothing (an undeclared handler). */
const undeclared: MethodDecorator = () => undefined;

/** `/r` and `/r/:taskId` in Nest's path syntax (the harness's paths, without their leading slash). */
const PATHS = ROUTE_PATHS.map((path) => path.slice(1));

const nestDriver: Driver = {
  name: 'nestjs (express platform)',
  async start(options: GuardOptions, route: RouteSpec | null) {
    const declare = route
      ? AapAction<Parsed>(route.action, { ...route, target: (req) => req.query[TARGET_PARAM] })
      : undeclared;
    @Controller()
    class CaseController {
      @All(PATHS)
      @declare
      async handle(@Req() req: Parsed) {
        const received = req.rawBody ? req.rawBody.length : await countBody(req);
        return allowedBody(req.aap, received);
      }
    }
    @Module({ imports: [AapModule.forRoot(options)], controllers: [CaseController] })
    class CaseModule {}
    const app = await NestFactory.create(CaseModule, new ExpressAdapter(), {
      logger: false,
      rawBody: true,
      abortOnError: false,
    });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, guard: app.get<Guard>(AAP_GUARD), close: () => app.close() };
  },
};

describeConformance(nestDriver);
