/**
 * Denies in an app with its own exception handling: without the module's filter (`filter: false`) Nest's
 * own handler answers the deny's status and body, and the deny's headers are on the response already;
 * an app filter for `AapDenyException` shapes the body its way and keeps them; a catch-all filter the app
 * registers globally after the module's gets the deny first (Nest asks the last global filter first).
 * Never an error log.
 */
import { createIssuer, type TestIssuer } from '@aap-guard/testing';
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AapDenyException, AapModule } from '@aap-guard/nestjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../../../test/adapters/kit.js';
import { startNest, type NestRunning, type Platform } from './app.js';

let as: TestIssuer;
beforeAll(async () => {
  as = await createIssuer();
});
let running: NestRunning | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The app's own filter for denies: its own body, through the platform's reply. */
@Catch(AapDenyException)
class CodeFilter implements ExceptionFilter<AapDenyException> {
  catch(deny: AapDenyException, host: ArgumentsHost): void {
    const reply = host
      .switchToHttp()
      .getResponse<{ status(code: number): unknown; code?(code: number): unknown; send(body: string): unknown }>();
    const body = JSON.stringify({ code: deny.reason, status: deny.getStatus() });
    if (typeof reply.code === 'function') (reply.code(deny.getStatus()) as typeof reply).send(body);
    else (reply.status(deny.getStatus()) as typeof reply).send(body);
  }
}

/** A catch-all filter of the app that answers every exception with 599 (registered with useGlobalFilters). */
@Catch()
class CatchAll implements ExceptionFilter {
  catch(_error: unknown, host: ArgumentsHost): void {
    const reply = host
      .switchToHttp()
      .getResponse<{ status?(code: number): unknown; code?(code: number): unknown; send(body: string): unknown }>();
    if (typeof reply.code === 'function') reply.code(599);
    else reply.status!(599);
    reply.send('{"caught":true}');
  }
}

const withoutFilter = (options: Record<string, unknown>) =>
  AapModule.forRootAsync({ filter: false, useFactory: () => options });
const noErrors = (app: NestRunning) =>
  app.logs.lines.filter((line) => line.level === 'error' || line.level === 'fatal');

describe.each<Platform>(['express', 'fastify'])('deny handling of the app (%s)', (platform) => {
  it("filter: false — Nest's own handler answers the deny's status and body; its headers are there", async () => {
    running = await startNest(as, platform, {}, withoutFilter);
    const res = await send(running.url, { path: '/v1/search' });
    expect([res.status, res.json]).toEqual([
      401,
      { error: 'invalid_token', error_description: expect.any(String), reason: 'credentials_missing' },
    ]);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(noErrors(running)).toEqual([]);
  });

  it('an app filter for AapDenyException shapes the body; the headers stay', async () => {
    running = await startNest(as, platform, {}, withoutFilter, {
      providers: [{ provide: APP_FILTER, useClass: CodeFilter }],
    });
    const res = await send(running.url, { path: '/v1/search' });
    expect([res.status, res.json]).toEqual([401, { code: 'credentials_missing', status: 401 }]);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
  });

  it("a catch-all filter the app registers globally is asked first, over the module's; the headers stay", async () => {
    running = await startNest(as, platform, {}, undefined, {
      before: (app) => void app.useGlobalFilters(new CatchAll()),
    });
    const res = await send(running.url, { path: '/v1/search' });
    expect([res.status, res.json]).toEqual([599, { caught: true }]);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
  });
});
