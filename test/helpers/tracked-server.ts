// A net.Server that can be closed at once in afterAll, connections and all (close() alone waits for them):
// the engine-timeout tests hold connections open on purpose.
import type { Server, Socket } from 'node:net';

const held = new WeakMap<Server, Set<Socket>>();

/** Remember the server's connections so closeHard can end them. */
export function track(server: Server): Server {
  const sockets = new Set<Socket>();
  held.set(server, sockets);
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  return server;
}

/** Close a server and every connection it still holds. */
export function closeHard(server: Server): Promise<void> {
  return new Promise((resolve) => {
    for (const sock of held.get(server) ?? []) sock.destroy();
    server.close(() => resolve());
  });
}
