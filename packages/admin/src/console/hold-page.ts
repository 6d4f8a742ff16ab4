import type { HiddenFields, Hold, HoldOperation, HoldPreview } from '@aap-guard/core';
import { badge, chainOf, countdown, fingerprint, operationLabel, shownStatus, when } from './format.js';
import { html, type Html } from './html.js';
import { layout, type PageContext } from './layout.js';

/** A message at the top of a page: the outcome of what the person just did. */
export interface Notice {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

/**
 * The page of one hold: everything recorded about the held request (agent, task, action, method, full
 * path and query, body digest and preview, delegation chain, times) and its decision — or, while it is
 * pending, the form to approve or deny it with an optional reason.
 */
export function holdPage(ctx: PageContext, hold: Hold, refresh: number, notice?: Notice): string {
  const link = `${ctx.base}/holds/${encodeURIComponent(hold.id)}`;
  const message = notice
    ? html`<p class="notice ${notice.kind}" role="${notice.kind === 'ok' ? 'status' : 'alert'}">${notice.text}</p>`
    : undefined;
  const content = html`${message}
    <dl class="hold">
      <dt>Status</dt>
      <dd>${badge(hold, ctx.now)}</dd>
      <dt>Action</dt>
      <dd><code>${hold.action}</code></dd>
      <dt>Request</dt>
      <dd><code>${hold.method} ${hold.path}</code></dd>
      ${
        hold.operation === undefined
          ? undefined
          : html`<dt>Operation</dt>
              <dd>
                <span class="muted">${operationLabel(hold.operation.kind)}</span>
                <code class="operation">${hold.operation.name}</code>
              </dd>`
      }
      <dt>Agent</dt>
      <dd><code>${hold.agent.id}</code> <span class="muted">operated by</span> <code>${hold.agent.operator}</code></dd>
      ${
        hold.issuer === undefined
          ? undefined
          : html`<dt>Issuer</dt>
              <dd><code>${hold.issuer}</code></dd>`
      }
      <dt>Task</dt>
      <dd>
        <code>${hold.task.id}</code
        >${hold.task.purpose === undefined ? '' : html` <span class="muted">purpose</span> ${hold.task.purpose}`}
      </dd>
      <dt>Delegation</dt>
      <dd>
        ${
          hold.chain && hold.chain.length > 1
            ? html`<ol class="chain">
                ${hold.chain.map((hop) => html`<li><code>${hop}</code></li>`)}
              </ol>`
            : chainOf(hold)
        }
      </dd>
      <dt>Token</dt>
      <dd>${hold.jti === undefined ? html`<span class="muted">no jti</span>` : html`jti <code>${hold.jti}</code>`}</dd>
      <dt>Requested</dt>
      <dd>${when(hold.createdAt)}</dd>
      <dt>Expires</dt>
      <dd>${when(hold.expiresAt)} (${countdown(hold.expiresAt, ctx.now)})</dd>
      ${decision(hold)}
      <dt>Hold id</dt>
      <dd><code>${hold.id}</code></dd>
    </dl>
    ${
      hold.operation === undefined
        ? html`<h3 id="body">Request body</h3>
            ${body(hold)}`
        : html`<h3 id="body">Arguments</h3>
            ${operationArguments(hold, hold.operation)}`
    }
    ${shownStatus(hold, ctx.now) === 'pending' ? form(ctx, hold, link) : undefined}
    <p><a href="${ctx.base}">Back to pending holds</a></p>`;
  const state = { url: `${link}/state`, fingerprint: fingerprint([hold], ctx.now), refresh };
  return layout(ctx, `${hold.action} by ${hold.agent.id}`, content, state);
}

function decision(hold: Hold): Html | undefined {
  const rows: Html[] = [];
  if (hold.approvedBy !== undefined)
    rows.push(
      html`<dt>Approved by</dt>
        <dd>${hold.approvedBy}, ${when(hold.approvedAt)}</dd>`,
    );
  if (hold.deniedBy !== undefined)
    rows.push(
      html`<dt>Denied by</dt>
        <dd>${hold.deniedBy}, ${when(hold.deniedAt)}</dd>`,
    );
  if (hold.note !== undefined)
    rows.push(
      html`<dt>Reason</dt>
        <dd>${hold.note}</dd>`,
    );
  if (hold.usedAt !== undefined)
    rows.push(
      html`<dt>Used</dt>
        <dd>${when(hold.usedAt)} (the agent's retry went through)</dd>`,
    );
  return rows.length ? html`${rows}` : undefined;
}

const OMITTED: Readonly<Record<string, string>> = {
  unavailable: 'Not shown: only the digest was available (a body parser read the body before the guard).',
  binary: 'Not shown: not a text body.',
  not_utf8: 'Not shown: the body is not UTF-8 text.',
  unparsable: 'Not shown: the body could not be parsed, so it could not be redacted.',
  redact_failed: 'Not shown: the redact function failed.',
};

/** An operation's arguments (an MCP tool call's): the digest they are bound by, and their redacted preview. */
function operationArguments(hold: Hold, operation: HoldOperation): Html {
  const digest =
    hold.bodyDigest === undefined
      ? undefined
      : html`<p>
          SHA-256 <code>${hold.bodyDigest}</code>: an approved retry must make exactly this call (name and arguments).
        </p>`;
  const preview = operation.arguments;
  if (!preview)
    return html`${digest}
      <p class="muted">No preview kept (the guard's <code>oversight.preview</code> is off).</p>`;
  const about = html`<p class="muted">
    JSON${preview.bytes === undefined ? '' : `, ${preview.bytes} bytes`}; sensitive fields redacted.
  </p>`;
  if (preview.text === undefined)
    return html`${digest}${about}
      <p>${OMITTED[preview.omitted ?? 'unavailable'] ?? OMITTED.unavailable}</p>`;
  const pre = html`<pre class="preview" aria-labelledby="body">${preview.text}</pre>`;
  return html`${digest}${about}${preview.truncated ? cutNotice(preview) : undefined}${pre}`;
}

function body(hold: Hold): Html {
  const digest =
    hold.bodyDigest === undefined
      ? undefined
      : html`<p>SHA-256 <code>${hold.bodyDigest}</code>: an approved retry must send exactly these bytes.</p>`;
  if (hold.bodyDigest === undefined) return html`<p>No body.</p>`;
  const preview = hold.preview;
  if (!preview)
    return html`${digest}
      <p class="muted">No preview kept (the guard's <code>oversight.preview</code> is off).</p>`;
  const form = preview.contentType === 'application/x-www-form-urlencoded';
  const fields = form ? '; one field per line, line breaks inside a value shown as \\n' : '';
  const size = preview.bytes === undefined ? '' : `, ${preview.bytes} bytes`;
  const type = preview.contentType ?? 'no content type';
  const about = html`<p class="muted">${type}${size}; sensitive fields redacted${fields}.</p>`;
  if (preview.text === undefined)
    return html`${digest}${about}
      <p>${OMITTED[preview.omitted ?? 'unavailable'] ?? OMITTED.unavailable}</p>`;
  // A form's lines never wrap (they scroll): a wrapped value could start a line that reads as another field.
  const pre = html`<pre class="${form ? 'preview form' : 'preview'}" aria-labelledby="body">${preview.text}</pre>`;
  return html`${digest}${about}${preview.truncated ? cutNotice(preview) : undefined}${pre}`;
}

/**
 * Said before the text, where it cannot be missed: the preview is cut, how much it hides, and — for a
 * form — every field past the cut by name (a `to=` after 4 KB of padding is still named here).
 */
function cutNotice(preview: HoldPreview): Html {
  const cut = html`<strong>Cut:</strong>`;
  if (preview.hiddenBytes === undefined) {
    return html`<p class="cut" role="note">${cut} only the beginning of the body is shown.</p>`;
  }
  const shown = `only the first ${Buffer.byteLength(preview.text ?? '')} bytes are shown`;
  const hidden = `${preview.hiddenBytes} more bytes are not`;
  return html`<p class="cut" role="note">${cut} ${shown}; ${hidden}${hiddenFields(preview.hiddenFields)}.</p>`;
}

function hiddenFields(fields: HiddenFields | undefined): Html | undefined {
  if (!fields) return undefined;
  const names = fields.names.map(
    (name, i) => html`${i > 0 ? ', ' : ''}<code>${name}</code>${i === 0 && fields.partial ? ' (in part)' : ''}`,
  );
  const more = fields.distinct > fields.names.length ? ` and ${fields.distinct - fields.names.length} more names` : '';
  return html`, in ${fields.count} ${fields.count === 1 ? 'field' : 'fields'}: ${names}${more}`;
}

function form(ctx: PageContext, hold: Hold, link: string): Html {
  return html`<form class="decide" method="post" action="${link}">
    <input type="hidden" name="csrf" value="${ctx.csrf}" />
    <label for="note">Reason (optional, recorded with your decision)</label>
    <textarea id="note" name="note" maxlength="1024"></textarea>
    <p class="muted">Approving lets the agent retry exactly this request once, until ${when(hold.expiresAt)}.</p>
    <div class="actions">
      <button type="submit" class="approve" name="verdict" value="approve">Approve</button>
      <button type="submit" class="deny" name="verdict" value="deny">Deny</button>
    </div>
  </form>`;
}
