/** Free names of @aap-guard/fastify's `@example` blocks (scripts/check-examples.mjs). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export declare const app: FastifyInstance;
export declare const fastify: FastifyInstance;
export declare const request: FastifyRequest;
export declare const reply: FastifyReply;
