/**
 * A TCP proxy on a free loopback port in front of a real server (Redis), for tests that must control
 * the ORDER in which a client sees things — deterministically, without timing races: hold back what
 * the server answers on one connection until the test releases it, or drop a connection as a network
 * fault would. Bytes are forwarded unchanged; nothing is parsed but a marker search in what clients send.
 */
import { connect, createServer, type Socket } from 'node:net';
import { HOST } from './redis.js';

/** Replies held back on one connection until `release()`. */
export interface Hold {
  /** Resolves once the server has answered something that is now held (the client has not seen it). */
  readonly held: Promise<void>;
  /** Deliver what was held (and what follows) to the client. */
  release(): void;
  /** Resolves once the held connection is closed on both sides. */
  readonly closed: Promise<void>;
}

/** A running proxy. */
export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  /**
   * Arm a hold: the next connection whose client sends `marker` (case-insensitive, e.g. the RESP command
   * name `hgetall`) gets every later byte from the server held back until `release()`.
   */
  holdRepliesAfter(marker: string): Hold;
  /** Cut every connection whose client has sent `marker` (as a network fault would); the client reconnects. */
  drop(marker: string): number;
  close(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Lower-cased text the client has sent (the start of it: enough to find command names). */
  sent: string;
  hold: Armed | undefined;
}

interface Armed {
  readonly marker: string;
  readonly buffer: Buffer[];
  released: boolean;
  upstreamEnded: boolean;
  link: Link | undefined;
  onHeld: () => void;
  onClosed: () => void;
}

const SENT_KEPT = 4096;

/**
 * Start a proxy to `target`.
 *
 * @example
 * const proxy = await startProxy({ host: server.host, port: server.port });
 * const hold = proxy.holdRepliesAfter('hgetall'); await hold.held; …; hold.release();
 */
export async function startProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  const armed: Armed[] = [];
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const link: Link = { client, upstream, sent: '', hold: undefined };
    links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (link.sent.length < SENT_KEPT) link.sent += chunk.toString('latin1').toLowerCase();
      const hold = link.hold
        ? undefined
        : armed.find((a) => !a.link && chunk.toString('latin1').toLowerCase().includes(a.marker));
      if (hold) {
        hold.link = link;
        link.hold = hold;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const hold = link.hold;
      if (hold && !hold.released) {
        hold.buffer.push(chunk);
        hold.onHeld();
      } else if (!client.destroyed) client.write(chunk);
    });
    const holding = (): boolean => link.hold !== undefined && !link.hold.released;
    client.on('end', () => upstream.end());
    upstream.on('end', () => {
      if (holding()) (link.hold as Armed).upstreamEnded = true;
      else client.end();
    });
    upstream.on('close', () => {
      if (holding()) (link.hold as Armed).upstreamEnded = true;
      else client.end();
    });
    client.on('close', () => {
      upstream.destroy();
      links.delete(link);
      link.hold?.onClosed();
    });
    client.on('error', () => client.destroy());
    upstream.on('error', () => {
      if (!holding()) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    host: HOST,
    port,
    holdRepliesAfter(marker) {
      let onHeld = (): void => undefined;
      let onClosed = (): void => undefined;
      const held = new Promise<void>((resolve) => (onHeld = resolve));
      const closed = new Promise<void>((resolve) => (onClosed = resolve));
      const hold: Armed = {
        marker: marker.toLowerCase(),
        buffer: [],
        released: false,
        upstreamEnded: false,
        link: undefined,
        onHeld,
        onClosed,
      };
      armed.push(hold);
      return {
        held,
        closed,
        release() {
          hold.released = true;
          const link = hold.link;
          if (!link) return;
          for (const chunk of hold.buffer.splice(0)) if (!link.client.destroyed) link.client.write(chunk);
          if (hold.upstreamEnded || link.upstream.destroyed) link.client.end();
        },
      };
    },
    drop(marker) {
      const needle = marker.toLowerCase();
      let dropped = 0;
      for (const link of [...links]) {
        if (!link.sent.includes(needle)) continue;
        link.client.destroy();
        link.upstream.destroy();
        links.delete(link);
        dropped += 1;
      }
      return dropped;
    },
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
