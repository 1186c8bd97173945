// A throw-away HTTP server on 127.0.0.1 that serves one file under the path tfjs-node's install
// script requests; every other request (the prebuilt addon) gets a 404, so node-gyp builds it.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';

export const LIBTENSORFLOW_PATH = '/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz';

/** Starts serving `file`; resolves to { base, requests, close }. */
export function serveLibtensorflow(file) {
  const requests = [];
  const size = statSync(file).size;
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === 'GET' && req.url === LIBTENSORFLOW_PATH) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      createReadStream(file).pipe(res);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        base: `http://127.0.0.1:${port}/`,
        requests,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
