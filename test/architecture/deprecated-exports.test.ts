/**
 * The names 0.2 moved or renamed keep working, deprecated, until 0.3 (CHANGELOG "Migration"): each old
 * name is the very value of its new home — not a copy that could drift.
 */
import * as admin from '@aap-guard/admin';
import * as adminExpress from '@aap-guard/admin/express';
import * as adminFastify from '@aap-guard/admin/fastify';
import * as adminKoa from '@aap-guard/admin/koa';
import * as core from '@aap-guard/core';
import * as audit from '@aap-guard/core/audit';
import * as events from '@aap-guard/core/events';
import * as node from '@aap-guard/core/node';
import * as store from '@aap-guard/core/store';
import * as express from '@aap-guard/express';
import * as fastify from '@aap-guard/fastify';
import * as koa from '@aap-guard/koa';
import { describe, expect, it } from 'vitest';

/** Old name on the root entry → its entry now. */
const MOVED_FROM_ROOT: Record<string, Record<string, unknown>> = {
  SLIDING_BUCKETS: store,
  windowBuckets: store,
  memoryHolds: store,
  memoryRevocations: store,
  MAX_ANCESTORS: store,
  holdTag: store,
  newHoldId: store,
  chainedAuditLog: audit,
  verifyAuditLog: audit,
  verifyAuditFile: audit,
  AUDIT_GENESIS: audit,
  securityEventReceiver: events,
  AAP_REVOCATION_EVENT: events,
  CAEP_SESSION_REVOKED: events,
  RISC_CREDENTIAL_COMPROMISE: events,
  isActionName: node,
};

describe('deprecated names of 0.1 (removed in 0.3)', () => {
  it.each(Object.entries(MOVED_FROM_ROOT))('@aap-guard/core %s is the one of its new entry', (name, entry) => {
    expect((core as Record<string, unknown>)[name]).toBeDefined();
    expect((core as Record<string, unknown>)[name]).toBe(entry[name]);
  });

  it('the root entry still exports the helpers that went internal', () => {
    for (const name of [
      'compileRoute',
      'WELL_KNOWN',
      'metadataUrl',
      'metadataPaths',
      'isRateLimitConstraint',
      'jsonLogger',
    ]) {
      expect(typeof (core as Record<string, unknown>)[name], name).not.toBe('undefined');
    }
    for (const name of ['nodeRequestInfo', 'tapBody', 'requestBody', 'limitResponseBody']) {
      expect(typeof (node as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('the adapters still export their admin routers, now those of @aap-guard/admin, and the old events names', () => {
    expect(express.aapAdminRouter).toBe(adminExpress.aapAdmin);
    expect(fastify.aapAdminPlugin).toBe(adminFastify.aapAdmin);
    expect(koa.aapAdmin).toBe(adminKoa.aapAdmin);
    expect(express.aapEventsRouter).toBe(express.aapEvents);
    expect(fastify.aapEventsPlugin).toBe(fastify.aapEvents);
  });

  it('the approval console and admin API are no longer on @aap-guard/core (core cannot depend on @aap-guard/admin)', () => {
    for (const name of ['adminApi', 'adminRoutes', 'consoleSignIn', 'consoleUrl']) {
      expect((core as Record<string, unknown>)[name], name).toBeUndefined();
      expect(typeof (admin as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
