#!/usr/bin/env node
// Serves OHIF's prebuilt viewer with Zsad's app-config.js and proxies DICOMweb to Orthanc on the same origin.
// Same origin because Orthanc's DICOMweb plugin sends no CORS headers; loopback by default because nothing else
// should reach an unauthenticated PACS front end (in compose the container binds 0.0.0.0 and the host port
// mapping keeps it on 127.0.0.1).
//
//   node serve.js --port 3000 --orthanc http://127.0.0.1:8042 [--host 127.0.0.1] [--dist ohif-dist] [--config app-config.js]
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : (process.env[`ZSAD_VIEWER_${name.toUpperCase()}`] ?? fallback);
}

const host = option('host', '127.0.0.1');
const port = Number(option('port', '3000'));
const dist = path.resolve(__dirname, option('dist', 'ohif-dist'));
const config = path.resolve(__dirname, option('config', 'app-config.js'));
const orthanc = new URL(option('orthanc', 'http://127.0.0.1:8042'));

if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.error(`no OHIF build in ${dist}: run npm ci in viewer/ (it unpacks @ohif/app into ohif-dist/)`);
  process.exit(2);
}

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf',
  '.map': 'application/json', '.txt': 'text/plain; charset=utf-8', '.xml': 'application/xml', '.onnx': 'application/octet-stream',
};

// Cross-origin isolation gives OHIF SharedArrayBuffer, which its volume viewports and SEG labelmaps use;
// every resource is same-origin, so require-corp blocks nothing.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function sendFile(res, file, status = 200) {
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(status, {
      ...isolation,
      'Content-Type': types[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': st.size,
      'Cache-Control': 'no-cache',
    });
    fs.createReadStream(file).pipe(res);
  });
}

function proxy(req, res) {
  const headers = { ...req.headers };
  // The DICOMweb plugin writes BulkDataURIs from the Host it is asked on: keep the browser's, so they point here.
  headers['forwarded'] = `host=${req.headers.host};proto=http`;
  const upstream = http.request({
    protocol: orthanc.protocol, hostname: orthanc.hostname, port: orthanc.port,
    method: req.method, path: req.url, headers,
  }, (up) => {
    res.writeHead(up.statusCode ?? 502, { ...up.headers, 'Cross-Origin-Resource-Policy': 'same-origin' });
    up.pipe(res);
  });
  upstream.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`Orthanc at ${orthanc.href} is unreachable: ${e.message}`);
  });
  req.pipe(upstream);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://viewer');
  if (url.pathname.startsWith('/dicom-web/') || url.pathname === '/wado' || url.pathname.startsWith('/wado/')) {
    proxy(req, res);
    return;
  }
  if (url.pathname === '/app-config.js') {
    sendFile(res, config);
    return;
  }
  const file = path.resolve(dist, '.' + decodeURIComponent(url.pathname));
  if (!file.startsWith(dist + path.sep)) {
    res.writeHead(403);
    res.end();
    return;
  }
  fs.stat(file, (err, st) => {
    // OHIF is a single-page app: /viewer?StudyInstanceUIDs=... and other routes are index.html.
    sendFile(res, !err && st.isFile() ? file : path.join(dist, 'index.html'));
  });
});

server.listen(port, host, () => {
  const address = server.address();
  console.log(`OHIF on http://${address.address}:${address.port}/ (DICOMweb -> ${orthanc.href}dicom-web/)`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
