import { REASONS, type Decision } from '@aap-guard/core';
import { andThen, denyResponse, nodeFlow, type Awaitable, type FlowOutcome, type NodeFlow } from '@aap-guard/core/node';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AapDeclarations } from './aap-declarations.js';
import { AapDenyException } from './aap-deny-exception.js';
import { nodePair, type AapHttpRequest, type NodePair } from './http.js';
import type { NestAdapter } from './options.js';
import { AAP_ROUTE, type DeclaredAction, type RouteMetadata } from './route-metadata.js';
import { AAP_ADAPTER } from './tokens.js';

/**
 * The module's global guard (`APP_GUARD`): for each HTTP request, the handler's declaration decides —
 * `@AapAction` → the whole check for that action; `@AapPublic` → no check; none → authenticated, then
 * refused (403 `route_undeclared`; 401 first without a valid token) unless `undeclared: 'allow'`. It only
 * translates: the rules are the core's (`nodeFlow`), the outcome becomes `request.aap` and the decision's
 * headers, or an `AapDenyException` thrown for the exception layer. Other contexts (WebSocket, RPC) are not
 * HTTP requests and are left alone.
 *
 * @example
 * // registered by AapModule.forRoot(); to read what it set:
 * import { Controller, Get, Req } from '@nestjs/common';
 * import type { Request } from 'express';
 * @Controller()
 * export class WhoAmIController {
 *   @Get('whoami')
 *   whoami(@Req() req: Request) {
 *     return { agent: req.aap?.claims.agent.id };
 *   }
 * }
 */
@Injectable()
export class AapGuard implements CanActivate {
  readonly #flow: NodeFlow;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AAP_ADAPTER) private readonly adapter: NestAdapter,
    @Inject(AapDeclarations) private readonly declarations: AapDeclarations,
  ) {
    this.#flow = nodeFlow(adapter.guard);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AapHttpRequest>();
    const targets = [context.getHandler(), context.getClass()];
    const declared = this.reflector.getAllAndOverride<RouteMetadata | undefined>(AAP_ROUTE, targets);
    if (declared?.kind === 'public' || this.adapter.skip?.(request)) return true;
    const pair = nodePair(request, http.getResponse());
    if (this.#flow.state(pair.req) === 'settled') return true; // this guard allowed it already (applied twice)
    let outcome: Awaitable<FlowOutcome>;
    try {
      outcome = declared ? this.#authorize(declared, request, pair) : this.#undeclared(request, pair);
    } catch (error) {
      outcome = this.#fault(pair, error);
    }
    if (!(outcome instanceof Promise)) return this.#settle(request, pair, outcome);
    return outcome
      .then(undefined, (error: unknown) => this.#fault(pair, error))
      .then((settled) => this.#settle(request, pair, settled));
  }

  /** Steps 1–8 for the declared action, in one run. */
  #authorize(declared: DeclaredAction, request: AapHttpRequest, pair: NodePair): Awaitable<FlowOutcome> {
    const route = this.declarations.route(declared);
    const target = declared.target?.(request);
    const parts = { target, params: request.params, url: pair.url, parsedBody: request.body };
    return this.#flow.finish(pair.req, pair.res, route, parts, { onRequestTooLarge: pair.written });
  }

  /** No declaration: authenticate (401 first), then refuse — or with `undeclared: 'allow'`, let it on. */
  #undeclared(request: AapHttpRequest, { req, res, url }: NodePair): Awaitable<FlowOutcome> {
    return andThen(this.#flow.begin(req, res, url, request.body), (begun): Awaitable<FlowOutcome> => {
      if (begun.kind !== 'authenticated') return begun;
      // The handler is known: nothing can declare it later, so the request is settled now.
      if (this.adapter.undeclared === 'allow') return this.#flow.finish(req, res);
      const path = (url ?? req.url ?? '').split('?', 1)[0];
      const decision = this.#flow.refuse(req, 'route_undeclared', { check: 'nestjs.undeclared', path });
      return { kind: 'deny', decision };
    });
  }

  #fault({ req }: NodePair, error: unknown): FlowOutcome {
    return { kind: 'deny', decision: this.#flow.fault(req, error) };
  }

  /** The outcome, for Nest: on (true) with `request.aap` and the decision's headers, or an `AapDenyException`. */
  #settle(request: AapHttpRequest, pair: NodePair, outcome: FlowOutcome): boolean {
    if (outcome.kind === 'deny') throw this.#deny(pair, outcome.decision);
    if (outcome.kind === 'pass') return true;
    request.aap = outcome.principal;
    const headers = outcome.kind === 'allow' ? outcome.decision.headers : outcome.headers;
    for (const name in headers) pair.setHeader(name, headers[name]!); // RateLimit…, a fresh DPoP-Nonce
    if (outcome.kind === 'allow' && !outcome.proceed) throw tooLarge(); // a size limit refused it: the 413 is written
    return true;
  }

  /** The exception of a deny, its headers already on the response (whichever filter writes it keeps them). */
  #deny(pair: NodePair, decision: Decision): AapDenyException {
    const response = denyResponse(decision, this.adapter.formatDeny);
    if (!pair.res.headersSent) {
      for (const name in response.headers) if (name !== 'content-type') pair.setHeader(name, response.headers[name]!);
    }
    return new AapDenyException(decision, response);
  }
}

/** The 413 `enforceLimits` wrote for a body over `max_request_size`, as an exception no filter writes again. */
function tooLarge(): AapDenyException {
  const { status, error, description } = REASONS.request_too_large;
  const reason = 'request_too_large' as const;
  const decision = { status, error, reason, headers: {}, body: { error, error_description: description, reason } };
  return new AapDenyException(decision, denyResponse(decision), true);
}
