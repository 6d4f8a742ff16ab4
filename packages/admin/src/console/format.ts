import { createHash } from 'node:crypto';
import type { Hold } from '@aap-guard/core';
import { html, type Html } from './html.js';

/**
 * A time as a `<time>` element in UTC (the script adds the local time as a tooltip).
 *
 * @example
 * when(1767261600000) // <time datetime="2026-01-01T10:00:00.000Z">2026-01-01 10:00:00 UTC</time>
 */
export function when(ms: number | undefined): Html | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

/**
 * How long until `at`, as the page first shows it (`data-expires` lets the script count down).
 *
 * @example
 * countdown(hold.expiresAt, now) // <span data-expires="…">in 59 min 59 s</span>
 */
export function countdown(at: number, now: number): Html {
  return html`<span data-expires="${at}">${at > now ? `in ${duration(at - now)}` : 'expired'}</span>`;
}

/** The status a person should read: a pending or approved hold past its expiry is `expired`. */
export function shownStatus(hold: Hold, now: number): string {
  return (hold.status === 'pending' || hold.status === 'approved') && now >= hold.expiresAt ? 'expired' : hold.status;
}

/**
 * A status badge (its text is the status: readable without colour or CSS).
 *
 * @example
 * badge(hold, now) // <span class="status pending">pending</span>
 */
export function badge(hold: Hold, now: number): Html {
  const status = shownStatus(hold, now);
  return html`<span class="status ${status}">${status}</span>`;
}

/**
 * A short, stable digest of what a page shows about holds: the script reloads when it changes.
 *
 * @example
 * fingerprint(holds, now) // 'mC1y0r0rQ2S1w3x9'
 */
export function fingerprint(holds: readonly Hold[], now: number): string {
  const seen = holds.map((hold) => [hold.id, shownStatus(hold, now)]);
  return createHash('sha256').update(JSON.stringify(seen)).digest('base64url').slice(0, 22);
}

/**
 * The delegation chain, origin first, or `direct` (no chain, or only the agent itself).
 *
 * @example
 * chainOf(hold) // 'agent-planner-01 → agent-editor-07'
 */
export function chainOf(hold: Hold): Html {
  return hold.chain && hold.chain.length > 1
    ? html`${hold.chain.join(' → ')}`
    : html`<span class="muted">direct</span>`;
}

function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  if (h > 0) return `${h} h ${m} min`;
  return m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

/** How a hold's operation kind reads to a person: `tool` for an MCP `tools/call`, else the kind itself. */
export function operationLabel(kind: string): string {
  return kind === 'mcp.tools/call' ? 'tool' : kind;
}
