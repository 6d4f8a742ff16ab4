import type { Hold, HoldFilter, HoldStatus } from '@aap-guard/core';
import { badge, chainOf, countdown, fingerprint, operationLabel, when } from './format.js';
import { html, type Html } from './html.js';
import { layout, type PageContext } from './layout.js';

/** The list's filters, as given in the query (`status=all` lists every status). */
export interface ListQuery {
  readonly status: HoldStatus | 'all';
  /** The agent's authorization server: agent ids are unique per issuer only. */
  readonly issuer: string;
  readonly agent: string;
  readonly task: string;
}

const STATUSES = ['pending', 'approved', 'denied', 'used', 'all'] as const;

/**
 * The list's filters from a query: `status` (default `pending`), `issuer`, `agent`, `task`; anything unexpected
 * is ignored.
 *
 * @example
 * listQuery({ status: 'all', agent: 'agent-writer-01' })
 * // { status: 'all', issuer: '', agent: 'agent-writer-01', task: '' }
 */
export function listQuery(query: Readonly<Record<string, unknown>>): ListQuery {
  const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 256) : '');
  const status = STATUSES.find((name) => name === query.status) ?? 'pending';
  return { status, issuer: text(query.issuer), agent: text(query.agent), task: text(query.task) };
}

/**
 * The store filter of a list query.
 *
 * @example
 * holdFilterOf(listQuery({ agent: 'agent-writer-01' }))
 * // { status: 'pending', issuer: undefined, agentId: 'agent-writer-01', taskId: undefined, limit: 100 }
 */
export function holdFilterOf(query: ListQuery): HoldFilter {
  const status = query.status === 'all' ? undefined : query.status;
  const { issuer, agent, task } = query;
  return { status, issuer: issuer || undefined, agentId: agent || undefined, taskId: task || undefined, limit: 100 };
}

/** The query string of a list query (for the page's state URL). */
function queryString(query: ListQuery): string {
  const params = new URLSearchParams({ status: query.status });
  if (query.issuer) params.set('issuer', query.issuer);
  if (query.agent) params.set('agent', query.agent);
  if (query.task) params.set('task', query.task);
  return params.toString();
}

/**
 * The list page: filters by status, issuer, agent and task, then one row per hold, newest first — agent,
 * operator and issuer, task and purpose, action (a link to the hold's page), method with full path and query
 * (and the operation — an MCP tool — when the hold records one),
 * when, expiry countdown, delegation chain, status.
 */
export function listPage(ctx: PageContext, query: ListQuery, holds: readonly Hold[], refresh: number): string {
  const heading =
    query.status === 'all' ? 'All holds' : `${query.status[0]?.toUpperCase()}${query.status.slice(1)} holds`;
  const rows = holds.map((hold) => row(ctx, hold));
  const table =
    holds.length === 0
      ? html`<p>No holds match these filters.</p>`
      : html`<div class="table">
          <table>
            <caption>
              ${holds.length} ${holds.length === 1 ? 'hold' : 'holds'}, newest
              first${holds.length >= 100 ? ' (the newest 100)' : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Agent</th>
                <th scope="col">Task</th>
                <th scope="col">Request</th>
                <th scope="col">Requested</th>
                <th scope="col">Expires</th>
                <th scope="col">Delegation</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>
        </div>`;
  const state = { url: `${ctx.base}/state?${queryString(query)}`, fingerprint: fingerprint(holds, ctx.now), refresh };
  return layout(ctx, heading, html`${filters(ctx, query)}${table}`, state);
}

function row(ctx: PageContext, hold: Hold): Html {
  const link = `${ctx.base}/holds/${encodeURIComponent(hold.id)}`;
  return html`<tr>
    <td><a href="${link}">${hold.action}</a></td>
    <td><code>${hold.agent.id}</code><br /><small>${hold.agent.operator}</small>${issuerOf(hold)}</td>
    <td>
      <code>${hold.task.id}</code
      >${hold.task.purpose === undefined ? '' : html`<br /><small>${hold.task.purpose}</small>`}
    </td>
    <td class="request">
      <code>${hold.method} ${hold.path}</code
      >${hold.operation === undefined ? '' : html`<br /><small>${operationLabel(hold.operation.kind)}</small> <code>${hold.operation.name}</code>`}
    </td>
    <td class="when">${when(hold.createdAt)}</td>
    <td class="when">
      ${hold.status === 'pending' || hold.status === 'approved' ? countdown(hold.expiresAt, ctx.now) : html`<span class="muted">—</span>`}
    </td>
    <td>${chainOf(hold)}</td>
    <td>${badge(hold, ctx.now)}</td>
  </tr>`;
}

function filters(ctx: PageContext, query: ListQuery): Html {
  const options = STATUSES.map(
    (name) => html`<option value="${name}" ${name === query.status ? html` selected` : ''}>${name}</option>`,
  );
  return html`<form class="filters" method="get" action="${ctx.base}" role="search" aria-label="Filter holds">
    <label for="f-status"
      >Status
      <select id="f-status" name="status">
        ${options}
      </select></label
    >
    <label for="f-issuer"
      >Issuer <input id="f-issuer" name="issuer" value="${query.issuer}" autocomplete="off"
    /></label>
    <label for="f-agent">Agent id <input id="f-agent" name="agent" value="${query.agent}" autocomplete="off" /></label>
    <label for="f-task">Task id <input id="f-task" name="task" value="${query.task}" autocomplete="off" /></label>
    <button type="submit">Filter</button>
  </form>`;
}

/**
 * The agent's issuer, under its operator: two issuers' agents may share an id. Absent on a hold recorded
 * before holds named their issuer.
 */
function issuerOf(hold: Hold): Html | undefined {
  return hold.issuer === undefined ? undefined : html`<br /><small class="muted">${hold.issuer}</small>`;
}
